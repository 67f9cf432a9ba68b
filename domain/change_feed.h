// Which workspaces' data changed, for whoever waits on it (live KPI
// streams): a version per workspace that grows with every durable write
// to it, and a wait for the next one. Fed by the write path's seam
// (storage/observed_store.h).
#ifndef MITTARI_DOMAIN_CHANGE_FEED_H_
#define MITTARI_DOMAIN_CHANGE_FEED_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/observed_store.h"

namespace mittari::domain {

class ChangeFeed final : public storage::WriteObserver {
 public:
  void Extend(const storage::WriteBatch& /*batch*/,
              storage::WriteBatch& /*extra*/) override {}
  void Written(const storage::WriteBatch& batch) override;

  // The workspace's version now (0 before its first write here).
  uint64_t Version(absl::string_view ws) const;
  // Waits until the workspace's version passes `seen`, `deadline` comes,
  // or the feed closes; returns the version then.
  uint64_t Await(absl::string_view ws, uint64_t seen,
                 absl::Time deadline) const;
  // Wakes every waiter for good (server shutdown).
  void Close();
  bool closed() const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, uint64_t> versions_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_CHANGE_FEED_H_
