// Addresses: what the server and its clients decide by where a peer is.
#ifndef MITTARI_COMMON_NET_H_
#define MITTARI_COMMON_NET_H_

#include "absl/strings/string_view.h"

namespace mittari {

// True when the host of `address` (HOST:PORT, [V6]:PORT or a bare host) is
// a loopback address or "localhost".
bool IsLoopbackAddress(absl::string_view address);

}  // namespace mittari

#endif  // MITTARI_COMMON_NET_H_
