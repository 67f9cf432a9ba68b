// What every metric query asks and answers, and the interface of the
// engines that answer them (survey metrics, customer activity metrics).
#ifndef MITTARI_DOMAIN_KPI_METRIC_QUERY_H_
#define MITTARI_DOMAIN_KPI_METRIC_QUERY_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "domain/kpi/calendar.h"
#include "domain/kpi/statistics.h"

namespace mittari::domain::kpi {

struct MetricQuery {
  std::string metric;
  absl::Time from;
  absl::Time to;
  Granularity granularity = Granularity::kNone;
  std::map<std::string, std::string> filters;  // dimension -> value
  std::vector<std::string> group_by;           // at most two dimensions
  std::map<std::string, std::string> params;   // e.g. tag for tag_share
  int64_t min_n = 0;  // values of smaller populations are suppressed
};

struct MetricPoint {
  std::optional<absl::Time> bucket_start;  // absent for granularity none
  // dimension -> value, ordered by dimension name.
  std::vector<std::pair<std::string, std::string>> group;
  Estimate estimate;
  SurveyCounters counters;  // survey components (promoters, positives, ...)
  // Other metrics' named components: start, end, new, lost, conversions.
  std::vector<std::pair<std::string, int64_t>> components;
  bool suppressed = false;  // n below the query's min_n
  // A counter it reads saturated (storage/counters.h): no value, and the
  // components are not exact.
  bool overflowed = false;
};

class MetricEngine {
 public:
  virtual ~MetricEngine() = default;
  // Points ordered by group, then bucket; every bucket of the range is
  // present for each group with data.
  virtual absl::StatusOr<std::vector<MetricPoint>> Query(
      absl::string_view workspace_id, const MetricQuery& query) const = 0;
};

// Checks the parts of a query every metric shares (range, granularity,
// group_by count, min_n); violations name the request fields.
absl::Status ValidateQueryShape(const MetricQuery& query);

// The bucket starts of a query (empty for granularity none), or
// INVALID_ARGUMENT when there are too many.
absl::StatusOr<std::vector<absl::CivilDay>> QueryBuckets(
    const Calendar& calendar, const MetricQuery& query);

// The most points one answer holds (groups x buckets).
inline constexpr size_t kMaxPoints = 100'000;
// RESOURCE_EXHAUSTED past kMaxPoints, so that no query (a group-by over a
// dimension with many values, by day over years) builds an answer without
// bound.
absl::Status CheckPointCount(size_t groups, size_t buckets);

// Suppresses the value of a point whose n is below the query's min_n.
void ApplyMinN(const MetricQuery& query, MetricPoint& point);
// Reports a point as overflowed: its value and interval go.
void MarkOverflowed(MetricPoint& point);

}  // namespace mittari::domain::kpi

#endif  // MITTARI_DOMAIN_KPI_METRIC_QUERY_H_
