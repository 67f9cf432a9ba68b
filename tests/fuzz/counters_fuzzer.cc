// The counter merge on any bytes: adding two values never crashes, never
// wraps and never fails for a number. A corrupt operand is refused (never
// counted as zero); two well-formed vectors of one length always add, to a
// well-formed vector that is exact when both were and no sum passed the
// int64 limits, and marked overflowed otherwise.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "storage/counters.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const absl::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t split = data[0] % (in.size() + 1);
  const absl::string_view a = in.substr(0, split);
  const absl::string_view b = in.substr(split);
  auto da = mittari::storage::DecodeCounters(a);
  auto db = mittari::storage::DecodeCounters(b);
  auto sum = mittari::storage::AddEncodedCounters(a, b);
  if (!da.ok() || !db.ok() || da->values.size() != db->values.size()) {
    Check(!sum.ok());
    return 0;
  }
  Check(sum.ok());
  auto ds = mittari::storage::DecodeCounters(*sum);
  Check(ds.ok());
  Check(ds->values.size() == da->values.size());
  bool exact = !da->overflowed && !db->overflowed;
  for (size_t i = 0; i < da->values.size(); ++i) {
    int64_t expected = 0;
    const bool fits =
        !__builtin_add_overflow(da->values[i], db->values[i], &expected);
    exact = exact && fits;
    if (fits) Check(ds->values[i] == expected);
  }
  Check(ds->overflowed == !exact);
  return 0;
}
