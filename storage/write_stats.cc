#include "storage/write_stats.h"

#include "storage/key_codec.h"

namespace mittari::storage {

uint8_t WriteStats::TagOf(ColumnFamily cf, absl::string_view key) {
  return cf == ColumnFamily::kMeta ? 0 : ByteAfterFirstStr(key);
}

void WriteStats::Add(const WriteStats& other) {
  for (size_t cf = 0; cf < puts_.size(); ++cf) {
    for (size_t tag = 0; tag < puts_[cf].size(); ++tag) {
      const uint64_t n = other.puts_[cf][tag].load(std::memory_order_relaxed);
      if (n != 0) puts_[cf][tag].fetch_add(n, std::memory_order_relaxed);
    }
  }
  counter_adds_.fetch_add(other.counter_adds_.load(std::memory_order_relaxed),
                          std::memory_order_relaxed);
  batches_.fetch_add(other.batches_.load(std::memory_order_relaxed),
                     std::memory_order_relaxed);
}

StoreStats WriteStats::Snapshot() const {
  StoreStats stats;
  for (size_t cf = 0; cf < puts_.size(); ++cf) {
    for (size_t tag = 0; tag < puts_[cf].size(); ++tag) {
      const uint64_t n = puts_[cf][tag].load(std::memory_order_relaxed);
      if (n != 0) {
        stats.puts.push_back(
            {static_cast<ColumnFamily>(cf), static_cast<uint8_t>(tag), n});
      }
    }
  }
  stats.counter_adds = counter_adds_.load(std::memory_order_relaxed);
  stats.batches = batches_.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace mittari::storage
