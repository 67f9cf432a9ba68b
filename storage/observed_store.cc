#include "storage/observed_store.h"

#include <algorithm>

#include "storage/key_codec.h"

namespace mittari::storage {

absl::string_view EncodedWorkspaceOf(ColumnFamily cf, absl::string_view key) {
  if (cf == ColumnFamily::kMeta) return {};
  const size_t end = FirstStrEnd(key);
  if (end == absl::string_view::npos) return {};
  return key.substr(0, end);
}

std::vector<std::string> WorkspacesWritten(const WriteBatch& batch) {
  std::vector<std::string> out;
  std::vector<absl::string_view> seen;
  for (const WriteBatch::Op& op : batch.ops()) {
    const absl::string_view encoded = EncodedWorkspaceOf(op.cf, op.key);
    if (encoded.empty()) continue;
    // Batches write one workspace or a few: a linear look is enough.
    if (std::find(seen.begin(), seen.end(), encoded) != seen.end()) continue;
    seen.push_back(encoded);
    absl::StatusOr<std::string> id = KeyDecoder(encoded).Str();
    if (id.ok()) out.push_back(*std::move(id));
  }
  return out;
}

absl::Status ObservedStore::Write(const WriteBatch& batch) {
  if (observers_.empty()) return inner().Write(batch);
  WriteBatch extra;
  for (WriteObserver* observer : observers_) observer->Extend(batch, extra);
  absl::Status status;
  if (extra.empty()) {
    status = inner().Write(batch);
  } else {
    WriteBatch all = batch;
    all.Append(extra);
    status = inner().Write(all);
  }
  if (!status.ok()) return status;
  for (WriteObserver* observer : observers_) observer->Written(batch);
  return status;
}

}  // namespace mittari::storage
