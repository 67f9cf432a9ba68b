// SHA-256, for what is stored only as a hash (API key secrets, the people
// an erasure names); HMAC-SHA256, for what is signed (webhook deliveries);
// and random bytes, for secrets.
#ifndef MITTARI_DOMAIN_DIGEST_H_
#define MITTARI_DOMAIN_DIGEST_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mittari::domain {

// The 32-byte digest of `data`; empty when OpenSSL has no SHA-256 (which
// matches no stored hash).
std::string Sha256(absl::string_view data);
// The 32-byte HMAC-SHA256 of `data` under `key`; empty on failure.
std::string HmacSha256(absl::string_view key, absl::string_view data);
// `n` bytes from OpenSSL's random generator.
absl::StatusOr<std::string> RandomBytes(size_t n);

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_DIGEST_H_
