// Counter vectors: the values of the rollup column family. A value is a
// fixed-length vector of int64 counters (a count, a sum, a sum of squares,
// ...), added by RocksDB's merge operator without a read.
//
// An add never wraps and never fails for its size: a sum that would pass
// the int64 limits saturates there and marks the whole vector overflowed.
// Its counters are then no longer exact, for good (later adds cannot tell
// how far past the limit the sum went), and a query reports every point
// that reads it as overflowed instead of a value, while the other points
// and the other workspaces go on as before. Inputs are bounded where they
// enter, so only sums far beyond any real business reach the limits.
//
// Encoding: one magic byte (one value for exact vectors, another for
// overflowed ones), one byte with the number of counters (1..255), then
// each counter as 8 bytes little-endian. Anything else is corrupt, and the
// merge operator refuses it instead of counting it as zero.
#ifndef MITTARI_STORAGE_COUNTERS_H_
#define MITTARI_STORAGE_COUNTERS_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace rocksdb {
class MergeOperator;
}

namespace mittari::storage {

using Counters = std::vector<int64_t>;

// A decoded counter vector.
struct CounterVector {
  Counters values;
  // An add saturated one of them: none is exact any more.
  bool overflowed = false;
};

std::string EncodeCounters(const Counters& counters, bool overflowed = false);
absl::StatusOr<CounterVector> DecodeCounters(absl::string_view encoded);

// Adds `operand` to `existing` (both encoded) element by element,
// saturating as above. Fails only on a corrupt operand or a length
// mismatch.
absl::StatusOr<std::string> AddEncodedCounters(absl::string_view existing,
                                               absl::string_view operand);

// Adds `operand` into `sum` (both encoded) in place, as
// AddEncodedCounters does; on a corrupt operand or a length mismatch it
// fails and leaves `sum` as it was.
absl::Status AddEncodedCountersInPlace(absl::Span<char> sum,
                                       absl::string_view operand);

// Whether adding a delta changes nothing: every counter zero, and not
// overflowed. Such deltas are not written.
inline bool ChangesNothing(const Counters& delta, bool overflowed) {
  return !overflowed && std::all_of(delta.begin(), delta.end(),
                                    [](int64_t x) { return x == 0; });
}

// `sum += x`, saturating at the int64 limits; false when it saturated.
inline bool AddSaturating(int64_t& sum, int64_t x) {
  if (!__builtin_add_overflow(sum, x, &sum)) return true;
  sum = x > 0 ? std::numeric_limits<int64_t>::max()
              : std::numeric_limits<int64_t>::min();
  return false;
}

// `sum -= x`, saturating likewise.
inline bool SubtractSaturating(int64_t& sum, int64_t x) {
  if (!__builtin_sub_overflow(sum, x, &sum)) return true;
  sum = x < 0 ? std::numeric_limits<int64_t>::max()
              : std::numeric_limits<int64_t>::min();
  return false;
}

// The RocksDB merge operator over AddEncodedCounters.
std::shared_ptr<rocksdb::MergeOperator> NewCounterMergeOperator();

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_COUNTERS_H_
