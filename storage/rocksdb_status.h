// RocksDB's statuses as absl ones, for the RocksDB backend's files.
#ifndef MITTARI_STORAGE_ROCKSDB_STATUS_H_
#define MITTARI_STORAGE_ROCKSDB_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/errors.h"
#include "rocksdb/status.h"

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

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_ROCKSDB_STATUS_H_
