// Floods are refused, not absorbed, through a real server: calls per key
// and per workspace, rows per workspace and failed authentications per
// client address are limited, each refusal RESOURCE_EXHAUSTED with a
// RetryInfo; a limit on one key, workspace or address leaves the others
// alone; streams over the row rate are slowed, not failed; a workspace
// that floods and erases does not hold up another's writes.
#include <atomic>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "mittari/v1/admin.grpc.pb.h"
#include "mittari/v1/customer.grpc.pb.h"
#include "mittari/v1/survey.grpc.pb.h"
#include "tests/testing/test_server.h"

namespace mittari::service {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::mittari::testing::TestServer;

// The reason and retry delay of a refusal.
struct Refusal {
  std::string reason;
  absl::Duration retry = absl::ZeroDuration();
};

Refusal RefusalOf(const grpc::Status& status) {
  Refusal out;
  google::rpc::Status rpc;
  EXPECT_TRUE(rpc.ParseFromString(status.error_details()));
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::RetryInfo retry;
    if (any.UnpackTo(&info)) out.reason = info.reason();
    if (any.UnpackTo(&retry)) {
      out.retry = absl::Seconds(retry.retry_delay().seconds()) +
                  absl::Nanoseconds(retry.retry_delay().nanos());
    }
  }
  return out;
}

RateLimits Off() {
  RateLimits limits;
  limits.calls_per_key = 0;
  limits.calls_per_workspace = 0;
  limits.rows_per_workspace = 0;
  limits.failed_auth_per_peer = 0;
  return limits;
}

class LimitsTest : public ::testing::Test {
 protected:
  void Start(RateLimits limits,
             StreamLimits streams = ServerOptions().streams) {
    ServerOptions options = TestServer::DefaultOptions();
    options.limits = limits;
    options.streams = streams;
    server_ = std::make_unique<TestServer>(options);
    customers_ = v1::CustomerService::NewStub(server_->channel());
  }

  std::string CreateKey(const std::string& admin, const std::string& ws) {
    v1::CreateApiKeyRequest request;
    request.set_parent("workspaces/" + ws);
    request.mutable_api_key()->set_role(v1::ROLE_WRITE);
    v1::ApiKey key;
    grpc::Status s = server_->admin()->CreateApiKey(
        TestServer::Context(admin).get(), request, &key);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return key.secret();
  }

