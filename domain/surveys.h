// Surveys: one question on one scale, with the thresholds that say which
// scores are positive (CSAT's top boxes) and which are low (follow-up).
#ifndef MITTARI_DOMAIN_SURVEYS_H_
#define MITTARI_DOMAIN_SURVEYS_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "domain/catalog_table.h"
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

  // Scale changes against the writers of responses. A response is checked
  // against its survey's kind, scale and thresholds, and those may change
  // only while the survey has no responses. A change holds the gate
  // exclusively from that check until it is stored; writers of responses
  // hold it shared from their check until their write is stored. So no
  // response checked against the old scale is stored after the new one.
  absl::Mutex& scale_gate() const ABSL_LOCK_RETURNED(scale_gate_) {
    return scale_gate_;
  }
  // Scale changes so far, each counted once stored, under the gate held
  // exclusively. A writer that checked its responses before taking the gate
  // (the response committer) reads the count before checking, and checks
  // again when the count has moved.
  uint64_t scale_changes() const {
    return scale_changes_.load(std::memory_order_acquire);
  }

 private:
  // Adds violations for changes that responses already stored forbid.
  absl::Status CheckChangeAllowed(absl::string_view workspace_id,
                                  const records::Survey& before,
                                  const records::Survey& after,
                                  Violations& violations) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(scale_gate_);

  storage::Store& store_;
  const Clock& clock_;
  CatalogTable<records::Survey> table_;
  absl::Mutex mu_;  // serializes read-check-write of surveys
  mutable absl::Mutex scale_gate_;
  std::atomic<uint64_t> scale_changes_{0};
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_SURVEYS_H_
