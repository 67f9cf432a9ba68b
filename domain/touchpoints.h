// The customer journey: touchpoints (checkout, onboarding call, support
// chat…) with their journey stage and order, and a baseline per metric
// (where it stood when measuring started), against which later periods
// and targets compare. A touchpoint's id is the very string responses
// carry in `touchpoint`, so existing data joins it.
#ifndef MITTARI_DOMAIN_TOUCHPOINTS_H_
#define MITTARI_DOMAIN_TOUCHPOINTS_H_

#include <array>
#include <string>
#include <vector>

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

// The journey stages every workspace knows; a workspace may use its own
// (lower-case words of [a-z0-9_-]).
inline constexpr std::array<absl::string_view, 7> kJourneyStages = {
    "awareness", "consideration", "purchase", "onboarding",
    "usage",     "service",       "loyalty"};

class Touchpoints {
 public:
  Touchpoints(storage::Store& store, const Clock& clock)
      : store_(store),
        clock_(clock),
        table_(store, keys::WorkspaceTag::kTouchpoint) {}

  // Violations of a touchpoint's own fields, named as in the API.
  static void Validate(const records::Touchpoint& t, Violations& v);

  // ALREADY_EXISTS when the id is taken.
  absl::StatusOr<records::Touchpoint> Create(absl::string_view ws,
                                             records::Touchpoint touchpoint);
  absl::StatusOr<records::Touchpoint> Get(absl::string_view ws,
                                          absl::string_view id) const;
  absl::StatusOr<std::optional<records::Touchpoint>> Find(
      absl::string_view ws, absl::string_view id) const {
    return table_.Find(ws, id);
  }
  // In id order.
  absl::StatusOr<Page<records::Touchpoint>> List(absl::string_view ws,
                                                 absl::string_view after,
                                                 int limit) const;
  // Sets `fields` (display_name, journey_stage, order) from `values`.
  absl::StatusOr<records::Touchpoint> Update(
      absl::string_view ws, absl::string_view id,
      const records::Touchpoint& values,
      const std::vector<std::string>& fields);
  absl::Status Delete(absl::string_view ws, absl::string_view id);
  // Sets the baseline of `baseline.metric()`, replacing the one before.
  absl::StatusOr<records::Touchpoint> SetBaseline(absl::string_view ws,
                                                  absl::string_view id,
                                                  records::Baseline baseline);

 private:
  std::string NameOf(absl::string_view ws, absl::string_view id) const;

  storage::Store& store_;
  const Clock& clock_;
  CatalogTable<records::Touchpoint> table_;
  absl::Mutex mu_;  // serializes writers
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_TOUCHPOINTS_H_
