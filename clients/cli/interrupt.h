// Ctrl-C for commands that run until stopped (`alerts watch`, `kpi
// watch`): while a CancelOnInterrupt lives, SIGINT or SIGTERM cancels its
// call instead of killing the process, so that the command ends cleanly
// with what it printed so far.
#ifndef MITTARI_CLIENTS_CLI_INTERRUPT_H_
#define MITTARI_CLIENTS_CLI_INTERRUPT_H_

#include <atomic>
#include <csignal>
#include <thread>

#include "grpcpp/client_context.h"

namespace mittari::cli {

class CancelOnInterrupt {
 public:
  explicit CancelOnInterrupt(grpc::ClientContext& context);
  ~CancelOnInterrupt();
  CancelOnInterrupt(const CancelOnInterrupt&) = delete;
  CancelOnInterrupt& operator=(const CancelOnInterrupt&) = delete;

  // Whether a signal ended the call.
  bool interrupted() const { return interrupted_.load(); }

 private:
  std::atomic<bool> interrupted_{false};
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
  std::thread thread_;
};

}  // namespace mittari::cli

#endif  // MITTARI_CLIENTS_CLI_INTERRUPT_H_
