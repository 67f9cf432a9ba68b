// The survey KPIs of metrics.md — nps, csat, ces, rating, response_count,
// tag_share, response_rate — over a half-open range, cut into buckets in
// the workspace's zone, filtered and grouped by up to two dimensions.
//
// Whole local days are read from the rollups (rollups.h); a range edge that
// is not a local midnight is answered exactly from the raw responses of
// that partial day. Raw and rolled-up responses go through the same
// CountersOf, so both agree to the unit.
#ifndef MITTARI_DOMAIN_KPI_SURVEY_METRICS_H_
#define MITTARI_DOMAIN_KPI_SURVEY_METRICS_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/kpi/calendar.h"
#include "domain/kpi/metric_query.h"
#include "domain/kpi/statistics.h"
#include "domain/surveys.h"
#include "domain/workspaces.h"
#include "storage/store.h"

namespace mittari::domain::kpi {

// The dimensions survey metrics filter and group by.
const std::vector<std::string>& SurveyDimensions();

class SurveyMetrics : public MetricEngine {
 public:
  SurveyMetrics(const storage::Store& store,
                const WorkspaceDirectory& workspaces,
                const SurveyCatalog& surveys)
      : store_(store), workspaces_(workspaces), surveys_(surveys) {}

  static bool Handles(absl::string_view metric);
  static bool HasDimension(absl::string_view dimension);

  // Points ordered by group, then bucket; every bucket of the range is
  // present for each group with data.
  absl::StatusOr<std::vector<MetricPoint>> Query(
      absl::string_view ws, const MetricQuery& query) const override;

  // The values a dimension takes in [from, to) (all time when absent), for
  // filter drop-downs.
  absl::StatusOr<std::vector<std::string>> DimensionValues(
      absl::string_view ws, absl::string_view dimension,
      std::optional<absl::Time> from, std::optional<absl::Time> to) const;

 private:
  const storage::Store& store_;
  const WorkspaceDirectory& workspaces_;
  const SurveyCatalog& surveys_;
};

}  // namespace mittari::domain::kpi

#endif  // MITTARI_DOMAIN_KPI_SURVEY_METRICS_H_
