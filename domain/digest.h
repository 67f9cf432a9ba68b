// SHA-256, for what is stored only as a hash: API key secrets, and the
// people an erasure names.
#ifndef MITTARI_DOMAIN_DIGEST_H_
#define MITTARI_DOMAIN_DIGEST_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mittari::domain {

// The 32-byte digest of `data`; empty when OpenSSL has no SHA-256 (which
// matches no stored hash).
std::string Sha256(absl::string_view data);

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_DIGEST_H_
