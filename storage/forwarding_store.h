// A Store in front of another that passes every call through to it. The
// stores that change a few calls on the way (CachedStore, ObservedStore)
// derive from it and override only those.
#ifndef MITTARI_STORAGE_FORWARDING_STORE_H_
#define MITTARI_STORAGE_FORWARDING_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/import.h"
#include "storage/store.h"

namespace mittari::storage {

class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(std::unique_ptr<Store> inner)
      : inner_(std::move(inner)) {}

  absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily cf, absl::string_view key) const override {
    return inner_->Get(cf, key);
  }
  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      ColumnFamily cf, absl::Span<const std::string> keys) const override {
    return inner_->MultiGet(cf, keys);
  }
  absl::Status Scan(ColumnFamily cf, absl::string_view begin,
                    absl::string_view end, ScanVisitor visit) const override {
    return inner_->Scan(cf, begin, end, visit);
  }
  absl::Status Write(const WriteBatch& batch) override {
    return inner_->Write(batch);
  }
  std::unique_ptr<ReadView> NewSnapshot() const override {
    return inner_->NewSnapshot();
  }
  absl::StatusOr<std::unique_ptr<Import>> NewImport() override {
    return inner_->NewImport();
  }
  absl::Status CompactAll() override { return inner_->CompactAll(); }
  absl::Status CompactRange(absl::string_view begin,
                            absl::string_view end) override {
    return inner_->CompactRange(begin, end);
  }
  StoreStats Stats() const override { return inner_->Stats(); }
  absl::Status Close() override { return inner_->Close(); }

 protected:
  Store& inner() const { return *inner_; }

 private:
  const std::unique_ptr<Store> inner_;
};

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_FORWARDING_STORE_H_
