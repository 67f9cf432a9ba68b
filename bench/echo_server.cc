// The bare gRPC echo server of the benchmark: the transport's ceiling.
// --api=callback serves it with gRPC's callback API, as mittarid serves
// SubmitResponse; --api=sync with the synchronous API and thread limit that
// mittarid's other methods use. The callback API is the faster of the two
// here, so it is the ceiling the ingest rates are compared with.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "bench/echo.grpc.pb.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "host:port");
ABSL_FLAG(int, max_threads, 256, "threads that run calls");
ABSL_FLAG(std::string, api, "callback", "callback or sync");

namespace {

class EchoServiceImpl final : public mittari::bench::EchoService::Service {
  grpc::Status Echo(grpc::ServerContext* /*context*/,
                    const mittari::bench::EchoRequest* request,
                    mittari::bench::EchoResponse* response) override {
    response->set_payload(request->payload());
    return grpc::Status::OK;
  }
};

class CallbackEchoServiceImpl final
    : public mittari::bench::EchoService::CallbackService {
  grpc::ServerUnaryReactor* Echo(
      grpc::CallbackServerContext* context,
      const mittari::bench::EchoRequest* request,
      mittari::bench::EchoResponse* response) override {
    response->set_payload(request->payload());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  EchoServiceImpl service;
  CallbackEchoServiceImpl callback_service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(absl::GetFlag(FLAGS_listen),
                           grpc::InsecureServerCredentials(), &port);
  const std::string api = absl::GetFlag(FLAGS_api);
  if (api == "callback") {
    builder.RegisterService(&callback_service);
  } else if (api == "sync") {
    builder.RegisterService(&service);
  } else {
    std::cerr << "--api must be callback or sync\n";
    return 2;
  }
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
