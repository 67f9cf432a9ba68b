#include "domain/import_job.h"

#include <algorithm>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"

namespace mittari::domain {
namespace {

// Holds the gates exclusively, in order, for its lifetime.
class ExclusiveGates {
 public:
  explicit ExclusiveGates(const std::vector<ChangeGate*>& gates)
      : gates_(gates) {
    for (ChangeGate* gate : gates_) gate->mutex().Lock();
  }
  ~ExclusiveGates() {
    for (ChangeGate* gate : gates_) gate->mutex().Unlock();
  }
  ExclusiveGates(const ExclusiveGates&) = delete;
  ExclusiveGates& operator=(const ExclusiveGates&) = delete;

 private:
  const std::vector<ChangeGate*>& gates_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<ImportWatches::Watch>> ImportWatches::Open(
    absl::string_view ws) {
  // Dropped watches unregister themselves: the deleter takes the entry
  // away and counts the job out (so it is counted in before it exists).
  std::string key(ws);
  open_.fetch_add(1, std::memory_order_acq_rel);
  auto watch = std::shared_ptr<Watch>(new Watch(), [this, key](Watch* w) {
    {
      absl::MutexLock lock(&mu_);
      auto it = watches_.find(key);
      if (it != watches_.end()) {
        auto& list = it->second;
        list.erase(std::remove_if(list.begin(), list.end(),
                                  [](const std::weak_ptr<Watch>& weak) {
                                    return weak.expired();
                                  }),
                   list.end());
        if (list.empty()) watches_.erase(it);
      }
    }
    open_.fetch_sub(1, std::memory_order_acq_rel);
    delete w;
  });
  {
    absl::MutexLock lock(&mu_);
    std::vector<std::weak_ptr<Watch>>& list = watches_[key];
    if (std::none_of(
            list.begin(), list.end(),
            [](const std::weak_ptr<Watch>& w) { return !w.expired(); })) {
      list.push_back(watch);
      return watch;
    }
  }
  // Dropped with the lock released: its deleter takes it.
  return errors::Aborted(
      "another import of this kind into the workspace is running; run this "
      "one again when it has ended");
}

void ImportWatches::Note(absl::string_view ws, storage::ColumnFamily cf,
                         const std::vector<std::string>& keys) {
  if (!open() || keys.empty()) return;
  std::vector<std::shared_ptr<Watch>> live;
  {
    absl::MutexLock lock(&mu_);
    auto it = watches_.find(ws);
    if (it == watches_.end()) return;
    for (const std::weak_ptr<Watch>& weak : it->second) {
      if (std::shared_ptr<Watch> w = weak.lock()) live.push_back(std::move(w));
    }
  }
  const char family = static_cast<char>(cf);
  for (const std::shared_ptr<Watch>& w : live) {
    absl::MutexLock lock(&w->mu);
    for (const std::string& key : keys) {
      if (w->keys.size() >= kMaxWatchedKeys) {
        w->overflowed = true;
        break;
      }
      w->keys.insert(absl::StrCat(absl::string_view(&family, 1), key));
    }
  }
}

absl::StatusOr<std::unique_ptr<ImportJob>> ImportJob::Start(
    storage::Store& store, ImportWatches& watches, absl::string_view ws,
    std::vector<ChangeGate*> gates) {
  auto job = std::unique_ptr<ImportJob>(new ImportJob());
  job->ws_ = std::string(ws);
  ASSIGN_OR_RETURN(job->import_, store.NewImport());
  job->gates_ = std::move(gates);
  // With the gates held, no writer is between its check and its write:
  // every write not yet seen by the job's reads is noted from here on.
  ExclusiveGates hold(job->gates_);
  for (ChangeGate* gate : job->gates_) job->counts_.push_back(gate->count());
  ASSIGN_OR_RETURN(job->watch_, watches.Open(ws));
  return job;
}

absl::Status ImportJob::Commit() {
  // Committed or not, the job has ended: another may start.
  absl::Cleanup end = [this] { watch_.reset(); };
  // The heavy part (a large job's table files) before the gates.
  RETURN_IF_ERROR(import_->Seal());
  ExclusiveGates hold(gates_);
  for (size_t i = 0; i < gates_.size(); ++i) {
    if (gates_[i]->count() != counts_[i]) {
      return errors::Aborted(
          "a customer was erased or a survey's scale changed while the "
          "import ran; nothing was stored: run it again");
    }
  }
  {
    absl::MutexLock lock(&watch_->mu);
    if (watch_->overflowed) {
      return errors::Aborted(
          "too many records were written by others while the import ran; "
          "nothing was stored: run it again");
    }
    for (const std::string& noted : watch_->keys) {
      const auto cf = static_cast<storage::ColumnFamily>(noted[0]);
      ASSIGN_OR_RETURN(bool staged, import_->StagesWrite(cf, noted.substr(1)));
      if (staged) {
        return errors::Aborted(
            "another call wrote records this import staged while it ran; "
            "nothing was stored: run it again");
      }
    }
  }
  return import_->Commit();
}

}  // namespace mittari::domain
