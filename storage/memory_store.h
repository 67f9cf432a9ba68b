// An in-memory Store: the reference the RocksDB backend is checked against
// by the conformance suite, and a fast backend for domain-level tests.
// Nothing is durable.
#ifndef MITTARI_STORAGE_MEMORY_STORE_H_
#define MITTARI_STORAGE_MEMORY_STORE_H_

#include <array>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "storage/import.h"
#include "storage/store.h"

namespace mittari::storage {

class MemoryStore final : public Store {
 public:
  using Table = std::map<std::string, std::string, std::less<>>;
  using Tables = std::array<Table, kColumnFamilies.size()>;

  absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily cf, absl::string_view key) const override;
  absl::Status Scan(ColumnFamily cf, absl::string_view begin,
                    absl::string_view end, ScanVisitor visit) const override;
  absl::Status Write(const WriteBatch& batch) override;
  std::unique_ptr<ReadView> NewSnapshot() const override;
  absl::StatusOr<std::unique_ptr<Import>> NewImport() override {
    return NewMemoryImport(*this);
  }
  absl::Status CompactAll() override { return absl::OkStatus(); }
  absl::Status CompactRange(absl::string_view /*begin*/,
                            absl::string_view /*end*/) override {
    return absl::OkStatus();
  }
  // Nothing is buffered: the store stays usable.
  absl::Status Close() override { return absl::OkStatus(); }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const Tables> tables_ ABSL_GUARDED_BY(mu_) =
      std::make_shared<const Tables>();
};

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_MEMORY_STORE_H_
