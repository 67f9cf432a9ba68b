// The rollups of what customers do — their active intervals, purchases,
// sessions and support tickets — and of what is done about low scores
// (follow-up items). Each record becomes one or more rows — a
// time, the kind's dimension values, the entities it counts towards (the
// customer, the visitor) and a vector of counters — and every row is added,
// in the record's WriteBatch, to:
//   kFactTotals   (kind, local day, dimensions...)             -> counters
//   kFactEntities (kind, local day, dimensions..., entities...) -> counters
//   the time index (kind, time, record id, row)                 -> the row
// Sums and counts read the totals; distinct counts (visitors, customers)
// read the entity projection, whose size grows with the distinct entities
// of each day, never with the records; a range edge inside a local day is
// read exactly from the time index. A record replaced by id takes its old
// rows away with negative deltas, so nothing is counted twice. A
// workspace's unfiltered DAU and MAU read the visitor-day index instead
// (visitor_days.h), which the session ledger keeps beside these rows.
#ifndef MITTARI_DOMAIN_KPI_FACTS_H_
#define MITTARI_DOMAIN_KPI_FACTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "domain/kpi/calendar.h"
#include "domain/kpi/rollups.h"
#include "domain/records.pb.h"
#include "storage/store.h"

namespace mittari::domain::kpi {

enum class FactKind : uint8_t {
  kLifecycle = 1,  // customers' active intervals
  kPurchase = 2,
  kSession = 3,
  kTicket = 4,
  kFollowUp = 5,  // low scores to follow up, by their response's time
};

// Counter positions of each kind.
namespace lifecycle {
enum : size_t { kAcquired, kChurned, kFirstAcquired, kCounters };
}
namespace purchase {
enum : size_t { kOrders, kRevenue, kCounters };
}
namespace session {
enum : size_t { kSessions, kPageViews, kSeconds, kConversions, kCounters };
}
namespace ticket {
enum : size_t { kCreated, kResponded, kResponseMicros, kResolved, kCounters };
}
namespace followup {
// kContacted: items moved out of open; kContactMicros: their time from the
// response to that move.
enum : size_t {
  kItems,
  kClosed,
  kDismissed,
  kContacted,
  kContactMicros,
  kCounters
};
}  // namespace followup

struct FactSchema {
  FactKind kind;
  // Dimension names, in key order.
  std::vector<std::string> dims;
  // Entities per row, in key order: {"customer"} or {"visitor",
  // "customer"}; empty when the kind counts no distinct entities.
  std::vector<std::string> entities;
  size_t counters;
};
const FactSchema& SchemaOf(FactKind kind);

struct FactRow {
  int64_t time_us = 0;
  std::vector<std::string> dims;      // as SchemaOf(kind).dims
  std::vector<std::string> entities;  // as SchemaOf(kind).entities
  std::vector<int64_t> counters;
  // A rolled-up row whose counters saturated (storage/counters.h): they
  // are not exact, and the points that read it report so.
  bool overflowed = false;
};

std::vector<FactRow> RowsOf(const records::Customer& c);
std::vector<FactRow> RowsOf(const records::Purchase& p);
std::vector<FactRow> RowsOf(const records::Session& s);
std::vector<FactRow> RowsOf(const records::Ticket& t);
// The row of a low score's follow-up item in state `state`.
std::vector<FactRow> RowsOf(const records::Response& r,
                            const records::FollowUpState& state);

// Adds (sign 1) or takes away (sign -1) the rows of record `id` of `kind`:
// their rollup deltas and their time index entries.
void WriteRows(storage::WriteBatch& batch, RollupDeltas& deltas,
               absl::string_view ws, const Calendar& calendar, FactKind kind,
               absl::string_view id, const std::vector<FactRow>& rows,
               int sign);

// Moves the rows of record `id` to `new_id` with other entities (erasure):
// the totals stay as they are; the entity entries and time index entries
// that name the old entities are deleted outright, not zeroed.
void RekeyRows(storage::WriteBatch& batch, RollupDeltas& deltas,
               absl::string_view ws, const Calendar& calendar, FactKind kind,
               absl::string_view id, const std::vector<FactRow>& rows,
               absl::string_view new_id, const std::vector<FactRow>& new_rows);

// Visits every row of `kind` in the time index, in time order, with the
// id of the record it belongs to (an export's reading).
using RecordRowVisitor =
    absl::FunctionRef<void(absl::string_view id, const FactRow& row)>;
absl::Status ScanRecordRows(const storage::ReadView& view, absl::string_view ws,
                            FactKind kind, RecordRowVisitor visit);

// One row as a query sees it: `day` is its local day; `time_us` is exact
// for rows of a partial day and the day's start for rolled-up rows.
using RowVisitor = absl::FunctionRef<void(DayNumber day, const FactRow& row)>;

// Visits the rows of `kind` in [from, to): whole local days from the totals
// (or the entity projection when `entities`), partial days at the edges
// from the time index. `from` may be absl::InfinitePast().
absl::Status ScanRows(const storage::ReadView& view, absl::string_view ws,
                      const Calendar& calendar, FactKind kind, bool entities,
                      absl::Time from, absl::Time to, RowVisitor visit);

}  // namespace mittari::domain::kpi

#endif  // MITTARI_DOMAIN_KPI_FACTS_H_
