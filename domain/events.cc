#include "domain/events.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "google/protobuf/util/message_differencer.h"
#include "storage/counters.h"

namespace mittari::domain {
namespace {

using storage::ColumnFamily;

constexpr size_t kMaxName = 200;
constexpr size_t kMaxLabel = 128;
constexpr int kMaxWindowDays = 3660;
// Minutes one attendee attends: about 69 days.
constexpr int64_t kMaxMinutesAttended = 100'000;

const std::set<std::string>& Kinds() {
  static const auto* k = new std::set<std::string>{
      "webinar", "seminar", "trade_fair", "conference", "workshop", "other"};
  return *k;
}
const std::set<std::string>& CostCategories() {
  static const auto* k = new std::set<std::string>{
      "venue", "marketing", "materials", "staff", "other"};
  return *k;
}
const std::set<std::string>& RevenueCategories() {
  static const auto* k =
      new std::set<std::string>{"tickets", "sponsorship", "sales", "other"};
  return *k;
}
const std::set<std::string>& SignalKinds() {
  static const auto* k = new std::set<std::string>{
      "lead", "mention", "share", "question", "poll_answer", "chat_message"};
  return *k;
}

void OneOf(Violations& v, absl::string_view field, const std::string& value,
           const std::set<std::string>& allowed) {
  if (!allowed.contains(value)) {
    v.Add(field, absl::StrCat("'", value, "' is not one of ",
                              absl::StrJoin(allowed, ", ")));
  }
}

void Validate(const records::Event& e, Violations& v) {
  v.Id("event_id", e.id());
  v.Required("event.display_name", e.display_name());
  v.MaxLength("event.display_name", e.display_name(), kMaxName);
  OneOf(v, "event.kind", e.kind(), Kinds());
  if (!e.format().empty() && e.format() != "online" &&
      e.format() != "on_site") {
    v.Add("event.format", "is neither online nor on_site");
  }
  v.MaxLength("event.series", e.series(), kMaxLabel);
  if (e.start_time_us() == 0) v.Add("event.start_time", "is required");
  v.TimeInRange("event.start_time", e.start_time_us());
  v.TimeInRange("event.end_time", e.end_time_us());
  if (e.end_time_us() != 0 && e.end_time_us() < e.start_time_us()) {
    v.Add("event.end_time", "is before start_time");
  }
  v.Between("event.budget", e.budget(), 0, kMaxMinorUnits);
  const records::EventGoals& g = e.goals();
  if (g.has_attendance_rate() &&
      !(g.attendance_rate() > 0 && g.attendance_rate() <= 100)) {
    v.Add("event.goals.attendance_rate", "must be above 0 and at most 100");
  }
  if (g.has_registrations()) {
    v.Between("event.goals.registrations", g.registrations(), 1, kMaxCount);
  }
  if (g.has_attendees()) {
    v.Between("event.goals.attendees", g.attendees(), 1, kMaxCount);
  }
  if (g.has_conversions()) {
    v.Between("event.goals.conversions", g.conversions(), 1, kMaxCount);
  }
  if (g.has_revenue()) {
    v.Between("event.goals.revenue", g.revenue(), 1, kMaxMinorUnits);
  }
  if (g.has_nps() && (g.nps() < -100 || g.nps() > 100)) {
    v.Add("event.goals.nps", "must be between -100 and 100");
  }
}

std::string EventName(absl::string_view ws, absl::string_view id) {
  return absl::StrCat("workspaces/", ws, "/events/", id);
}

std::optional<double> Div(double a, double b) {
  if (b == 0) return std::nullopt;
  return a / b;
}

}  // namespace

const std::vector<std::string>& EventKpiNames() {
  static const auto* names =
      new std::vector<std::string>{"budget",
                                   "registrations",
                                   "attendees",
                                   "attendance_rate",
                                   "conversions",
                                   "conversion_rate",
                                   "cost",
                                   "revenue",
                                   "roi",
                                   "cost_per_attendee",
                                   "cost_per_registration",
                                   "cost_per_conversion",
                                   "cost_per_lead",
                                   "revenue_per_attendee",
                                   "avg_minutes_attended",
                                   "leads",
                                   "social_reach",
                                   "nps"};
  return *names;
}

std::optional<double> EventKpi(const EventReport& r, absl::string_view name) {
  auto d = [](int64_t v) {
    return std::optional<double>(static_cast<double>(v));
  };
  if (name == "budget") return d(r.event.budget());
  if (name == "registrations") return d(r.registrations);
  if (name == "attendees") return d(r.attendees);
  if (name == "attendance_rate") return r.attendance_rate;
  if (name == "conversions") return d(r.conversions);
  if (name == "conversion_rate") return r.conversion_rate;
  if (name == "cost") return d(r.cost);
  if (name == "revenue") return d(r.revenue);
  if (name == "roi") return r.roi;
  if (name == "cost_per_attendee") return r.cost_per_attendee;
  if (name == "cost_per_registration") return r.cost_per_registration;
  if (name == "cost_per_conversion") return r.cost_per_conversion;
  if (name == "cost_per_lead") return r.cost_per_lead;
  if (name == "revenue_per_attendee") return r.revenue_per_attendee;
  if (name == "avg_minutes_attended") return r.avg_minutes_attended;
  if (name == "leads") return d(r.leads);
  if (name == "social_reach") return d(r.social_reach);
  if (name == "nps") return r.nps;
  return std::nullopt;
}

absl::StatusOr<records::Event> Events::Create(absl::string_view ws,
                                              records::Event event) {
  Violations v;
  Validate(event, v);
  RETURN_IF_ERROR(v.ToStatus());
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(
      table_.Insert(ws, event, clock_.Now(), EventName(ws, event.id())));
  return event;
}

absl::StatusOr<records::Event> Events::Get(absl::string_view ws,
                                           absl::string_view id) const {
  return table_.Get(ws, id, EventName(ws, id));
}

absl::StatusOr<Page<records::Event>> Events::List(absl::string_view ws,
                                                  absl::string_view after,
                                                  int limit,
                                                  const EventFilter& f) const {
  return table_.List(ws, after, limit, [&](const records::Event& e) {
    absl::Time start = absl::FromUnixMicros(e.start_time_us());
    return (f.kind.empty() || e.kind() == f.kind) &&
           (f.series.empty() || e.series() == f.series) &&
           (!f.from || start >= *f.from) && (!f.to || start < *f.to);
  });
}

absl::StatusOr<ImportCounts> Events::Import(
    absl::string_view ws, std::vector<records::Event> events) {
  ImportCounts counts;
  counts.received = static_cast<int64_t>(events.size());
  absl::MutexLock lock(&mu_);
  Violations all;
  storage::WriteBatch batch;
  std::set<std::string> ids;
  int64_t now = absl::ToUnixMicros(clock_.Now());
  for (size_t i = 0; i < events.size(); ++i) {
    records::Event& e = events[i];
    Violations v(absl::StrCat("events[", i, "]."));
    Validate(e, v);
    if (!ids.insert(e.id()).second) {
      v.Add("event_id", "is repeated in the import");
    }
    all.Merge(v.ToStatus());
    if (!v.empty()) continue;
    ASSIGN_OR_RETURN(std::optional<records::Event> existing,
                     table_.Find(ws, e.id()));
    if (existing.has_value() && SameContent(*existing, e)) {
      ++counts.unchanged;
      continue;
    }
    (existing.has_value() ? counts.updated : counts.created)++;
    e.set_create_time_us(existing.has_value() ? existing->create_time_us()
                                              : now);
    e.set_update_time_us(now);
    table_.Put(batch, ws, e);
  }
  RETURN_IF_ERROR(all.ToStatus());
  if (!batch.empty()) RETURN_IF_ERROR(store_.Write(batch));
  return counts;
}

namespace {

// What an add-only write may change in a stored record: nothing, unless
// `may_add` (old, new) says so.
template <typename Record>
struct AddOnly {
  WriteMode mode = WriteMode::kCreateOrReplace;
  std::function<bool(const Record&, const Record&)> may_add;
  // The resource name of a record, for ALREADY_EXISTS.
  std::function<std::string(const Record&)> name;
};

// Create-or-replace of per-event facts keyed by (event, id), all or
// nothing. `check` validates one record (its event is known to exist);
// `id` gives its key within the event; `index` adds other writes.
template <typename Record>
absl::StatusOr<ImportCounts> Upsert(
    storage::Store& store, const CatalogTable<records::Event>& events,
    absl::string_view ws, keys::WorkspaceTag tag, std::vector<Record>& records,
    absl::string_view list_field,
    const std::function<std::string(const Record&)>& id,
    const std::function<absl::Status(Record&, const records::Event&,
                                     Violations&)>& check,
    const std::function<void(storage::WriteBatch&, const Record*,
                             const Record&)>& index,
    const AddOnly<Record>& add_only = {},
    storage::WriteBatch* staged = nullptr) {
  ImportCounts counts;
  counts.received = static_cast<int64_t>(records.size());
  Violations all;
  storage::WriteBatch batch;
  std::map<std::string, std::optional<records::Event>> known;
  std::map<std::string, Record> latest;
  for (size_t i = 0; i < records.size(); ++i) {
    Record& r = records[i];
    Violations v(list_field.empty() ? ""
                                    : absl::StrCat(list_field, "[", i, "]."));
    auto it = known.find(r.event_id());
    if (it == known.end()) {
      ASSIGN_OR_RETURN(std::optional<records::Event> e,
                       events.Find(ws, r.event_id()));
      it = known.emplace(r.event_id(), std::move(e)).first;
    }
    if (!it->second.has_value()) {
      v.Add("event_id",
            absl::StrCat("no event '", r.event_id(), "' in this workspace"));
    } else {
      RETURN_IF_ERROR(check(r, *it->second, v));
    }
    all.Merge(v.ToStatus());
    if (!v.empty()) continue;
    std::string key = keys::EventFact(ws, tag, r.event_id(), id(r));
    std::optional<Record> old;
    if (auto l = latest.find(key); l != latest.end()) {
      old = l->second;
    } else {
      ASSIGN_OR_RETURN(std::optional<std::string> value,
                       store.Get(ColumnFamily::kFacts, key));
      if (value.has_value()) {
        old.emplace();
        if (!old->ParseFromString(*value)) {
          return errors::DataLoss("unreadable event fact");
        }
      }
    }
    if (old.has_value() &&
        google::protobuf::util::MessageDifferencer::Equals(*old, r)) {
      ++counts.unchanged;
      continue;
    }
    if (old.has_value() && add_only.mode == WriteMode::kAddOnly &&
        !(add_only.may_add && add_only.may_add(*old, r))) {
      return errors::AlreadyExists(
          add_only.name(r),
          absl::StrCat(v.prefix(), "names a record stored with other content"));
    }
    (old.has_value() ? counts.updated : counts.created)++;
    batch.Put(ColumnFamily::kFacts, key, r.SerializeAsString());
    index(batch, old.has_value() ? &*old : nullptr, r);
    latest[key] = r;
  }
  RETURN_IF_ERROR(all.ToStatus());
  if (staged != nullptr) {
    staged->Append(batch);
  } else if (!batch.empty()) {
    RETURN_IF_ERROR(store.Write(batch));
  }
  return counts;
}

template <typename Record>
absl::StatusOr<std::vector<Record>> ScanEventFacts(const storage::Store& store,
                                                   absl::string_view ws,
                                                   keys::WorkspaceTag tag,
                                                   absl::string_view event_id) {
  std::vector<Record> out;
  absl::Status status;
  RETURN_IF_ERROR(store.ScanPrefix(
      ColumnFamily::kFacts, keys::EventFactPrefix(ws, tag, event_id),
      [&](absl::string_view, absl::string_view value) {
        Record r;
        if (!r.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          status = errors::DataLoss("unreadable event fact");
          return false;
        }
        out.push_back(std::move(r));
        return true;
      }));
  RETURN_IF_ERROR(status);
  return out;
}

// The one change an add-only write may make to a registration.
bool IsFirstCheckIn(const records::Registration& old,
                    const records::Registration& r) {
  if (old.attended() || !r.attended()) return false;
  records::Registration without = r;
  without.set_attended(false);
  without.clear_check_in_time_us();
  without.clear_minutes_attended();
  return google::protobuf::util::MessageDifferencer::Equals(old, without);
}

}  // namespace

std::string RegistrationName(absl::string_view ws, absl::string_view event_id,
                             absl::string_view customer_id) {
  return absl::StrCat("workspaces/", ws, "/events/", event_id,
                      "/registrations/", customer_id);
}

absl::StatusOr<ImportCounts> Events::RecordLines(
    absl::string_view ws, std::vector<records::EventLine> lines,
    absl::string_view list_field) {
  absl::MutexLock lock(&mu_);
  return Upsert<records::EventLine>(
      store_, table_, ws, keys::WorkspaceTag::kEventLine, lines, list_field,
      [](const records::EventLine& l) { return l.id(); },
      [](records::EventLine& l, const records::Event&, Violations& v) {
        v.Id("line_id", l.id());
        OneOf(v, "category", l.category(),
              l.revenue() ? RevenueCategories() : CostCategories());
        v.Between("amount", l.amount(), 0, kMaxMinorUnits);
        return absl::OkStatus();
      },
      [](storage::WriteBatch&, const records::EventLine*,
         const records::EventLine&) {});
}

absl::StatusOr<ImportCounts> Events::RecordRegistrations(
    absl::string_view ws, std::vector<records::Registration> registrations,
    absl::string_view list_field, WriteMode mode) {
  // From checking the customers until the write: no erasure in between.
  absl::ReaderMutexLock gate(&customers_.erasure_gate(ws).mutex());
  absl::MutexLock lock(&mu_);
  return UpsertRegistrations(ws, registrations, list_field, mode, nullptr);
}

void Events::RecordRegistrationAsync(
    absl::string_view ws, records::Registration registration, WriteMode mode,
    std::function<void(absl::StatusOr<ImportCounts>)> done) {
  PendingRegistration pending{std::string(ws), std::move(registration), mode,
                              std::move(done)};
  if (!committer_.Enqueue(pending)) {
    // Back-pressure: the committer is this far behind the disk.
    pending.done(QueueFull("registrations"));
  }
}

void Events::CommitGroup(std::vector<PendingRegistration>& group) {
  std::vector<absl::StatusOr<ImportCounts>> results(
      group.size(), absl::InternalError("not stored"));
  std::set<absl::string_view> workspaces;
  for (const PendingRegistration& p : group) workspaces.insert(p.ws);
  std::vector<std::unique_ptr<absl::ReaderMutexLock>> gates;
  gates.reserve(workspaces.size());
  for (absl::string_view ws : workspaces) {
    gates.push_back(std::make_unique<absl::ReaderMutexLock>(
        &customers_.erasure_gate(ws).mutex()));
  }
  absl::MutexLock lock(&mu_);
  // A second write of one registration in the group reads the first.
  GroupPart<ImportCounts> part(store_, results);
  for (size_t i = 0; i < group.size(); ++i) {
    PendingRegistration& p = group[i];
    std::vector<std::string> keys = {
        RegistrationName(p.ws, p.record.event_id(), p.record.customer_id())};
    if (part.Touches(keys)) part.Write();
    std::vector<records::Registration> one = {p.record};
    results[i] = UpsertRegistrations(p.ws, one, "", p.mode, &part.batch());
    if (results[i].ok()) part.Stage(i, keys);
  }
  part.Write();
  for (size_t i = 0; i < group.size(); ++i) {
    group[i].done(std::move(results[i]));
  }
}

absl::StatusOr<ImportCounts> Events::UpsertRegistrations(
    absl::string_view ws, std::vector<records::Registration>& registrations,
    absl::string_view list_field, WriteMode mode, storage::WriteBatch* staged) {
  int64_t now = absl::ToUnixMicros(clock_.Now());
  return Upsert<records::Registration>(
      store_, table_, ws, keys::WorkspaceTag::kRegistration, registrations,
      list_field,
      [](const records::Registration& r) { return r.customer_id(); },
      [&](records::Registration& r, const records::Event& e,
          Violations& v) -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<records::Customer> c,
                         customers_.Find(store_, ws, r.customer_id()));
        if (!c.has_value()) {
          v.Add("customer_id", NoSuchCustomer(r.customer_id()));
        }
        if (r.register_time_us() >
            now + absl::ToInt64Microseconds(kMaxFutureSkew)) {
          v.Add("register_time", "is in the future");
        }
        if (r.check_in_time_us() != 0) {
          if (!r.attended()) {
            v.Add("check_in_time", "needs attended");
          } else if (r.check_in_time_us() < e.start_time_us()) {
            v.Add("check_in_time", "is before the event opens");
          }
        }
        v.TimeInRange("register_time", r.register_time_us());
        v.TimeInRange("check_in_time", r.check_in_time_us());
        v.Between("minutes_attended", r.minutes_attended(), 0,
                  kMaxMinutesAttended);
        if (r.minutes_attended() > 0 && !r.attended()) {
          v.Add("minutes_attended", "needs attended");
        }
        if (r.converted() && !r.attended()) {
          v.Add("converted", "a conversion is attributed to an attendee");
        }
        return absl::OkStatus();
      },
      [&](storage::WriteBatch& batch, const records::Registration*,
          const records::Registration& r) {
        batch.Put(
            ColumnFamily::kIndex,
            keys::OfCustomer(ws, r.customer_id(),
                             keys::WorkspaceTag::kRegistration, r.event_id()),
            "");
      },
      AddOnly<records::Registration>{mode, IsFirstCheckIn,
                                     [ws](const records::Registration& r) {
                                       return RegistrationName(ws, r.event_id(),
                                                               r.customer_id());
                                     }},
      staged);
}

