// Targets and the scorecard through a real server: a target's status moves
// from no_data to at_risk to met as responses arrive (a count only once its
// goal is reached in a running month); at_most mirrors at_least; the
// scorecard carries the previous month, the change and its significance,
// the touchpoint's stage and baseline, and a forecast.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "mittari/v1/kpi.grpc.pb.h"
#include "mittari/v1/survey.grpc.pb.h"
#include "tests/testing/test_server.h"

namespace mittari::service {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::mittari::testing::TestServer;
using ::testing::HasSubstr;

class TargetsTest : public ::testing::Test {
 protected:
  const std::string kWs = "workspaces/default";

  void SetUp() override {
    server_.clock().Set(Noon(absl::CivilDay(2026, 6, 15)));
    kpi_ = v1::KpiService::NewStub(server_.channel());
    surveys_ = v1::SurveyService::NewStub(server_.channel());
    ASSERT_TRUE(server_.CreateNpsSurvey().ok());
  }

  static absl::Time Noon(absl::CivilDay day) {
    return absl::FromCivil(day, absl::UTCTimeZone()) + absl::Hours(12);
  }

  std::unique_ptr<grpc::ClientContext> Ctx() const {
    return TestServer::Context(server_.admin_key());
  }

  // `n` answers of `score` at checkout on `day`.
  void Answer(absl::CivilDay day, int n, int score) {
    v1::BatchSubmitResponsesRequest batch;
    batch.set_parent(kWs);
    for (int i = 0; i < n; ++i) {
      v1::SubmitResponseRequest* r = batch.add_requests();
      r->set_response_id(absl::StrCat("r-", next_++));
      r->mutable_response()->set_survey_id("nps");
      r->mutable_response()->set_score(score);
      r->mutable_response()->set_touchpoint("checkout");
      *r->mutable_response()->mutable_submit_time() =
          TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(Noon(day)));
    }
    v1::BatchSubmitResponsesResponse done;
    grpc::Status s = surveys_->BatchSubmitResponses(Ctx().get(), batch, &done);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  grpc::Status CreateTarget(const std::string& id, const std::string& metric,
                            double goal, v1::TargetDirection direction,
                            bool at_checkout) {
    v1::CreateTargetRequest request;
    request.set_parent(kWs);
    request.set_target_id(id);
    v1::Target* t = request.mutable_target();
    t->set_metric(metric);
    t->set_goal(goal);
    t->set_direction(direction);
    t->set_period(v1::GRANULARITY_MONTH);
    if (at_checkout) (*t->mutable_filters())["touchpoint"] = "checkout";
    v1::Target created;
    return kpi_->CreateTarget(Ctx().get(), request, &created);
  }

  // The scorecard's entry of target `id`.
  v1::ScorecardEntry Entry(const std::string& id) {
    v1::GetScorecardRequest request;
    request.set_parent(kWs);
    v1::Scorecard card;
    grpc::Status s = kpi_->GetScorecard(Ctx().get(), request, &card);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const v1::ScorecardEntry& e : card.entries()) {
      if (e.target().name() == kWs + "/targets/" + id) return e;
    }
    ADD_FAILURE() << "no entry for " << id;
    return {};
  }

  TestServer server_;
  std::unique_ptr<v1::KpiService::Stub> kpi_;
  std::unique_ptr<v1::SurveyService::Stub> surveys_;
  int next_ = 0;
};

TEST_F(TargetsTest, AStatusMovesFromNoDataToAtRiskToMet) {
  ASSERT_TRUE(CreateTarget("nps-checkout", "nps", 30,
                           v1::TARGET_DIRECTION_AT_LEAST, true)
                  .ok());
  ASSERT_TRUE(CreateTarget("answers", "response_count", 100,
                           v1::TARGET_DIRECTION_AT_LEAST, false)
                  .ok());
  ASSERT_TRUE(
      CreateTarget("nps-cap", "nps", 50, v1::TARGET_DIRECTION_AT_MOST, true)
          .ok());
  EXPECT_EQ(Entry("nps-checkout").status(), v1::TARGET_STATUS_NO_DATA);
  EXPECT_EQ(Entry("answers").status(), v1::TARGET_STATUS_AT_RISK);  // 0 < 100

  // Five promoters: NPS 100, but its interval still holds the goal.
  Answer(absl::CivilDay(2026, 6, 2), 5, 10);
  v1::ScorecardEntry e = Entry("nps-checkout");
  EXPECT_EQ(e.status(), v1::TARGET_STATUS_AT_RISK);
  EXPECT_EQ(e.current().n(), 5);
  EXPECT_LT(e.current().ci_low(), 30);

  // Sixty more: the whole interval is above the goal.
  Answer(absl::CivilDay(2026, 6, 3), 60, 10);
  e = Entry("nps-checkout");
  EXPECT_EQ(e.status(), v1::TARGET_STATUS_MET);
  EXPECT_GE(e.current().ci_low(), 30);
  // At most 50 mirrors it: missed.
  EXPECT_EQ(Entry("nps-cap").status(), v1::TARGET_STATUS_MISSED);
  // A count in a running month: at risk until its goal is reached.
  EXPECT_EQ(Entry("answers").status(), v1::TARGET_STATUS_AT_RISK);
  Answer(absl::CivilDay(2026, 6, 4), 35, 9);
  EXPECT_EQ(Entry("answers").status(), v1::TARGET_STATUS_MET);
  EXPECT_EQ(Entry("answers").current().value(), 100);
}

