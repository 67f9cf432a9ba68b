// Targets: a metric, its scope (filters and parameters), a goal, a
// direction and a period, with an optional minimum n, class, external
// benchmark and owner (metrics.md "Targets and alerts"). The scorecard
// (scorecard.h) judges them.
#ifndef MITTARI_DOMAIN_TARGETS_H_
#define MITTARI_DOMAIN_TARGETS_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "domain/catalog_table.h"
#include "domain/kpi/calendar.h"
#include "domain/page.h"
#include "domain/records.pb.h"
#include "domain/validation.h"
#include "storage/store.h"

namespace mittari::domain {

// records::Target's enums, by the API's numbers.
enum class GoalDirection { kAtLeast = 1, kAtMost = 2 };
enum class KpiClass { kTactical = 1, kOperational = 2 };

// The period granularity of a stored target (week, month, quarter, year);
// nullopt for any other value.
std::optional<kpi::Granularity> PeriodOf(const records::Target& target);

class Targets {
 public:
  Targets(storage::Store& store, const Clock& clock)
      : store_(store),
        clock_(clock),
        table_(store, keys::WorkspaceTag::kTarget) {}

  // Violations of a target's own fields, named as in the API; fills the
  // class a metric implies when none is given.
  static void Normalize(records::Target& target, Violations& v);

  absl::StatusOr<records::Target> Create(absl::string_view ws,
                                         records::Target target);
  absl::StatusOr<records::Target> Get(absl::string_view ws,
                                      absl::string_view id) const;
  absl::StatusOr<Page<records::Target>> List(absl::string_view ws,
                                             absl::string_view after,
                                             int limit) const;
  // Every target of the workspace.
  absl::StatusOr<std::vector<records::Target>> All(absl::string_view ws) const;
  // Sets `fields` (the API's names) from `values`; `check` sees the
  // result before it is written, and its error leaves the target as it
  // was.
  absl::StatusOr<records::Target> Update(
      absl::string_view ws, absl::string_view id, const records::Target& values,
      const std::vector<std::string>& fields,
      const std::function<absl::Status(const records::Target&)>& check);
  absl::Status Delete(absl::string_view ws, absl::string_view id);

 private:
  storage::Store& store_;
  const Clock& clock_;
  CatalogTable<records::Target> table_;
  absl::Mutex mu_;  // serializes writers
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_TARGETS_H_
