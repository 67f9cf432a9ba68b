// A gate between writers that check their records against the catalog and
// the changes that can make such a check stale: a customer's erasure, a
// survey's scale changing. There is one per workspace (ChangeGates), so a
// change in one workspace holds up no writer of another.
//
// A change holds the mutex exclusively from its own check until it is
// stored, then counts itself, still holding it. A writer holds the mutex
// shared from its check until its write is stored. A writer that checks
// before it can take the mutex (the response committer) reads count() before
// checking, and checks again when the count has moved.
#ifndef MITTARI_DOMAIN_CHANGE_GATE_H_
#define MITTARI_DOMAIN_CHANGE_GATE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace mittari::domain {

class ChangeGate {
 public:
  absl::Mutex& mutex() const ABSL_LOCK_RETURNED(mu_) { return mu_; }
  // Changes stored so far.
  uint64_t count() const { return count_.load(std::memory_order_acquire); }
  // Counts a change once it is stored.
  void Count() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    count_.fetch_add(1, std::memory_order_acq_rel);
  }

 private:
  mutable absl::Mutex mu_;
  std::atomic<uint64_t> count_{0};
};

// The gates of every workspace, made on first use and kept (one small
// object per workspace). A holder of several gates (the response committer,
// whose group spans workspaces) takes them in workspace order.
class ChangeGates {
 public:
  ChangeGate& For(absl::string_view workspace_id) const {
    absl::MutexLock lock(&mu_);
    std::unique_ptr<ChangeGate>& gate = gates_[workspace_id];
    if (gate == nullptr) gate = std::make_unique<ChangeGate>();
    return *gate;
  }

 private:
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_map<std::string, std::unique_ptr<ChangeGate>> gates_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_CHANGE_GATE_H_
