// Exact DAU and MAU kept as sessions arrive, so that a workspace's daily
// series costs the days of its history, never its visitors or sessions.
//
// Two structures, written in each session's WriteBatch:
//   the activity index (kIndex): (visitor, block of 64 local days) ->
//     the visitor's session count on each active day of the block;
//   the daily rollup (kRollups, Projection::kVisitorDays): (day) ->
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
// The read-check-write of an index block is exact only if no one else
// writes the visitor's blocks in between: unary writers hold the visitor's
// lock; an import job stages every block it read, and unary writers note
// every block they read, so that the job's commit sees a conflict
// (import_job.h).
#ifndef MITTARI_DOMAIN_KPI_VISITOR_DAYS_H_
#define MITTARI_DOMAIN_KPI_VISITOR_DAYS_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "domain/kpi/calendar.h"
#include "domain/kpi/rollups.h"
#include "storage/store.h"

namespace mittari::domain::kpi {

// The days of a MAU window: the day and the 29 before it.
inline constexpr DayNumber kMauWindowDays = 30;

// The changes of one WriteBatch (or import chunk) to the visitor-day
// index, read through `view` with the batch's earlier changes applied.
class VisitorDays {
 public:
  VisitorDays(const storage::ReadView& view, absl::string_view ws)
      : view_(view), ws_(ws) {}

  // A session of `visitor` on local day `day` added (+1) or taken away
  // (-1); adds the DAU and MAU changes to `deltas`.
  absl::Status Change(absl::string_view visitor, DayNumber day, int sign,
                      RollupDeltas& deltas);

  // Adds the changed blocks to `batch`; with `touch_read`, the blocks
  // only read too (unchanged), so that an import's commit notices another
  // writer of them.
  void FlushTo(storage::WriteBatch& batch, bool touch_read = false);

  // The kIndex keys of every block read or changed.
  std::vector<std::string> BlockKeys() const;

 private:
  // Day -> sessions of the visitor on that day (only days with some).
  using Block = std::map<DayNumber, int64_t>;
  struct Entry {
    Block days;
    bool changed = false;
  };

  absl::StatusOr<Entry*> Load(absl::string_view visitor, DayNumber day);
  // The visitor's active day nearest to `day` within the MAU window
  // before it (step -1) or after it (step +1), if any.
  absl::StatusOr<std::optional<DayNumber>> Neighbour(absl::string_view visitor,
                                                     DayNumber day, int step);

  const storage::ReadView& view_;
  const std::string ws_;
  std::map<std::pair<std::string, int64_t>, Entry> blocks_;
};

// The DAU and MAU of each local day in [first, last], from the daily
// rollup's entries of [first - 29, last].
// `overflowed` is set when a counter saturated.
struct DailyVisitors {
  std::vector<int64_t> dau;
  std::vector<int64_t> mau;
  bool overflowed = false;
};
absl::StatusOr<DailyVisitors> ReadDailyVisitors(const storage::ReadView& view,
                                                absl::string_view ws,
                                                DayNumber first,
                                                DayNumber last);

}  // namespace mittari::domain::kpi

#endif  // MITTARI_DOMAIN_KPI_VISITOR_DAYS_H_
