#include "domain/workspace_export.h"

#include <map>
#include <set>

#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/kpi/facts.h"

namespace mittari::domain {
namespace {

// Pages through `list(after, limit)` (a Page<Record>), handing each record
// to `add`.
template <typename Record, typename List, typename Add>
absl::Status EachPage(List list, Add add) {
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(Page<Record> page, list(after, 1000));
    for (Record& r : page.items) RETURN_IF_ERROR(add(std::move(r)));
    if (page.next_after.empty()) return absl::OkStatus();
    after = page.next_after;
  }
}

// Collects records into chunks of `size`, emitting each full one.
class Chunker {
 public:
  Chunker(size_t size, const std::function<bool(const ExportChunk&)>& emit)
      : size_(size), emit_(emit) {}

  void Start(ExportKind kind) {
    chunk_ = ExportChunk();
    chunk_.kind = kind;
    count_ = 0;
  }
  template <typename Record>
  absl::Status Add(std::vector<Record> ExportChunk::*field, Record r) {
    (chunk_.*field).push_back(std::move(r));
    return ++count_ == size_ ? Flush() : absl::OkStatus();
  }
  absl::Status Flush() {
    if (count_ == 0) return absl::OkStatus();
    if (!emit_(chunk_)) return errors::Cancelled("the export was stopped");
    Start(chunk_.kind);
    return absl::OkStatus();
  }

 private:
  const size_t size_;
  const std::function<bool(const ExportChunk&)>& emit_;
  ExportChunk chunk_;
  size_t count_ = 0;
};

}  // namespace

absl::string_view ExportKindName(ExportKind kind) {
  switch (kind) {
    case ExportKind::kCustomers:
      return "customers";
    case ExportKind::kSurveys:
      return "surveys";
    case ExportKind::kEvents:
      return "events";
    case ExportKind::kEventCosts:
      return "event_costs";
    case ExportKind::kEventRevenues:
      return "event_revenues";
    case ExportKind::kRegistrations:
      return "registrations";
    case ExportKind::kResponses:
      return "responses";
    case ExportKind::kPurchases:
      return "purchases";
    case ExportKind::kSessions:
      return "sessions";
    case ExportKind::kTickets:
      return "tickets";
  }
  return "";
}

absl::Status WorkspaceExport::Run(
    absl::string_view ws, size_t chunk,
    const std::function<bool(const ExportChunk&)>& emit) const {
  Chunker out(chunk, emit);

  // Customers, then the pseudonymous ones: the ids of the lifecycle facts
  // that name no stored customer, with the dimensions and intervals of
  // their rows.
  out.Start(ExportKind::kCustomers);
  std::set<std::string> stored;
  RETURN_IF_ERROR(EachPage<records::Customer>(
      [&](absl::string_view after, int limit) {
        return s_.customers.List(ws, after, limit, CustomerFilter());
      },
      [&](records::Customer c) {
        stored.insert(c.id());
        return out.Add(&ExportChunk::customers, std::move(c));
      }));
  std::map<std::string, records::Customer> anonymous;
  RETURN_IF_ERROR(kpi::ScanRecordRows(
      s_.store, ws, kpi::FactKind::kLifecycle,
      [&](absl::string_view id, const kpi::FactRow& row) {
        if (stored.contains(std::string(id))) return;
        records::Customer& c = anonymous[std::string(id)];
        c.set_id(std::string(id));
        c.set_segment(row.dims[0]);
        c.set_region(row.dims[1]);
        c.set_customer_type(row.dims[2]);
        // Rows come in time order: an acquisition opens an interval, a
        // churn closes it; a closed interval before a new acquisition is
        // a past one.
        if (row.counters[kpi::lifecycle::kAcquired] > 0) {
          if (c.acquire_time_us() != 0) {
            records::Interval* past = c.add_past_intervals();
            past->set_acquire_time_us(c.acquire_time_us());
            past->set_churn_time_us(c.churn_time_us());
          }
          c.set_acquire_time_us(row.time_us);
          c.clear_churn_time_us();
        }
        if (row.counters[kpi::lifecycle::kChurned] > 0) {
          c.set_churn_time_us(row.time_us);
        }
      }));
  for (auto& [id, c] : anonymous) {
    RETURN_IF_ERROR(out.Add(&ExportChunk::customers, std::move(c)));
  }
  RETURN_IF_ERROR(out.Flush());

  out.Start(ExportKind::kSurveys);
  RETURN_IF_ERROR(EachPage<records::Survey>(
      [&](absl::string_view after, int limit) {
        return s_.surveys.List(ws, after, limit, 0, true);
      },
      [&](records::Survey s) {
        return out.Add(&ExportChunk::surveys, std::move(s));
      }));
  RETURN_IF_ERROR(out.Flush());

  out.Start(ExportKind::kEvents);
  std::vector<std::string> events;
  RETURN_IF_ERROR(EachPage<records::Event>(
      [&](absl::string_view after, int limit) {
        return s_.events.List(ws, after, limit, EventFilter());
      },
      [&](records::Event e) {
        events.push_back(e.id());
        return out.Add(&ExportChunk::events, std::move(e));
      }));
  RETURN_IF_ERROR(out.Flush());
  for (const bool revenue : {false, true}) {
    out.Start(revenue ? ExportKind::kEventRevenues : ExportKind::kEventCosts);
    for (const std::string& id : events) {
      ASSIGN_OR_RETURN(std::vector<records::EventLine> lines,
                       s_.events.Lines(ws, id));
      for (records::EventLine& l : lines) {
        if (l.revenue() != revenue) continue;
        RETURN_IF_ERROR(out.Add(&ExportChunk::lines, std::move(l)));
      }
    }
    RETURN_IF_ERROR(out.Flush());
  }
  out.Start(ExportKind::kRegistrations);
  for (const std::string& id : events) {
    ASSIGN_OR_RETURN(std::vector<records::Registration> registrations,
                     s_.events.Registrations(ws, id));
    for (records::Registration& r : registrations) {
      RETURN_IF_ERROR(out.Add(&ExportChunk::registrations, std::move(r)));
    }
  }
  RETURN_IF_ERROR(out.Flush());

  out.Start(ExportKind::kResponses);
  RETURN_IF_ERROR(EachPage<records::Response>(
      [&](absl::string_view after, int limit) {
        return s_.responses.List(ws, ResponseFilter(), after, limit);
      },
      [&](records::Response r) {
        return out.Add(&ExportChunk::responses, std::move(r));
      }));
  RETURN_IF_ERROR(out.Flush());

  auto facts = [&](ExportKind kind, const auto& ledger, auto field) {
    out.Start(kind);
    using Record =
        typename std::remove_reference_t<decltype(ExportChunk().*
                                                  field)>::value_type;
    RETURN_IF_ERROR(EachPage<Record>(
        [&](absl::string_view after, int limit) {
          return ledger.List(ws, "", after, limit);
        },
        [&](Record r) { return out.Add(field, std::move(r)); }));
    return out.Flush();
  };
  RETURN_IF_ERROR(
      facts(ExportKind::kPurchases, s_.purchases, &ExportChunk::purchases));
  RETURN_IF_ERROR(
      facts(ExportKind::kSessions, s_.sessions, &ExportChunk::sessions));
  return facts(ExportKind::kTickets, s_.tickets, &ExportChunk::tickets);
}

}  // namespace mittari::domain
