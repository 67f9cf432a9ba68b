#include "domain/change_feed.h"

#include <vector>

namespace mittari::domain {

void ChangeFeed::Written(const storage::WriteBatch& batch) {
  std::vector<std::string> written = storage::WorkspacesWritten(batch);
  if (written.empty()) return;
  absl::MutexLock lock(&mu_);
  for (std::string& ws : written) ++versions_[std::move(ws)];
}

uint64_t ChangeFeed::Version(absl::string_view ws) const {
  absl::MutexLock lock(&mu_);
  auto it = versions_.find(ws);
  return it == versions_.end() ? 0 : it->second;
}

uint64_t ChangeFeed::Await(absl::string_view ws, uint64_t seen,
                           absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto version = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> uint64_t {
    auto it = versions_.find(ws);
    return it == versions_.end() ? 0 : it->second;
  };
  auto changed = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_ || version() != seen;
  };
  mu_.AwaitWithDeadline(absl::Condition(&changed), deadline);
  return version();
}

void ChangeFeed::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

bool ChangeFeed::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

}  // namespace mittari::domain
