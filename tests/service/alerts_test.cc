// Alert rules, alerts and the live streams through a real server: a
// response rule raises an alert that reaches a WatchAlerts subscriber; a
// deviation rule stays quiet below its minimum n and fires on a shift; a
// target rule fires when its target turns missed and resolves when it
// recovers; an event_pace rule fires when registrations lag; a subscriber
// that comes back with its token gets exactly what it missed, across a
// restart; WatchMetric sends the value first, then changes, at most once a
// second; watches are capped per key, end when their key is revoked, and
// end cleanly on shutdown.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "mittari/v1/admin.grpc.pb.h"
#include "mittari/v1/customer.grpc.pb.h"
#include "mittari/v1/event.grpc.pb.h"
#include "mittari/v1/kpi.grpc.pb.h"
#include "mittari/v1/survey.grpc.pb.h"
#include "tests/testing/test_server.h"

namespace mittari::service {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::mittari::testing::TestServer;
using ::testing::HasSubstr;

constexpr absl::Duration kPatience = absl::Seconds(20);

ServerOptions FastSweep() {
  ServerOptions options = TestServer::DefaultOptions();
  options.alert_sweep_interval = absl::Milliseconds(200);
  options.streams.max_watches_per_key = 3;
  return options;
}

// Collects a watch stream's messages on a thread of its own.
template <typename Message>
class Collector {
 public:
  template <typename Open>
  explicit Collector(Open open) {
    reader_ = open(&context_);
    thread_ = std::thread([this] {
      Message m;
      while (reader_->Read(&m)) {
        absl::MutexLock lock(&mu_);
        messages_.push_back(m);
        times_.push_back(absl::Now());
      }
      absl::MutexLock lock(&mu_);
      status_ = reader_->Finish();
      done_ = true;
    });
  }
  ~Collector() {
    context_.TryCancel();
    thread_.join();
  }
  grpc::ClientContext& context() { return context_; }

  // Waits until at least `n` messages came (false on timeout).
  bool AwaitCount(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return messages_.size() >= n || done_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&enough), kPatience);
    return messages_.size() >= n;
  }
  // Waits for the end of the stream; its status.
  grpc::Status AwaitEnd() {
    absl::MutexLock lock(&mu_);
    auto ended = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return done_; };
    mu_.AwaitWithTimeout(absl::Condition(&ended), kPatience);
    return done_ ? status_ : grpc::Status(grpc::StatusCode::UNKNOWN, "open");
  }
  std::vector<Message> messages() {
    absl::MutexLock lock(&mu_);
    return messages_;
  }
  std::vector<absl::Time> times() {
    absl::MutexLock lock(&mu_);
    return times_;
  }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<Message>> reader_;
  absl::Mutex mu_;
  std::vector<Message> messages_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Time> times_ ABSL_GUARDED_BY(mu_);
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

class AlertsTest : public ::testing::Test {
 protected:
  const std::string kWs = "workspaces/default";

  AlertsTest() : server_(FastSweep()) {}

  void SetUp() override {
    server_.clock().Set(Noon(absl::CivilDay(2026, 6, 15)));
    Connect();
    ASSERT_TRUE(server_.CreateNpsSurvey().ok());
  }

  void Connect() {
    kpi_ = v1::KpiService::NewStub(server_.channel());
    surveys_ = v1::SurveyService::NewStub(server_.channel());
  }

  static absl::Time Noon(absl::CivilDay day) {
    return absl::FromCivil(day, absl::UTCTimeZone()) + absl::Hours(12);
  }

  std::unique_ptr<grpc::ClientContext> Ctx() const {
    return TestServer::Context(server_.admin_key());
  }

  // `n` answers of `score` at `touchpoint` on `day`.
  void Answer(absl::CivilDay day, int n, int score,
              const std::string& touchpoint = "checkout") {
    v1::BatchSubmitResponsesRequest batch;
    batch.set_parent(kWs);
    for (int i = 0; i < n; ++i) {
      v1::SubmitResponseRequest* r = batch.add_requests();
      r->set_response_id(absl::StrCat("r-", next_++));
      r->mutable_response()->set_survey_id("nps");
      r->mutable_response()->set_score(score);
      r->mutable_response()->set_touchpoint(touchpoint);
      *r->mutable_response()->mutable_submit_time() =
          TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(Noon(day)));
    }
    v1::BatchSubmitResponsesResponse done;
    grpc::Status s = surveys_->BatchSubmitResponses(Ctx().get(), batch, &done);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  grpc::Status CreateRule(const std::string& id, const v1::AlertRule& rule) {
    v1::CreateAlertRuleRequest request;
    request.set_parent(kWs);
    request.set_alert_rule_id(id);
    *request.mutable_alert_rule() = rule;
    v1::AlertRule created;
    return kpi_->CreateAlertRule(Ctx().get(), request, &created);
  }

