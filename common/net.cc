#include "common/net.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace mittari {

bool IsLoopbackAddress(absl::string_view address) {
  absl::string_view host = address;
  if (absl::ConsumePrefix(&host, "[")) {
    // [V6]:PORT or [V6]
    host = host.substr(0, host.find(']'));
  } else if (size_t colon = host.rfind(':');
             colon != absl::string_view::npos && host.find(':') == colon) {
    host = host.substr(0, colon);  // HOST:PORT
  }
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

}  // namespace mittari
