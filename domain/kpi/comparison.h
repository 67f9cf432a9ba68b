// Period-over-period comparison (metrics.md): a range against the previous
// calendar unit when it is one whole local day, week, month, quarter or
// year, otherwise against the range of equal length just before; with the
// significance test of the metric.
#ifndef MITTARI_DOMAIN_KPI_COMPARISON_H_
#define MITTARI_DOMAIN_KPI_COMPARISON_H_

#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/kpi/survey_metrics.h"

namespace mittari::domain::kpi {

// The range before [from, to).
std::pair<absl::Time, absl::Time> PreviousRange(const Calendar& calendar,
                                                absl::Time from, absl::Time to);

struct GroupComparison {
  std::vector<std::pair<std::string, std::string>> group;
  MetricPoint current;
  MetricPoint previous;
  std::optional<double> change;
  std::optional<Significance> significance;
};

struct Comparison {
  absl::Time previous_from;
  absl::Time previous_to;
  std::vector<GroupComparison> groups;
};

absl::StatusOr<Comparison> ComparePeriods(const MetricEngine& metrics,
                                          const Calendar& calendar,
                                          absl::string_view ws,
                                          MetricQuery query);

}  // namespace mittari::domain::kpi

#endif  // MITTARI_DOMAIN_KPI_COMPARISON_H_
