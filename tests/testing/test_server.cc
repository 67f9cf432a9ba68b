#include "tests/testing/test_server.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "mittari/v1/survey.grpc.pb.h"

namespace mittari::testing {

service::ServerOptions TestServer::DefaultOptions() {
  service::ServerOptions options;
  // Tests call with bad keys on purpose, many times a second.
  options.limits.failed_auth_per_peer = 0;
  options.max_threads = 16;
  return options;
}

TestServer::TestServer(service::ServerOptions options)
    : data_dir_(dir_.Sub("data")), options_(std::move(options)) {
  Start();
  const auto& first = server_->first_start();
  if (!first.has_value()) {
    ADD_FAILURE() << "a new data directory must be a first start";
    return;
  }
  admin_key_ = first->admin_key.secret;
  operator_key_ = first->operator_key.secret;
}

TestServer::~TestServer() { Stop(); }

void TestServer::Start() {
  service::ServerOptions options = options_;
  options.listen = "127.0.0.1:0";
  options.data_dir = data_dir_;
  auto server = service::Server::Start(options, clock_);
  if (!server.ok()) {
    ADD_FAILURE() << "server did not start: " << server.status();
    return;
  }
  server_ = *std::move(server);
  channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                 grpc::InsecureChannelCredentials());
}

void TestServer::Stop() {
  if (server_ == nullptr) return;
  EXPECT_TRUE(server_->Shutdown(absl::Seconds(5)).ok());
  server_.reset();
  channel_.reset();
}

void TestServer::Restart() {
  Stop();
  Start();
}

std::unique_ptr<grpc::ClientContext> TestServer::Context(
    const std::string& key) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!key.empty()) context->AddMetadata("authorization", "Bearer " + key);
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(30));
  return context;
}

grpc::Status TestServer::CreateNpsSurvey(const std::string& id) const {
  v1::CreateSurveyRequest request;
  request.set_parent("workspaces/default");
  request.set_survey_id(id);
  request.mutable_survey()->set_kind(v1::SURVEY_KIND_NPS);
  request.mutable_survey()->set_question("Recommend us?");
  v1::Survey survey;
  return v1::SurveyService::NewStub(channel_)->CreateSurvey(
      Context(admin_key_).get(), request, &survey);
}

}  // namespace mittari::testing