  // Another workspace; returns its admin key.
  std::string CreateWorkspace(const std::string& id) {
    v1::CreateWorkspaceRequest request;
    request.set_workspace_id(id);
    request.mutable_workspace()->set_display_name(id);
    v1::CreateWorkspaceResponse response;
    grpc::Status s = server_->admin()->CreateWorkspace(
        TestServer::Context(server_->operator_key()).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.admin_key().secret();
  }

  grpc::Status Info(const std::string& key,
                    const std::string& forwarded_for = "") {
    auto context = TestServer::Context(key);
    if (!forwarded_for.empty()) {
      context->AddMetadata("x-forwarded-for", forwarded_for);
    }
    v1::ServerInfo info;
    return server_->admin()->GetServerInfo(context.get(),
                                           v1::GetServerInfoRequest(), &info);
  }

  v1::BatchRecordSessionsRequest Sessions(const std::string& ws, int n,
                                          const std::string& prefix) {
    v1::BatchRecordSessionsRequest request;
    request.set_parent("workspaces/" + ws);
    for (int i = 0; i < n; ++i) {
      v1::RecordSessionRequest* s = request.add_requests();
      s->set_session_id(absl::StrCat(prefix, i));
      s->mutable_session()->set_visitor_id("v");
      *s->mutable_session()->mutable_start_time() =
          TimeUtil::SecondsToTimestamp(
              absl::ToUnixSeconds(server_->clock().Now() - absl::Hours(1)));
    }
    return request;
  }

  grpc::Status Record(const std::string& key,
                      const v1::BatchRecordSessionsRequest& request) {
    v1::ImportSummary summary;
    return customers_->BatchRecordSessions(TestServer::Context(key).get(),
                                           request, &summary);
  }

  // Streams `messages` messages of `rows` sessions each into the default
  // workspace, waiting `pause` after the first; the stream's status, and
  // its summary in `summary`.
  grpc::Status Stream(int messages, int rows, const std::string& prefix,
                      v1::ImportSummary* summary,
                      absl::Duration pause = absl::ZeroDuration()) {
    auto context = TestServer::Context(server_->admin_key());
    auto stream = customers_->ImportSessions(context.get(), summary);
    for (int m = 0; m < messages; ++m) {
      v1::ImportSessionsRequest message;
      message.set_parent("workspaces/default");
      *message.mutable_requests() =
          Sessions("default", rows, absl::StrCat(prefix, m, "-")).requests();
      // The server may already have ended the stream: a failed write is
      // fine, Finish says why.
      if (!stream->Write(message)) break;
      if (m == 0) absl::SleepFor(pause);
    }
    stream->WritesDone();
    return stream->Finish();
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<v1::CustomerService::Stub> customers_;
};

TEST_F(LimitsTest, CallsPerKeyAreLimitedAndRefill) {
  RateLimits limits = Off();
  limits.calls_per_key = 5;  // a bucket of 10
  Start(limits);
  const std::string admin = server_->admin_key();
  // Creating the key used a call of the admin key.
  const std::string other = CreateKey(admin, "default");
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(Info(admin).ok()) << i;
  grpc::Status refused = Info(admin);
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  Refusal r = RefusalOf(refused);
  EXPECT_EQ(r.reason, "RATE_LIMITED");
  EXPECT_EQ(r.retry, absl::Milliseconds(200));
  // Another key of the same workspace is not held back.
  EXPECT_TRUE(Info(other).ok());
  server_->clock().Advance(absl::Seconds(1));
  EXPECT_TRUE(Info(admin).ok());
}

TEST_F(LimitsTest, AStreamIsOneCallHoweverManyMessagesItCarries) {
  RateLimits limits = Off();
  limits.calls_per_key = 5;  // a bucket of 10
  Start(limits);
  v1::ImportSummary summary;
  grpc::Status s = Stream(30, 1, "one-", &summary);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(summary.created(), 30);
}

TEST_F(LimitsTest, CallsPerWorkspaceAreShared) {
  RateLimits limits = Off();
  limits.calls_per_workspace = 2;  // a bucket of 4
  Start(limits);
  const std::string admin = server_->admin_key();
  const std::string beta = CreateWorkspace("beta");
  const std::string second = CreateKey(admin, "default");  // 1 call
  ASSERT_TRUE(Info(admin).ok());
  ASSERT_TRUE(Info(second).ok());
  ASSERT_TRUE(Info(second).ok());
  EXPECT_EQ(Info(admin).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Info(second).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Another workspace goes on.
  EXPECT_TRUE(Info(beta).ok());
}

TEST_F(LimitsTest, RowsPerWorkspaceRefuseABatchAndStoreNothing) {
  RateLimits limits = Off();
  limits.rows_per_workspace = 100;  // a bucket of 200
  Start(limits);
  const std::string admin = server_->admin_key();
  const std::string beta = CreateWorkspace("beta");
  ASSERT_TRUE(Record(admin, Sessions("default", 150, "a")).ok());
  grpc::Status refused = Record(admin, Sessions("default", 100, "b"));
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(RefusalOf(refused).retry, absl::Milliseconds(500));
  v1::GetSessionRequest get;
  get.set_name("workspaces/default/sessions/b0");
  v1::Session s;
  EXPECT_EQ(customers_->GetSession(TestServer::Context(admin).get(), get, &s)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Record(beta, Sessions("beta", 150, "a")).ok());
}

TEST_F(LimitsTest, AStreamOverTheRowRateIsSlowedNotFailed) {
  RateLimits limits = Off();
  limits.rows_per_workspace = 100;  // a bucket of 200
  Start(limits);
  v1::ImportSummary summary;
  grpc::Status s = Stream(3, 100, "m", &summary);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(summary.created(), 300);
}

TEST_F(LimitsTest, AnIdleStreamIsCancelledAndStoresNothing) {
  StreamLimits streams;
  streams.idle_timeout = absl::Seconds(1);
  Start(Off(), streams);
  // After the first message nothing more for well past the idle timeout;
  // the server ends the stream.
  v1::ImportSummary summary;
  EXPECT_EQ(Stream(2, 3, "idle", &summary, absl::Seconds(4)).error_code(),
            grpc::StatusCode::CANCELLED);
  v1::GetSessionRequest get;
  get.set_name("workspaces/default/sessions/idle0-0");
  v1::Session s;
  EXPECT_EQ(
      customers_
          ->GetSession(TestServer::Context(server_->admin_key()).get(), get, &s)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
}

TEST_F(LimitsTest, ANewDimensionValuePastItsCapIsRefusedByName) {
  ServerOptions options = TestServer::DefaultOptions();
  options.dimension_caps.labels = 2;
  server_ = std::make_unique<TestServer>(options);
  auto surveys = v1::SurveyService::NewStub(server_->channel());
  const std::string admin = server_->admin_key();
  ASSERT_TRUE(server_->CreateNpsSurvey().ok());
  auto submit = [&](const std::string& id, const std::string& channel) {
    v1::SubmitResponseRequest r;
    r.set_parent("workspaces/default");
    r.set_response_id(id);
    r.mutable_response()->set_survey_id("nps");
    r.mutable_response()->set_score(9);
    r.mutable_response()->set_channel(channel);
    *r.mutable_response()->mutable_submit_time() = TimeUtil::SecondsToTimestamp(
        absl::ToUnixSeconds(server_->clock().Now() - absl::Hours(1)));
    v1::Response out;
    return surveys->SubmitResponse(TestServer::Context(admin).get(), r, &out);
  };
  EXPECT_TRUE(submit("r1", "web").ok());
  EXPECT_TRUE(submit("r2", "email").ok());
  grpc::Status refused = submit("r3", "pigeon");
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(RefusalOf(refused).reason, "DIMENSION_CAP");
  EXPECT_THAT(refused.error_message(), ::testing::HasSubstr("'channel'"));
  EXPECT_TRUE(submit("r4", "web").ok());
}

TEST_F(LimitsTest, FailedAuthenticationsAreThrottledPerClientAddress) {
  RateLimits limits = Off();
  limits.failed_auth_per_peer = 1;  // a bucket of 2
  Start(limits);
  const std::string admin = server_->admin_key();
  EXPECT_EQ(Info("mk_wrong").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Info("mk_wrong").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status throttled = Info(admin);
  ASSERT_EQ(throttled.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(RefusalOf(throttled).reason, "AUTH_THROTTLED");
  // A gateway on loopback forwards its clients' addresses: each is its own.
  EXPECT_TRUE(Info(admin, "203.0.113.7").ok());
  EXPECT_EQ(Info("mk_wrong", "203.0.113.7, 10.0.0.1").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  server_->clock().Advance(absl::Seconds(2));
  EXPECT_TRUE(Info(admin).ok());
}

// Tenants cannot stall each other. While the default workspace floods (an
// import stream that goes on until told to stop, and erasures, which hold
// its writers), another workspace's unary writes complete. The flood stops
// only once they have, so they cannot have waited for it; nothing here
// depends on timing.
TEST_F(LimitsTest, AFloodingWorkspaceDoesNotHoldUpAnothersWrites) {
  Start(Off());
  const std::string beta = CreateWorkspace("beta");
  std::atomic<bool> done{false};
  std::atomic<int> flooded{0};
  std::atomic<int> erased{0};
  std::thread flood([&] {
    auto context = TestServer::Context(server_->admin_key());
    v1::ImportSummary summary;
    auto stream = customers_->ImportSessions(context.get(), &summary);
    for (int m = 0; !done.load(); ++m) {
      v1::ImportSessionsRequest message;
      message.set_parent("workspaces/default");
      *message.mutable_requests() =
          Sessions("default", 500, absl::StrCat("flood-", m, "-")).requests();
      if (!stream->Write(message)) break;
      ++flooded;
    }
    stream->WritesDone();
    // The erasures may abort the import (it re-checks its customers
    // then); what matters here is the other workspace.
    grpc::Status finished = stream->Finish();
    EXPECT_TRUE(finished.ok() ||
                finished.error_code() == grpc::StatusCode::ABORTED)
        << finished.error_message();
  });
  std::thread erasures([&] {
    for (int i = 0; !done.load(); ++i) {
      v1::CreateCustomerRequest create;
      create.set_parent("workspaces/default");
      create.set_customer_id(absl::StrCat("gone-", i));
      v1::Customer customer;
      ASSERT_TRUE(
          customers_
              ->CreateCustomer(TestServer::Context(server_->admin_key()).get(),
                               create, &customer)
              .ok());
      v1::EraseCustomerRequest erase;
      erase.set_name(absl::StrCat("workspaces/default/customers/gone-", i));
      v1::EraseCustomerResponse erased_reply;
      ASSERT_TRUE(
          customers_
              ->EraseCustomer(TestServer::Context(server_->admin_key()).get(),
                              erase, &erased_reply)
              .ok());
      ++erased;
    }
  });
  while (flooded.load() < 2 || erased.load() < 1) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  for (int i = 0; i < 40; ++i) {
    v1::RecordSessionRequest request;
    request.set_parent("workspaces/beta");
    request.set_session_id(absl::StrCat("beta-", i));
    request.mutable_session()->set_visitor_id("v");
    *request.mutable_session()->mutable_start_time() =
        TimeUtil::SecondsToTimestamp(
            absl::ToUnixSeconds(server_->clock().Now() - absl::Hours(1)));
    v1::Session session;
    grpc::Status s = customers_->RecordSession(TestServer::Context(beta).get(),
                                               request, &session);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  done = true;
  flood.join();
  erasures.join();
}

}  // namespace
}  // namespace mittari::service
