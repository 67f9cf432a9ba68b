// Surveys: one question on one scale, with the thresholds that say which
// scores are positive (CSAT's top boxes) and which are low (follow-up).
#ifndef MITTARI_DOMAIN_SURVEYS_H_
#define MITTARI_DOMAIN_SURVEYS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "domain/catalog_table.h"
#include "domain/change_gate.h"
#include "domain/page.h"
#include "domain/records.pb.h"
#include "domain/validation.h"
#include "storage/store.h"

namespace mittari::domain {

// Values equal those of mittari.v1.SurveyKind, Direction, SurveyState.
enum class SurveyKind { kNps = 1, kCsat, kCes, kRating, kText, kChoice };
enum class Direction { kHigherIsBetter = 1, kLowerIsBetter = 2 };
enum class SurveyState { kOpen = 1, kClosed = 2 };

// What an import did.
struct ImportCounts {
  int64_t received = 0;
  int64_t created = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
};

// Whether `score` is a positive (top-box) score of the survey.
bool IsPositive(const records::Survey& survey, int score);
// Whether `score` is low: listed for follow-up.
bool IsLow(const records::Survey& survey, int score);

class SurveyCatalog {
 public:
  SurveyCatalog(storage::Store& store, const Clock& clock)
      : store_(store),
        clock_(clock),
        table_(store, keys::WorkspaceTag::kSurvey) {}

  // Fills defaults into `survey` and checks it; violations are named
  // "survey.<field>" (and "survey_id") after the collector's prefix.
  static void Normalize(records::Survey& survey, Violations& violations);

  absl::StatusOr<records::Survey> Create(absl::string_view workspace_id,
                                         records::Survey survey);
  absl::StatusOr<records::Survey> Get(absl::string_view workspace_id,
                                      absl::string_view id) const;
  absl::StatusOr<std::optional<records::Survey>> Find(
      absl::string_view workspace_id, absl::string_view id) const {
    return table_.Find(workspace_id, id);
  }
  // `kind` 0 means any kind.
  absl::StatusOr<Page<records::Survey>> List(absl::string_view workspace_id,
                                             absl::string_view after_id,
                                             int limit, int kind,
                                             bool show_archived) const;
  // Sets the fields of `values` named in `fields` (proto field names).
  absl::StatusOr<records::Survey> Update(
      absl::string_view workspace_id, absl::string_view id,
      const records::Survey& values, const std::vector<std::string>& fields);
  absl::StatusOr<records::Survey> Archive(absl::string_view workspace_id,
                                          absl::string_view id);
  // Creates or replaces every survey, all or nothing; violations are named
  // "surveys[i].…".
  absl::StatusOr<ImportCounts> Import(absl::string_view workspace_id,
                                      std::vector<records::Survey> surveys);

  // Scale changes against the writers of responses: a survey's kind,
  // scale, direction and thresholds may change only while it has no
  // responses, and a change holds the gate from that check until it is
  // stored, so no response checked against the old scale is stored after
  // the new one.
  ChangeGate& scale_gate(absl::string_view ws) const {
    return scale_gates_.For(ws);
  }

 private:
  // Adds violations for changes that responses already stored forbid.
  absl::Status CheckChangeAllowed(absl::string_view workspace_id,
                                  const records::Survey& before,
                                  const records::Survey& after,
                                  Violations& violations) const;

  storage::Store& store_;
  const Clock& clock_;
  CatalogTable<records::Survey> table_;
  absl::Mutex mu_;  // serializes read-check-write of surveys
  ChangeGates scale_gates_;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_SURVEYS_H_
