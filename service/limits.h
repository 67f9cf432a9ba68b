// Rate limits, so that no key or workspace can take the server from the
// others: calls per key and per workspace, rows per workspace (batches and
// streams), and failed authentications per peer. Token buckets on the
// injected clock, each holding two seconds' worth. A refusal is
// RESOURCE_EXHAUSTED (reason RATE_LIMITED, or AUTH_THROTTLED) with a
// google.rpc.RetryInfo saying when a retry may pass. docs/operations.md
// lists the defaults and the flags that set them.
#ifndef MITTARI_SERVICE_LIMITS_H_
#define MITTARI_SERVICE_LIMITS_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace mittari::service {

// Per second; 0 turns a limit off.
struct RateLimits {
  // Calls of one key. An app's ingest key is shared by every install of
  // the app, hence generous.
  double calls_per_key = 5'000;
  // Calls into one workspace, all its keys together.
  double calls_per_workspace = 10'000;
  // Records into one workspace through batches, streams and imports.
  double rows_per_workspace = 200'000;
  // Failed authentications from one client address.
  double failed_auth_per_peer = 10;
};

class RateLimiter {
 public:
  RateLimiter(RateLimits limits, const Clock& clock)
      : limits_(limits), clock_(clock) {}

  // One call of key `key_id` in workspace `workspace_id` (empty for the
  // operator).
  absl::Status AdmitCall(absl::string_view key_id,
                         absl::string_view workspace_id);
  // `rows` records into a workspace, refused when over the limit.
  absl::Status AdmitRows(absl::string_view workspace_id, int64_t rows);
  // `rows` records into a workspace by a stream: how long to wait before
  // reading on (zero when within the limit), which slows the sender down
  // through flow control instead of failing a long import.
  absl::Duration PaceRows(absl::string_view workspace_id, int64_t rows);
  // Whether `peer` may try a key now, and a failed try of it.
  absl::Status AdmitAuthentication(absl::string_view peer);
  void FailedAuthentication(absl::string_view peer);

  // Refusals since start, by limit, and how often a stream was slowed by
  // the rows limit (for the server's metrics).
  struct Refusals {
    uint64_t calls = 0;
    uint64_t rows = 0;
    uint64_t authentications = 0;
    uint64_t stream_slowdowns = 0;
  };
  Refusals refusals() const {
    absl::MutexLock lock(&mu_);
    return refusals_;
  }

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time last;
  };
  using Buckets = absl::flat_hash_map<std::string, Bucket>;

  // Takes `n` tokens from the bucket of `key` (refilled at `rate`, holding
  // two seconds' worth); when there are too few, takes none and returns
  // the time until there will be enough.
  absl::Duration Take(Buckets& buckets, absl::string_view key, double rate,
                      double n, bool take_anyway)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // How long until the bucket holds `n` tokens (zero when it does).
  absl::Duration Until(Buckets& buckets, absl::string_view key, double rate,
                       double n) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RateLimits limits_;
  const Clock& clock_;
  mutable absl::Mutex mu_;
  Refusals refusals_ ABSL_GUARDED_BY(mu_);
  Buckets keys_ ABSL_GUARDED_BY(mu_);
  Buckets workspaces_ ABSL_GUARDED_BY(mu_);
  Buckets rows_ ABSL_GUARDED_BY(mu_);
  Buckets peers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_LIMITS_H_
