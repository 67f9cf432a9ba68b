// The customer journey through a real server: touchpoints are created,
// listed, updated by mask and deleted, refused with every bad field named;
// a baseline is set by hand or computed over a period at the touchpoint,
// equal to the metric queried there.
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

class TouchpointsTest : public ::testing::Test {
 protected:
  const std::string kWs = "workspaces/default";

  void SetUp() override {
    kpi_ = v1::KpiService::NewStub(server_.channel());
    server_.clock().Set(
        absl::FromCivil(absl::CivilDay(2026, 7, 1), absl::UTCTimeZone()));
  }

  std::unique_ptr<grpc::ClientContext> Ctx() const {
    return TestServer::Context(server_.admin_key());
  }

  grpc::Status Create(const std::string& id, const std::string& name,
                      const std::string& stage, int order,
                      v1::Touchpoint* out) {
    v1::CreateTouchpointRequest request;
    request.set_parent(kWs);
    request.set_touchpoint_id(id);
    request.mutable_touchpoint()->set_display_name(name);
    request.mutable_touchpoint()->set_journey_stage(stage);
    request.mutable_touchpoint()->set_order(order);
    return kpi_->CreateTouchpoint(Ctx().get(), request, out);
  }

  static google::protobuf::Timestamp At(absl::CivilDay day) {
    return TimeUtil::SecondsToTimestamp(
        absl::ToUnixSeconds(absl::FromCivil(day, absl::UTCTimeZone())));
  }

  TestServer server_;
  std::unique_ptr<v1::KpiService::Stub> kpi_;
};