  static v1::AlertRule DetractorAtCheckout() {
    v1::AlertRule rule;
    rule.set_kind(v1::ALERT_RULE_KIND_RESPONSE);
    rule.set_score_max(6);
    (*rule.mutable_filters())["touchpoint"] = "checkout";
    return rule;
  }

  std::vector<v1::Alert> Alerts(v1::AlertState state = {}) {
    v1::ListAlertsRequest request;
    request.set_parent(kWs);
    request.set_state(state);
    v1::ListAlertsResponse response;
    grpc::Status s = kpi_->ListAlerts(Ctx().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {response.alerts().begin(), response.alerts().end()};
  }

  // Waits until ListAlerts(state) holds `n` alerts.
  std::vector<v1::Alert> AwaitAlerts(size_t n, v1::AlertState state = {}) {
    const absl::Time deadline = absl::Now() + kPatience;
    std::vector<v1::Alert> alerts = Alerts(state);
    while (alerts.size() < n && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(50));
      alerts = Alerts(state);
    }
    return alerts;
  }

  std::unique_ptr<Collector<v1::WatchAlertsResponse>> WatchAlerts(
      const std::string& token = "") {
    return std::make_unique<Collector<v1::WatchAlertsResponse>>(
        [&](grpc::ClientContext* context) {
          context->AddMetadata("authorization",
                               "Bearer " + server_.admin_key());
          v1::WatchAlertsRequest request;
          request.set_parent(kWs);
          request.set_resume_token(token);
          return kpi_->WatchAlerts(context, request);
        });
  }

  TestServer server_;
  std::unique_ptr<v1::KpiService::Stub> kpi_;
  std::unique_ptr<v1::SurveyService::Stub> surveys_;
  int next_ = 0;
};

TEST_F(AlertsTest, AResponseRuleAlertReachesAWatcher) {
  ASSERT_TRUE(CreateRule("detractors", DetractorAtCheckout()).ok());
  auto watch = WatchAlerts();
  // The stream is on once its headers came.
  ASSERT_TRUE(watch->AwaitCount(0));
  absl::SleepFor(absl::Milliseconds(200));

  Answer(absl::CivilDay(2026, 6, 15), 1, 10);             // a promoter
  Answer(absl::CivilDay(2026, 6, 15), 1, 3, "delivery");  // elsewhere
  Answer(absl::CivilDay(2026, 6, 15), 1, 3);              // the one
  ASSERT_TRUE(watch->AwaitCount(1));
  const v1::WatchAlertsResponse first = watch->messages()[0];
  EXPECT_EQ(first.alert().rule(), kWs + "/alertRules/detractors");
  EXPECT_EQ(first.alert().kind(), v1::ALERT_RULE_KIND_RESPONSE);
  EXPECT_EQ(first.alert().state(), v1::ALERT_STATE_OPEN);
  EXPECT_EQ(first.alert().value(), 3);
  EXPECT_EQ(first.alert().threshold(), 6);
  EXPECT_EQ(first.alert().version(), 1);
  EXPECT_EQ(first.alert().trigger().at("response"), kWs + "/responses/r-2");
  EXPECT_FALSE(first.resume_token().empty());
  EXPECT_EQ(Alerts().size(), 1U);

  // Acknowledged, then resolved: each a new version, also delivered.
  v1::AcknowledgeAlertRequest ack;
  ack.set_name(first.alert().name());
  v1::Alert acked;
  ASSERT_TRUE(kpi_->AcknowledgeAlert(Ctx().get(), ack, &acked).ok());
  EXPECT_EQ(acked.state(), v1::ALERT_STATE_ACKNOWLEDGED);
  EXPECT_EQ(acked.version(), 2);
  v1::ResolveAlertRequest resolve;
  resolve.set_name(first.alert().name());
  v1::Alert resolved;
  ASSERT_TRUE(kpi_->ResolveAlert(Ctx().get(), resolve, &resolved).ok());
  EXPECT_EQ(resolved.state(), v1::ALERT_STATE_RESOLVED);
  ASSERT_TRUE(watch->AwaitCount(3));
  EXPECT_EQ(watch->messages()[2].alert().version(), 3);
  EXPECT_TRUE(kpi_->AcknowledgeAlert(Ctx().get(), ack, &acked).error_code() ==
              grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Alerts(v1::ALERT_STATE_OPEN).size(), 0U);
  EXPECT_EQ(Alerts(v1::ALERT_STATE_RESOLVED).size(), 1U);
}

