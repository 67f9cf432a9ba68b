#include "domain/kpi/registry.h"

#include "absl/container/flat_hash_map.h"

namespace mittari::domain::kpi {
namespace {

constexpr std::nullopt_t kNo = std::nullopt;

}  // namespace

const std::vector<MetricDef>& Metrics() {
  using E = Engine;
  using U = Unit;
  using G = Good;
  using T = ChangeTest;
  using K = SurveyKind;
  using F = FactKind;
  // metric, id, engine, unit, good, CI, test, cumulative, survey, facts
  static const auto* metrics = new std::vector<MetricDef>{
      {Metric::kNps, "nps", E::kSurvey, U::kNpsPoints, G::kHigher, true,
       T::kNps, false, K::kNps, kNo},
      {Metric::kCsat, "csat", E::kSurvey, U::kPercent, G::kHigher, true,
       T::kProportion, false, K::kCsat, kNo},
      {Metric::kCes, "ces", E::kSurvey, U::kScore, G::kSurveyDirection, true,
       T::kMean, false, K::kCes, kNo},
      {Metric::kRating, "rating", E::kSurvey, U::kScore, G::kSurveyDirection,
       true, T::kMean, false, K::kRating, kNo},
      {Metric::kResponseCount, "response_count", E::kSurvey, U::kCount,
       G::kNeither, false, T::kNone, true, kNo, kNo},
      {Metric::kTagShare, "tag_share", E::kSurvey, U::kPercent, G::kNeither,
       false, T::kNone, false, kNo, kNo},
      {Metric::kResponseRate, "response_rate", E::kSurvey, U::kPercent,
       G::kHigher, false, T::kNone, false, kNo, kNo},
      {Metric::kChurnRate, "churn_rate", E::kActivity, U::kPercent, G::kLower,
       true, T::kNone, false, kNo, F::kLifecycle},
      {Metric::kRetentionRate, "retention_rate", E::kActivity, U::kPercent,
       G::kHigher, true, T::kNone, false, kNo, F::kLifecycle},
      {Metric::kAov, "aov", E::kActivity, U::kMinorUnits, G::kHigher, false,
       T::kNone, false, kNo, F::kPurchase},
      {Metric::kPurchaseFrequency, "purchase_frequency", E::kActivity,
       U::kRatio, G::kHigher, false, T::kNone, false, kNo, F::kPurchase},
      {Metric::kRepeatPurchaseRate, "repeat_purchase_rate", E::kActivity,
       U::kPercent, G::kHigher, true, T::kNone, false, kNo, F::kPurchase},
      {Metric::kClvHistorical, "clv_historical", E::kActivity, U::kMinorUnits,
       G::kHigher, false, T::kNone, false, kNo, F::kPurchase},
      {Metric::kClvPredictive, "clv_predictive", E::kActivity, U::kMinorUnits,
       G::kHigher, false, T::kNone, false, kNo, F::kPurchase},
      {Metric::kEngagementRate, "engagement_rate", E::kActivity, U::kPercent,
       G::kHigher, true, T::kNone, false, kNo, F::kSession},
      {Metric::kDau, "dau", E::kActivity, U::kCount, G::kHigher, false,
       T::kNone, false, kNo, F::kSession},
      {Metric::kMau, "mau", E::kActivity, U::kCount, G::kHigher, false,
       T::kNone, false, kNo, F::kSession},
      {Metric::kStickiness, "stickiness", E::kActivity, U::kRatio, G::kHigher,
       false, T::kNone, false, kNo, F::kSession},
      {Metric::kConversionRate, "conversion_rate", E::kActivity, U::kPercent,
       G::kHigher, true, T::kNone, false, kNo, F::kSession},
      {Metric::kPagesPerSession, "pages_per_session", E::kActivity, U::kRatio,
       G::kHigher, false, T::kNone, false, kNo, F::kSession},
      {Metric::kAvgSessionDuration, "avg_session_duration", E::kActivity,
       U::kSeconds, G::kHigher, false, T::kNone, false, kNo, F::kSession},
      {Metric::kOrganicClicks, "organic_clicks", E::kActivity, U::kCount,
       G::kHigher, false, T::kNone, true, kNo, F::kSession},
      {Metric::kTicketVolume, "ticket_volume", E::kActivity, U::kCount,
       G::kNeither, false, T::kNone, true, kNo, F::kTicket},
      {Metric::kFirstResponseTime, "first_response_time", E::kActivity,
       U::kSeconds, G::kLower, false, T::kNone, false, kNo, F::kTicket},
      {Metric::kResolutionRate, "resolution_rate", E::kActivity, U::kPercent,
       G::kHigher, true, T::kNone, false, kNo, F::kTicket},
      {Metric::kFollowupClosedRate, "followup_closed_rate", E::kActivity,
       U::kPercent, G::kHigher, true, T::kNone, false, kNo, F::kFollowUp},
      {Metric::kFollowupTimeToContact, "followup_time_to_contact", E::kActivity,
       U::kSeconds, G::kLower, false, T::kNone, false, kNo, F::kFollowUp},
  };
  return *metrics;
}

const MetricDef* FindMetric(absl::string_view id) {
  static const auto* by_id = [] {
    auto* m = new absl::flat_hash_map<absl::string_view, const MetricDef*>;
    for (const MetricDef& d : Metrics()) (*m)[d.id] = &d;
    return m;
  }();
  auto it = by_id->find(id);
  return it == by_id->end() ? nullptr : it->second;
}

const MetricDef& DefOf(Metric metric) {
  // The table is in enum order.
  return Metrics()[static_cast<size_t>(metric)];
}

std::optional<std::pair<double, double>> BoundsOf(Unit unit) {
  switch (unit) {
    case Unit::kNpsPoints:
      return std::pair{-100.0, 100.0};
    case Unit::kPercent:
      return std::pair{0.0, 100.0};
    default:
      return std::nullopt;
  }
}

}  // namespace mittari::domain::kpi
