#include "service/stream_watchdog.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/errors.h"

namespace mittari::service {

StreamWatchdog::StreamWatchdog(StreamLimits limits)
    : limits_(limits), thread_([this] { Loop(); }) {}

absl::StatusOr<std::unique_ptr<StreamWatchdog::WatchSlot>>
StreamWatchdog::OpenWatch(absl::string_view key_id) {
  absl::MutexLock lock(&mu_);
  int& open = watches_[key_id];
  if (open >= limits_.max_watches_per_key) {
    if (open == 0) watches_.erase(key_id);
    return errors::ResourceExhausted(
        absl::StrCat("this key already holds ", limits_.max_watches_per_key,
                     " watch streams open"),
        "TOO_MANY_WATCHES");
  }
  ++open;
  return std::make_unique<WatchSlot>(*this, std::string(key_id));
}

StreamWatchdog::WatchSlot::~WatchSlot() {
  absl::MutexLock lock(&watchdog_.mu_);
  auto it = watchdog_.watches_.find(key_id_);
  if (it != watchdog_.watches_.end() && --it->second <= 0) {
    watchdog_.watches_.erase(it);
  }
}

StreamWatchdog::~StreamWatchdog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

StreamWatchdog::Watch::Watch(StreamWatchdog& watchdog,
                             const grpc::ServerContextBase& context)
    : watchdog_(watchdog) {
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&watchdog_.mu_);
  id_ = watchdog_.next_id_++;
  watchdog_.watched_[id_] = Watched{&context, now, now, false};
}

StreamWatchdog::Watch::~Watch() {
  // Once erased here the loop no longer touches the context, which the
  // handler's return is about to end.
  absl::MutexLock lock(&watchdog_.mu_);
  watchdog_.watched_.erase(id_);
}

void StreamWatchdog::Watch::Touch() {
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&watchdog_.mu_);
  watchdog_.watched_[id_].last_message = now;
}

void StreamWatchdog::Loop() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Seconds(1));
    const absl::Time now = absl::Now();
    for (auto& [id, w] : watched_) {
      const bool idle = limits_.idle_timeout > absl::ZeroDuration() &&
                        now - w.last_message > limits_.idle_timeout;
      const bool old = limits_.deadline > absl::ZeroDuration() &&
                       now - w.started > limits_.deadline;
      if ((idle || old) && !w.cancelled) {
        w.context->TryCancel();
        w.cancelled = true;
      }
    }
  }
}

}  // namespace mittari::service
