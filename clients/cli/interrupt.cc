#include "clients/cli/interrupt.h"

#include <unistd.h>

namespace mittari::cli {
namespace {

// The self-pipe the handler writes to: a write is all a signal handler
// may safely do.
int pipe_fds[2] = {-1, -1};  // NOLINT(*-avoid-c-arrays): pipe(2)'s shape

void OnSignal(int /*signal*/) {
  const char c = 'i';
  const ssize_t written = write(pipe_fds[1], &c, 1);
  (void)written;  // nothing to do about a full pipe in a handler
}

}  // namespace

CancelOnInterrupt::CancelOnInterrupt(grpc::ClientContext& context) {
  if (pipe(pipe_fds) != 0) return;
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &old_int_);
  sigaction(SIGTERM, &action, &old_term_);
  thread_ = std::thread([this, &context] {
    char c = 0;
    while (read(pipe_fds[0], &c, 1) < 0) {
    }
    if (c == 'i') {
      interrupted_ = true;
      context.TryCancel();
    }
  });
}

CancelOnInterrupt::~CancelOnInterrupt() {
  if (!thread_.joinable()) return;
  const char c = 'q';
  const ssize_t written = write(pipe_fds[1], &c, 1);
  (void)written;  // one byte into an empty pipe does not fail
  thread_.join();
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  pipe_fds[0] = pipe_fds[1] = -1;
}

}  // namespace mittari::cli
