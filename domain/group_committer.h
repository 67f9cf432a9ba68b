// The unary write path's group commit. A unary write is checked on the
// caller's thread and queued; one committer thread takes everything
// queued at that moment and stores it with one synced write, then answers
// each caller. Calls in flight so share the disk's syncs, and none holds a
// thread while it waits (the handlers use gRPC's callback API).
//
// Every unary write of a record goes through one of these: survey
// responses (ResponseLedger) and purchases, sessions and tickets
// (FactLedger). The queue is bounded: past `max_queued` a write is refused
// rather than queued, so memory stays bounded when writes outrun the disk.
#ifndef MITTARI_DOMAIN_GROUP_COMMITTER_H_
#define MITTARI_DOMAIN_GROUP_COMMITTER_H_

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/errors.h"
#include "storage/store.h"

namespace mittari::domain {

// The most unary writes one ledger keeps waiting for its committer; past
// it a write is refused (RESOURCE_EXHAUSTED, reason BUSY, with a retry
// delay) instead of queued.
inline constexpr size_t kMaxQueuedSubmits = 100'000;

// The refusal of a write that finds the queue full: `records` ("responses",
// "sessions", ...) wait to be stored.
inline absl::Status QueueFull(absl::string_view records) {
  return errors::Throttled(
      "BUSY",
      absl::StrCat("too many ", records, " wait to be stored; retry shortly"),
      absl::Milliseconds(100));
}

template <typename Pending>
class GroupCommitter {
 public:
  // `commit` stores a group and answers each of its writes; it runs on the
  // committer thread only, one group at a time.
  explicit GroupCommitter(std::function<void(std::vector<Pending>&)> commit,
                          size_t max_queued = kMaxQueuedSubmits)
      : commit_(std::move(commit)),
        max_queued_(max_queued),
        thread_([this] { Loop(); }) {}
  // Commits what is queued, then stops.
  ~GroupCommitter() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    thread_.join();
  }
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues `pending`; false (and `pending` untouched) when the queue is
  // full.
  bool Enqueue(Pending& pending) {
    absl::MutexLock lock(&mu_);
    if (queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(pending));
    return true;
  }

  // Writes waiting for the committer.
  size_t queued() const {
    absl::MutexLock lock(&mu_);
    return queue_.size();
  }

 private:
  void Loop() {
    // The group's buffer goes back to the queue, emptied: at a steady load
    // the two buffers stop growing, and neither is reallocated per group.
    std::vector<Pending> group;
    for (;;) {
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](GroupCommitter* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
              return self->stopping_ || !self->queue_.empty();
            },
            this));
        if (queue_.empty() && stopping_) return;
        group.swap(queue_);
      }
      commit_(group);
      group.clear();
    }
  }

  const std::function<void(std::vector<Pending>&)> commit_;
  const size_t max_queued_;
  mutable absl::Mutex mu_;
  std::vector<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Last: started once every other member is ready.
  std::thread thread_;
};

// The part of a committer's group not written yet: the writes of the
// items staged so far, and the keys they read or changed. An item that
// reads one of those keys waits for the part to be written first
// (Touches, then Write), so that its checks read what they would read
// alone.
template <typename Result>
class GroupPart {
 public:
  // `results` are the group's, by item.
  GroupPart(storage::Store& store, std::vector<absl::StatusOr<Result>>& results)
      : store_(store), results_(results) {}

  // Where the staged items add their writes.
  storage::WriteBatch& batch() { return batch_; }
  bool empty() const { return staged_.empty(); }

  bool Touches(const std::vector<std::string>& keys) const {
    return std::any_of(keys.begin(), keys.end(), [&](const std::string& k) {
      return touched_.contains(k);
    });
  }
  // Item `index`, whose writes are in batch(), read or changed `keys`.
  void Stage(size_t index, const std::vector<std::string>& keys) {
    staged_.push_back(index);
    touched_.insert(keys.begin(), keys.end());
  }
  // Writes the part in one synced write (a failure is the result of every
  // item staged), and starts the next.
  void Write() {
    if (!batch_.empty()) {
      absl::Status written = store_.Write(batch_);
      if (!written.ok()) {
        for (size_t i : staged_) results_[i] = written;
      }
    }
    batch_ = storage::WriteBatch();
    staged_.clear();
    touched_.clear();
  }

 private:
  storage::Store& store_;
  std::vector<absl::StatusOr<Result>>& results_;
  storage::WriteBatch batch_;
  std::vector<size_t> staged_;
  absl::flat_hash_set<std::string> touched_;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_GROUP_COMMITTER_H_
