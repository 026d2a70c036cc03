#include "common/crypto/reply_token.hpp"

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <rapidjson/document.h>

#include <array>
#include <map>
#include <mutex>
#include <optional>

#include "common/crypto/base64url.hpp"
#include "common/json/record_reader.hpp"
#include "common/json/writer.hpp"

namespace civic::crypto {
namespace {

constexpr std::string_view token_prefix = "rt1.";
constexpr std::string_view hkdf_info = "civic reply token v1";
constexpr size_t key_bytes = 32;
constexpr size_t nonce_bytes = 12;
constexpr size_t tag_bytes = 16;
constexpr size_t max_kid_chars = 32;

using bytes = std::vector<unsigned char>;
using key_array = std::array<unsigned char, key_bytes>;

struct pkey_free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct pkey_ctx_free {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct cipher_ctx_free {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, pkey_ctx_free>;
using cipher_ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free>;

std::string_view as_view(const unsigned char* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

bool valid_kid(std::string_view kid) {
  if (kid.empty() || kid.size() > max_kid_chars) return false;
  for (char c : kid) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

expected<key_array, std::string> raw_public(EVP_PKEY* key) {
  key_array out{};
  size_t size = out.size();
  if (EVP_PKEY_get_raw_public_key(key, out.data(), &size) != 1 || size != out.size()) {
    return unexpected(std::string("cannot read an X25519 public key"));
  }
  return out;
}

// X25519(own, peer), then HKDF-SHA256 with salt = ephemeral || recipient public key.
expected<key_array, std::string> derive_key(EVP_PKEY* own, EVP_PKEY* peer, const key_array& epk,
                                            const key_array& rpk) {
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new(own, nullptr));
  std::array<unsigned char, key_bytes> shared{};
  size_t shared_size = shared.size();
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer) != 1 ||
      EVP_PKEY_derive(ctx.get(), shared.data(), &shared_size) != 1 ||
      shared_size != shared.size()) {
    return unexpected(std::string("X25519 key agreement failed"));
  }
  std::array<unsigned char, key_bytes * 2> salt{};
  std::copy(epk.begin(), epk.end(), salt.begin());
  std::copy(rpk.begin(), rpk.end(), salt.begin() + key_bytes);
  pkey_ctx_ptr kdf(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
  key_array out{};
  size_t out_size = out.size();
  bool ok =
      kdf && EVP_PKEY_derive_init(kdf.get()) == 1 &&
      EVP_PKEY_CTX_set_hkdf_md(kdf.get(), EVP_sha256()) == 1 &&
      EVP_PKEY_CTX_set1_hkdf_salt(kdf.get(), salt.data(), static_cast<int>(salt.size())) == 1 &&
      EVP_PKEY_CTX_set1_hkdf_key(kdf.get(), shared.data(), static_cast<int>(shared.size())) == 1 &&
      EVP_PKEY_CTX_add1_hkdf_info(kdf.get(),
                                  reinterpret_cast<const unsigned char*>(hkdf_info.data()),
                                  static_cast<int>(hkdf_info.size())) == 1 &&
      EVP_PKEY_derive(kdf.get(), out.data(), &out_size) == 1 && out_size == out.size();
  OPENSSL_cleanse(shared.data(), shared.size());
  if (!ok) return unexpected(std::string("HKDF failed"));
  return out;
}

std::string plaintext_of(const reply_address& a) {
  json::writer w;
  w.StartObject();
  w.member("c", a.channel);
  w.member("to", a.to);
  w.member("th", a.thread);
  w.member("via", a.via);
  w.member("h", a.handle);
  w.member("at", a.written_at_ms);
  w.EndObject();
  return w.str();
}

expected<reply_address, std::string> address_of(std::string_view plaintext) {
  rapidjson::Document doc;
  if (!json::parse_object(plaintext, doc)) {
    return unexpected(std::string("the token's contents are not readable"));
  }
  reply_address a;
  if (!json::read(doc, "c", a.channel) || !json::read(doc, "to", a.to) ||
      !json::read(doc, "th", a.thread) || !json::read(doc, "via", a.via) ||
      !json::read(doc, "h", a.handle) || !json::read(doc, "at", a.written_at_ms)) {
    return unexpected(std::string("the token's contents lack a field"));
  }
  return a;
}

std::string aad_of(std::string_view kid) {
  std::string aad(token_prefix);
  aad += kid;
  return aad;
}

}  // namespace

// ---------------------------------------------------------------- keys

expected<key_pair, std::string> generate_reply_key_pair(std::string_view kid) {
  if (!valid_kid(kid)) {
    return unexpected(std::string("a key id is 1 to 32 letters, digits, '-' or '_'"));
  }
  pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  if (!key) return unexpected(std::string("X25519 key generation failed"));
  key_array priv{};
  size_t priv_size = priv.size();
  if (EVP_PKEY_get_raw_private_key(key.get(), priv.data(), &priv_size) != 1) {
    return unexpected(std::string("cannot read the new private key"));
  }
  auto pub = raw_public(key.get());
  if (!pub) return unexpected(pub.error());
  key_pair out{std::string(kid), base64url_encode(as_view(pub->data(), pub->size())),
               base64url_encode(as_view(priv.data(), priv.size()))};
  OPENSSL_cleanse(priv.data(), priv.size());
  return out;
}

expected<named_key, std::string> parse_named_key(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return unexpected(std::string("a key is written kid:base64url"));
  }
  named_key k{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
  if (!valid_kid(k.kid)) {
    return unexpected(std::string("a key id is 1 to 32 letters, digits, '-' or '_'"));
  }
  auto decoded = base64url_decode(k.key);
  if (!decoded || decoded->size() != key_bytes) {
    return unexpected("key " + k.kid + ": not 32 bytes of base64url");
  }
  return k;
}

// ---------------------------------------------------------------- sealing

struct reply_sealer::impl {
  settings config;
  pkey_ptr recipient;
  key_array recipient_raw{};

