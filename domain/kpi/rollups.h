// The survey rollups: pre-aggregated counters per local day, written in the
// same WriteBatch as each response, so that a KPI query reads a number of
// entries that grows with the days and distinct dimension values of its
// range, never with the number of responses.
//
// A response adds its counters to one entry of each projection:
//   kBySurvey            (survey, day)
//   kBySurveyDim[d]      (d, survey, day, value)    for each dimension d,
//                        except an empty value where EmptyValueDerived(d):
//                        its counters are kBySurvey's less the named
//                        values' (data written before this rule also has
//                        "" entries; the difference then comes out zero)
//   kFull                (day, survey, every dimension)
// and for each of its tags:
//   kBySurveyTag         (survey, day, tag)
//   kFullTag             (day, survey, every dimension, tag)
// A query whose filters and groups name at most one dimension besides the
// survey reads a narrow projection, one key range per survey that counts
// (all of them when the query names none); others read kFull. Every
// projection is keyed by survey, which keeps a response to at most eight
// merges, and two per tag.
#ifndef MITTARI_DOMAIN_KPI_ROLLUPS_H_
#define MITTARI_DOMAIN_KPI_ROLLUPS_H_

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "domain/kpi/calendar.h"
#include "domain/kpi/statistics.h"
#include "domain/records.pb.h"
#include "storage/key_codec.h"
#include "storage/store.h"

namespace mittari::domain::kpi {

// The dimensions a response carries itself (the survey aside).
enum class Dim : uint8_t {
  kChannel = 1,
  kTouchpoint,
  kEvent,
  kSegment,
  kRegion,
  kCustomerType,
};
inline constexpr std::array<Dim, 6> kDims = {Dim::kChannel, Dim::kTouchpoint,
                                             Dim::kEvent,   Dim::kSegment,
                                             Dim::kRegion,  Dim::kCustomerType};

// Whether kBySurveyDim stores no entry for the dimension's empty value,
// which a query then derives as the survey's total less the named values.
// So for the dimensions a response takes from its event or customer:
// often empty, their empty value would cost an entry on most days anyway.
// Channel and touchpoint are nearly always set: their rare empty value is
// stored, so that grouping by them reads one key range, not two.
constexpr bool EmptyValueDerived(Dim dim) {
  return dim != Dim::kChannel && dim != Dim::kTouchpoint;
}

absl::string_view DimName(Dim dim);
std::optional<Dim> DimByName(absl::string_view name);
const std::string& DimValue(const records::Response& r, Dim dim);

enum class Projection : uint8_t {
  kBySurvey = 2,
  kBySurveyDim = 4,
  kFull = 5,
  kBySurveyTag = 7,
  kFullTag = 8,
  kInvitations = 9,  // (survey, day, channel) -> {invitations}
  kFactTotals = 10,  // layouts in facts.h
  kFactEntities = 11,
  kVisitorDays = 12,  // (day) -> {dau, mau_delta}; kpi/visitor_days.h
  // (scope, day) -> {dau, mau ranges, bucket firsts}; kpi/visitor_days.h
  kVisitorScopes = 13,
};

// What one response adds.
SurveyCounters CountersOf(const records::Response& r);

// The rollup deltas of a group of responses, summed per key, so that a
// group that shares days and dimensions adds one merge operand per key.
class RollupDeltas {
 public:
  void Add(std::string key, const std::vector<int64_t>& delta);
  // Adds every delta of `other` (whose entries are left unspecified).
  void Merge(RollupDeltas&& other);
  // Adds one merge per key to `batch`, skipping deltas that cancel out.
  void FlushTo(storage::WriteBatch& batch);

 private:
  struct Delta {
    std::vector<int64_t> counters;
    bool overflowed = false;  // a sum saturated (storage/counters.h)
  };
  std::map<std::string, Delta> deltas_;
};

// Adds the rollup deltas of a new response (on local day `day`).
void AddResponseRollups(RollupDeltas& deltas, absl::string_view ws,
                        const records::Response& r, DayNumber day);
// Adds the invitation rollup of a new invitation batch.
void AddInvitationRollup(storage::WriteBatch& batch, absl::string_view ws,
                         const records::InvitationBatch& b, DayNumber day);

// The key prefix of a projection, before its day: the workspace, the
// projection, then the dimension and the survey where the projection has
// them.
std::string RollupPrefix(
    absl::string_view ws, Projection p, std::optional<Dim> dim = std::nullopt,
    std::optional<absl::string_view> survey = std::nullopt);
// `prefix` followed by a day.
std::string WithDay(absl::string_view prefix, DayNumber day);

// The parts of one survey rollup entry's key. Per projection, the key is:
//   kBySurvey     (ws, p, survey, day)
//   kBySurveyDim  (ws, p, dim, survey, day, value)
//   kBySurveyTag  (ws, p, survey, day, tag in `value`)
//   kInvitations  (ws, p, survey, day, channel in `value`)
//   kFull         (ws, p, day, survey, every dimension)
//   kFullTag      (ws, p, day, survey, every dimension, tag in `value`)
// The write path's one-pass builders make these keys (EncodeRollupKey
// uses them too); ParseRollupKey is the only place that takes one apart.
struct RollupKeyParts {
  Projection projection = Projection::kBySurvey;
  std::optional<Dim> dim;  // kBySurveyDim
  std::string survey;
  DayNumber day = 0;
  std::array<std::string, kDims.size()> dims;  // kFull, kFullTag
  std::string value;
  bool operator==(const RollupKeyParts&) const = default;
};
std::string EncodeRollupKey(absl::string_view ws, const RollupKeyParts& k);
// Parses the rest of a key after its RollupPrefix(ws, p, dim, survey);
// `survey` is the one that prefix names, for the projections keyed by
// survey first.
absl::StatusOr<RollupKeyParts> ParseRollupKey(
    Projection p, std::optional<Dim> dim,
    std::optional<absl::string_view> survey, absl::string_view rest);

// Whether survey `survey_id` has responses: every response adds to one of
// its survey's kBySurvey entries, and responses are never removed.
absl::StatusOr<bool> SurveyHasResponses(const storage::ReadView& view,
                                        absl::string_view workspace_id,
                                        absl::string_view survey_id);

}  // namespace mittari::domain::kpi

#endif  // MITTARI_DOMAIN_KPI_ROLLUPS_H_
