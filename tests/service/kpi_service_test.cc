// KpiService through a real server: dimension values come in pages, a
// query whose answer would hold too many points is refused, not built, and
// a forecast recovers a planted trend and weekly season.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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

class KpiServiceTest : public ::testing::Test {
 protected:
  const std::string kWs = "workspaces/default";

  void SetUp() override {
    surveys_ = v1::SurveyService::NewStub(server_.channel());
    kpi_ = v1::KpiService::NewStub(server_.channel());
    ASSERT_TRUE(server_.CreateNpsSurvey().ok());
    // 120 channels.
    v1::BatchSubmitResponsesRequest batch;
    batch.set_parent(kWs);
    for (int i = 0; i < 120; ++i) {
      v1::SubmitResponseRequest* r = batch.add_requests();
      r->set_response_id(absl::StrCat("r", i));
      r->mutable_response()->set_survey_id("nps");
      r->mutable_response()->set_score(i % 11);
      r->mutable_response()->set_channel(absl::StrFormat("ch-%03d", i));
      *r->mutable_response()->mutable_submit_time() =
          TimeUtil::SecondsToTimestamp(
              absl::ToUnixSeconds(server_.clock().Now() - absl::Hours(30)));
    }
    v1::BatchSubmitResponsesResponse done;
    ASSERT_TRUE(surveys_->BatchSubmitResponses(Ctx().get(), batch, &done).ok());
  }

  std::unique_ptr<grpc::ClientContext> Ctx() const {
    return TestServer::Context(server_.admin_key());
  }

  TestServer server_;
  std::unique_ptr<v1::SurveyService::Stub> surveys_;
  std::unique_ptr<v1::KpiService::Stub> kpi_;
};

TEST_F(KpiServiceTest, DimensionValuesComeInPages) {
  v1::ListDimensionValuesRequest request;
  request.set_parent(kWs);
  request.set_dimension("channel");
  std::vector<std::string> all;
  std::vector<int> sizes;
  for (;;) {
    v1::ListDimensionValuesResponse page;
    grpc::Status s = kpi_->ListDimensionValues(Ctx().get(), request, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    sizes.push_back(page.values_size());
    all.insert(all.end(), page.values().begin(), page.values().end());
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(sizes, (std::vector<int>{50, 50, 20}));
  ASSERT_EQ(all.size(), 120U);
  EXPECT_EQ(all.front(), "ch-000");
  EXPECT_EQ(all.back(), "ch-119");
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  request.set_page_token("not a token");
  v1::ListDimensionValuesResponse page;
  EXPECT_EQ(kpi_->ListDimensionValues(Ctx().get(), request, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(KpiServiceTest, AnAnswerOfTooManyPointsIsRefused) {
  v1::QueryMetricRequest q;
  q.set_parent(kWs);
  q.set_metric("nps");
  q.set_granularity(v1::GRANULARITY_DAY);
  q.add_group_by("channel");
  // 120 channels x 1,000 days.
  *q.mutable_range()->mutable_start_time() = TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(server_.clock().Now() - absl::Hours(24 * 999)));
  *q.mutable_range()->mutable_end_time() = TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(server_.clock().Now() + absl::Hours(24)));
  v1::QueryMetricResponse response;
  grpc::Status s = kpi_->QueryMetric(Ctx().get(), q, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("at most 100000 points"));
  // By week it fits.
  q.set_granularity(v1::GRANULARITY_WEEK);
  s = kpi_->QueryMetric(Ctx().get(), q, &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_GT(response.points_size(), 120 * 100);
}

// Daily response counts with a trend (one more every four days) and a
// weekly season, for eight weeks: the forecast of the next week must find
// both, within a few responses a day, and say which model it used.
TEST_F(KpiServiceTest, AForecastRecoversAPlantedTrendAndWeeklySeason) {
  constexpr int kDays = 56;
  constexpr std::array<int, 7> kSeason = {0, 4, 8, 4, 0, -4, -6};
  auto count = [&](int day) { return 20 + day / 4 + kSeason[day % 7]; };
  const absl::CivilDay first =
      absl::ToCivilDay(server_.clock().Now(), absl::UTCTimeZone()) - 90;
  // A batch a week (batches hold at most 1,000).
  for (int week = 0; week < kDays / 7; ++week) {
    v1::BatchSubmitResponsesRequest batch;
    batch.set_parent(kWs);
    for (int day = week * 7; day < week * 7 + 7; ++day) {
      for (int i = 0; i < count(day); ++i) {
        v1::SubmitResponseRequest* r = batch.add_requests();
        r->set_response_id(absl::StrCat("planted-", day, "-", i));
        r->mutable_response()->set_survey_id("nps");
        r->mutable_response()->set_score(9);
        *r->mutable_response()->mutable_submit_time() =
            TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(
                absl::FromCivil(first + day, absl::UTCTimeZone()) +
                absl::Hours(12)));
      }
    }
    v1::BatchSubmitResponsesResponse done;
    grpc::Status submitted =
        surveys_->BatchSubmitResponses(Ctx().get(), batch, &done);
    ASSERT_TRUE(submitted.ok()) << submitted.error_message();
  }

  v1::ForecastMetricRequest request;
  request.set_parent(kWs);
  request.set_metric("response_count");
  request.set_granularity(v1::GRANULARITY_DAY);
  *request.mutable_range()->mutable_start_time() = TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(absl::FromCivil(first, absl::UTCTimeZone())));
  *request.mutable_range()->mutable_end_time() = TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(absl::FromCivil(first + kDays, absl::UTCTimeZone())));
  request.set_horizon(7);
  v1::ForecastMetricResponse response;
  grpc::Status s = kpi_->ForecastMetric(Ctx().get(), request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.method(), "holt_winters");
  EXPECT_EQ(response.season_length(), 7);
  ASSERT_EQ(response.points_size(), kDays);
  EXPECT_EQ(response.points(3).value(), count(3));
  ASSERT_EQ(response.forecast_size(), 7);
  for (int h = 0; h < 7; ++h) {
    const v1::ForecastPoint& f = response.forecast(h);
    EXPECT_EQ(TimeUtil::TimestampToSeconds(f.bucket_start()),
              absl::ToUnixSeconds(
                  absl::FromCivil(first + kDays + h, absl::UTCTimeZone())));
    EXPECT_NEAR(f.value(), count(kDays + h), 3.0) << "day +" << h + 1;
    EXPECT_LE(f.pi95_low(), f.pi80_low());
    EXPECT_LE(f.pi80_low(), f.value());
    EXPECT_LE(f.value(), f.pi80_high());
    EXPECT_LE(f.pi80_high(), f.pi95_high());
  }

  // One series: no group_by; a granularity; a horizon within bounds.
  request.set_granularity(v1::GRANULARITY_NONE);
  s = kpi_->ForecastMetric(Ctx().get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("granularity"));
  request.set_granularity(v1::GRANULARITY_DAY);
  request.set_horizon(0);
  s = kpi_->ForecastMetric(Ctx().get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("horizon"));
}

}  // namespace
}  // namespace mittari::service
