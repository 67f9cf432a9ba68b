// What every import job shares, whatever it imports: a file's records
// arrive in chunks; each chunk is checked and its writes staged
// (storage/import.h), against the store with the earlier chunks applied;
// the commit applies the whole job at once, or nothing of it.
//
// Other writers go on while a job runs. Its commit is refused with ABORTED
// (the job is then simply run again: imports are idempotent) when, since
// the job started, a change made its checks stale (a customer erased, a
// survey's scale changed: the gates moved) or another writer wrote a
// record the job staged. To know the latter, every ledger notes the keys it
// writes (and the index blocks it read to decide a write:
// kpi/visitor_days.h) in its ImportWatches while a job of that workspace
// is open; the commit holds the gates exclusively, so no writer is between
// its check and its write, and looks each noted key up in what the job
// staged.
#ifndef MITTARI_DOMAIN_IMPORT_JOB_H_
#define MITTARI_DOMAIN_IMPORT_JOB_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "domain/change_gate.h"
#include "storage/import.h"
#include "storage/store.h"

namespace mittari::domain {

// The most keys one job notes; past it, any write of the workspace during
// the job aborts its commit.
inline constexpr size_t kMaxWatchedKeys = 100'000;

// The keys one ledger writes while imports of their workspace are open.
class ImportWatches {
 public:
  struct Watch {
    absl::Mutex mu;
    // The column family's number, then the key.
    absl::flat_hash_set<std::string> keys ABSL_GUARDED_BY(mu);
    bool overflowed ABSL_GUARDED_BY(mu) = false;
  };

  // Watches workspace `ws` until the watch is dropped. One job of a
  // ledger per workspace at a time (ABORTED while another runs): two jobs
  // would each stage against a store without the other's writes.
  absl::StatusOr<std::shared_ptr<Watch>> Open(absl::string_view ws);
  // Whether some job is open (any workspace): writers make their keys
  // only then.
  bool open() const { return open_.load(std::memory_order_acquire) > 0; }
  // Notes keys of `cf` written in workspace `ws` (before their write is
  // stored, while the writer holds its gates).
  void Note(absl::string_view ws, storage::ColumnFamily cf,
            const std::vector<std::string>& keys);

 private:
  std::atomic<int> open_{0};
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::vector<std::weak_ptr<Watch>>> watches_
      ABSL_GUARDED_BY(mu_);
};

class ImportJob {
 public:
  // Starts a job in workspace `ws`, checked against the changes `gates`
  // count, with writes noted in `watches`.
  static absl::StatusOr<std::unique_ptr<ImportJob>> Start(
      storage::Store& store, ImportWatches& watches, absl::string_view ws,
      std::vector<ChangeGate*> gates);

  // The store with what the job staged so far applied.
  const storage::ReadView& view() const { return *import_; }
  absl::Status Stage(storage::WriteBatch batch) {
    return import_->Stage(std::move(batch));
  }
  // Applies the job, unless it conflicts (ABORTED; see above). Ends the
  // job either way.
  absl::Status Commit();

  const std::string& workspace_id() const { return ws_; }

 private:
  ImportJob() = default;

  std::string ws_;
  std::unique_ptr<storage::Import> import_;
  std::shared_ptr<ImportWatches::Watch> watch_;
  std::vector<ChangeGate*> gates_;
  std::vector<uint64_t> counts_;  // of gates_, at the start
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_IMPORT_JOB_H_
