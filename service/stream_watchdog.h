// Ends client streams that hold a handler thread for nothing: one whose
// client sends nothing for `idle_timeout`, or that runs longer than
// `deadline` in all. A thread of its own looks at the watched streams once
// a second (in real time: these limits are about the server's threads, not
// about the data's clock) and cancels the expired ones; the handler then
// sees its stream end cancelled and stores nothing of it.
#ifndef MITTARI_SERVICE_STREAM_WATCHDOG_H_
#define MITTARI_SERVICE_STREAM_WATCHDOG_H_

#include <cstdint>
#include <thread>

#include "absl/container/flat_hash_map.h"
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
};

class StreamWatchdog {
 public:
  explicit StreamWatchdog(StreamLimits limits);
  ~StreamWatchdog();
  StreamWatchdog(const StreamWatchdog&) = delete;
  StreamWatchdog& operator=(const StreamWatchdog&) = delete;

  const StreamLimits& limits() const { return limits_; }

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
  std::thread thread_;
};

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_STREAM_WATCHDOG_H_