absl::StatusOr<ImportCounts> Events::RecordSignals(
    absl::string_view ws, std::vector<records::EventSignal> signals,
    absl::string_view list_field) {
  absl::MutexLock lock(&mu_);
  return Upsert<records::EventSignal>(
      store_, table_, ws, keys::WorkspaceTag::kEventSignal, signals, list_field,
      [](const records::EventSignal& s) { return s.id(); },
      [](records::EventSignal& s, const records::Event&, Violations& v) {
        v.Id("signal_id", s.id());
        OneOf(v, "kind", s.kind(), SignalKinds());
        v.Between("count", s.count(), 0, kMaxCount);
        v.TimeInRange("time", s.time_us());
        return absl::OkStatus();
      },
      [](storage::WriteBatch&, const records::EventSignal*,
         const records::EventSignal&) {});
}

absl::StatusOr<std::vector<records::Registration>> Events::Registrations(
    absl::string_view ws, absl::string_view event_id) const {
  return ScanEventFacts<records::Registration>(
      store_, ws, keys::WorkspaceTag::kRegistration, event_id);
}

absl::StatusOr<std::vector<records::EventLine>> Events::Lines(
    absl::string_view ws, absl::string_view event_id) const {
  return ScanEventFacts<records::EventLine>(
      store_, ws, keys::WorkspaceTag::kEventLine, event_id);
}

