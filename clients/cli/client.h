// The CLI's connection to a server: address, key and TLS from flags or the
// environment (MITTARI_ADDR, MITTARI_KEY, MITTARI_CA_CERT), and the
// metadata every call carries.
#ifndef MITTARI_CLIENTS_CLI_CLIENT_H_
#define MITTARI_CLIENTS_CLI_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "clients/cli/args.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace mittari::cli {

class Client {
 public:
  static absl::StatusOr<Client> Connect(const Args& args);

  // A context with the key and the deadline set.
  std::unique_ptr<grpc::ClientContext> Context() const;
  // A context with the key and no deadline, for a watch that runs until
  // stopped.
  std::unique_ptr<grpc::ClientContext> StreamContext() const;
  // A context for a job whose length grows with its input (an import or an
  // export): a deadline only when --timeout was given. The server cancels
  // a client stream that falls silent (--stream_idle_timeout).
  std::unique_ptr<grpc::ClientContext> JobContext() const;
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::string key_;
  int timeout_seconds_ = 30;
  bool timeout_given_ = false;
};

}  // namespace mittari::cli

#endif  // MITTARI_CLIENTS_CLI_CLIENT_H_
