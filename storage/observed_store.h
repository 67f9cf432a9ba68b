// The write path's one seam: a Store in front of another that shows every
// write to an observer, before it is applied (the observer may add writes
// to the same atomic batch) and once it is durable. What follows the write
// path — alert evaluation, live KPI streams, and later a replicated log —
// hangs here, not in each ledger.
//
// Imports (import.h) commit through the store behind it without passing
// here: an observer that must see imported data looks again on its own
// schedule.
#ifndef MITTARI_STORAGE_OBSERVED_STORE_H_
#define MITTARI_STORAGE_OBSERVED_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/forwarding_store.h"
#include "storage/store.h"

namespace mittari::storage {

class WriteObserver {
 public:
  virtual ~WriteObserver() = default;
  // Before `batch` is applied: writes added to `extra` are applied in the
  // same atomic, durable write. Runs on the writing thread: keep it cheap.
  virtual void Extend(const WriteBatch& batch, WriteBatch& extra) = 0;
  // Once `batch` (and its extra writes) is durable.
  virtual void Written(const WriteBatch& batch) = 0;
};

// A per-workspace key's workspace id as encoded (the key's prefix up to
// its record tag, key_codec.h); empty for kMeta's keys and keys with none.
absl::string_view EncodedWorkspaceOf(ColumnFamily cf, absl::string_view key);
// The workspaces a batch writes to, each once, in the order first written.
std::vector<std::string> WorkspacesWritten(const WriteBatch& batch);

class ObservedStore final : public ForwardingStore {
 public:
  explicit ObservedStore(std::unique_ptr<Store> inner)
      : ForwardingStore(std::move(inner)) {}

  // Observers are added before writes start, and outlive the store's use.
  void AddObserver(WriteObserver* observer) { observers_.push_back(observer); }

  absl::Status Write(const WriteBatch& batch) override;

 private:
  std::vector<WriteObserver*> observers_;
};

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_OBSERVED_STORE_H_
