// What the RocksDB backend's files (the store and its imports) share:
// statuses as absl ones, slices, and point reads and scans of one column
// family.
#ifndef MITTARI_STORAGE_ROCKSDB_UTIL_H_
#define MITTARI_STORAGE_ROCKSDB_UTIL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/errors.h"
#include "rocksdb/db.h"
#include "rocksdb/status.h"
#include "storage/store.h"

namespace mittari::storage {

// RocksDB's message names files and directories of the server: it goes
// into the status as an internal detail (logged by the server, never sent
// to a client, errors::InternalDetail), and the message says what failed
// in words a client can act on.
inline absl::Status FromRocks(const rocksdb::Status& s,
                              absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  absl::Status out;
  if (s.IsNoSpace() || s.subcode() == rocksdb::Status::kNoSpace) {
    out = errors::Unavailable(absl::StrCat(
        what, ": the server's disk is full; retry once space is freed"));
  } else if (s.IsCorruption()) {
    out = errors::DataLoss(absl::StrCat(what, ": stored data is corrupt"));
  } else if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut() || s.IsIOError()) {
    out = errors::Unavailable(
        absl::StrCat(what, ": storage is unavailable; retry later"));
  } else {
    out = errors::Internal(absl::StrCat(what, ": storage error"));
  }
  errors::SetInternalDetail(out, s.ToString());
  return out;
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
// The values of `keys`, as of `snapshot` (null: now), read as one batch.
absl::StatusOr<std::vector<std::optional<std::string>>> MultiGetWith(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle,
    const rocksdb::Snapshot* snapshot, absl::Span<const std::string> keys);

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_ROCKSDB_UTIL_H_
