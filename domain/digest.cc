#include "domain/digest.h"

#include <openssl/evp.h>

#include <array>

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

}  // namespace mittari::domain
