// A real Mittari server for tests: RocksDB in a temporary directory, gRPC on
// a free loopback port, a fake clock; called through generated stubs with
// the keys of its first start.
#ifndef MITTARI_TESTS_TESTING_TEST_SERVER_H_
#define MITTARI_TESTS_TESTING_TEST_SERVER_H_

#include <memory>
#include <string>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "mittari/v1/admin.grpc.pb.h"
#include "service/server.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace mittari::testing {

class TestServer {
 public:
  // The options of a test server: the server's defaults, except that failed
  // authentications are not throttled and 16 threads run calls. Its listen
  // address and data directory are the test server's own.
  static service::ServerOptions DefaultOptions();

  // Starts a server on a new data directory.
  explicit TestServer(service::ServerOptions options = DefaultOptions());
  ~TestServer();

  // Stops the server (draining) and starts it again on the same data.
  void Restart();
  void Stop();

  int port() const { return server_->port(); }
  FakeClock& clock() { return clock_; }
  const std::string& data_dir() const { return data_dir_; }

  // The first-start keys.
  const std::string& admin_key() const { return admin_key_; }
  const std::string& operator_key() const { return operator_key_; }

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  std::unique_ptr<v1::AdminService::Stub> admin() const {
    return v1::AdminService::NewStub(channel_);
  }

  // A client context that carries `key` (none when empty).
  static std::unique_ptr<grpc::ClientContext> Context(const std::string& key);

  // Creates NPS survey `id` ("Recommend us?", scale 0-10) in the default
  // workspace, with the admin key.
  grpc::Status CreateNpsSurvey(const std::string& id = "nps") const;

 private:
  void Start();

  TempDir dir_;
  std::string data_dir_;
  service::ServerOptions options_;
  FakeClock clock_;
  std::unique_ptr<service::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::string admin_key_;
  std::string operator_key_;
};

}  // namespace mittari::testing

#endif  // MITTARI_TESTS_TESTING_TEST_SERVER_H_
