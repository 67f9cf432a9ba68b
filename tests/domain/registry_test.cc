// The metric registry: one entry per metric id of metrics.md, in enum
// order, each answered by the engine it names, and the confidence
// intervals exactly where metrics.md gives them.
#include "domain/kpi/registry.h"

#include <set>
#include <string>

#include "domain/kpi/activity_metrics.h"
#include "domain/kpi/survey_metrics.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mittari::domain::kpi {
namespace {

using ::testing::UnorderedElementsAreArray;

TEST(RegistryTest, OneEntryPerMetricInEnumOrder) {
  std::set<std::string> ids;
  for (size_t i = 0; i < Metrics().size(); ++i) {
    const MetricDef& def = Metrics()[i];
    EXPECT_EQ(static_cast<size_t>(def.metric), i) << def.id;
    EXPECT_EQ(&DefOf(def.metric), &def);
    EXPECT_EQ(FindMetric(def.id), &def);
    EXPECT_TRUE(ids.insert(std::string(def.id)).second) << def.id;
  }
  EXPECT_EQ(FindMetric("nope"), nullptr);
  EXPECT_EQ(FindMetric(""), nullptr);
}

TEST(RegistryTest, HoldsTheMetricIdsOfMetricsMd) {
  // metrics.md "Metric ids".
  std::vector<std::string> ids;
  for (const MetricDef& def : Metrics()) ids.emplace_back(def.id);
  EXPECT_THAT(ids, UnorderedElementsAreArray(
                       std::vector<std::string>{"nps",
                                                "csat",
                                                "ces",
                                                "rating",
                                                "response_count",
                                                "response_rate",
                                                "tag_share",
                                                "churn_rate",
                                                "retention_rate",
                                                "aov",
                                                "purchase_frequency",
                                                "repeat_purchase_rate",
                                                "clv_historical",
                                                "clv_predictive",
                                                "engagement_rate",
                                                "dau",
                                                "mau",
                                                "stickiness",
                                                "conversion_rate",
                                                "pages_per_session",
                                                "avg_session_duration",
                                                "organic_clicks",
                                                "ticket_volume",
                                                "first_response_time",
                                                "resolution_rate",
                                                "followup_closed_rate",
                                                "followup_time_to_contact"}));
}

TEST(RegistryTest, EachMetricIsAnsweredByTheEngineItNames) {
  for (const MetricDef& def : Metrics()) {
    EXPECT_EQ(SurveyMetrics::Handles(def.id), def.engine == Engine::kSurvey)
        << def.id;
    EXPECT_EQ(ActivityMetrics::Handles(def.id), def.engine == Engine::kActivity)
        << def.id;
    EXPECT_EQ(def.facts.has_value(), def.engine == Engine::kActivity) << def.id;
  }
}

TEST(RegistryTest, ConfidenceIntervalsAndTestsAsMetricsMdGivesThem) {
  std::set<std::string> with_ci;
  for (const MetricDef& def : Metrics()) {
    if (def.has_ci) with_ci.emplace(def.id);
    // A change test only where there is an interval to test.
    if (def.test != ChangeTest::kNone) {
      EXPECT_TRUE(def.has_ci) << def.id;
    }
  }
  EXPECT_EQ(with_ci,
            (std::set<std::string>{"nps", "csat", "ces", "rating", "churn_rate",
                                   "retention_rate", "conversion_rate",
                                   "repeat_purchase_rate", "resolution_rate",
                                   "engagement_rate", "followup_closed_rate"}));
  EXPECT_EQ(DefOf(Metric::kNps).test, ChangeTest::kNps);
  EXPECT_EQ(DefOf(Metric::kCsat).test, ChangeTest::kProportion);
  EXPECT_EQ(DefOf(Metric::kCes).good, Good::kSurveyDirection);
  EXPECT_EQ(DefOf(Metric::kChurnRate).good, Good::kLower);
  EXPECT_TRUE(DefOf(Metric::kTicketVolume).cumulative);
  EXPECT_FALSE(DefOf(Metric::kAov).cumulative);
  EXPECT_EQ(BoundsOf(DefOf(Metric::kNps).unit), std::pair(-100.0, 100.0));
  EXPECT_EQ(BoundsOf(DefOf(Metric::kCsat).unit), std::pair(0.0, 100.0));
  EXPECT_FALSE(BoundsOf(DefOf(Metric::kAov).unit).has_value());
}

}  // namespace
}  // namespace mittari::domain::kpi
