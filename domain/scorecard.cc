#include "domain/scorecard.h"

#include <algorithm>
#include <tuple>

#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/kpi/comparison.h"

namespace mittari::domain {
namespace {

// The bucket `count` buckets of `g` before `bucket`.
absl::CivilDay BucketsBefore(absl::CivilDay bucket, kpi::Granularity g,
                             int count) {
  switch (g) {
    case kpi::Granularity::kWeek:
      return bucket - 7 * static_cast<int64_t>(count);
    case kpi::Granularity::kMonth:
      return absl::CivilDay(absl::CivilMonth(bucket) - count);
    case kpi::Granularity::kQuarter:
      return absl::CivilDay(absl::CivilMonth(bucket) -
                            3 * static_cast<int64_t>(count));
    case kpi::Granularity::kYear:
      return absl::CivilDay(absl::CivilYear(bucket) - count);
    default:
      return bucket - count;
  }
}

// Periods of history a period's forecast learns from: two seasons and a
// little more, where the granularity has a season.
int HistoryOf(kpi::Granularity g) {
  const int season = kpi::SeasonLength(g);
  return season > 0 ? 2 * season + 2 : 8;
}

// The rank of a journey stage: the standard ones in journey order, then
// the workspace's own, then none.
int StageRank(absl::string_view stage) {
  if (stage.empty()) return static_cast<int>(kJourneyStages.size()) + 1;
  const auto* it =
      std::find(kJourneyStages.begin(), kJourneyStages.end(), stage);
  return it == kJourneyStages.end()
             ? static_cast<int>(kJourneyStages.size())
             : static_cast<int>(it - kJourneyStages.begin());
}

}  // namespace

TargetStatus StatusOf(const records::Target& target, const kpi::MetricDef& def,
                      const kpi::MetricPoint& point, bool running) {
  const kpi::Estimate& e = point.estimate;
  if (point.overflowed || !e.value.has_value() || e.n < target.min_n()) {
    return TargetStatus::kNoData;
  }
  const double v = *e.value;
  const double goal = target.goal();
  const bool at_least =
      target.direction() == static_cast<int>(GoalDirection::kAtLeast);
  auto good = [&](double x) { return at_least ? x >= goal : x <= goal; };
  auto bad = [&](double x) { return at_least ? x < goal : x > goal; };
  if (def.cumulative && running) {
    // A total still growing: reached (at least) or passed (at most) is
    // final; anything else may still change.
    if (at_least) return good(v) ? TargetStatus::kMet : TargetStatus::kAtRisk;
    return bad(v) ? TargetStatus::kMissed : TargetStatus::kAtRisk;
  }
  if (!def.has_ci) return good(v) ? TargetStatus::kMet : TargetStatus::kMissed;
  if (!e.ci_low.has_value() || !e.ci_high.has_value()) {
    return TargetStatus::kAtRisk;
  }
  // The interval's end on the goal's bad side, and on its good side.
  const double near = at_least ? *e.ci_low : *e.ci_high;
  const double far = at_least ? *e.ci_high : *e.ci_low;
  if (good(v) && good(near)) return TargetStatus::kMet;
  if (bad(v) && bad(far)) return TargetStatus::kMissed;
  return TargetStatus::kAtRisk;
}

absl::StatusOr<ScorecardEntry> Scorecards::Judge(absl::string_view ws,
                                                 const kpi::Calendar& calendar,
                                                 const records::Target& target,
                                                 absl::Time as_of) const {
  const kpi::MetricDef* def = kpi::FindMetric(target.metric());
  const std::optional<kpi::Granularity> period = PeriodOf(target);
  if (def == nullptr || !period.has_value()) {
    return errors::DataLoss("a stored target has no metric or period");
  }
  ASSIGN_OR_RETURN(const kpi::MetricEngine* engine,
                   engines_.For(target.metric()));
  ScorecardEntry entry;
  entry.target = target;
  const absl::CivilDay start =
      calendar.BucketOf(calendar.CivilOf(calendar.DayOf(as_of)), *period);
  const absl::CivilDay end = calendar.NextBucket(start, *period);
  entry.period_start = calendar.StartOf(start);
  entry.period_end = calendar.StartOf(end);

  kpi::MetricQuery q;
  q.metric = target.metric();
  q.from = entry.period_start;
  q.to = entry.period_end;
  q.filters.insert(target.filters().begin(), target.filters().end());
  q.params.insert(target.params().begin(), target.params().end());
  // Against the previous period, with the metric's significance test.
  ASSIGN_OR_RETURN(kpi::Comparison comparison,
                   kpi::ComparePeriods(*engine, calendar, ws, q));
  if (!comparison.groups.empty()) {
    kpi::GroupComparison& g = comparison.groups.front();
    entry.current = std::move(g.current);
    entry.previous = std::move(g.previous);
    entry.change = g.change;
    entry.significance = g.significance;
  }
  const bool running = clock_.Now() < entry.period_end;
  entry.status = StatusOf(target, *def, entry.current, running);
  entry.previous_status = StatusOf(target, *def, entry.previous, false);

  if (auto it = target.filters().find("touchpoint");
      it != target.filters().end()) {
    entry.touchpoint = it->second;
    ASSIGN_OR_RETURN(auto found, touchpoints_.Find(ws, entry.touchpoint));
    if (found.has_value()) {
      entry.journey_stage = found->journey_stage();
      entry.touchpoint_order = found->order();
      for (const records::Baseline& b : found->baselines()) {
        if (b.metric() == target.metric() && b.has_value()) {
          entry.baseline = b.value();
        }
      }
    }
  }

  // The period forecast from the periods before it.
  kpi::MetricQuery history = q;
  history.granularity = *period;
  history.from =
      calendar.StartOf(BucketsBefore(start, *period, HistoryOf(*period)));
  history.to = entry.period_start;
  ASSIGN_OR_RETURN(kpi::MetricForecast f,
                   kpi::ForecastMetric(*engine, calendar, ws, history, 1));
  if (!f.forecast.steps.empty()) entry.forecast = f.forecast.steps.front();
  return entry;
}

absl::StatusOr<ScorecardEntry> Scorecards::BuildOne(
    absl::string_view ws, const records::Target& target,
    absl::Time as_of) const {
  ASSIGN_OR_RETURN(absl::TimeZone zone, workspaces_.TimeZoneOf(ws));
  return Judge(ws, kpi::Calendar(zone), target, as_of);
}

absl::StatusOr<std::vector<ScorecardEntry>> Scorecards::Build(
    absl::string_view ws, absl::Time as_of) const {
  ASSIGN_OR_RETURN(absl::TimeZone zone, workspaces_.TimeZoneOf(ws));
  const kpi::Calendar calendar(zone);
  ASSIGN_OR_RETURN(std::vector<records::Target> targets, targets_.All(ws));
  std::vector<ScorecardEntry> out;
  for (const records::Target& target : targets) {
    ASSIGN_OR_RETURN(ScorecardEntry entry, Judge(ws, calendar, target, as_of));
    out.push_back(std::move(entry));
  }
  auto key = [&](const ScorecardEntry& e) {
    return std::make_tuple(e.target.kpi_class(), StageRank(e.journey_stage),
                           e.journey_stage, e.touchpoint_order, e.touchpoint,
                           e.target.id());
  };
  std::vector<std::pair<decltype(key(out.front())), size_t>> keyed;
  for (size_t i = 0; i < out.size(); ++i) keyed.emplace_back(key(out[i]), i);
  std::sort(keyed.begin(), keyed.end());
  std::vector<ScorecardEntry> sorted;
  sorted.reserve(out.size());
  for (const auto& [k, i] : keyed) sorted.push_back(std::move(out[i]));
  return sorted;
}

}  // namespace mittari::domain