absl::StatusOr<std::vector<records::Registration>> Events::RegistrationsOf(
    absl::string_view ws, absl::string_view customer_id) const {
  ASSIGN_OR_RETURN(std::vector<std::string> events,
                   IdsOfCustomer(store_, ws, customer_id,
                                 keys::WorkspaceTag::kRegistration));
  std::vector<records::Registration> out;
  for (const std::string& e : events) {
    ASSIGN_OR_RETURN(
        std::optional<std::string> value,
        store_.Get(ColumnFamily::kFacts,
                   keys::EventFact(ws, keys::WorkspaceTag::kRegistration, e,
                                   customer_id)));
    if (!value.has_value()) continue;
    records::Registration r;
    if (!r.ParseFromString(*value)) {
      return errors::DataLoss("unreadable registration");
    }
    out.push_back(std::move(r));
  }
  return out;
}

absl::Status Events::AddAnonymization(storage::WriteBatch& batch,
                                      absl::string_view ws,
                                      absl::string_view customer_id,
                                      absl::string_view token) const {
  ASSIGN_OR_RETURN(std::vector<records::Registration> registrations,
                   RegistrationsOf(ws, customer_id));
  for (records::Registration r : registrations) {
    batch.Delete(ColumnFamily::kFacts,
                 keys::EventFact(ws, keys::WorkspaceTag::kRegistration,
                                 r.event_id(), customer_id));
    batch.Delete(
        ColumnFamily::kIndex,
        keys::OfCustomer(ws, customer_id, keys::WorkspaceTag::kRegistration,
                         r.event_id()));
    r.set_customer_id(std::string(token));
    batch.Put(ColumnFamily::kFacts,
              keys::EventFact(ws, keys::WorkspaceTag::kRegistration,
                              r.event_id(), token),
              r.SerializeAsString());
    batch.Put(ColumnFamily::kIndex,
              keys::OfCustomer(ws, token, keys::WorkspaceTag::kRegistration,
                               r.event_id()),
              "");
  }
  return absl::OkStatus();
}

