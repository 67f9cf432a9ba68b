// The metric registry: one table of every metric of metrics.md, with what
// it measures and how it is computed and tested. The query engines, period
// comparison and the service read it (and targets, alerts and forecasts
// will), instead of comparing metric ids as strings.
#ifndef MITTARI_DOMAIN_KPI_REGISTRY_H_
#define MITTARI_DOMAIN_KPI_REGISTRY_H_

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "domain/kpi/facts.h"
#include "domain/surveys.h"

namespace mittari::domain::kpi {

enum class Metric : uint8_t {
  // Survey metrics (survey_metrics.h).
  kNps,
  kCsat,
  kCes,
  kRating,
  kResponseCount,
  kTagShare,
  kResponseRate,
  // Customer, purchase, session and ticket metrics (activity_metrics.h).
  kChurnRate,
  kRetentionRate,
  kAov,
  kPurchaseFrequency,
  kRepeatPurchaseRate,
  kClvHistorical,
  kClvPredictive,
  kEngagementRate,
  kDau,
  kMau,
  kStickiness,
  kConversionRate,
  kPagesPerSession,
  kAvgSessionDuration,
  kOrganicClicks,
  kTicketVolume,
  kFirstResponseTime,
  kResolutionRate,
  kFollowupClosedRate,
  kFollowupTimeToContact,
};

// The engine that answers a metric.
enum class Engine : uint8_t { kSurvey, kActivity };

// What a value is, which also bounds it (forecasts clip to the bounds).
enum class Unit : uint8_t {
  kNpsPoints,   // -100..100
  kPercent,     // 0..100
  kScore,       // a mean on the survey's scale
  kCount,       // a count of things
  kMinorUnits,  // money, in minor units
  kSeconds,
  kRatio,  // a plain ratio (pages per session, orders per customer, DAU/MAU)
};

// Which way is better, for targets, alerts and deviation sides.
enum class Good : uint8_t {
  kHigher,
  kLower,
  kSurveyDirection,  // follows each survey's direction (CES)
  kNeither,          // a volume: neither way is better by itself
};

// The significance test of a change between two periods.
enum class ChangeTest : uint8_t {
  kNone,
  kNps,         // z of two NPS values (metrics.md)
  kProportion,  // the pooled two-proportion test on the positives
  kMean,        // two-sample z of the means
};

struct MetricDef {
  Metric metric;
  absl::string_view id;  // as the API and the CLI name it
  Engine engine;
  Unit unit;
  Good good;
  // Whether its points carry a 95 % confidence interval.
  bool has_ci;
  ChangeTest test;
  // A count or a money total: it grows through a period, so a running
  // period is judged only once closed (metrics.md "Targets and alerts").
  bool cumulative;
  // The survey kind a survey metric reads, where it reads one kind.
  std::optional<SurveyKind> survey_kind;
  // The facts an activity metric reads.
  std::optional<FactKind> facts;
};

// Every metric, in the order of metrics.md.
const std::vector<MetricDef>& Metrics();
// The metric of an id, or null.
const MetricDef* FindMetric(absl::string_view id);
const MetricDef& DefOf(Metric metric);

// The range a value of `unit` lies in, where it is bounded.
std::optional<std::pair<double, double>> BoundsOf(Unit unit);

}  // namespace mittari::domain::kpi

#endif  // MITTARI_DOMAIN_KPI_REGISTRY_H_
