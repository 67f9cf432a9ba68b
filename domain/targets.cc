#include "domain/targets.h"

#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/field_mask.h"
#include "domain/kpi/registry.h"

namespace mittari::domain {
namespace {

std::string NameOf(absl::string_view ws, absl::string_view id) {
  return absl::StrCat("workspaces/", ws, "/targets/", id);
}

// Purchase and customer metrics steer tactics; experience and engagement
// metrics, operations.
KpiClass DefaultClass(kpi::Metric metric) {
  switch (metric) {
    case kpi::Metric::kChurnRate:
    case kpi::Metric::kRetentionRate:
    case kpi::Metric::kAov:
    case kpi::Metric::kPurchaseFrequency:
    case kpi::Metric::kRepeatPurchaseRate:
    case kpi::Metric::kClvHistorical:
    case kpi::Metric::kClvPredictive:
      return KpiClass::kTactical;
    default:
      return KpiClass::kOperational;
  }
}

}  // namespace

std::optional<kpi::Granularity> PeriodOf(const records::Target& target) {
  std::optional<kpi::Granularity> g = kpi::GranularityOfNumber(target.period());
  if (g == kpi::Granularity::kNone || g == kpi::Granularity::kDay) {
    return std::nullopt;
  }
  return g;
}

void Targets::Normalize(records::Target& t, Violations& v) {
  v.Id("target_id", t.id());
  v.MaxLength("target.display_name", t.display_name(), 200);
  const kpi::MetricDef* def = kpi::FindMetric(t.metric());
  if (def == nullptr) {
    v.Add("target.metric",
          t.metric().empty()
              ? "is required"
              : absl::StrCat("'", t.metric(), "' is not a metric id"));
  }
  if (!std::isfinite(t.goal())) {
    v.Add("target.goal", "must be a finite number");
  }
  if (t.direction() != static_cast<int>(GoalDirection::kAtLeast) &&
      t.direction() != static_cast<int>(GoalDirection::kAtMost)) {
    v.Add("target.direction", "is required: at_least or at_most");
  }
  if (!PeriodOf(t).has_value()) {
    v.Add("target.period", "is required: week, month, quarter or year");
  }
  v.Between("target.min_n", t.min_n(), 0, 1'000'000'000);
  if (t.kpi_class() == 0 && def != nullptr) {
    t.set_kpi_class(static_cast<int>(DefaultClass(def->metric)));
  } else if (t.kpi_class() != static_cast<int>(KpiClass::kTactical) &&
             t.kpi_class() != static_cast<int>(KpiClass::kOperational)) {
    v.Add("target.kpi_class", "must be tactical or operational");
  }
  if (t.has_benchmark() && !std::isfinite(t.benchmark())) {
    v.Add("target.benchmark", "must be a finite number");
  }
  v.MaxLength("target.benchmark_source", t.benchmark_source(), 200);
  v.MaxLength("target.owner", t.owner(), 200);
  for (const auto& [k, value] : t.filters()) {
    v.MaxLength(absl::StrCat("target.filters[", k, "]"), value, 200);
  }
}

absl::StatusOr<records::Target> Targets::Create(absl::string_view ws,
                                                records::Target target) {
  Violations v;
  Normalize(target, v);
  RETURN_IF_ERROR(v.ToStatus());
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(
      table_.Insert(ws, target, clock_.Now(), NameOf(ws, target.id())));
  return target;
}

absl::StatusOr<records::Target> Targets::Get(absl::string_view ws,
                                             absl::string_view id) const {
  return table_.Get(ws, id, NameOf(ws, id));
}

absl::StatusOr<Page<records::Target>> Targets::List(absl::string_view ws,
                                                    absl::string_view after,
                                                    int limit) const {
  return table_.List(ws, after, limit,
                     [](const records::Target&) { return true; });
}

absl::StatusOr<std::vector<records::Target>> Targets::All(
    absl::string_view ws) const {
  std::vector<records::Target> out;
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(Page<records::Target> page, List(ws, after, 1000));
    for (records::Target& t : page.items) out.push_back(std::move(t));
    if (page.next_after.empty()) return out;
    after = page.next_after;
  }
}

absl::StatusOr<records::Target> Targets::Update(
    absl::string_view ws, absl::string_view id, const records::Target& values,
    const std::vector<std::string>& fields,
    const std::function<absl::Status(const records::Target&)>& check) {
  static const auto* kUpdatable = new std::set<std::string>{
      "display_name", "metric",    "filters",          "params",
      "goal",         "direction", "period",           "min_n",
      "kpi_class",    "benchmark", "benchmark_source", "owner"};
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(records::Target t, Get(ws, id));
  Violations v;
  CopyFields(values, fields, *kUpdatable, t, v);
  RETURN_IF_ERROR(v.ToStatus());
  Normalize(t, v);
  RETURN_IF_ERROR(v.ToStatus());
  RETURN_IF_ERROR(check(t));
  t.set_update_time_us(absl::ToUnixMicros(clock_.Now()));
  storage::WriteBatch batch;
  table_.Put(batch, ws, t);
  RETURN_IF_ERROR(store_.Write(batch));
  return t;
}

absl::Status Targets::Delete(absl::string_view ws, absl::string_view id) {
  absl::MutexLock lock(&mu_);
  return table_.Delete(ws, id, NameOf(ws, id));
}

}  // namespace mittari::domain