TEST_F(AlertsTest, ADeviationRuleWaitsForItsMinimumNAndFiresOnAShift) {
  // A week of steady days: NPS 40 (six promoters, two detractors, two
  // passives in ten), with a little spread.
  for (int d = 1; d <= 7; ++d) {
    const absl::CivilDay day(2026, 6, 7 + d);
    Answer(day, 6 + d % 2, 10);
    Answer(day, 2, 3);
    Answer(day, 2, 8);
  }
  v1::AlertRule rule;
  rule.set_kind(v1::ALERT_RULE_KIND_DEVIATION);
  rule.set_metric("nps");
  rule.set_granularity(v1::GRANULARITY_DAY);
  rule.set_window(7);
  rule.set_k(3);
  rule.set_min_n(10);
  ASSERT_TRUE(CreateRule("nps-drop", rule).ok());

  // Three angry answers today: far below, but n = 3 < 10.
  Answer(absl::CivilDay(2026, 6, 15), 3, 0);
  absl::SleepFor(absl::Seconds(1));
  EXPECT_EQ(Alerts().size(), 0U);

  // Twenty more: the day's NPS is -100 with n = 23.
  Answer(absl::CivilDay(2026, 6, 15), 20, 1);
  std::vector<v1::Alert> alerts = AwaitAlerts(1);
  ASSERT_EQ(alerts.size(), 1U);
  EXPECT_EQ(alerts[0].kind(), v1::ALERT_RULE_KIND_DEVIATION);
  EXPECT_EQ(alerts[0].value(), -100);
  EXPECT_EQ(alerts[0].n(), 23);
  EXPECT_LT(std::stod(alerts[0].trigger().at("z")), -3);
  EXPECT_EQ(alerts[0].trigger().at("bucket_start"), "2026-06-15T00:00:00Z");

  // It keeps firing as more detractors come: one alert, updated.
  Answer(absl::CivilDay(2026, 6, 15), 5, 0);
  const absl::Time deadline = absl::Now() + kPatience;
  while (Alerts()[0].n() != 28 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  alerts = Alerts();
  ASSERT_EQ(alerts.size(), 1U);
  EXPECT_EQ(alerts[0].n(), 28);
  EXPECT_GT(alerts[0].version(), 1);

  // Promoters bring the day back: the alert resolves itself.
  Answer(absl::CivilDay(2026, 6, 15), 80, 10);
  EXPECT_EQ(AwaitAlerts(1, v1::ALERT_STATE_RESOLVED).size(), 1U);
}

TEST_F(AlertsTest, ATargetRuleFiresWhenItsTargetTurnsMissed) {
  v1::CreateTargetRequest target;
  target.set_parent(kWs);
  target.set_target_id("nps-checkout");
  target.mutable_target()->set_metric("nps");
  target.mutable_target()->set_goal(30);
  target.mutable_target()->set_direction(v1::TARGET_DIRECTION_AT_LEAST);
  target.mutable_target()->set_period(v1::GRANULARITY_MONTH);
  (*target.mutable_target()->mutable_filters())["touchpoint"] = "checkout";
  v1::Target t;
  ASSERT_TRUE(kpi_->CreateTarget(Ctx().get(), target, &t).ok());
  v1::AlertRule rule;
  rule.set_kind(v1::ALERT_RULE_KIND_TARGET);
  rule.set_target("nps-checkout");
  ASSERT_TRUE(CreateRule("nps-target", rule).ok());
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(Alerts().size(), 0U);  // no data is not missed

  Answer(absl::CivilDay(2026, 6, 2), 60, 2);
  std::vector<v1::Alert> alerts = AwaitAlerts(1);
  ASSERT_EQ(alerts.size(), 1U);
  EXPECT_EQ(alerts[0].trigger().at("status"), "missed");
  EXPECT_EQ(alerts[0].threshold(), 30);
  EXPECT_EQ(alerts[0].n(), 60);

  // Met again: resolved, and a new miss would be a new alert.
  Answer(absl::CivilDay(2026, 6, 3), 400, 10);
  EXPECT_EQ(AwaitAlerts(1, v1::ALERT_STATE_RESOLVED).size(), 1U);
}

TEST_F(AlertsTest, AnEventPaceRuleFiresWhenRegistrationsLag) {
  auto events = v1::EventService::NewStub(server_.channel());
  v1::CreateEventRequest event;
  event.set_parent(kWs);
  event.set_event_id("summit");
  event.mutable_event()->set_display_name("Summit");
  event.mutable_event()->set_kind("conference");
  *event.mutable_event()->mutable_start_time() = TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(Noon(absl::CivilDay(2026, 6, 25))));
  event.mutable_event()->mutable_goals()->set_registrations(100);
  v1::Event created;
  ASSERT_TRUE(events->CreateEvent(Ctx().get(), event, &created).ok());

  v1::AlertRule rule;
  rule.set_kind(v1::ALERT_RULE_KIND_EVENT_PACE);
  rule.set_event("summit");
  ASSERT_TRUE(CreateRule("summit-pace", rule).ok());
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(Alerts().size(), 0U);  // nothing is expected yet

  // Half way to the start, no one has registered: the sweep notices.
  server_.clock().Set(Noon(absl::CivilDay(2026, 6, 20)));
  std::vector<v1::Alert> alerts = AwaitAlerts(1);
  ASSERT_EQ(alerts.size(), 1U);
  EXPECT_EQ(alerts[0].value(), 0);
  EXPECT_EQ(alerts[0].threshold(), 50);
  EXPECT_EQ(alerts[0].trigger().at("event"), kWs + "/events/summit");

  // A rule on an event without a registrations goal is refused.
  event.set_event_id("meetup");
  event.mutable_event()->clear_goals();
  ASSERT_TRUE(events->CreateEvent(Ctx().get(), event, &created).ok());
  rule.set_event("meetup");
  grpc::Status refused = CreateRule("meetup-pace", rule);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("alert_rule.event"));
}

