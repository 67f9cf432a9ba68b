// What the RocksDB backend's files (the store and its imports) share:
// statuses as absl ones, slices, and point reads and scans of one column
// family.
#ifndef MITTARI_STORAGE_ROCKSDB_UTIL_H_
#define MITTARI_STORAGE_ROCKSDB_UTIL_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/errors.h"
#include "rocksdb/db.h"
#include "rocksdb/status.h"
#include "storage/store.h"

namespace mittari::storage {

inline absl::Status FromRocks(const rocksdb::Status& s,
                              absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsCorruption()) return errors::DataLoss(message);
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) {
    return errors::Unavailable(message);
  }
  if (s.IsNoSpace()) return errors::ResourceExhausted(message);
  return errors::Internal(message);
}

inline rocksdb::Slice ToSlice(absl::string_view s) {
  return {s.data(), s.size()};
}
inline absl::string_view ToView(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

// Visits the keys of `handle` in [begin, end) (no upper bound when `end` is
// empty) as of `snapshot` (null: now), until `visit` returns false.
absl::Status ScanWith(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle,
                      const rocksdb::Snapshot* snapshot,
                      absl::string_view begin, absl::string_view end,
                      ScanVisitor visit);
// The value of `key`, as of `snapshot` (null: now).
absl::StatusOr<std::optional<std::string>> GetWith(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle,
    const rocksdb::Snapshot* snapshot, absl::string_view key);

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_ROCKSDB_UTIL_H_
