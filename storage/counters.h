// Counter vectors: the values of the rollup column family. A value is a
// fixed-length vector of int64 counters (a count, a sum, a sum of squares,
// ...), added by RocksDB's merge operator without a read.
//
// Encoding: one magic byte, one byte with the number of counters (1..255),
// then each counter as 8 bytes little-endian. Anything else is corrupt, and
// the merge operator refuses it instead of counting it as zero.
#ifndef MITTARI_STORAGE_COUNTERS_H_
#define MITTARI_STORAGE_COUNTERS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace rocksdb {
class MergeOperator;
}

namespace mittari::storage {

using Counters = std::vector<int64_t>;

std::string EncodeCounters(const Counters& counters);
absl::StatusOr<Counters> DecodeCounters(absl::string_view encoded);

// Adds `operand` to `existing` (both encoded) element by element. Fails on a
// corrupt operand, a length mismatch or an overflow.
absl::StatusOr<std::string> AddEncodedCounters(absl::string_view existing,
                                               absl::string_view operand);

// The RocksDB merge operator over AddEncodedCounters.
std::shared_ptr<rocksdb::MergeOperator> NewCounterMergeOperator();

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_COUNTERS_H_
