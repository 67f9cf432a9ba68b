// The loop of the commands that print a server stream until stopped
// (`alerts watch`, `kpi watch`).
#ifndef MITTARI_CLIENTS_CLI_WATCH_H_
#define MITTARI_CLIENTS_CLI_WATCH_H_

#include <memory>

#include "clients/cli/commands.h"
#include "clients/cli/interrupt.h"
#include "grpcpp/support/sync_stream.h"

namespace mittari::cli {

// Runs a server stream opened by `open` until it ends or Ctrl-C: prints
// each message, as `format` makes it JSON, on a line of its own, flushed.
// Exit code 0 when Ctrl-C ended it.
template <typename Response, typename Open, typename Format>
int RunWatch(Invocation& inv, Open open, Format format) {
  std::unique_ptr<grpc::ClientContext> context = inv.client.StreamContext();
  CancelOnInterrupt interrupt(*context);
  std::unique_ptr<grpc::ClientReader<Response>> reader = open(context.get());
  Response message;
  while (reader->Read(&message)) {
    inv.out << format(message).dump() << std::endl;  // flushed per line
  }
  grpc::Status status = reader->Finish();
  if (interrupt.interrupted()) return kExitOk;
  if (!status.ok()) return inv.Finish(status, Json());
  return kExitOk;
}

}  // namespace mittari::cli

#endif  // MITTARI_CLIENTS_CLI_WATCH_H_
