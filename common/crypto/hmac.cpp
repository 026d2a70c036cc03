#include "common/crypto/hmac.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstring>
#include <string>

#include "common/text/hex.hpp"

namespace civic::crypto {
namespace {

class keyed_context {
 public:
  keyed_context()
      : mac_(EVP_MAC_fetch(nullptr, "HMAC", nullptr)),
        ctx_(mac_ ? EVP_MAC_CTX_new(mac_) : nullptr) {}
  ~keyed_context() {
    EVP_MAC_CTX_free(ctx_);
    EVP_MAC_free(mac_);
    OPENSSL_cleanse(key_.data(), key_.size());
  }
  keyed_context(const keyed_context&) = delete;
  keyed_context& operator=(const keyed_context&) = delete;

  bool sign(std::string_view key, std::string_view data, sha256_digest& out) {
    if (!ctx_) return false;
    bool same_key = keyed_ && key.size() == key_.size() &&
                    std::memcmp(key.data(), key_.data(), key.size()) == 0;
    if (same_key) {
      // A null key re-initializes with the key already set.
      if (EVP_MAC_init(ctx_, nullptr, 0, nullptr) != 1) return false;
    } else {
      char digest_name[] = "SHA256";
      OSSL_PARAM params[] = {
          OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
          OSSL_PARAM_construct_end()};
      keyed_ = false;
      OPENSSL_cleanse(key_.data(), key_.size());
      if (EVP_MAC_init(ctx_, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                       params) != 1) {
        return false;
      }
      key_.assign(key);
      keyed_ = true;
    }
    size_t length = 0;
    return EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(data.data()), data.size()) ==
               1 &&
           EVP_MAC_final(ctx_, out.data(), &length, out.size()) == 1 && length == out.size();
  }

 private:
  EVP_MAC* mac_;
  EVP_MAC_CTX* ctx_;
  std::string key_;  // the key the context holds (a secret: wiped when replaced)
  bool keyed_ = false;
};

}  // namespace

sha256_digest hmac_sha256_reusing_key(std::string_view key, std::string_view data) {
  thread_local keyed_context context;
  sha256_digest digest{};
  if (context.sign(key, data, digest)) return digest;
  return hmac_sha256(key, data);
}

sha256_digest hmac_sha256(std::string_view key, std::string_view data) {
  sha256_digest digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &length);
  return digest;
}

sha256_digest sha256(std::string_view data) {
  sha256_digest digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return digest;
}

std::string random_bytes(size_t size) {
  std::string out(size, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size)) != 1) {
    return {};
  }
  return out;
}

std::string to_hex(const unsigned char* bytes, size_t size) {
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) text::append_hex(out, bytes[i], 2);
  return out;
}

std::string to_base64(const unsigned char* bytes, size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(size));
  out.resize(static_cast<size_t>(written));
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace civic::crypto