TEST_F(AlertsTest, AResumedWatchGetsExactlyWhatItMissedAcrossARestart) {
  ASSERT_TRUE(CreateRule("detractors", DetractorAtCheckout()).ok());
  std::string token;
  {
    auto watch = WatchAlerts();
    absl::SleepFor(absl::Milliseconds(200));
    Answer(absl::CivilDay(2026, 6, 15), 1, 2);
    ASSERT_TRUE(watch->AwaitCount(1));
    token = watch->messages()[0].resume_token();
  }
  // Two more while no one watches, and a restart in between.
  Answer(absl::CivilDay(2026, 6, 15), 1, 1);
  AwaitAlerts(2);
  server_.Restart();
  Connect();
  Answer(absl::CivilDay(2026, 6, 15), 1, 0);
  AwaitAlerts(3);

  auto resumed = WatchAlerts(token);
  ASSERT_TRUE(resumed->AwaitCount(2));
  absl::SleepFor(absl::Milliseconds(300));
  std::vector<v1::WatchAlertsResponse> missed = resumed->messages();
  ASSERT_EQ(missed.size(), 2U);
  EXPECT_EQ(missed[0].alert().trigger().at("response"), kWs + "/responses/r-1");
  EXPECT_EQ(missed[1].alert().trigger().at("response"), kWs + "/responses/r-2");
  // Then live ones.
  Answer(absl::CivilDay(2026, 6, 15), 1, 4);
  ASSERT_TRUE(resumed->AwaitCount(3));
  EXPECT_EQ(resumed->messages()[2].alert().trigger().at("response"),
            kWs + "/responses/r-3");

  auto bad = WatchAlerts("not a token");
  grpc::Status status = bad->AwaitEnd();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("resume_token"));
}

