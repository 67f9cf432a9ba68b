#include "domain/purges.h"

#include <string>
#include <vector>

#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/keys.h"

namespace mittari::domain {

void AddPurgeMarker(storage::WriteBatch& batch, absl::string_view ws) {
  batch.Put(storage::ColumnFamily::kMeta, keys::Purge(ws), "");
}

absl::Status Purge(storage::Store& store, absl::string_view ws) {
  // Every memtable is flushed, so the log holds none of the old values,
  // and only this workspace's keys are rewritten.
  const std::string prefix = keys::WorkspaceData(ws);
  RETURN_IF_ERROR(store.CompactRange(prefix, storage::PrefixEnd(prefix)));
  storage::WriteBatch done;
  done.Delete(storage::ColumnFamily::kMeta, keys::Purge(ws));
  return store.Write(done);
}

absl::StatusOr<int> ResumePurges(storage::Store& store) {
  const std::string prefix = keys::PurgePrefix();
  std::vector<std::string> pending;
  absl::Status status;
  RETURN_IF_ERROR(
      store.ScanPrefix(storage::ColumnFamily::kMeta, prefix,
                       [&](absl::string_view key, absl::string_view) {
                         storage::KeyDecoder in(key.substr(prefix.size()));
                         absl::StatusOr<std::string> ws = in.Str();
                         if (!ws.ok()) {
                           status = errors::DataLoss("unreadable purge marker");
                           return false;
                         }
                         pending.push_back(*std::move(ws));
                         return true;
                       }));
  RETURN_IF_ERROR(status);
  for (const std::string& ws : pending) RETURN_IF_ERROR(Purge(store, ws));
  return static_cast<int>(pending.size());
}

}  // namespace mittari::domain
