#include "storage/cached_store.h"

#include <algorithm>
#include <string>
#include <utility>

namespace mittari::storage {
namespace {

// The column family's number (fewer than 256), then the key.
std::string EntryKey(ColumnFamily cf, absl::string_view key) {
  std::string entry(1, static_cast<char>(cf));
  entry.append(key.data(), key.size());
  return entry;
}

// A rough size of one entry: its strings and the map's slot.
size_t EntryBytes(const std::string& key,
                  const std::optional<std::string>& value) {
  constexpr size_t kSlotBytes = 80;
  return kSlotBytes + key.size() + (value.has_value() ? value->size() : 0);
}

}  // namespace

absl::StatusOr<std::optional<std::string>> CachedStore::Get(
    ColumnFamily cf, absl::string_view key) const {
  if (!Spec(cf).cached) return inner().Get(cf, key);
  std::string entry_key = EntryKey(cf, key);
  uint64_t generation = 0;
  {
    absl::ReaderMutexLock lock(&mu_);
    if (auto it = entries_.find(entry_key); it != entries_.end()) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return it->second;
    }
    generation = generation_;
  }
  absl::StatusOr<std::optional<std::string>> value = inner().Get(cf, key);
  if (!value.ok()) return value;
  absl::MutexLock lock(&mu_);
  // A write that ended while this read ran may have changed the key.
  if (generation_ != generation) return value;
  size_t bytes = EntryBytes(entry_key, *value);
  if (bytes_ + bytes > max_bytes_) {
    entries_.clear();
    bytes_ = 0;
  }
  if (entries_.emplace(std::move(entry_key), *value).second) bytes_ += bytes;
  return value;
}

absl::StatusOr<std::vector<std::optional<std::string>>> CachedStore::MultiGet(
    ColumnFamily cf, absl::Span<const std::string> keys) const {
  if (Spec(cf).cached) return GetEach(cf, keys);
  return inner().MultiGet(cf, keys);
}

absl::Status CachedStore::Write(const WriteBatch& batch) {
  absl::Status status = inner().Write(batch);
  if (std::none_of(
          batch.ops().begin(), batch.ops().end(),
          [](const WriteBatch::Op& op) { return Spec(op.cf).cached; })) {
    return status;
  }
  // Even a failed write may have been applied in part: drop all it names.
  absl::MutexLock lock(&mu_);
  ++generation_;
  for (const WriteBatch::Op& op : batch.ops()) {
    if (!Spec(op.cf).cached) continue;
    if (op.kind == WriteBatch::OpKind::kDeleteRange) {
      entries_.clear();
      bytes_ = 0;
      break;
    }
    auto it = entries_.find(EntryKey(op.cf, op.key));
    if (it == entries_.end()) continue;
    bytes_ -= EntryBytes(it->first, it->second);
    entries_.erase(it);
  }
  return status;
}

int64_t CachedStore::hits() const {
  return hits_.load(std::memory_order_relaxed);
}

}  // namespace mittari::storage
