// The key codec on any bytes: decoding never crashes or reads past the
// key, whatever decodes re-encodes to exactly the bytes it came from (one
// encoding per value, so no two keys alias), and the encoding keeps the
// order of strings and of signed integers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "storage/key_codec.h"

namespace {

using mittari::storage::KeyDecoder;
using mittari::storage::KeyEncoder;

void Check(bool ok) {
  if (!ok) std::abort();
}

// Decodes components of the kinds the first byte names, two bits each.
void RoundTrip(absl::string_view in) {
  if (in.empty()) return;
  const auto plan = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  KeyDecoder d(in);
  KeyEncoder e;
  for (int i = 0; i < 4 && !d.done(); ++i) {
    switch ((plan >> (2 * i)) & 3) {
      case 0: {
        auto v = d.U8();
        if (!v.ok()) return;
        e.U8(*v);
        break;
      }
      case 1: {
        auto v = d.U32();
        if (!v.ok()) return;
        e.U32(*v);
        break;
      }
      case 2: {
        auto v = d.I64();
        if (!v.ok()) return;
        e.I64(*v);
        break;
      }
      default: {
        auto v = d.Str();
        if (!v.ok()) return;
        e.Str(*v);
        break;
      }
    }
    const size_t consumed = in.size() - d.rest().size();
    Check(e.key() == in.substr(0, consumed));
  }
}

// Two strings (and two integers) from halves of the input: their encodings
// sort as they do.
void Order(absl::string_view in) {
  const absl::string_view a = in.substr(0, in.size() / 2);
  const absl::string_view b = in.substr(in.size() / 2);
  const std::string ea = KeyEncoder().Str(a).key();
  const std::string eb = KeyEncoder().Str(b).key();
  Check((a < b) == (ea < eb));
  if (in.size() >= 16) {
    int64_t x = 0;
    int64_t y = 0;
    for (size_t i = 0; i < 8; ++i) {
      x = static_cast<int64_t>((static_cast<uint64_t>(x) << 8) |
                               static_cast<uint8_t>(in[i]));
      y = static_cast<int64_t>((static_cast<uint64_t>(y) << 8) |
                               static_cast<uint8_t>(in[8 + i]));
    }
    Check((x < y) == (KeyEncoder().I64(x).key() < KeyEncoder().I64(y).key()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view in(reinterpret_cast<const char*>(data), size);
  RoundTrip(in);
  Order(in);
  return 0;
}
