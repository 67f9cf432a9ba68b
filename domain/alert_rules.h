// Alert rules: what the evaluator (alerts.h) watches for — a target's
// status, a KPI's deviation from its own trailing baseline, a single
// response, an event's registration pace (metrics.md "Targets and
// alerts"). Kept per workspace, with an in-memory copy the write path
// asks cheaply whether a workspace has rules at all.
#ifndef MITTARI_DOMAIN_ALERT_RULES_H_
#define MITTARI_DOMAIN_ALERT_RULES_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "domain/catalog_table.h"
#include "domain/page.h"
#include "domain/records.pb.h"
#include "domain/validation.h"
#include "storage/store.h"

namespace mittari::domain {

// records::AlertRule's kinds and sides, by the API's numbers.
enum class RuleKind {
  kTarget = 1,
  kDeviation = 2,
  kResponse = 3,
  kEventPace = 4
};
enum class DeviationSide { kBad = 1, kBoth = 2 };

// The response fields a response rule's filters may name.
bool IsResponseRuleFilter(absl::string_view key);

using RuleList = std::vector<records::AlertRule>;

class AlertRules {
 public:
  AlertRules(storage::Store& store, const Clock& clock)
      : store_(store),
        clock_(clock),
        table_(store, keys::WorkspaceTag::kAlertRule) {}

  // Violations of a rule's own fields, named as in the API
  // ("alert_rule.<field>"); fills defaults (side, fire_on).
  static void Normalize(records::AlertRule& rule, Violations& v);

  absl::StatusOr<records::AlertRule> Create(absl::string_view ws,
                                            records::AlertRule rule);
  absl::StatusOr<records::AlertRule> Get(absl::string_view ws,
                                         absl::string_view id) const;
  absl::StatusOr<Page<records::AlertRule>> List(absl::string_view ws,
                                                absl::string_view after,
                                                int limit) const;
  // Sets `fields` (the API's names) from `values`; `check` sees the
  // result before it is written.
  absl::StatusOr<records::AlertRule> Update(
      absl::string_view ws, absl::string_view id,
      const records::AlertRule& values, const std::vector<std::string>& fields,
      const std::function<absl::Status(const records::AlertRule&)>& check);
  absl::Status Delete(absl::string_view ws, absl::string_view id);

  // Every rule of the workspace, read from the store (and remembered for
  // the questions below).
  absl::StatusOr<std::shared_ptr<const RuleList>> Load(absl::string_view ws);
  // Whether the workspace had rules when last loaded or changed. Cheap;
  // for the write path.
  bool HasRules(absl::string_view ws) const;
  // The workspace's response rules when last loaded or changed; null when
  // it has none. Cheap; for the write path.
  std::shared_ptr<const RuleList> ResponseRulesOf(absl::string_view ws) const;
  // Whether any workspace has a response rule: one relaxed load.
  bool AnyResponseRules() const {
    return response_rule_workspaces_.load(std::memory_order_relaxed) > 0;
  }
  // The workspaces that had rules when last loaded or changed.
  std::vector<std::string> Workspaces() const;

 private:
  void Remember(absl::string_view ws, RuleList rules);

  storage::Store& store_;
  const Clock& clock_;
  CatalogTable<records::AlertRule> table_;
  absl::Mutex mu_;  // serializes writers
  mutable absl::Mutex cache_mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const RuleList>> cache_
      ABSL_GUARDED_BY(cache_mu_);
  // The response rules of the workspaces that have some.
  absl::flat_hash_map<std::string, std::shared_ptr<const RuleList>>
      response_rules_ ABSL_GUARDED_BY(cache_mu_);
  std::atomic<int> response_rule_workspaces_{0};
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_ALERT_RULES_H_
