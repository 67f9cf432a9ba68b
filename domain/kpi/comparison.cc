#include "domain/kpi/comparison.h"

#include <map>

#include "common/status_macros.h"
#include "domain/kpi/registry.h"

namespace mittari::domain::kpi {
namespace {

absl::CivilDay PreviousBucket(absl::CivilDay b, Granularity g) {
  switch (g) {
    case Granularity::kDay:
      return b - 1;
    case Granularity::kWeek:
      return b - 7;
    case Granularity::kMonth:
      return absl::CivilDay(absl::CivilMonth(b) - 1);
    case Granularity::kQuarter:
      return absl::CivilDay(absl::CivilMonth(b) - 3);
    case Granularity::kYear:
      return absl::CivilDay(absl::CivilYear(b) - 1);
    case Granularity::kNone:
      break;
  }
  return b;
}

}  // namespace

std::pair<absl::Time, absl::Time> PreviousRange(const Calendar& calendar,
                                                absl::Time from,
                                                absl::Time to) {
  absl::CivilDay day = absl::ToCivilDay(from, calendar.zone());
  for (Granularity g :
       {Granularity::kYear, Granularity::kQuarter, Granularity::kMonth,
        Granularity::kWeek, Granularity::kDay}) {
    absl::CivilDay b = calendar.BucketOf(day, g);
    if (calendar.StartOf(b) == from &&
        calendar.StartOf(calendar.NextBucket(b, g)) == to) {
      return {calendar.StartOf(PreviousBucket(b, g)), from};
    }
  }
  return {from - (to - from), from};
}

absl::StatusOr<Comparison> ComparePeriods(const MetricEngine& metrics,
                                          const Calendar& calendar,
                                          absl::string_view ws,
                                          MetricQuery query) {
  query.granularity = Granularity::kNone;
  RETURN_IF_ERROR(ValidateQueryShape(query));
  Comparison out;
  std::tie(out.previous_from, out.previous_to) =
      PreviousRange(calendar, query.from, query.to);
  ASSIGN_OR_RETURN(std::vector<MetricPoint> current, metrics.Query(ws, query));
  MetricQuery before = query;
  before.from = out.previous_from;
  before.to = out.previous_to;
  ASSIGN_OR_RETURN(std::vector<MetricPoint> previous,
                   metrics.Query(ws, before));
  const MetricDef* def = FindMetric(query.metric);
  const ChangeTest test = def == nullptr ? ChangeTest::kNone : def->test;

  std::map<std::vector<std::pair<std::string, std::string>>, GroupComparison>
      by_group;
  for (MetricPoint& p : current) {
    GroupComparison& g = by_group[p.group];
    g.group = p.group;
    g.current = std::move(p);
  }
  for (MetricPoint& p : previous) {
    GroupComparison& g = by_group[p.group];
    g.group = p.group;
    g.previous = std::move(p);
  }
  for (auto& [key, g] : by_group) {
    const Estimate& a = g.current.estimate;
    const Estimate& b = g.previous.estimate;
    if (a.value && b.value) g.change = *a.value - *b.value;
    const SurveyCounters& ca = g.current.counters;
    const SurveyCounters& cb = g.previous.counters;
    switch (test) {
      case ChangeTest::kNps:
        g.significance = CompareNps(ca, cb);
        break;
      case ChangeTest::kProportion:
        g.significance =
            CompareProportions(ca.positive, ca.n, cb.positive, cb.n);
        break;
      case ChangeTest::kMean:
        g.significance = CompareMeans(ca, cb);
        break;
      case ChangeTest::kNone:
        break;
    }
    out.groups.push_back(std::move(g));
  }
  return out;
}

}  // namespace mittari::domain::kpi
