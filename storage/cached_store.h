// A Store in front of another that keeps point reads of the column families
// marked `cached` (column_families.h) in memory. Every write goes through
// it, and drops what it touches from the cache before it returns, so a read
// that starts after a write is acknowledged sees that write. A read racing
// a write fills the cache only if no write to a cached column family ended
// while it read (a generation count), so a value read before a write never
// outlives it.
// Snapshots and scans read the store behind it.
#ifndef MITTARI_STORAGE_CACHED_STORE_H_
#define MITTARI_STORAGE_CACHED_STORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "storage/forwarding_store.h"
#include "storage/import.h"
#include "storage/store.h"

namespace mittari::storage {

class CachedStore final : public ForwardingStore {
 public:
  // Holds at most about `max_bytes` of keys and values; when full, it
  // starts over empty.
  explicit CachedStore(std::unique_ptr<Store> inner,
                       size_t max_bytes = size_t{16} << 20)
      : ForwardingStore(std::move(inner)), max_bytes_(max_bytes) {}

  absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily cf, absl::string_view key) const override;
  // A cached column family's keys one by one, through the cache; the
  // others as one call to the store behind it.
  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      ColumnFamily cf, absl::Span<const std::string> keys) const override;
  absl::Status Write(const WriteBatch& batch) override;
  // The rest passes through (ForwardingStore). Imports are staged and
  // committed by the store behind it: an import writes no cached column
  // family (import.h).

  // Point reads answered from memory so far (for tests).
  int64_t hits() const;

 private:
  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  // Keyed by the column family's number, then the key; nullopt caches an
  // absent key.
  mutable absl::flat_hash_map<std::string, std::optional<std::string>> entries_
      ABSL_GUARDED_BY(mu_);
  mutable size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // Writes to cached column families that ended, so far.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  mutable std::atomic<int64_t> hits_{0};
};

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_CACHED_STORE_H_
