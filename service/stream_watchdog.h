// Ends client streams that hold a handler thread for nothing: one whose
// client sends nothing for `idle_timeout`, or that runs longer than
// `deadline` in all. A thread of its own looks at the watched streams once
// a second (in real time: these limits are about the server's threads, not
// about the data's clock) and cancels the expired ones; the handler then
// sees its stream end cancelled and stores nothing of it.
#ifndef MITTARI_SERVICE_STREAM_WATCHDOG_H_
#define MITTARI_SERVICE_STREAM_WATCHDOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"

namespace mittari::service {

struct StreamLimits {
  // Longest wait for a stream's next message; zero for none.
  absl::Duration idle_timeout = absl::Seconds(60);
  // Longest life of one stream; zero for none.
  absl::Duration deadline = absl::Hours(1);
  // Most records one import stream (a file: responses, purchases,
  // sessions, tickets) carries; staged on disk as it comes, so the disk
  // bounds it too.
  int64_t max_import_rows = 100'000'000;
  // Most server streams (WatchAlerts, WatchMetric) one key holds open at
  // once.
  int max_watches_per_key = 16;
};

class StreamWatchdog {
 public:
  explicit StreamWatchdog(StreamLimits limits);
  ~StreamWatchdog();
  StreamWatchdog(const StreamWatchdog&) = delete;
  StreamWatchdog& operator=(const StreamWatchdog&) = delete;

  const StreamLimits& limits() const { return limits_; }

  // Holds one of a key's server streams while it lives.
  class WatchSlot {
   public:
    WatchSlot(StreamWatchdog& watchdog, std::string key_id)
        : watchdog_(watchdog), key_id_(std::move(key_id)) {}
    ~WatchSlot();
    WatchSlot(const WatchSlot&) = delete;
    WatchSlot& operator=(const WatchSlot&) = delete;

   private:
    StreamWatchdog& watchdog_;
    const std::string key_id_;
  };
  // A slot for a new server stream of `key_id`, or RESOURCE_EXHAUSTED
  // (TOO_MANY_WATCHES) when the key holds max_watches_per_key.
  absl::StatusOr<std::unique_ptr<WatchSlot>> OpenWatch(
      absl::string_view key_id);

  // Watches one stream while it lives; Touch() on every message.
  class Watch {
   public:
    Watch(StreamWatchdog& watchdog, const grpc::ServerContextBase& context);
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    void Touch();

   private:
    StreamWatchdog& watchdog_;
    uint64_t id_;
  };

 private:
  struct Watched {
    const grpc::ServerContextBase* context;
    absl::Time started;
    absl::Time last_message;
    bool cancelled;
  };

  void Loop();

  const StreamLimits limits_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<uint64_t, Watched> watched_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int> watches_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_STREAM_WATCHDOG_H_
