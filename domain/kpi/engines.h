// Which engine answers a metric id: the one lookup that queries, targets,
// the scorecard, alerts and live streams share.
#ifndef MITTARI_DOMAIN_KPI_ENGINES_H_
#define MITTARI_DOMAIN_KPI_ENGINES_H_

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "domain/kpi/metric_query.h"
#include "domain/kpi/registry.h"

namespace mittari::domain::kpi {

class Engines {
 public:
  Engines(const MetricEngine& survey, const MetricEngine& activity)
      : survey_(survey), activity_(activity) {}

  // The engine of `metric`, or INVALID_ARGUMENT naming "metric".
  absl::StatusOr<const MetricEngine*> For(absl::string_view metric) const {
    if (const MetricDef* def = FindMetric(metric)) {
      switch (def->engine) {
        case Engine::kSurvey:
          return &survey_;
        case Engine::kActivity:
          return &activity_;
      }
    }
    return errors::InvalidArgument(
        "metric", metric.empty()
                      ? "is required"
                      : absl::StrCat("'", metric, "' is not a metric id"));
  }

 private:
  const MetricEngine& survey_;
  const MetricEngine& activity_;
};

}  // namespace mittari::domain::kpi

#endif  // MITTARI_DOMAIN_KPI_ENGINES_H_
