#include "domain/kpi/facts.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/keys.h"
#include "storage/counters.h"
#include "storage/key_codec.h"

namespace mittari::domain::kpi {
namespace {

using storage::ColumnFamily;
using storage::KeyDecoder;
using storage::KeyEncoder;

const std::vector<std::string>& CustomerDimNames() {
  static const auto* dims =
      new std::vector<std::string>{"segment", "region", "customer_type"};
  return *dims;
}

std::vector<std::string> WithCustomerDims(std::vector<std::string> dims) {
  for (const std::string& d : CustomerDimNames()) dims.push_back(d);
  return dims;
}

std::vector<std::string> CustomerDimValues(const records::CustomerDims& d,
                                           std::vector<std::string> before) {
  before.push_back(d.segment());
  before.push_back(d.region());
  before.push_back(d.customer_type());
  return before;
}

KeyEncoder ProjectionKey(absl::string_view ws, Projection p, FactKind kind) {
  return keys::InWorkspace(ws, keys::WorkspaceTag::kRollup)
      .U8(static_cast<uint8_t>(p))
      .U8(static_cast<uint8_t>(kind));
}

std::string TotalsKey(absl::string_view ws, FactKind kind, DayNumber day,
                      const FactRow& row) {
  KeyEncoder key = ProjectionKey(ws, Projection::kFactTotals, kind);
  key.I64(day);
  for (const std::string& d : row.dims) key.Str(d);
  return std::move(key).key();
}

std::string EntityKey(absl::string_view ws, FactKind kind, DayNumber day,
                      const FactRow& row) {
  KeyEncoder key = ProjectionKey(ws, Projection::kFactEntities, kind);
  key.I64(day);
  for (const std::string& d : row.dims) key.Str(d);
  for (const std::string& e : row.entities) key.Str(e);
  return std::move(key).key();
}

KeyEncoder TimeIndexPrefix(absl::string_view ws, FactKind kind) {
  return keys::InWorkspace(ws, keys::WorkspaceTag::kFactTime)
      .U8(static_cast<uint8_t>(kind));
}

std::string TimeIndexKey(absl::string_view ws, FactKind kind,
                         absl::string_view id, uint32_t index,
                         const FactRow& row) {
  return TimeIndexPrefix(ws, kind).I64(row.time_us).Str(id).U32(index).key();
}

// The time index value: dimensions, entities, then counters.
std::string EncodeRow(const FactRow& row) {
  KeyEncoder out;
  for (const std::string& d : row.dims) out.Str(d);
  for (const std::string& e : row.entities) out.Str(e);
  for (int64_t c : row.counters) out.I64(c);
  return std::move(out).key();
}

absl::Status DecodeStrings(KeyDecoder& in, size_t count,
                           std::vector<std::string>& out) {
  out.clear();
  for (size_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(std::string s, in.Str());
    out.push_back(std::move(s));
  }
  return absl::OkStatus();
}

absl::Status DecodeRow(const FactSchema& schema, absl::string_view value,
                       FactRow& row) {
  KeyDecoder in(value);
  RETURN_IF_ERROR(DecodeStrings(in, schema.dims.size(), row.dims));
  RETURN_IF_ERROR(DecodeStrings(in, schema.entities.size(), row.entities));
  row.counters.clear();
  for (size_t i = 0; i < schema.counters; ++i) {
    ASSIGN_OR_RETURN(int64_t c, in.I64());
    row.counters.push_back(c);
  }
  if (!in.done()) return errors::DataLoss("unreadable fact row");
  return absl::OkStatus();
}

absl::Status ScanRollup(const storage::ReadView& view, absl::string_view ws,
                        const FactSchema& schema, bool entities,
                        DayNumber first, DayNumber end,
                        const Calendar& calendar, RowVisitor visit) {
  KeyEncoder prefix = ProjectionKey(
      ws, entities ? Projection::kFactEntities : Projection::kFactTotals,
      schema.kind);
  std::string begin = KeyEncoder(prefix).I64(first).key();
  std::string stop = KeyEncoder(prefix).I64(end).key();
  absl::Status status;
  FactRow row;
  DayNumber cached_day = std::numeric_limits<DayNumber>::min();
  int64_t cached_start = 0;
  RETURN_IF_ERROR(view.Scan(
      ColumnFamily::kRollups, begin, stop,
      [&](absl::string_view key, absl::string_view value) {
        KeyDecoder in(key.substr(prefix.key().size()));
        absl::StatusOr<int64_t> day = in.I64();
        absl::StatusOr<storage::CounterVector> counters =
            storage::DecodeCounters(value);
        if (!day.ok() || !counters.ok()) {
          status = errors::DataLoss("unreadable fact rollup");
          return false;
        }
        status = DecodeStrings(in, schema.dims.size(), row.dims);
        if (status.ok() && entities) {
          status = DecodeStrings(in, schema.entities.size(), row.entities);
        }
        if (!status.ok()) return false;
        bool zero = !counters->overflowed;
        for (int64_t c : counters->values) zero = zero && c == 0;
        if (zero) return true;  // every record of it was taken away
        auto d = static_cast<DayNumber>(*day);
        if (d != cached_day) {
          cached_day = d;
          cached_start = absl::ToUnixMicros(calendar.DayStart(d));
        }
        row.time_us = cached_start;
        row.counters = std::move(counters->values);
        row.overflowed = counters->overflowed;
        visit(d, row);
        return true;
      }));
  return status;
}

absl::Status ScanTimeIndex(const storage::ReadView& view, absl::string_view ws,
                           const FactSchema& schema, absl::Time from,
                           absl::Time to, const Calendar& calendar,
                           RowVisitor visit) {
  KeyEncoder prefix = TimeIndexPrefix(ws, schema.kind);
  std::string begin = KeyEncoder(prefix).I64(absl::ToUnixMicros(from)).key();
  std::string stop = KeyEncoder(prefix).I64(absl::ToUnixMicros(to)).key();
  absl::Status status;
  FactRow row;
  RETURN_IF_ERROR(
      view.Scan(ColumnFamily::kIndex, begin, stop,
                [&](absl::string_view key, absl::string_view value) {
                  KeyDecoder in(key.substr(prefix.key().size()));
                  absl::StatusOr<int64_t> time = in.I64();
                  if (!time.ok()) {
                    status = time.status();
                    return false;
                  }
                  status = DecodeRow(schema, value, row);
                  if (!status.ok()) return false;
                  row.time_us = *time;
                  visit(calendar.DayOf(absl::FromUnixMicros(*time)), row);
                  return true;
                }));
  return status;
}

}  // namespace

const FactSchema& SchemaOf(FactKind kind) {
  static const auto* schemas = new std::vector<FactSchema>{
      {FactKind::kLifecycle,
       CustomerDimNames(),
       {"customer"},
       lifecycle::kCounters},
      {FactKind::kPurchase,
       WithCustomerDims({"channel"}),
       {"customer"},
       purchase::kCounters},
      {FactKind::kSession,
       WithCustomerDims(
           {"source", "device", "landing_page", "content_type", "keyword"}),
       {"visitor", "customer"},
       session::kCounters},
      {FactKind::kTicket, WithCustomerDims({"channel"}), {}, ticket::kCounters},
      {FactKind::kFollowUp,
       {"survey", "channel", "touchpoint", "event", "segment", "region",
        "customer_type", "assignee"},
       {},
       followup::kCounters},
  };
  return (*schemas)[static_cast<size_t>(kind) - 1];
}

std::vector<FactRow> RowsOf(const records::Customer& c) {
  std::vector<records::Interval> intervals(c.past_intervals().begin(),
                                           c.past_intervals().end());
  if (c.acquire_time_us() != 0) {
    records::Interval current;
    current.set_acquire_time_us(c.acquire_time_us());
    current.set_churn_time_us(c.churn_time_us());
    intervals.push_back(current);
  }
  std::vector<std::string> dims = {c.segment(), c.region(), c.customer_type()};
  std::vector<FactRow> rows;
  for (size_t i = 0; i < intervals.size(); ++i) {
    std::vector<int64_t> acquired(lifecycle::kCounters, 0);
    acquired[lifecycle::kAcquired] = 1;
    acquired[lifecycle::kFirstAcquired] = i == 0 ? 1 : 0;
    rows.push_back({intervals[i].acquire_time_us(), dims, {c.id()}, acquired});
    if (intervals[i].churn_time_us() != 0) {
      std::vector<int64_t> churned(lifecycle::kCounters, 0);
      churned[lifecycle::kChurned] = 1;
      rows.push_back({intervals[i].churn_time_us(), dims, {c.id()}, churned});
    }
  }
  return rows;
}

std::vector<FactRow> RowsOf(const records::Purchase& p) {
  std::vector<int64_t> counters(purchase::kCounters, 0);
  counters[purchase::kOrders] = p.amount() > 0 ? 1 : 0;
  counters[purchase::kRevenue] = p.amount();
  return {{p.occur_time_us(),
           CustomerDimValues(p.dims(), {p.channel()}),
           {p.customer_id()},
           counters}};
}

std::vector<FactRow> RowsOf(const records::Session& s) {
  std::vector<int64_t> counters(session::kCounters, 0);
  counters[session::kSessions] = 1;
  counters[session::kPageViews] = s.page_views();
  counters[session::kSeconds] = s.duration_seconds();
  counters[session::kConversions] = s.converted() ? 1 : 0;
  return {
      {s.start_time_us(),
       CustomerDimValues(s.dims(), {s.source(), s.device(), s.landing_page(),
                                    s.content_type(), s.keyword()}),
       {s.visitor_id(), s.customer_id()},
       counters}};
}

std::vector<FactRow> RowsOf(const records::Ticket& t) {
  std::vector<int64_t> counters(ticket::kCounters, 0);
  counters[ticket::kCreated] = 1;
  if (t.first_response_time_us() != 0) {
    counters[ticket::kResponded] = 1;
    counters[ticket::kResponseMicros] =
        t.first_response_time_us() - t.open_time_us();
  }
  counters[ticket::kResolved] = t.resolve_time_us() != 0 ? 1 : 0;
  return {{t.open_time_us(),
           CustomerDimValues(t.dims(), {t.channel()}),
           {},
           counters}};
}

std::vector<FactRow> RowsOf(const records::Response& r,
                            const records::FollowUpState& state) {
  constexpr int kClosedState = 3;  // mittari.v1.FollowUpState
  constexpr int kDismissedState = 4;
  std::vector<int64_t> counters(followup::kCounters, 0);
  counters[followup::kItems] = 1;
  counters[followup::kClosed] = state.state() == kClosedState ? 1 : 0;
  counters[followup::kDismissed] = state.state() == kDismissedState ? 1 : 0;
  if (state.contact_time_us() != 0) {
    counters[followup::kContacted] = 1;
    counters[followup::kContactMicros] =
        std::max<int64_t>(0, state.contact_time_us() - r.submit_time_us());
  }
  return {{r.submit_time_us(),
           {r.survey_id(), r.channel(), r.touchpoint(), r.event_id(),
            r.segment(), r.region(), r.customer_type(), state.assignee()},
           {},
           counters}};
}

void WriteRows(storage::WriteBatch& batch, RollupDeltas& deltas,
               absl::string_view ws, const Calendar& calendar, FactKind kind,
               absl::string_view id, const std::vector<FactRow>& rows,
               int sign) {
  const bool entities = !SchemaOf(kind).entities.empty();
  for (size_t i = 0; i < rows.size(); ++i) {
    const FactRow& row = rows[i];
    DayNumber day = calendar.DayOf(absl::FromUnixMicros(row.time_us));
    std::vector<int64_t> delta = row.counters;
    for (int64_t& d : delta) d *= sign;
    deltas.Add(TotalsKey(ws, kind, day, row), delta);
    if (entities) deltas.Add(EntityKey(ws, kind, day, row), delta);
    std::string key = TimeIndexKey(ws, kind, id, static_cast<uint32_t>(i), row);
    if (sign > 0) {
      batch.Put(ColumnFamily::kIndex, std::move(key), EncodeRow(row));
    } else {
      batch.Delete(ColumnFamily::kIndex, std::move(key));
    }
  }
}

void RekeyRows(storage::WriteBatch& batch, RollupDeltas& deltas,
               absl::string_view ws, const Calendar& calendar, FactKind kind,
               absl::string_view id, const std::vector<FactRow>& rows,
               absl::string_view new_id, const std::vector<FactRow>& new_rows) {
  const bool entities = !SchemaOf(kind).entities.empty();
  for (size_t i = 0; i < rows.size(); ++i) {
    DayNumber day = calendar.DayOf(absl::FromUnixMicros(rows[i].time_us));
    if (entities) {
      batch.Delete(ColumnFamily::kRollups, EntityKey(ws, kind, day, rows[i]));
    }
    batch.Delete(ColumnFamily::kIndex,
                 TimeIndexKey(ws, kind, id, static_cast<uint32_t>(i), rows[i]));
  }
  for (size_t i = 0; i < new_rows.size(); ++i) {
    const FactRow& row = new_rows[i];
    DayNumber day = calendar.DayOf(absl::FromUnixMicros(row.time_us));
    if (entities) deltas.Add(EntityKey(ws, kind, day, row), row.counters);
    batch.Put(ColumnFamily::kIndex,
              TimeIndexKey(ws, kind, new_id, static_cast<uint32_t>(i), row),
              EncodeRow(row));
  }
}

absl::Status ScanRecordRows(const storage::ReadView& view, absl::string_view ws,
                            FactKind kind, RecordRowVisitor visit) {
  const std::string prefix = TimeIndexPrefix(ws, kind).key();
  const FactSchema& schema = SchemaOf(kind);
  absl::Status status;
  RETURN_IF_ERROR(view.ScanPrefix(
      ColumnFamily::kIndex, prefix,
      [&](absl::string_view key, absl::string_view value) {
        KeyDecoder in(key.substr(prefix.size()));
        absl::StatusOr<int64_t> time = in.I64();
        absl::StatusOr<std::string> id =
            time.ok() ? in.Str() : absl::StatusOr<std::string>(time.status());
        if (!id.ok()) {
          status = errors::DataLoss("unreadable fact row key");
          return false;
        }
        FactRow row;
        status = DecodeRow(schema, value, row);
        if (!status.ok()) return false;
        row.time_us = *time;
        visit(*id, row);
        return true;
      }));
  return status;
}

absl::Status ScanRows(const storage::ReadView& view, absl::string_view ws,
                      const Calendar& calendar, FactKind kind, bool entities,
                      absl::Time from, absl::Time to, RowVisitor visit) {
  const FactSchema& schema = SchemaOf(kind);
  if (to <= from) return absl::OkStatus();
  DayNumber end_day = calendar.DayOf(to);
  bool to_aligned = calendar.DayStart(end_day) == to;
  DayNumber first_day = std::numeric_limits<DayNumber>::min();
  bool from_aligned = true;
  if (from != absl::InfinitePast()) {
    first_day = calendar.DayOf(from);
    from_aligned = calendar.DayStart(first_day) == from;
    if (!from_aligned) ++first_day;
  }
  if (first_day >= end_day) {
    // Within one local day: exact rows only.
    return ScanTimeIndex(view, ws, schema, from, to, calendar, visit);
  }
  if (!from_aligned) {
    RETURN_IF_ERROR(ScanTimeIndex(
        view, ws, schema, from, calendar.DayStart(first_day), calendar, visit));
  }
  RETURN_IF_ERROR(ScanRollup(view, ws, schema, entities, first_day, end_day,
                             calendar, visit));
  if (!to_aligned) {
    RETURN_IF_ERROR(ScanTimeIndex(view, ws, schema, calendar.DayStart(end_day),
                                  to, calendar, visit));
  }
  return absl::OkStatus();
}

}  // namespace mittari::domain::kpi