absl::StatusOr<EventReport> Events::Report(absl::string_view ws,
                                           absl::string_view id,
                                           int window_days) const {
  ASSIGN_OR_RETURN(records::Event event, Get(ws, id));
  return ReportOf(ws, event, window_days);
}

absl::StatusOr<EventReport> Events::ReportOf(absl::string_view ws,
                                             const records::Event& e,
                                             int window_days) const {
  if (window_days == 0) window_days = 90;
  if (window_days < 0 || window_days > kMaxWindowDays) {
    return errors::InvalidArgument("window_days", "must be 1 to 3660");
  }
  EventReport r;
  r.event = e;
  r.window_days = window_days;
  absl::Time now = clock_.Now();
  absl::Time start = absl::FromUnixMicros(e.start_time_us());
  absl::Time end =
      e.end_time_us() != 0 ? absl::FromUnixMicros(e.end_time_us()) : start;
  r.live = now >= start && now < end;

  ASSIGN_OR_RETURN(std::vector<records::Registration> registrations,
                   Registrations(ws, e.id()));
  int64_t minutes = 0;
  std::vector<std::string> attendees;
  for (const records::Registration& g : registrations) {
    ++r.registrations;
    if (!g.attended()) continue;
    ++r.attendees;
    attendees.push_back(g.customer_id());
    minutes += g.minutes_attended();
    if (g.converted()) ++r.conversions;
  }
  ASSIGN_OR_RETURN(std::vector<records::EventLine> lines,
                   ScanEventFacts<records::EventLine>(
                       store_, ws, keys::WorkspaceTag::kEventLine, e.id()));
  for (const records::EventLine& l : lines) {
    // Money sums saturate rather than wrap (storage/counters.h).
    storage::AddSaturating(l.revenue() ? r.revenue : r.cost, l.amount());
    storage::AddSaturating((l.revenue() ? r.revenue_by_category
                                        : r.cost_by_category)[l.category()],
                           l.amount());
  }
  ASSIGN_OR_RETURN(std::vector<records::EventSignal> signals,
                   ScanEventFacts<records::EventSignal>(
                       store_, ws, keys::WorkspaceTag::kEventSignal, e.id()));
  for (const records::EventSignal& s : signals) {
    if (s.kind() == "lead") r.leads += s.count();
    if (s.kind() == "mention" || s.kind() == "share")
      r.social_reach += s.count();
    if (s.kind() == "question") r.questions += s.count();
    if (s.kind() == "poll_answer") r.poll_answers += s.count();
    if (s.kind() == "chat_message") r.chat_messages += s.count();
  }
  auto regs = static_cast<double>(r.registrations);
  auto att = static_cast<double>(r.attendees);
  auto cost = static_cast<double>(r.cost);
  auto rev = static_cast<double>(r.revenue);
  r.attendance_rate = Div(100 * att, regs);
  r.conversion_rate = Div(100.0 * static_cast<double>(r.conversions), att);
  r.roi = Div(100 * (rev - cost), cost);
  r.cost_per_attendee = Div(cost, att);
  r.cost_per_registration = Div(cost, regs);
  r.cost_per_conversion = Div(cost, static_cast<double>(r.conversions));
  r.cost_per_lead = Div(cost, static_cast<double>(r.leads));
  r.revenue_per_attendee = Div(rev, att);
  r.avg_minutes_attended = Div(static_cast<double>(minutes), att);

  // Event NPS and CSAT: the survey metrics over this event's responses.
  for (const char* metric : {"nps", "csat"}) {
    kpi::MetricQuery q;
    q.metric = metric;
    q.filters["event"] = e.id();
    q.from = start - absl::Hours(24 * 366);
    q.to = std::max(now, end) + absl::Hours(24);
    ASSIGN_OR_RETURN(std::vector<kpi::MetricPoint> points,
                     survey_metrics_.Query(ws, q));
    if (points.empty()) continue;
    const kpi::Estimate& est = points[0].estimate;
    (std::string(metric) == "nps" ? r.nps : r.csat) = est.value;
    (std::string(metric) == "nps" ? r.nps_n : r.csat_n) = est.n;
  }

  const records::EventGoals& g = e.goals();
  auto goal = [&](const char* name, bool has, double target,
                  std::optional<double> actual) {
    if (!has) return;
    EventReport::Goal out;
    out.goal = name;
    out.target = target;
    out.actual = actual;
    if (actual) {
      out.pct = 100 * *actual / target;
      out.met = *actual >= target;
    }
    r.goals.push_back(out);
  };
  goal("registrations", g.has_registrations(),
       static_cast<double>(g.registrations()), regs);
  goal("attendees", g.has_attendees(), static_cast<double>(g.attendees()), att);
  goal("attendance_rate", g.has_attendance_rate(), g.attendance_rate(),
       r.attendance_rate);
  goal("conversions", g.has_conversions(), static_cast<double>(g.conversions()),
       static_cast<double>(r.conversions));
  goal("revenue", g.has_revenue(), static_cast<double>(g.revenue()), rev);
  goal("nps", g.has_nps(), g.nps(), r.nps);
  if (g.has_registrations()) {
    r.registration_goal_pct =
        100 * regs / static_cast<double>(g.registrations());
  }
  if (g.has_attendance_rate() && r.attendance_rate) {
    r.attendance_goal_met = *r.attendance_rate >= g.attendance_rate();
  }

  // The attendees' purchases before the start and after the end.
  int64_t window = absl::ToInt64Microseconds(absl::Hours(24 * window_days));
  ASSIGN_OR_RETURN(std::vector<records::Purchase> purchases,
                   purchases_.OfCustomers(ws, attendees));
  const int64_t end_us = absl::ToUnixMicros(end);
  for (const records::Purchase& p : purchases) {
    int64_t t = p.occur_time_us();
    bool order = p.amount() > 0;
    if (t >= e.start_time_us() - window && t < e.start_time_us()) {
      r.purchases_before += order ? 1 : 0;
      storage::AddSaturating(r.revenue_before, p.amount());
    }
    if (t >= end_us && t < end_us + window) {
      r.purchases_after += order ? 1 : 0;
      storage::AddSaturating(r.revenue_after, p.amount());
    }
  }
  return r;
}

