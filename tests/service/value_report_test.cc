// The value-of-CX report through a real server: on a planted set where
// promoters spend twice what detractors do and stay more often, it says so,
// with both differences significant; bad requests name their field.
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "mittari/v1/customer.grpc.pb.h"
#include "mittari/v1/kpi.grpc.pb.h"
#include "mittari/v1/survey.grpc.pb.h"
#include "tests/testing/test_server.h"

namespace mittari::service {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::mittari::testing::TestServer;
using ::testing::HasSubstr;

google::protobuf::Timestamp Day(int y, int m, int d) {
  return TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone())));
}

class ValueReportTest : public ::testing::Test {
 protected:
  const std::string kWs = "workspaces/default";

  void SetUp() override {
    customers_ = v1::CustomerService::NewStub(server_.channel());
    surveys_ = v1::SurveyService::NewStub(server_.channel());
    kpi_ = v1::KpiService::NewStub(server_.channel());
    ASSERT_TRUE(server_.CreateNpsSurvey().ok());
  }

  std::unique_ptr<grpc::ClientContext> Ctx() const {
    return TestServer::Context(server_.admin_key());
  }

  // Customers p0.. (score 10) and d0.. (score 3): each spends in 2025 a
  // base amount that varies by customer, twice as much for promoters; 9 in
  // 10 promoters stay through 2025 and 1 in 2 detractors.
  void Plant(int per_group) {
    auto context = Ctx();
    v1::ImportSummary summary;
    auto stream = customers_->ImportCustomers(context.get(), &summary);
    v1::BatchSubmitResponsesRequest responses;
    responses.set_parent(kWs);
    v1::BatchRecordPurchasesRequest purchases;
    purchases.set_parent(kWs);
    for (int i = 0; i < 2 * per_group; ++i) {
      const bool promoter = i < per_group;
      const int k = i % per_group;
      const std::string id = absl::StrCat(promoter ? "p" : "d", k);
      v1::ImportCustomersRequest message;
      message.set_parent(kWs);
      v1::ImportedCustomer* c = message.add_customers();
      c->set_customer_id(id);
      *c->mutable_customer()->mutable_acquire_time() = Day(2024, 6, 1);
      const bool leaves = promoter ? k % 10 == 0 : k % 2 == 0;
      if (leaves) {
        *c->mutable_customer()->mutable_churn_time() = Day(2025, 9, 1);
      }
      ASSERT_TRUE(stream->Write(message));

      v1::SubmitResponseRequest* r = responses.add_requests();
      r->set_response_id("r-" + id);
      r->mutable_response()->set_survey_id("nps");
      r->mutable_response()->set_customer_id(id);
      r->mutable_response()->set_score(promoter ? 10 : 3);
      *r->mutable_response()->mutable_submit_time() = Day(2025, 6, 1);

      v1::RecordPurchaseRequest* p = purchases.add_requests();
      p->set_purchase_id("o-" + id);
      p->mutable_purchase()->set_customer_id(id);
      *p->mutable_purchase()->mutable_purchase_time() = Day(2025, 3, 1);
      const int64_t base = 10000 + 100 * (k % 7);
      p->mutable_purchase()->mutable_amount()->set_minor_units(
          promoter ? 2 * base : base);
    }
    stream->WritesDone();
    grpc::Status imported = stream->Finish();
    ASSERT_TRUE(imported.ok()) << imported.error_message();
    v1::BatchSubmitResponsesResponse submitted;
    ASSERT_TRUE(
        surveys_->BatchSubmitResponses(Ctx().get(), responses, &submitted)
            .ok());
    v1::ImportSummary recorded;
    grpc::Status s =
        customers_->BatchRecordPurchases(Ctx().get(), purchases, &recorded);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  v1::GetValueReportRequest Request(v1::ExperienceKind kind) {
    v1::GetValueReportRequest r;
    r.set_parent(kWs);
    r.set_kind(kind);
    *r.mutable_range()->mutable_start_time() = Day(2025, 1, 1);
    *r.mutable_range()->mutable_end_time() = Day(2026, 1, 1);
    return r;
  }

  TestServer server_;
  std::unique_ptr<v1::CustomerService::Stub> customers_;
  std::unique_ptr<v1::SurveyService::Stub> surveys_;
  std::unique_ptr<v1::KpiService::Stub> kpi_;
};

TEST_F(ValueReportTest, PromotersWhoSpendTwiceAndStayAreSignificant) {
  Plant(100);
  v1::ValueReport report;
  grpc::Status s = kpi_->GetValueReport(
      Ctx().get(), Request(v1::EXPERIENCE_KIND_NPS), &report);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(report.groups_size(), 3);
  const v1::ValueGroup& promoters = report.groups(0);
  const v1::ValueGroup& passives = report.groups(1);
  const v1::ValueGroup& detractors = report.groups(2);
  EXPECT_EQ(promoters.group(), "promoter");
  EXPECT_EQ(passives.group(), "passive");
  EXPECT_EQ(detractors.group(), "detractor");
  EXPECT_EQ(promoters.customers(), 100);
  EXPECT_EQ(detractors.customers(), 100);
  // An empty group is there, with nothing to say.
  EXPECT_EQ(passives.customers(), 0);
  EXPECT_FALSE(passives.has_annual_spend());
  EXPECT_FALSE(passives.has_retention());
  EXPECT_FALSE(passives.has_clv_historical());
  // 2025 has 365 days: the annual spend is the year's spend × 365.25/365.
  EXPECT_NEAR(promoters.annual_spend(), 2 * detractors.annual_spend(), 1e-6);
  EXPECT_LT(promoters.annual_spend_ci_low(), promoters.annual_spend());
  EXPECT_GT(promoters.annual_spend_ci_high(), promoters.annual_spend());
  EXPECT_NEAR(promoters.clv_historical() * 365.25 / 365,
              promoters.annual_spend(), 1e-6);
  EXPECT_EQ(promoters.retention_n(), 100);
  EXPECT_DOUBLE_EQ(promoters.retention(), 90);
  EXPECT_DOUBLE_EQ(detractors.retention(), 50);
  const v1::ValueHeadline& h = report.headline();
  EXPECT_NEAR(h.spend_uplift_pct(), 100, 1e-6);
  EXPECT_GT(h.spend_z(), 1.96);
  EXPECT_TRUE(h.spend_significant());
  EXPECT_DOUBLE_EQ(h.retention_best(), 90);
  EXPECT_DOUBLE_EQ(h.retention_worst(), 50);
  EXPECT_GT(h.retention_z(), 1.96);
  EXPECT_TRUE(h.retention_significant());

  // No CSAT answers: three empty groups, no headline.
  ASSERT_TRUE(kpi_->GetValueReport(Ctx().get(),
                                   Request(v1::EXPERIENCE_KIND_CSAT), &report)
                  .ok());
  ASSERT_EQ(report.groups_size(), 3);
  EXPECT_EQ(report.groups(0).group(), "positive");
  EXPECT_EQ(report.groups(2).group(), "negative");
  EXPECT_FALSE(report.headline().has_spend_z());
  EXPECT_FALSE(report.headline().has_retention_z());
}

TEST_F(ValueReportTest, FiltersChooseTheAnswers) {
  Plant(10);
  v1::GetValueReportRequest request = Request(v1::EXPERIENCE_KIND_NPS);
  (*request.mutable_filters())["survey"] = "other";
  v1::ValueReport report;
  ASSERT_TRUE(kpi_->GetValueReport(Ctx().get(), request, &report).ok());
  EXPECT_EQ(report.groups(0).customers(), 0);
  (*request.mutable_filters())["survey"] = "nps";
  ASSERT_TRUE(kpi_->GetValueReport(Ctx().get(), request, &report).ok());
  EXPECT_EQ(report.groups(0).customers(), 10);
}

TEST_F(ValueReportTest, BadRequestsNameTheirField) {
  v1::ValueReport report;
  v1::GetValueReportRequest request = Request(v1::EXPERIENCE_KIND_UNSPECIFIED);
  grpc::Status s = kpi_->GetValueReport(Ctx().get(), request, &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("kind"));
  request = Request(v1::EXPERIENCE_KIND_NPS);
  request.mutable_range()->clear_end_time();
  s = kpi_->GetValueReport(Ctx().get(), request, &report);
  EXPECT_THAT(s.error_message(), HasSubstr("range.end_time"));
  request = Request(v1::EXPERIENCE_KIND_NPS);
  *request.mutable_range()->mutable_end_time() = Day(2024, 1, 1);
  s = kpi_->GetValueReport(Ctx().get(), request, &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("range"));
  request = Request(v1::EXPERIENCE_KIND_NPS);
  (*request.mutable_filters())["colour"] = "red";
  s = kpi_->GetValueReport(Ctx().get(), request, &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("filters"));
}

}  // namespace
}  // namespace mittari::service