  std::mutex mutex;
  key_array epoch_key{};
  key_array epoch_public{};
  uint64_t epoch_used = 0;
  std::chrono::steady_clock::time_point epoch_started{};
  bool have_epoch = false;

  std::optional<std::string> new_epoch() {
    pkey_ptr ephemeral(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
    if (!ephemeral) return "X25519 key generation failed";
    auto epk = raw_public(ephemeral.get());
    if (!epk) return epk.error();
    auto key = derive_key(ephemeral.get(), recipient.get(), *epk, recipient_raw);
    if (!key) return key.error();
    epoch_key = *key;
    epoch_public = *epk;
    epoch_used = 0;
    epoch_started = std::chrono::steady_clock::now();
    have_epoch = true;
    return std::nullopt;
  }
};

reply_sealer::reply_sealer(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
reply_sealer::~reply_sealer() {
  if (impl_) OPENSSL_cleanse(impl_->epoch_key.data(), impl_->epoch_key.size());
}

expected<std::unique_ptr<reply_sealer>, std::string> reply_sealer::create(settings s) {
  if (!valid_kid(s.kid)) {
    return unexpected(std::string("a key id is 1 to 32 letters, digits, '-' or '_'"));
  }
  auto raw = base64url_decode(s.public_key);
  if (!raw || raw->size() != key_bytes) {
    return unexpected(std::string("the reply token public key is not 32 bytes of base64url"));
  }
  auto state = std::make_unique<impl>();
  std::copy(raw->begin(), raw->end(), state->recipient_raw.begin());
  state->recipient.reset(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_X25519, nullptr, state->recipient_raw.data(), state->recipient_raw.size()));
  if (!state->recipient) return unexpected(std::string("not an X25519 public key"));
  if (s.max_tokens_per_epoch == 0) s.max_tokens_per_epoch = 1;
  state->config = std::move(s);
  if (auto failed = state->new_epoch()) return unexpected(*failed);
  return std::unique_ptr<reply_sealer>(new reply_sealer(std::move(state)));
}

expected<std::string, std::string> reply_sealer::seal(const reply_address& address) {
  for (const std::string* field :
       {&address.channel, &address.to, &address.thread, &address.via, &address.handle}) {
    if (field->size() > max_reply_field_bytes) {
      return unexpected(std::string("a reply address field is longer than 512 bytes"));
    }
  }
  key_array key{};
  key_array epk{};
  {
    std::lock_guard lock(impl_->mutex);
    bool worn =
        impl_->epoch_used >= impl_->config.max_tokens_per_epoch ||
        std::chrono::steady_clock::now() - impl_->epoch_started >= impl_->config.epoch_lifetime;
    if (worn || !impl_->have_epoch) {
      if (auto failed = impl_->new_epoch()) return unexpected(*failed);
    }
    ++impl_->epoch_used;
    key = impl_->epoch_key;
    epk = impl_->epoch_public;
  }
  std::string plaintext = plaintext_of(address);
  std::string aad = aad_of(impl_->config.kid);

  bytes sealed(key_bytes + nonce_bytes + plaintext.size() + tag_bytes);
  std::copy(epk.begin(), epk.end(), sealed.begin());
  unsigned char* nonce = sealed.data() + key_bytes;
  unsigned char* body = nonce + nonce_bytes;
  cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
  int length = 0, final_length = 0;
  bool ok = ctx && RAND_bytes(nonce, static_cast<int>(nonce_bytes)) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &length,
                              reinterpret_cast<const unsigned char*>(aad.data()),
                              static_cast<int>(aad.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), body, &length,
                              reinterpret_cast<const unsigned char*>(plaintext.data()),
                              static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), body + length, &final_length) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag_bytes),
                                body + plaintext.size()) == 1;
  OPENSSL_cleanse(key.data(), key.size());
  OPENSSL_cleanse(plaintext.data(), plaintext.size());
  if (!ok) return unexpected(std::string("AES-256-GCM sealing failed"));
  std::string token(token_prefix);
  token += impl_->config.kid;
  token += '.';
  token += base64url_encode(as_view(sealed.data(), sealed.size()));
  if (token.size() > max_reply_token_chars) {
    return unexpected(std::string("the reply address is too long for a token"));
  }
  return token;
}

// ---------------------------------------------------------------- opening

