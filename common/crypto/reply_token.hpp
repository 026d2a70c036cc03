#pragma once
// The reply token: what reaching one citizen again needs (a LINE user id, a
// WhatsApp number, an e-mail address, ...), sealed by the gateway so that it can
// travel in the envelope through every topic without being readable there.
//
// Sealing is public-key: the gateway holds only the answers service's X25519
// public key, so neither the gateway nor anyone reading Kafka can open a token;
// only the answers service, holding the private key, can. Construction (ECIES
// in the manner of HPKE's base mode, RFC 9180, with OpenSSL 3.0 primitives):
//
//   ephemeral X25519 key pair (e, E) per sealing epoch
//   k     = HKDF-SHA256(ikm = X25519(e, R), salt = E || R, info = "civic reply token v1")
//   token = "rt1." kid "." base64url(E || nonce(12) || AES-256-GCM(k, nonce, plaintext,
//                                                                  aad = "rt1." kid) || tag(16))
//
// An epoch's key k seals many tokens (a fresh random nonce each) and is
// replaced after `max_tokens_per_epoch` tokens or `epoch_lifetime`, so one X25519
// operation is amortised over many messages; the ephemeral private key is
// discarded as soon as k is derived. The key id names the recipient key pair,
// so keys rotate: the gateway seals with the new public key while the answers
// service still opens tokens sealed with older ones.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error/expected.hpp"

namespace civic::crypto {

// Everything an answer on the citizen's channel needs. Only ever inside a token.
struct reply_address {
  std::string channel;  // the channel the citizen wrote on: line, telegram, web, ...
  std::string to;       // whom to answer: user, chat, phone number, e-mail address, request id
  std::string thread;   // what to answer in or quote: message id, thread ts ("" none)
  std::string via;      // the city's own account the citizen wrote to ("" the configured one)
  std::string handle;   // a short-lived single-use reply handle: LINE's replyToken ("" none)
  int64_t written_at_ms = 0;  // when the citizen wrote (handle validity, WhatsApp's window)
  bool operator==(const reply_address&) const = default;
};

inline constexpr size_t max_reply_field_bytes = 512;
inline constexpr size_t max_reply_token_chars = 2048;

struct key_pair {
  std::string kid;
  std::string public_key;   // base64url of the 32-byte X25519 public key
  std::string private_key;  // base64url of the 32-byte X25519 private key: a secret
};

// A new key pair for `kid` (letters, digits, '-', '_', at most 32).
expected<key_pair, std::string> generate_reply_key_pair(std::string_view kid);

// "kid:base64url" parsing, shared by the gateway's and the service's config.
struct named_key {
  std::string kid;
  std::string key;  // base64url
};
expected<named_key, std::string> parse_named_key(std::string_view text);

// The gateway side. Thread-safe.
class reply_sealer {
 public:
  struct settings {
    std::string kid;
    std::string public_key;  // base64url, 32 bytes decoded
    uint64_t max_tokens_per_epoch = 1u << 20;
    std::chrono::seconds epoch_lifetime{3600};
  };
  static expected<std::unique_ptr<reply_sealer>, std::string> create(settings s);
  ~reply_sealer();

  // Fails only when a field is longer than max_reply_field_bytes or OpenSSL fails.
  expected<std::string, std::string> seal(const reply_address& address);

 private:
  struct impl;
  explicit reply_sealer(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

// The answers service side. Thread-safe.
class reply_opener {
 public:
  // Every private key still needed (the current one and those of tokens that may
  // still be in the topics).
  static expected<std::unique_ptr<reply_opener>, std::string> create(
      const std::vector<named_key>& private_keys);
  ~reply_opener();

  // Fails for an unknown key id, a token not sealed for that key, or one altered
  // in any way; the message never contains the token's contents.
  expected<reply_address, std::string> open(std::string_view token) const;

 private:
  struct impl;
  explicit reply_opener(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace civic::crypto
