#include "service/limits.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace mittari::service {
namespace {

// A bucket holds this many seconds of its rate: a short burst passes.
constexpr double kBurstSeconds = 2;
// Past this many buckets of one kind, the idle (full) ones are dropped, so
// that a flood of distinct peers or keys cannot grow them without bound.
constexpr size_t kMaxBuckets = 100'000;

absl::Status RateLimited(absl::string_view what, absl::Duration wait) {
  return errors::Throttled("RATE_LIMITED",
                           absl::StrCat("too many ", what, "; retry after ",
                                        absl::FormatDuration(absl::Ceil(
                                            wait, absl::Milliseconds(1)))),
                           wait);
}

}  // namespace

absl::Duration RateLimiter::Until(Buckets& buckets, absl::string_view key,
                                  double rate, double n) {
  const absl::Time now = clock_.Now();
  const double capacity = rate * kBurstSeconds;
  if (buckets.size() >= kMaxBuckets) {
    for (auto it = buckets.begin(); it != buckets.end();) {
      const double refilled =
          it->second.tokens +
          rate * absl::ToDoubleSeconds(now - it->second.last);
      if (refilled >= capacity) {
        buckets.erase(it++);
      } else {
        ++it;
      }
    }
  }
  auto [it, inserted] =
      buckets.try_emplace(std::string(key), Bucket{capacity, now});
  Bucket& b = it->second;
  b.tokens =
      std::min(capacity, b.tokens + rate * absl::ToDoubleSeconds(now - b.last));
  b.last = now;
  // A request larger than a full bucket passes when the bucket is full.
  const double needed = std::min(n, capacity);
  if (b.tokens >= needed) return absl::ZeroDuration();
  return absl::Seconds((needed - b.tokens) / rate);
}

absl::Duration RateLimiter::Take(Buckets& buckets, absl::string_view key,
                                 double rate, double n, bool take_anyway) {
  if (rate <= 0) return absl::ZeroDuration();
  absl::Duration wait = Until(buckets, key, rate, n);
  if (wait == absl::ZeroDuration() || take_anyway) {
    buckets[key].tokens -= n;
  }
  return wait;
}

absl::Status RateLimiter::AdmitCall(absl::string_view key_id,
                                    absl::string_view workspace_id) {
  absl::MutexLock lock(&mu_);
  // Both buckets must have a token before either gives one. Until has
  // refilled each bucket it looked at, so a token is then taken directly.
  const bool per_key = limits_.calls_per_key > 0;
  const bool per_workspace =
      !workspace_id.empty() && limits_.calls_per_workspace > 0;
  absl::Duration wait = absl::ZeroDuration();
  if (per_key) wait = Until(keys_, key_id, limits_.calls_per_key, 1);
  if (per_workspace) {
    wait = std::max(
        wait, Until(workspaces_, workspace_id, limits_.calls_per_workspace, 1));
  }
  if (wait > absl::ZeroDuration()) {
    ++refusals_.calls;
    return RateLimited("calls", wait);
  }
  if (per_key) keys_.find(key_id)->second.tokens -= 1;
  if (per_workspace) workspaces_.find(workspace_id)->second.tokens -= 1;
  return absl::OkStatus();
}

absl::Status RateLimiter::AdmitRows(absl::string_view workspace_id,
                                    int64_t rows) {
  absl::MutexLock lock(&mu_);
  absl::Duration wait = Take(rows_, workspace_id, limits_.rows_per_workspace,
                             static_cast<double>(rows), false);
  if (wait > absl::ZeroDuration()) {
    ++refusals_.rows;
    return RateLimited("records", wait);
  }
  return absl::OkStatus();
}

absl::Duration RateLimiter::PaceRows(absl::string_view workspace_id,
                                     int64_t rows) {
  absl::MutexLock lock(&mu_);
  const absl::Duration wait =
      Take(rows_, workspace_id, limits_.rows_per_workspace,
           static_cast<double>(rows), true);
  if (wait > absl::ZeroDuration()) ++refusals_.stream_slowdowns;
  return wait;
}

absl::Status RateLimiter::AdmitAuthentication(absl::string_view peer) {
  absl::MutexLock lock(&mu_);
  if (limits_.failed_auth_per_peer <= 0) return absl::OkStatus();
  absl::Duration wait = Until(peers_, peer, limits_.failed_auth_per_peer, 1);
  if (wait == absl::ZeroDuration()) return absl::OkStatus();
  ++refusals_.authentications;
  return errors::Throttled(
      "AUTH_THROTTLED",
      "too many failed authentications from this address; retry later", wait);
}

void RateLimiter::FailedAuthentication(absl::string_view peer) {
  absl::MutexLock lock(&mu_);
  Take(peers_, peer, limits_.failed_auth_per_peer, 1, true);
}

}  // namespace mittari::service
