// The scorecard: every target judged for the period holding a moment and
// the one before (metrics.md "Targets and alerts"), with its touchpoint's
// stage and baseline, the change between the periods and its
// significance, and the period's value forecast from the ones before.
#ifndef MITTARI_DOMAIN_SCORECARD_H_
#define MITTARI_DOMAIN_SCORECARD_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "domain/kpi/engines.h"
#include "domain/kpi/forecast.h"
#include "domain/kpi/registry.h"
#include "domain/kpi/statistics.h"
#include "domain/targets.h"
#include "domain/touchpoints.h"
#include "domain/workspaces.h"

namespace mittari::domain {

// By the API's numbers.
enum class TargetStatus { kMet = 1, kAtRisk = 2, kMissed = 3, kNoData = 4 };

// The status of `point` against `target` (metrics.md): `running` when its
// period has not closed (cumulative metrics are judged only once closed).
TargetStatus StatusOf(const records::Target& target, const kpi::MetricDef& def,
                      const kpi::MetricPoint& point, bool running);

struct ScorecardEntry {
  records::Target target;
  std::string touchpoint;     // from the target's filters; empty when none
  std::string journey_stage;  // of the Touchpoint resource, when there is one
  int touchpoint_order = 0;   // of the Touchpoint resource
  absl::Time period_start;
  absl::Time period_end;
  kpi::MetricPoint current;
  kpi::MetricPoint previous;
  TargetStatus status = TargetStatus::kNoData;
  TargetStatus previous_status = TargetStatus::kNoData;
  std::optional<double> baseline;
  std::optional<double> change;
  std::optional<kpi::Significance> significance;
  std::optional<kpi::ForecastStep> forecast;
};

class Scorecards {
 public:
  Scorecards(const Targets& targets, const Touchpoints& touchpoints,
             const WorkspaceDirectory& workspaces, const kpi::Engines& engines,
             const Clock& clock)
      : targets_(targets),
        touchpoints_(touchpoints),
        workspaces_(workspaces),
        engines_(engines),
        clock_(clock) {}

  // Tactical targets first, then operational; within each by journey stage
  // (the standard stages in journey order, then the workspace's own, then
  // none), touchpoint order, and target id.
  absl::StatusOr<std::vector<ScorecardEntry>> Build(absl::string_view ws,
                                                    absl::Time as_of) const;
  // One target's entry, as Build gives it.
  absl::StatusOr<ScorecardEntry> BuildOne(absl::string_view ws,
                                          const records::Target& target,
                                          absl::Time as_of) const;

 private:
  absl::StatusOr<ScorecardEntry> Judge(absl::string_view ws,
                                       const kpi::Calendar& calendar,
                                       const records::Target& target,
                                       absl::Time as_of) const;

  const Targets& targets_;
  const Touchpoints& touchpoints_;
  const WorkspaceDirectory& workspaces_;
  const kpi::Engines& engines_;
  const Clock& clock_;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_SCORECARD_H_
