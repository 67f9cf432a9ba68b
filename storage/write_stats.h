// What reached the engine since the store opened, for the server's
// metrics: records put per column family and record kind (the tag byte
// that follows the workspace id in every key, key_codec.h), counter adds
// (rollup writes) and synced batches. Lock-free: counting is a relaxed
// atomic add per op on the write path.
#ifndef MITTARI_STORAGE_WRITE_STATS_H_
#define MITTARI_STORAGE_WRITE_STATS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "storage/column_families.h"

namespace mittari::storage {

// A snapshot of the counts and of the engine's own gauges.
struct StoreStats {
  struct Puts {
    ColumnFamily cf;
    uint8_t tag;
    uint64_t count;
  };
  // Non-zero counts only; kMeta's keys carry no workspace and count under
  // tag 0.
  std::vector<Puts> puts;
  uint64_t counter_adds = 0;
  uint64_t batches = 0;
  // The engine's gauges by name (for RocksDB: memtable bytes, pending
  // compaction bytes, stalls, background errors…).
  std::vector<std::pair<std::string, uint64_t>> engine;
};

class WriteStats {
 public:
  // The tag of a workspace key: the byte after the workspace id's
  // terminator; 0 when the key has none.
  static uint8_t TagOf(ColumnFamily cf, absl::string_view key);

  void CountPut(ColumnFamily cf, absl::string_view key, uint64_t n = 1) {
    puts_[static_cast<size_t>(cf)][TagOf(cf, key)].fetch_add(
        n, std::memory_order_relaxed);
  }
  void CountCounterAdd(uint64_t n = 1) {
    counter_adds_.fetch_add(n, std::memory_order_relaxed);
  }
  void CountBatch() { batches_.fetch_add(1, std::memory_order_relaxed); }

  // Adds the counts of `other` (an import's, when it commits).
  void Add(const WriteStats& other);
  // The counts now (engine gauges left empty).
  StoreStats Snapshot() const;

 private:
  std::array<std::array<std::atomic<uint64_t>, 256>, kColumnFamilies.size()>
      puts_{};
  std::atomic<uint64_t> counter_adds_{0};
  std::atomic<uint64_t> batches_{0};
};

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_WRITE_STATS_H_