absl::StatusOr<std::vector<EventComparisonRow>> Events::Compare(
    absl::string_view ws, const EventFilter& filter, absl::string_view sort_by,
    bool descending) const {
  const std::vector<std::string>& names = EventKpiNames();
  if (!sort_by.empty() &&
      std::find(names.begin(), names.end(), sort_by) == names.end()) {
    return errors::InvalidArgument(
        "sort_by", absl::StrCat("'", sort_by, "' is not one of ",
                                absl::StrJoin(names, ", ")));
  }
  ASSIGN_OR_RETURN(Page<records::Event> all,
                   List(ws, "", std::numeric_limits<int>::max(), {}));
  // Every event's report: the filtered ones are shown, and each series'
  // earlier events are their baseline.
  std::vector<EventReport> reports;
  for (const records::Event& e : all.items) {
    ASSIGN_OR_RETURN(EventReport r, ReportOf(ws, e, 90));
    reports.push_back(std::move(r));
  }
  std::vector<EventComparisonRow> rows;
  for (const EventReport& r : reports) {
    const records::Event& e = r.event;
    absl::Time start = absl::FromUnixMicros(e.start_time_us());
    if ((!filter.kind.empty() && e.kind() != filter.kind) ||
        (!filter.series.empty() && e.series() != filter.series) ||
        (filter.from && start < *filter.from) ||
        (filter.to && start >= *filter.to)) {
      continue;
    }
    EventComparisonRow row;
    row.report = r;
    if (!e.series().empty()) {
      for (const std::string& kpi : names) {
        double sum = 0;
        int n = 0;
        for (const EventReport& other : reports) {
          if (other.event.series() != e.series() ||
              other.event.start_time_us() >= e.start_time_us()) {
            continue;
          }
          if (std::optional<double> v = EventKpi(other, kpi)) {
            sum += *v;
            ++n;
          }
        }
        if (n == 0) continue;
        row.series_mean[kpi] = sum / n;
        if (std::optional<double> v = EventKpi(r, kpi)) {
          row.vs_series[kpi] = *v - sum / n;
        }
      }
    }
    rows.push_back(std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
    if (sort_by.empty()) {
      return a.report.event.start_time_us() < b.report.event.start_time_us();
    }
    std::optional<double> x = EventKpi(a.report, sort_by);
    std::optional<double> y = EventKpi(b.report, sort_by);
    if (!x || !y) return x.has_value() && !y.has_value();  // absent last
    return descending ? *x > *y : *x < *y;
  });
  return rows;
}

}  // namespace mittari::domain
