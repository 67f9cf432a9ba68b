// The bare gRPC echo server of the benchmark: the synchronous API, as
// mittarid uses, with the same thread limit.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "bench/echo.grpc.pb.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "host:port");
ABSL_FLAG(int, max_threads, 256, "threads that run calls");

namespace {

class EchoServiceImpl final : public mittari::bench::EchoService::Service {
  grpc::Status Echo(grpc::ServerContext* /*context*/,
                    const mittari::bench::EchoRequest* request,
                    mittari::bench::EchoResponse* response) override {
    response->set_payload(request->payload());
    return grpc::Status::OK;
  }
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  EchoServiceImpl service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(absl::GetFlag(FLAGS_listen),
                           grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  grpc::ResourceQuota quota("echo");
  quota.SetMaxThreads(absl::GetFlag(FLAGS_max_threads));
  builder.SetResourceQuota(quota);
  // As mittarid: threads stay polling.
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
      absl::GetFlag(FLAGS_max_threads));
  auto server = builder.BuildAndStart();
  std::cout << "echo listening on port " << port << std::endl;
  server->Wait();
  return 0;
}