struct reply_opener::impl {
  struct recipient_key {
    pkey_ptr key;
    key_array public_raw{};
  };
  std::map<std::string, recipient_key, std::less<>> keys;

  // Derived epoch keys by kid + ephemeral public key: one X25519 operation per
  // epoch rather than per token. Bounded; cleared when full.
  mutable std::mutex mutex;
  mutable std::map<std::string, key_array> epoch_keys;
  static constexpr size_t max_cached_epochs = 4096;
};

reply_opener::reply_opener(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
reply_opener::~reply_opener() {
  if (!impl_) return;
  for (auto& [id, key] : impl_->epoch_keys) OPENSSL_cleanse(key.data(), key.size());
}

expected<std::unique_ptr<reply_opener>, std::string> reply_opener::create(
    const std::vector<named_key>& private_keys) {
  if (private_keys.empty()) return unexpected(std::string("no reply token private key given"));
  auto state = std::make_unique<impl>();
  for (const auto& k : private_keys) {
    if (!valid_kid(k.kid)) {
      return unexpected(std::string("a key id is 1 to 32 letters, digits, '-' or '_'"));
    }
    auto raw = base64url_decode(k.key);
    if (!raw || raw->size() != key_bytes) {
      return unexpected("reply token key " + k.kid + ": not 32 bytes of base64url");
    }
    impl::recipient_key entry;
    entry.key.reset(EVP_PKEY_new_raw_private_key(
        EVP_PKEY_X25519, nullptr, reinterpret_cast<const unsigned char*>(raw->data()),
        raw->size()));
    OPENSSL_cleanse(raw->data(), raw->size());
    if (!entry.key) return unexpected("reply token key " + k.kid + ": not an X25519 private key");
    auto pub = raw_public(entry.key.get());
    if (!pub) return unexpected(pub.error());
    entry.public_raw = *pub;
    if (!state->keys.emplace(k.kid, std::move(entry)).second) {
      return unexpected("reply token key id " + k.kid + " is given twice");
    }
  }
  return std::unique_ptr<reply_opener>(new reply_opener(std::move(state)));
}

expected<reply_address, std::string> reply_opener::open(std::string_view token) const {
  if (token.size() > max_reply_token_chars || !token.starts_with(token_prefix)) {
    return unexpected(std::string("not a reply token"));
  }
  std::string_view rest = token.substr(token_prefix.size());
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return unexpected(std::string("not a reply token"));
  std::string_view kid = rest.substr(0, dot);
  auto found = impl_->keys.find(kid);
  if (found == impl_->keys.end()) {
    return unexpected("no private key for key id " + std::string(kid));
  }
  auto sealed = base64url_decode(rest.substr(dot + 1));
  if (!sealed || sealed->size() < key_bytes + nonce_bytes + tag_bytes) {
    return unexpected(std::string("the reply token is truncated or not base64url"));
  }
  const auto* data = reinterpret_cast<const unsigned char*>(sealed->data());
  key_array epk{};
  std::copy(data, data + key_bytes, epk.begin());

  key_array key{};
  bool cached = false;
  std::string cache_id = std::string(kid) + std::string(sealed->data(), key_bytes);
  {
    std::lock_guard lock(impl_->mutex);
    auto hit = impl_->epoch_keys.find(cache_id);
    if (hit != impl_->epoch_keys.end()) {
      key = hit->second;
      cached = true;
    }
  }
  if (!cached) {
    pkey_ptr ephemeral(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, epk.data(), epk.size()));
    if (!ephemeral) return unexpected(std::string("the reply token is damaged"));
    auto derived =
        derive_key(found->second.key.get(), ephemeral.get(), epk, found->second.public_raw);
    if (!derived) return unexpected(derived.error());
    key = *derived;
  }

  const unsigned char* nonce = data + key_bytes;
  const unsigned char* body = nonce + nonce_bytes;
  size_t body_size = sealed->size() - key_bytes - nonce_bytes - tag_bytes;
  std::string aad = aad_of(kid);
  std::string plaintext(body_size, '\0');
  cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
  int length = 0, final_length = 0;
  std::array<unsigned char, tag_bytes> tag{};
  std::copy(body + body_size, body + body_size + tag_bytes, tag.begin());
  bool ok =
      ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &length,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &length,
                        body, static_cast<int>(body_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag_bytes),
                          tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()) + length,
                          &final_length) == 1;
  if (!ok) {
    OPENSSL_cleanse(key.data(), key.size());
    return unexpected(
        std::string("the reply token does not authenticate (altered, or sealed for "
                    "another key)"));
  }
  if (!cached) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->epoch_keys.size() >= impl::max_cached_epochs) {
      for (auto& [id, k] : impl_->epoch_keys) OPENSSL_cleanse(k.data(), k.size());
      impl_->epoch_keys.clear();
    }
    impl_->epoch_keys.emplace(std::move(cache_id), key);
  }
  OPENSSL_cleanse(key.data(), key.size());
  auto address = address_of(plaintext);
  OPENSSL_cleanse(plaintext.data(), plaintext.size());
  return address;
}

}  // namespace civic::crypto
