// The customer, purchase, session and support KPIs of metrics.md, from the
// fact rollups of facts.h: churn_rate, retention_rate, aov,
// purchase_frequency, repeat_purchase_rate, clv_historical, clv_predictive,
// engagement_rate, dau, mau, stickiness, conversion_rate,
// pages_per_session, avg_session_duration, organic_clicks, ticket_volume,
// first_response_time, resolution_rate.
//
// Sums and counts read the per-day totals; distinct visitors and customers
// read the per-day entity entries; churn and retention add up the active
// intervals' starts and ends before each bucket boundary. docs/api.md
// states the choices metrics.md leaves open (DAU and MAU of a longer
// bucket, stickiness as a ratio, which n each metric reports).
#ifndef MITTARI_DOMAIN_KPI_ACTIVITY_METRICS_H_
#define MITTARI_DOMAIN_KPI_ACTIVITY_METRICS_H_

#include <optional>
#include <string>
#include <vector>

#include "domain/kpi/facts.h"
#include "domain/kpi/metric_query.h"
#include "domain/workspaces.h"
#include "storage/store.h"

namespace mittari::domain::kpi {

class ActivityMetrics : public MetricEngine {
 public:
  ActivityMetrics(const storage::Store& store,
                  const WorkspaceDirectory& workspaces)
      : store_(store), workspaces_(workspaces) {}

  static bool Handles(absl::string_view metric);
  // Whether some fact kind has the dimension.
  static bool HasDimension(absl::string_view dimension);

  absl::StatusOr<std::vector<MetricPoint>> Query(
      absl::string_view ws, const MetricQuery& query) const override;

  // The values the dimension takes in the facts of [from, to) (all time
  // when absent).
  absl::StatusOr<std::vector<std::string>> DimensionValues(
      absl::string_view ws, absl::string_view dimension,
      std::optional<absl::Time> from, std::optional<absl::Time> to) const;

 private:
  const storage::Store& store_;
  const WorkspaceDirectory& workspaces_;
};

}  // namespace mittari::domain::kpi

#endif  // MITTARI_DOMAIN_KPI_ACTIVITY_METRICS_H_
