// Exact DAU, MAU and distinct visitors kept as sessions arrive, so that a
// workspace's daily series costs the days of its history, never its
// visitors or sessions.
//
// Two structures, written in each session's WriteBatch:
//   the activity index (kIndex): (visitor, block of 64 local days) ->
//     the visitor's session count on each active day of the block;
//   the daily rollup (kRollups): (day) ->
//     {dau, ranges of length 1, ..., ranges of length 30}.
// A visitor-day counts once, when its first session arrives (DAU +1 on the
// day). The MAU of day x is the number of visitors active in [x-29, x]; a
// new active day d of a visitor whose previous and next active days are p
// and n newly covers the days [max(d, p+30), min(d+29, n-1)], a range of
// at most 30 days, which the rollup counts on its first day by its
// length. MAU(x) is then the number of ranges covering x, all of which
// start in [x-29, x]: a series of D days reads D+29 entries, however long
// the workspace's history. When a visitor-day's last session goes (a
// session replaced or erased), the same happens with the signs turned.
//
// Two layouts. Workspaces created before scopes (records::Workspace
// .visitor_scopes unset) keep the above for the whole workspace only
// (WorkspaceTag::kVisitorDays, Projection::kVisitorDays). The scoped
// layout (WorkspaceTag::kVisitorScopes, Projection::kVisitorScopes) keeps
// it per scope: the whole workspace, and each value of each session
// dimension (source = "email", device = "mobile", ...), so that a series
// filtered or grouped by one dimension reads as little. Its blocks hold
// per scope the sessions and the converted sessions of each active day,
// and its daily entries, (scope, day, 0) -> counters, also count:
//   the converted visitor-days (a day with a converted session), and the
//   conversions;
//   per week, month, quarter and year, the visitors (and the converted
//   visitors) whose first active day in that bucket the day is.
// Its MAU ranges are (scope, start day, length) -> one counter.
// A bucket's distinct visitors are then the sum of its days' firsts: when
// a visitor's day comes before their first of the bucket, the count moves
// from the old first to it (and back when it goes). Buckets span at most
// seven blocks, read once per changed visitor-day, however many scopes.
//
// The read-check-write of an index block is exact only if no one else
// writes the visitor's blocks in between: unary writers hold the visitor's
// lock; an import job stages every block it read, and unary writers note
// every block they read, so that the job's commit sees a conflict
// (import_job.h).
#ifndef MITTARI_DOMAIN_KPI_VISITOR_DAYS_H_
#define MITTARI_DOMAIN_KPI_VISITOR_DAYS_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "domain/kpi/calendar.h"
#include "domain/kpi/rollups.h"
#include "domain/records.pb.h"
#include "storage/store.h"

namespace mittari::domain::kpi {

// The days of a MAU window: the day and the 29 before it.
inline constexpr DayNumber kMauWindowDays = 30;

// A scope of the scoped layout: the whole workspace (dim 0), or the
// sessions with one value of one session dimension (dim: the dimension's
// position in SchemaOf(FactKind::kSession).dims, plus one).
struct VisitorScope {
  uint8_t dim = 0;
  std::string value;
  bool operator==(const VisitorScope&) const = default;
  bool operator<(const VisitorScope& o) const {
    return dim != o.dim ? dim < o.dim : value < o.value;
  }
};

// The dim of a session dimension's scopes; nullopt for another name.
std::optional<uint8_t> SessionScopeDim(absl::string_view dimension);

// The changes of one WriteBatch (or import chunk) to the visitor-day
// index, read through `view` with the batch's earlier changes applied.
class VisitorDays {
 public:
  // Whether workspace `w` keeps the index (in either layout).
  static bool Kept(const records::Workspace& w) {
    return w.visitor_days() || w.visitor_scopes();
  }

  VisitorDays(const storage::ReadView& view, const records::Workspace& w)
      : view_(view), ws_(w.id()), scoped_(w.visitor_scopes()) {}

  // Session `s` on local day `day` added (+1) or taken away (-1); adds
  // the DAU, MAU and bucket changes to `deltas`.
  absl::Status Change(const records::Session& s, DayNumber day, int sign,
                      RollupDeltas& deltas);

  // Adds the changed blocks to `batch`; with `touch_read`, the blocks
  // only read too (unchanged), so that an import's commit notices another
  // writer of them.
  void FlushTo(storage::WriteBatch& batch, bool touch_read = false);

  // The kIndex keys of every block read or changed.
  std::vector<std::string> BlockKeys() const;

 private:
  // What a visitor did on a day in one scope: {sessions, converted
  // sessions}; the kinds of activity the index counts distinct visitors
  // of (kVisited: any session; kConverted: a converted one).
  using Counts = std::array<int64_t, 2>;
  enum Kind : size_t { kVisited = 0, kConverted = 1 };
  using Days = std::map<DayNumber, Counts>;  // only days with sessions
  struct Entry {
    std::map<VisitorScope, Days> scopes;
    bool changed = false;
  };

  absl::StatusOr<Entry*> Load(absl::string_view visitor, DayNumber day);
  // The visitor's day of `kind` in scope `scope` within [lo, hi] other
  // than `skip` that is nearest to `lo` (step +1) or to `hi` (step -1).
  absl::StatusOr<std::optional<DayNumber>> Nearest(absl::string_view visitor,
                                                   const VisitorScope& scope,
                                                   Kind kind, DayNumber lo,
                                                   DayNumber hi, DayNumber skip,
                                                   int step);
  // The visitor's day `day` of `kind` in `scope` came (sign 1) or went
  // (sign -1).
  absl::Status Moved(absl::string_view visitor, const VisitorScope& scope,
                     Kind kind, DayNumber day, int sign, RollupDeltas& deltas);
  // The daily entry of `scope` and `day`: in the scoped layout, its
  // counters (entry 0) or its MAU ranges of length `entry`.
  std::string DailyKey(const VisitorScope& scope, DayNumber day,
                       uint8_t entry = 0) const;
  std::string BlockKey(absl::string_view visitor, int64_t block) const;

  const storage::ReadView& view_;
  const std::string ws_;
  const bool scoped_;
  std::map<std::pair<std::string, int64_t>, Entry> blocks_;
};

// Per local day of [first, last] of one scope, from the daily rollup's
// entries of [first - 29, last]: the DAU and MAU; in the scoped layout
// also the converted visitor-days, the conversions (converted sessions),
// and per week, month, quarter and year
// (firsts[0..3]) the visitors and the converted visitors whose first
// active day of that bucket each day is. `overflowed` is set when a
// counter saturated.
struct DailyVisitors {
  std::vector<int64_t> dau;
  std::vector<int64_t> mau;
  std::vector<int64_t> converted;
  std::vector<int64_t> conversions;
  std::array<std::vector<int64_t>, 4> firsts;
  std::array<std::vector<int64_t>, 4> converted_firsts;
  bool overflowed = false;
};
// The whole workspace in the first layout.
absl::StatusOr<DailyVisitors> ReadDailyVisitors(const storage::ReadView& view,
                                                absl::string_view ws,
                                                DayNumber first,
                                                DayNumber last);
// Scopes of the scoped layout: of dimension `dim` (0: the whole
// workspace, under value ""), the one `value`, or every value with an
// entry in the window, keyed by value.
absl::StatusOr<std::map<std::string, DailyVisitors>> ReadVisitorScopes(
    const storage::ReadView& view, absl::string_view ws, uint8_t dim,
    std::optional<absl::string_view> value, DayNumber first, DayNumber last);

}  // namespace mittari::domain::kpi

#endif  // MITTARI_DOMAIN_KPI_VISITOR_DAYS_H_
