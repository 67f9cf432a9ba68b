// Locks by key hash, so that the read-check-write of an idempotent submit is
// atomic per id while submits of other ids (and their synced writes) run in
// parallel and share RocksDB's group commit.
#ifndef MITTARI_DOMAIN_STRIPED_LOCKS_H_
#define MITTARI_DOMAIN_STRIPED_LOCKS_H_

#include <algorithm>
#include <array>
#include <functional>
#include <string>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/synchronization/mutex.h"

namespace mittari::domain {

class StripedLocks {
 public:
  static constexpr size_t kStripes = 256;

  // Holds the stripes of a set of keys, taken in ascending order (so two
  // guards never wait on each other in a cycle).
  class Guard {
   public:
    Guard(StripedLocks& locks, const std::vector<std::string>& keys) {
      for (const std::string& key : keys) {
        stripes_.push_back(absl::Hash<std::string>()(key) % kStripes);
      }
      std::sort(stripes_.begin(), stripes_.end());
      stripes_.erase(std::unique(stripes_.begin(), stripes_.end()),
                     stripes_.end());
      for (size_t s : stripes_) {
        locks.mutexes_[s].Lock();
        held_.push_back(&locks.mutexes_[s]);
      }
    }
    ~Guard() {
      std::for_each(held_.rbegin(), held_.rend(),
                    [](absl::Mutex* mu) { mu->Unlock(); });
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    std::vector<size_t> stripes_;
    std::vector<absl::Mutex*> held_;
  };

 private:
  std::array<absl::Mutex, kStripes> mutexes_;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_STRIPED_LOCKS_H_