TEST_F(TouchpointsTest, CreateListUpdateDelete) {
  v1::Touchpoint t;
  ASSERT_TRUE(Create("checkout", "Checkout", "purchase", 30, &t).ok());
  EXPECT_EQ(t.name(), "workspaces/default/touchpoints/checkout");
  EXPECT_EQ(t.journey_stage(), "purchase");
  EXPECT_EQ(t.order(), 30);
  EXPECT_TRUE(t.has_create_time());
  ASSERT_TRUE(
      Create("onboarding-call", "Onboarding call", "onboarding", 40, &t).ok());
  ASSERT_TRUE(Create("ad", "Display ads", "our_own-stage", 10, &t).ok());
  EXPECT_EQ(Create("checkout", "Again", "purchase", 1, &t).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  grpc::Status bad = Create("no/slash", "", "Not Valid", -1, &t);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  for (const char* field : {"touchpoint_id", "touchpoint.display_name",
                            "touchpoint.journey_stage", "touchpoint.order"}) {
    EXPECT_THAT(bad.error_message(), HasSubstr(field));
  }

  // Pages, in id order.
  v1::ListTouchpointsRequest list;
  list.set_parent(kWs);
  list.set_page_size(2);
  std::vector<std::string> names;
  for (;;) {
    v1::ListTouchpointsResponse page;
    ASSERT_TRUE(kpi_->ListTouchpoints(Ctx().get(), list, &page).ok());
    for (const auto& p : page.touchpoints()) names.push_back(p.name());
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  EXPECT_THAT(names, ::testing::ElementsAre(
                         "workspaces/default/touchpoints/ad",
                         "workspaces/default/touchpoints/checkout",
                         "workspaces/default/touchpoints/onboarding-call"));

  // By mask: only the order changes.
  v1::UpdateTouchpointRequest update;
  update.mutable_touchpoint()->set_name(
      "workspaces/default/touchpoints/checkout");
  update.mutable_touchpoint()->set_order(35);
  update.mutable_touchpoint()->set_display_name("ignored");
  update.mutable_update_mask()->add_paths("order");
  ASSERT_TRUE(kpi_->UpdateTouchpoint(Ctx().get(), update, &t).ok());
  EXPECT_EQ(t.order(), 35);
  EXPECT_EQ(t.display_name(), "Checkout");
  update.mutable_update_mask()->add_paths("baselines");
  grpc::Status refused = kpi_->UpdateTouchpoint(Ctx().get(), update, &t);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("update_mask"));

  v1::DeleteTouchpointRequest del;
  del.set_name("workspaces/default/touchpoints/ad");
  v1::DeleteTouchpointResponse deleted;
  ASSERT_TRUE(kpi_->DeleteTouchpoint(Ctx().get(), del, &deleted).ok());
  v1::GetTouchpointRequest get;
  get.set_name(del.name());
  EXPECT_EQ(kpi_->GetTouchpoint(Ctx().get(), get, &t).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(TouchpointsTest, ABaselineIsSetByHandOrComputedOverAPeriod) {
  ASSERT_TRUE(server_.CreateNpsSurvey().ok());
  v1::Touchpoint t;
  ASSERT_TRUE(Create("checkout", "Checkout", "purchase", 30, &t).ok());
  // Q1 2026: answers at checkout and elsewhere.
  auto surveys = v1::SurveyService::NewStub(server_.channel());
  v1::BatchSubmitResponsesRequest batch;
  batch.set_parent(kWs);
  for (int i = 0; i < 60; ++i) {
    v1::SubmitResponseRequest* r = batch.add_requests();
    r->set_response_id(absl::StrCat("r", i));
    r->mutable_response()->set_survey_id("nps");
    r->mutable_response()->set_score(i % 11);
    r->mutable_response()->set_touchpoint(i % 3 == 0 ? "support" : "checkout");
    *r->mutable_response()->mutable_submit_time() =
        At(absl::CivilDay(2026, 1, 5) + i);
  }
  v1::BatchSubmitResponsesResponse done;
  grpc::Status submitted =
      surveys->BatchSubmitResponses(Ctx().get(), batch, &done);
  ASSERT_TRUE(submitted.ok()) << submitted.error_message();

  v1::SetBaselineRequest request;
  request.set_name("workspaces/default/touchpoints/checkout");
  request.set_metric("nps");
  request.set_value(42);
  ASSERT_TRUE(kpi_->SetBaseline(Ctx().get(), request, &t).ok());
  ASSERT_EQ(t.baselines_size(), 1);
  EXPECT_EQ(t.baselines(0).value(), 42);
  EXPECT_EQ(t.baselines(0).n(), 0);
  EXPECT_FALSE(t.baselines(0).has_period());

  // Computed: the same as the metric queried at the touchpoint, and it
  // replaces the one set by hand.
  *request.mutable_period()->mutable_start_time() =
      At(absl::CivilDay(2026, 1, 1));
  *request.mutable_period()->mutable_end_time() =
      At(absl::CivilDay(2026, 4, 1));
  (*request.mutable_filters())["survey"] = "nps";
  ASSERT_TRUE(kpi_->SetBaseline(Ctx().get(), request, &t).ok());
  ASSERT_EQ(t.baselines_size(), 1);
  const v1::Baseline& b = t.baselines(0);
  v1::QueryMetricRequest query;
  query.set_parent(kWs);
  query.set_metric("nps");
  *query.mutable_range() = request.period();
  (*query.mutable_filters())["touchpoint"] = "checkout";
  (*query.mutable_filters())["survey"] = "nps";
  v1::QueryMetricResponse answer;
  ASSERT_TRUE(kpi_->QueryMetric(Ctx().get(), query, &answer).ok());
  ASSERT_EQ(answer.points_size(), 1);
  EXPECT_EQ(b.n(), 40);
  EXPECT_EQ(b.n(), answer.points(0).n());
  EXPECT_DOUBLE_EQ(b.value(), answer.points(0).value());
  EXPECT_DOUBLE_EQ(b.ci_low(), answer.points(0).ci_low());
  EXPECT_DOUBLE_EQ(b.ci_high(), answer.points(0).ci_high());
  EXPECT_TRUE(b.has_period());
  EXPECT_EQ(b.filters().at("survey"), "nps");

  // The touchpoint is the baseline's own filter; a baseline needs a source.
  (*request.mutable_filters())["touchpoint"] = "support";
  grpc::Status s = kpi_->SetBaseline(Ctx().get(), request, &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("filters"));
  v1::SetBaselineRequest empty;
  empty.set_name(request.name());
  empty.set_metric("nps");
  EXPECT_EQ(kpi_->SetBaseline(Ctx().get(), empty, &t).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  empty.set_metric("no_such_metric");
  empty.set_value(1);
  s = kpi_->SetBaseline(Ctx().get(), empty, &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("metric"));
}

}  // namespace
}  // namespace mittari::service