TEST_F(TargetsTest, TheScorecardComparesForecastsAndGroups) {
  // History at checkout: detractors in May, a little every month before.
  for (int month = 2; month <= 4; ++month)
    Answer(absl::CivilDay(2026, month, 10), 10, 8);
  Answer(absl::CivilDay(2026, 5, 10), 20, 0);
  Answer(absl::CivilDay(2026, 6, 10), 40, 10);
  v1::CreateTouchpointRequest tp;
  tp.set_parent(kWs);
  tp.set_touchpoint_id("checkout");
  tp.mutable_touchpoint()->set_display_name("Checkout");
  tp.mutable_touchpoint()->set_journey_stage("purchase");
  v1::Touchpoint touchpoint;
  ASSERT_TRUE(kpi_->CreateTouchpoint(Ctx().get(), tp, &touchpoint).ok());
  v1::SetBaselineRequest baseline;
  baseline.set_name(kWs + "/touchpoints/checkout");
  baseline.set_metric("nps");
  baseline.set_value(25);
  ASSERT_TRUE(kpi_->SetBaseline(Ctx().get(), baseline, &touchpoint).ok());
  ASSERT_TRUE(CreateTarget("nps-checkout", "nps", 30,
                           v1::TARGET_DIRECTION_AT_LEAST, true)
                  .ok());
  ASSERT_TRUE(CreateTarget("answers", "response_count", 10,
                           v1::TARGET_DIRECTION_AT_LEAST, false)
                  .ok());

  v1::GetScorecardRequest request;
  request.set_parent(kWs);
  v1::Scorecard card;
  ASSERT_TRUE(kpi_->GetScorecard(Ctx().get(), request, &card).ok());
  ASSERT_EQ(card.entries_size(), 2);
  // Both operational; the one at a touchpoint's stage first.
  EXPECT_EQ(card.entries(0).target().name(), kWs + "/targets/nps-checkout");
  const v1::ScorecardEntry& e = card.entries(0);
  EXPECT_EQ(e.target().kpi_class(), v1::KPI_CLASS_OPERATIONAL);
  EXPECT_EQ(e.touchpoint(), "checkout");
  EXPECT_EQ(e.journey_stage(), "purchase");
  EXPECT_EQ(e.baseline(), 25);
  EXPECT_EQ(TimeUtil::TimestampToSeconds(e.period_start()),
            absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2026, 6, 1),
                                                absl::UTCTimeZone())));
  EXPECT_EQ(e.current().value(), 100);
  EXPECT_EQ(e.previous().value(), -100);
  EXPECT_EQ(e.previous().n(), 20);
  EXPECT_EQ(e.previous_status(), v1::TARGET_STATUS_MISSED);
  EXPECT_EQ(e.change(), 200);
  EXPECT_TRUE(e.significant());
  // Four months of history: a forecast for June.
  ASSERT_TRUE(e.has_forecast());
  EXPECT_LE(e.forecast().pi95_low(), e.forecast().value());
  EXPECT_LE(e.forecast().value(), e.forecast().pi95_high());
  EXPECT_LE(e.forecast().pi95_high(), 100);
  // A closed month judged as of then.
  *request.mutable_as_of() = TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(Noon(absl::CivilDay(2026, 5, 20))));
  ASSERT_TRUE(kpi_->GetScorecard(Ctx().get(), request, &card).ok());
  EXPECT_EQ(card.entries(0).status(), v1::TARGET_STATUS_MISSED);
  EXPECT_EQ(card.entries(1).status(), v1::TARGET_STATUS_MET);  // 20 >= 10
}

TEST_F(TargetsTest, BadTargetsAreRefusedWithEveryFieldNamed) {
  v1::CreateTargetRequest request;
  request.set_parent(kWs);
  request.set_target_id("bad id");
  request.mutable_target()->set_metric("no_such_metric");
  request.mutable_target()->set_period(v1::GRANULARITY_DAY);
  v1::Target t;
  grpc::Status s = kpi_->CreateTarget(Ctx().get(), request, &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  for (const char* field :
       {"target_id", "target.metric", "target.direction", "target.period"}) {
    EXPECT_THAT(s.error_message(), HasSubstr(field));
  }
  // A scope the metric's queries do not accept.
  request.set_target_id("ok");
  request.mutable_target()->set_metric("nps");
  request.mutable_target()->set_direction(v1::TARGET_DIRECTION_AT_LEAST);
  request.mutable_target()->set_period(v1::GRANULARITY_MONTH);
  (*request.mutable_target()->mutable_filters())["no_such_dimension"] = "x";
  s = kpi_->CreateTarget(Ctx().get(), request, &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("target.filters"));
  // Nothing was stored.
  v1::ListTargetsRequest list;
  list.set_parent(kWs);
  v1::ListTargetsResponse listed;
  ASSERT_TRUE(kpi_->ListTargets(Ctx().get(), list, &listed).ok());
  EXPECT_EQ(listed.targets_size(), 0);
}

}  // namespace
}  // namespace mittari::service
