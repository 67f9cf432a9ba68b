#include "domain/alert_rules.h"

#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/field_mask.h"
#include "domain/kpi/calendar.h"
#include "domain/kpi/registry.h"
#include "domain/webhooks.h"

namespace mittari::domain {
namespace {

std::string NameOf(absl::string_view ws, absl::string_view id) {
  return absl::StrCat("workspaces/", ws, "/alertRules/", id);
}

constexpr int kStatusAtRisk = 2;  // mittari.v1.TargetStatus
constexpr int kStatusMissed = 3;

}  // namespace

bool IsResponseRuleFilter(absl::string_view key) {
  static const auto* kKeys = new std::set<std::string, std::less<>>{
      "survey",  "channel", "touchpoint",   "event",
      "segment", "region",  "customer_type"};
  return kKeys->contains(key);
}

void AlertRules::Normalize(records::AlertRule& r, Violations& v) {
  v.Id("alert_rule_id", r.id());
  v.MaxLength("alert_rule.display_name", r.display_name(), 200);
  for (const auto& [k, value] : r.filters()) {
    v.MaxLength(absl::StrCat("alert_rule.filters[", k, "]"), value, 200);
  }
  Webhooks::Check(r.webhooks(), v);
  switch (static_cast<RuleKind>(r.kind())) {
    case RuleKind::kResponse:
      if (!r.has_score_max() && r.tag().empty()) {
        v.Add("alert_rule.score_max", "a response rule needs score_max or tag");
      }
      if (r.has_score_max()) {
        v.Between("alert_rule.score_max", r.score_max(), -100, 100);
      }
      v.MaxLength("alert_rule.tag", r.tag(), 200);
      for (const auto& [k, value] : r.filters()) {
        if (!IsResponseRuleFilter(k)) {
          v.Add(absl::StrCat("alert_rule.filters[", k, "]"),
                "is not a response field: survey, channel, touchpoint, "
                "event, segment, region or customer_type");
        }
      }
      break;
    case RuleKind::kDeviation: {
      if (kpi::FindMetric(r.metric()) == nullptr) {
        v.Add("alert_rule.metric",
              r.metric().empty()
                  ? "is required"
                  : absl::StrCat("'", r.metric(), "' is not a metric id"));
      }
      std::optional<kpi::Granularity> g =
          kpi::GranularityOfNumber(r.granularity());
      if (!g.has_value() || g == kpi::Granularity::kNone) {
        v.Add("alert_rule.granularity",
              "is required: day, week, month, quarter or year");
      }
      v.Between("alert_rule.window", r.window(), 3, 365);
      if (!std::isfinite(r.k()) || r.k() <= 0 || r.k() > 100) {
        v.Add("alert_rule.k", "must be above 0 and at most 100");
      }
      if (r.side() == 0) r.set_side(static_cast<int>(DeviationSide::kBad));
      if (r.side() != static_cast<int>(DeviationSide::kBad) &&
          r.side() != static_cast<int>(DeviationSide::kBoth)) {
        v.Add("alert_rule.side", "must be bad or both");
      }
      v.Between("alert_rule.min_n", r.min_n(), 0, 1'000'000'000);
      break;
    }
    case RuleKind::kTarget:
      if (r.target_id().empty()) {
        v.Add("alert_rule.target", "is required for a target rule");
      }
      if (r.fire_on() == 0) r.set_fire_on(kStatusMissed);
      if (r.fire_on() != kStatusMissed && r.fire_on() != kStatusAtRisk) {
        v.Add("alert_rule.fire_on", "must be missed or at_risk");
      }
      break;
    case RuleKind::kEventPace:
      if (r.event_id().empty()) {
        v.Add("alert_rule.event", "is required for an event_pace rule");
      }
      break;
    default:
      v.Add("alert_rule.kind",
            "is required: target, deviation, response or event_pace");
  }
}

absl::StatusOr<records::AlertRule> AlertRules::Create(absl::string_view ws,
                                                      records::AlertRule rule) {
  Violations v;
  Normalize(rule, v);
  RETURN_IF_ERROR(v.ToStatus());
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(table_.Insert(ws, rule, clock_.Now(), NameOf(ws, rule.id())));
  RETURN_IF_ERROR(Load(ws).status());
  return rule;
}

absl::StatusOr<records::AlertRule> AlertRules::Get(absl::string_view ws,
                                                   absl::string_view id) const {
  return table_.Get(ws, id, NameOf(ws, id));
}

absl::StatusOr<Page<records::AlertRule>> AlertRules::List(
    absl::string_view ws, absl::string_view after, int limit) const {
  return table_.List(ws, after, limit,
                     [](const records::AlertRule&) { return true; });
}

absl::StatusOr<records::AlertRule> AlertRules::Update(
    absl::string_view ws, absl::string_view id,
    const records::AlertRule& values, const std::vector<std::string>& fields,
    const std::function<absl::Status(const records::AlertRule&)>& check) {
  static const auto* kUpdatable = new std::set<std::string>{
      "display_name", "filters",     "score_max", "tag",     "metric",
      "params",       "granularity", "window",    "k",       "side",
      "min_n",        "target_id",   "fire_on",   "event_id"};
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(records::AlertRule r, Get(ws, id));
  Violations v;
  CopyFields(values, fields, *kUpdatable, r, v);
  RETURN_IF_ERROR(v.ToStatus());
  Normalize(r, v);
  RETURN_IF_ERROR(v.ToStatus());
  RETURN_IF_ERROR(check(r));
  r.set_update_time_us(absl::ToUnixMicros(clock_.Now()));
  storage::WriteBatch batch;
  table_.Put(batch, ws, r);
  RETURN_IF_ERROR(store_.Write(batch));
  RETURN_IF_ERROR(Load(ws).status());
  return r;
}

absl::Status AlertRules::Delete(absl::string_view ws, absl::string_view id) {
  absl::MutexLock lock(&mu_);
  storage::WriteBatch batch;
  RETURN_IF_ERROR(Get(ws, id).status());
  batch.Delete(storage::ColumnFamily::kCatalog, table_.KeyOf(ws, id));
  batch.Delete(
      storage::ColumnFamily::kIndex,
      keys::CatalogRecord(ws, keys::WorkspaceTag::kAlertRuleState, id));
  RETURN_IF_ERROR(store_.Write(batch));
  return Load(ws).status();
}

absl::StatusOr<std::shared_ptr<const RuleList>> AlertRules::Load(
    absl::string_view ws) {
  RuleList rules;
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(Page<records::AlertRule> page, List(ws, after, 1000));
    for (records::AlertRule& r : page.items) rules.push_back(std::move(r));
    if (page.next_after.empty()) break;
    after = page.next_after;
  }
  RuleList response;
  for (const records::AlertRule& r : rules) {
    if (r.kind() == static_cast<int>(RuleKind::kResponse))
      response.push_back(r);
  }
  auto shared = std::make_shared<const RuleList>(std::move(rules));
  absl::MutexLock lock(&cache_mu_);
  if (shared->empty()) {
    cache_.erase(ws);
  } else {
    cache_[ws] = shared;
  }
  if (!response.empty()) {
    response_rules_[ws] = std::make_shared<const RuleList>(std::move(response));
  } else {
    response_rules_.erase(ws);
  }
  response_rule_workspaces_.store(static_cast<int>(response_rules_.size()),
                                  std::memory_order_relaxed);
  return shared;
}

bool AlertRules::HasRules(absl::string_view ws) const {
  absl::MutexLock lock(&cache_mu_);
  return cache_.contains(ws);
}

std::shared_ptr<const RuleList> AlertRules::ResponseRulesOf(
    absl::string_view ws) const {
  absl::MutexLock lock(&cache_mu_);
  auto it = response_rules_.find(ws);
  return it == response_rules_.end() ? nullptr : it->second;
}

std::vector<std::string> AlertRules::Workspaces() const {
  absl::MutexLock lock(&cache_mu_);
  std::vector<std::string> out;
  for (const auto& [ws, rules] : cache_) out.push_back(ws);
  return out;
}

}  // namespace mittari::domain