TEST_F(AlertsTest, WatchMetricSendsTheValueThenChangesAtMostOnceASecond) {
  Answer(absl::CivilDay(2026, 6, 15), 4, 10);
  Collector<v1::QueryMetricResponse> watch([&](grpc::ClientContext* context) {
    context->AddMetadata("authorization", "Bearer " + server_.admin_key());
    v1::WatchMetricRequest request;
    request.mutable_query()->set_parent(kWs);
    request.mutable_query()->set_metric("nps");
    request.mutable_query()->set_granularity(v1::GRANULARITY_DAY);
    request.set_current_bucket_only(true);
    return kpi_->WatchMetric(context, request);
  });
  ASSERT_TRUE(watch.AwaitCount(1));
  ASSERT_EQ(watch.messages()[0].points_size(), 1);
  EXPECT_EQ(watch.messages()[0].points(0).n(), 4);
  EXPECT_EQ(watch.messages()[0].points(0).value(), 100);

  // Five answers in quick succession: fewer messages, a second apart.
  for (int i = 0; i < 5; ++i) Answer(absl::CivilDay(2026, 6, 15), 1, 0);
  const absl::Time deadline = absl::Now() + kPatience;
  while (absl::Now() < deadline) {
    std::vector<v1::QueryMetricResponse> got = watch.messages();
    if (got.back().points(0).n() == 9) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  std::vector<v1::QueryMetricResponse> got = watch.messages();
  EXPECT_EQ(got.back().points(0).n(), 9);
  EXPECT_LE(got.size(), 4U);
  std::vector<absl::Time> times = watch.times();
  for (size_t i = 1; i < times.size(); ++i) {
    EXPECT_GE(times[i] - times[i - 1], absl::Milliseconds(900));
  }
}

TEST_F(AlertsTest, AWatchWhoseKeyIsRevokedEnds) {
  v1::CreateApiKeyRequest create;
  create.set_parent(kWs);
  create.mutable_api_key()->set_role(v1::ROLE_READ);
  v1::ApiKey key;
  ASSERT_TRUE(server_.admin()->CreateApiKey(Ctx().get(), create, &key).ok());
  auto open = [&](grpc::ClientContext* context) {
    context->AddMetadata("authorization", "Bearer " + key.secret());
    return context;
  };
  Collector<v1::WatchAlertsResponse> alerts([&](grpc::ClientContext* c) {
    v1::WatchAlertsRequest request;
    request.set_parent(kWs);
    return kpi_->WatchAlerts(open(c), request);
  });
  Collector<v1::QueryMetricResponse> metric([&](grpc::ClientContext* c) {
    v1::WatchMetricRequest request;
    request.mutable_query()->set_parent(kWs);
    request.mutable_query()->set_metric("nps");
    request.mutable_query()->set_granularity(v1::GRANULARITY_DAY);
    request.set_current_bucket_only(true);
    return kpi_->WatchMetric(open(c), request);
  });
  ASSERT_TRUE(metric.AwaitCount(1));
  v1::RevokeApiKeyRequest revoke;
  revoke.set_name(key.name());
  v1::ApiKey revoked;
  ASSERT_TRUE(
      server_.admin()->RevokeApiKey(Ctx().get(), revoke, &revoked).ok());
  EXPECT_EQ(alerts.AwaitEnd().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(metric.AwaitEnd().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AlertsTest, WatchesAreCappedPerKeyAndEndOnShutdown) {
  std::vector<std::unique_ptr<Collector<v1::WatchAlertsResponse>>> watches;
  watches.reserve(3);
  for (int i = 0; i < 3; ++i) watches.push_back(WatchAlerts());
  absl::SleepFor(absl::Milliseconds(300));
  auto fourth = WatchAlerts();
  grpc::Status refused = fourth->AwaitEnd();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // A bad rule is refused with its field named.
  v1::AlertRule rule;
  rule.set_kind(v1::ALERT_RULE_KIND_DEVIATION);
  rule.set_metric("nps");
  rule.set_window(2);
  grpc::Status bad = CreateRule("bad", rule);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("alert_rule.window"));
  EXPECT_THAT(bad.error_message(), HasSubstr("alert_rule.k"));
  EXPECT_THAT(bad.error_message(), HasSubstr("alert_rule.granularity"));

  server_.Stop();
  for (auto& w : watches) EXPECT_TRUE(w->AwaitEnd().ok());
}

}  // namespace
}  // namespace mittari::service
