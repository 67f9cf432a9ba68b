#include "domain/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>

#include "common/errors.h"

namespace mittari::domain {

std::string Sha256(absl::string_view data) {
  // Fetched once: OpenSSL 3's one-shot SHA256() looks the digest up, under
  // a global lock, on every call.
  static const EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (kSha256 == nullptr || EVP_Digest(data.data(), data.size(), digest.data(),
                                       &size, kSha256, nullptr) != 1) {
    return "";
  }
  return {reinterpret_cast<const char*>(digest.data()), size};
}

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           mac.data(), &size) == nullptr) {
    return "";
  }
  return {reinterpret_cast<const char*>(mac.data()), size};
}

absl::StatusOr<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                 static_cast<int>(n)) != 1) {
    return errors::Internal("no randomness available for a secret");
  }
  return out;
}

}  // namespace mittari::domain
