#include "domain/activity.h"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <type_traits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"

namespace mittari::domain {
namespace {

using storage::ColumnFamily;

constexpr size_t kMaxLabel = 64;
constexpr size_t kMaxPage = 2048;
constexpr size_t kMaxKeyword = 256;
constexpr int64_t kMaxSessionSeconds = int64_t{7} * 24 * 3600;
constexpr int64_t kMaxPageViews = 1'000'000;

template <typename Record>
using Finder =
    std::function<absl::StatusOr<std::optional<Record>>(const std::string&)>;

struct CheckContext {
  const records::Workspace& workspace;
  absl::Time now;
};

// A required time that may not lie in the future.
void CheckTime(absl::string_view field, int64_t us, bool required,
               const CheckContext& ctx, Violations& v) {
  if (us == 0) {
    if (required) v.Add(field, "is required");
  } else if (us < 0 || us >= kMaxTimeUs) {
    v.TimeInRange(field, us);
  } else if (absl::FromUnixMicros(us) > ctx.now + kMaxFutureSkew) {
    v.Add(field, "is in the future");
  }
}

absl::Status CheckFields(records::Purchase& p, const CheckContext& ctx,
                         const Finder<records::Purchase>& find, Violations& v) {
  CheckTime("purchase.purchase_time", p.occur_time_us(), true, ctx, v);
  const std::string& currency = ctx.workspace.currency_code();
  if (p.currency().empty()) {
    p.set_currency(currency);
  } else if (p.currency() != currency) {
    v.Add("purchase.amount.currency_code",
          absl::StrCat("is not the workspace's currency ", currency));
  }
  v.MaxLength("purchase.channel", p.channel(), kMaxLabel);
  v.Between("purchase.amount.minor_units", p.amount(), -kMaxMinorUnits,
            kMaxMinorUnits);
  if (p.amount() >= 0) {
    if (!p.refund_of().empty()) {
      v.Add("purchase.amount", "must be negative in a refund");
    }
    return absl::OkStatus();
  }
  if (p.refund_of().empty()) {
    v.Add("purchase.amount",
          "is negative; only a refund (with refund_of) may be");
    return absl::OkStatus();
  }
  if (p.refund_of() == p.id()) {
    v.Add("purchase.refund_of", "names the refund itself");
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::optional<records::Purchase> original,
                   find(p.refund_of()));
  if (!original.has_value()) {
    v.Add("purchase.refund_of",
          absl::StrCat("no purchase '", p.refund_of(), "' in this workspace"));
  } else if (original->amount() <= 0) {
    v.Add("purchase.refund_of", "names a refund, not a purchase");
  } else if (original->customer_id() != p.customer_id()) {
    v.Add("purchase.refund_of", "is a purchase of another customer");
  } else if (-p.amount() > original->amount()) {
    v.Add("purchase.amount", "refunds more than the purchase's amount");
  }
  return absl::OkStatus();
}

template <typename Record>
absl::Status CheckRefundTotal(
    const Record& /*unused*/, const Finder<Record>& /*unused*/,
    const std::function<absl::StatusOr<int64_t>(const Record&)>& /*unused*/,
    Violations& /*unused*/) {
  return absl::OkStatus();
}

// The refunds of a purchase, this one included, may not exceed it.
absl::Status CheckRefundTotal(
    const records::Purchase& p, const Finder<records::Purchase>& find,
    const std::function<absl::StatusOr<int64_t>(const records::Purchase&)>&
        refunded_by_others,
    Violations& v) {
  if (p.amount() >= 0 || p.refund_of().empty() || !v.empty()) {
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::optional<records::Purchase> original,
                   find(p.refund_of()));
  if (!original.has_value()) return absl::OkStatus();
  ASSIGN_OR_RETURN(int64_t others, refunded_by_others(p));
  if (others - p.amount() > original->amount()) {
    v.Add("purchase.amount",
          absl::StrCat("with the earlier refunds (", others,
                       ") refunds more than the purchase's amount (",
                       original->amount(), ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckFields(records::Session& s, const CheckContext& ctx,
                         const Finder<records::Session>& /*unused*/,
                         Violations& v) {
  v.Required("session.visitor_id", s.visitor_id());
  v.MaxLength("session.visitor_id", s.visitor_id(), 128);
  CheckTime("session.start_time", s.start_time_us(), true, ctx, v);
  if (s.duration_seconds() < 0 || s.duration_seconds() > kMaxSessionSeconds) {
    v.Add("session.duration_seconds", "must be between 0 and 604800 (7 days)");
  }
  v.Between("session.page_views", s.page_views(), 0, kMaxPageViews);
  v.MaxLength("session.source", s.source(), kMaxLabel);
  v.MaxLength("session.device", s.device(), kMaxLabel);
  v.MaxLength("session.landing_page", s.landing_page(), kMaxPage);
  v.MaxLength("session.content_type", s.content_type(), kMaxLabel);
  v.MaxLength("session.keyword", s.keyword(), kMaxKeyword);
  return absl::OkStatus();
}

absl::Status CheckFields(records::Ticket& t, const CheckContext& ctx,
                         const Finder<records::Ticket>& /*unused*/,
                         Violations& v) {
  v.MaxLength("ticket.channel", t.channel(), kMaxLabel);
  CheckTime("ticket.create_time", t.open_time_us(), true, ctx, v);
  CheckTime("ticket.first_response_time", t.first_response_time_us(), false,
            ctx, v);
  CheckTime("ticket.resolve_time", t.resolve_time_us(), false, ctx, v);
  if (t.open_time_us() != 0) {
    if (t.first_response_time_us() != 0 &&
        t.first_response_time_us() < t.open_time_us()) {
      v.Add("ticket.first_response_time", "is before create_time");
    }
    if (t.resolve_time_us() != 0 && t.resolve_time_us() < t.open_time_us()) {
      v.Add("ticket.resolve_time", "is before create_time");
    }
  }
  return absl::OkStatus();
}

// The capped dimension values a record brings (dimension_caps.h).
void AddDimensionValues(const records::Purchase& p,
                        std::vector<DimensionValue>& out) {
  out.emplace_back("channel", p.channel());
}

void AddDimensionValues(const records::Session& s,
                        std::vector<DimensionValue>& out) {
  out.emplace_back("source", s.source());
  out.emplace_back("device", s.device());
  out.emplace_back("landing_page", s.landing_page());
  out.emplace_back("content_type", s.content_type());
  out.emplace_back("keyword", s.keyword());
}

void AddDimensionValues(const records::Ticket& t,
                        std::vector<DimensionValue>& out) {
  out.emplace_back("channel", t.channel());
}

template <typename Record>
std::string ResourceName(absl::string_view ws, absl::string_view id) {
  return absl::StrCat("workspaces/", ws, "/", FactTraits<Record>::kCollection,
                      "/", id);
}

// The lock of a visitor's activity, apart from every record id (ids hold
// no spaces).
std::string VisitorLockKey(absl::string_view ws, absl::string_view visitor) {
  return absl::StrCat("visitor ", ws, " ", visitor);
}

// The local day of a session.
kpi::DayNumber DayOf(const records::Session& s, const kpi::Calendar& calendar) {
  return calendar.DayOf(absl::FromUnixMicros(s.start_time_us()));
}

}  // namespace

template <typename Record>
absl::StatusOr<ImportCounts> FactLedger<Record>::Put(
    absl::string_view ws, std::vector<Record> records,
    absl::string_view list_field, WriteMode mode) {
  using Traits = FactTraits<Record>;
  if (records.size() > kMaxFactsPerWrite) {
    return errors::ResourceExhausted(absl::StrCat("at most ", kMaxFactsPerWrite,
                                                  " ", Traits::kCollection,
                                                  " in one write"));
  }
  // From checking the customers until the write: no erasure in between.
  absl::ReaderMutexLock gate(&customers_.erasure_gate(ws).mutex());
  std::vector<std::string> ids;
  ids.reserve(records.size());
  for (const Record& r : records) ids.push_back(r.id());
  // The visitors whose activity the write changes: its sessions', and
  // those of the sessions it replaces (found while preparing).
  absl::flat_hash_set<std::string> visitors;
  if constexpr (std::is_same_v<Record, records::Session>) {
    for (const Record& r : records) visitors.insert(r.visitor_id());
  }
  for (;;) {
    std::vector<std::string> lock_keys = ids;
    for (const std::string& visitor : visitors) {
      lock_keys.push_back(VisitorLockKey(ws, visitor));
    }
    KeyLocks::Guard guard(locks_, std::move(lock_keys));
    storage::WriteBatch batch;
    ImportCounts counts;
    std::vector<std::string> written;
    VisitorAccess access;
    access.locked = &visitors;
    // Sessions are kept for another attempt; the other kinds make one.
    RETURN_IF_ERROR(Prepare(
        ws,
        std::is_same_v<Record, records::Session> ? records
                                                 : std::exchange(records, {}),
        list_field, 0, mode, store_, batch, counts, written, access));
    if (!access.unlocked.empty()) {
      visitors.insert(access.unlocked.begin(), access.unlocked.end());
      continue;
    }
    NoteWritten(ws, written, access.blocks);
    if (!batch.empty()) RETURN_IF_ERROR(store_.Write(batch));
    return counts;
  }
}

template <typename Record>
void FactLedger<Record>::NoteWritten(absl::string_view ws,
                                     const std::vector<std::string>& ids,
                                     const std::vector<std::string>& blocks) {
  if (!watches_.open()) return;
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (const std::string& id : ids) keys.push_back(table_.KeyOf(ws, id));
  watches_.Note(ws, ColumnFamily::kFacts, keys);
  watches_.Note(ws, ColumnFamily::kIndex, blocks);
}

template <typename Record>
void FactLedger<Record>::PutAsync(
    absl::string_view ws, Record record, WriteMode mode,
    std::function<void(absl::StatusOr<StoredFact<Record>>)> done) {
  PendingPut pending{std::string(ws), std::move(record), mode, std::move(done)};
  if (!committer_.Enqueue(pending)) {
    // Back-pressure: the committer is this far behind the disk.
    pending.done(QueueFull(FactTraits<Record>::kCollection));
  }
}

template <typename Record>
void FactLedger<Record>::CommitGroup(std::vector<PendingPut>& group) {
  std::vector<absl::StatusOr<StoredFact<Record>>> results(
      group.size(), absl::InternalError("not stored"));
  // Sessions replacing one of a visitor the group did not lock: written
  // by Put afterwards, which takes that lock too.
  std::vector<size_t> later;
  {
    // The gates of the group's workspaces, in workspace order, then the
    // locks of its records and visitors: the order Put takes them in.
    std::set<absl::string_view> workspaces;
    std::map<absl::string_view, absl::flat_hash_set<std::string>> visitors;
    std::vector<std::string> lock_keys;
    for (const PendingPut& p : group) {
      workspaces.insert(p.ws);
      lock_keys.push_back(p.record.id());
      if constexpr (std::is_same_v<Record, records::Session>) {
        visitors[p.ws].insert(p.record.visitor_id());
        lock_keys.push_back(VisitorLockKey(p.ws, p.record.visitor_id()));
      }
    }
    std::vector<std::unique_ptr<absl::ReaderMutexLock>> gates;
    gates.reserve(workspaces.size());
    for (absl::string_view ws : workspaces) {
      gates.push_back(std::make_unique<absl::ReaderMutexLock>(
          &customers_.erasure_gate(ws).mutex()));
    }
    KeyLocks::Guard guard(locks_, std::move(lock_keys));

    // The part of the group not written yet, with its rollup deltas
    // summed; what it read or changed (records by id, visitors and so
    // their index blocks) a later write must not read stale.
    GroupPart<StoredFact<Record>> part(store_, results);
    kpi::RollupDeltas rollups;
    auto write = [&] {
      rollups.FlushTo(part.batch());
      part.Write();
    };
    for (size_t i = 0; i < group.size(); ++i) {
      const PendingPut& p = group[i];
      std::vector<std::string> reads = {absl::StrCat(p.ws, " ", p.record.id())};
      if constexpr (std::is_same_v<Record, records::Purchase>) {
        // A refund reads the purchase it refunds and its other refunds.
        if (!p.record.refund_of().empty()) {
          reads.push_back(absl::StrCat(p.ws, " ", p.record.refund_of()));
        }
      }
      if constexpr (std::is_same_v<Record, records::Session>) {
        // A session reads and changes its visitor's index blocks, and
        // those of the visitor of the session it replaces.
        reads.push_back(VisitorLockKey(p.ws, p.record.visitor_id()));
        absl::StatusOr<std::optional<Record>> old =
            table_.Find(store_, p.ws, p.record.id());
        if (old.ok() && old->has_value() &&
            (*old)->visitor_id() != p.record.visitor_id()) {
          reads.push_back(VisitorLockKey(p.ws, (*old)->visitor_id()));
        }
      }
      if (part.Touches(reads)) write();
      storage::WriteBatch one;
      kpi::RollupDeltas deltas;
      ImportCounts counts;
      std::vector<std::string> written;
      std::vector<Record> stored;
      VisitorAccess access;
      access.locked = &visitors[p.ws];
      absl::Status prepared =
          Prepare(p.ws, {p.record}, "", 0, p.mode, store_, one, counts, written,
                  access, &deltas, &stored);
      if (!prepared.ok()) {
        results[i] = prepared;
        continue;
      }
      if (!access.unlocked.empty()) {
        later.push_back(i);
        continue;
      }
      NoteWritten(p.ws, written, access.blocks);
      part.batch().Append(one);
      rollups.Merge(std::move(deltas));
      part.Stage(i, reads);
      results[i] = StoredFact<Record>{std::move(stored.front()), counts};
    }
    write();
  }
  for (size_t i : later) {
    const PendingPut& p = group[i];
    absl::StatusOr<ImportCounts> counts = Put(p.ws, {p.record}, "", p.mode);
    if (!counts.ok()) {
      results[i] = counts.status();
      continue;
    }
    absl::StatusOr<Record> stored = Get(p.ws, p.record.id());
    if (!stored.ok()) {
      results[i] = stored.status();
      continue;
    }
    results[i] = StoredFact<Record>{*std::move(stored), *counts};
  }
  for (size_t i = 0; i < group.size(); ++i) {
    group[i].done(std::move(results[i]));
  }
}

template <typename Record>
absl::StatusOr<std::unique_ptr<FactImport<Record>>>
FactLedger<Record>::StartImport(absl::string_view ws,
                                absl::string_view list_field, WriteMode mode) {
  ASSIGN_OR_RETURN(
      std::unique_ptr<ImportJob> job,
      ImportJob::Start(store_, watches_, ws, {&customers_.erasure_gate(ws)}));
  return std::unique_ptr<FactImport<Record>>(new FactImport<Record>(
      *this, std::move(job), std::string(list_field), mode));
}

template <typename Record>
absl::Status FactImport<Record>::Add(std::vector<Record> records) {
  storage::WriteBatch batch;
  std::vector<std::string> written;
  typename FactLedger<Record>::VisitorAccess visitors;
  const size_t first = next_index_;
  next_index_ += records.size();
  RETURN_IF_ERROR(ledger_.Prepare(job_->workspace_id(), std::move(records),
                                  list_field_, first, mode_, job_->view(),
                                  batch, counts_, written, visitors));
  return job_->Stage(std::move(batch));
}

template <typename Record>
absl::StatusOr<ImportCounts> FactImport<Record>::Commit() {
  RETURN_IF_ERROR(job_->Commit());
  return counts_;
}

template <typename Record>
absl::Status FactLedger<Record>::Prepare(
    absl::string_view ws, std::vector<Record> records,
    absl::string_view list_field, size_t first_index, WriteMode mode,
    const storage::ReadView& view, storage::WriteBatch& batch,
    ImportCounts& counts, std::vector<std::string>& written,
    VisitorAccess& visitors, kpi::RollupDeltas* rollups,
    std::vector<Record>* stored) {
  using Traits = FactTraits<Record>;
  counts.received += static_cast<int64_t>(records.size());
  if constexpr (std::is_same_v<Record, records::Purchase>) {
    if (mode == WriteMode::kAddOnly) {
      for (const Record& r : records) {
        if (r.amount() < 0 || !r.refund_of().empty()) {
          return errors::PermissionDenied(
              "a refund needs a key with role 'write'");
        }
      }
    }
  }
  ASSIGN_OR_RETURN(records::Workspace workspace, workspaces_.Get(ws));
  ASSIGN_OR_RETURN(absl::TimeZone zone, workspaces_.TimeZoneOf(ws));
  kpi::Calendar calendar(zone);

  // Records stored or written earlier in this batch, by id.
  std::map<std::string, Record> latest;
  Finder<Record> find =
      [&](const std::string& id) -> absl::StatusOr<std::optional<Record>> {
    if (auto it = latest.find(id); it != latest.end()) return it->second;
    return table_.Find(view, ws, id);
  };
  // Refunds written earlier in this batch: purchase -> refund id -> amount.
  std::map<std::string, std::map<std::string, int64_t>> batch_refunds;
  // The refunds of the same purchase, stored or earlier in this batch,
  // other than `r` itself (found through the customer's records).
  std::function<absl::StatusOr<int64_t>(const Record&)> refunded_by_others =
      [&](const Record& r) -> absl::StatusOr<int64_t> {
    int64_t total = 0;
    if constexpr (std::is_same_v<Record, records::Purchase>) {
      ASSIGN_OR_RETURN(std::vector<Record> theirs,
                       OfCustomers(view, ws, {r.customer_id()}));
      for (const Record& x : theirs) {
        if (x.id() != r.id() && latest.count(x.id()) == 0 &&
            x.refund_of() == r.refund_of()) {
          total -= x.amount();
        }
      }
      for (const auto& [id, amount] : batch_refunds[r.refund_of()]) {
        if (id != r.id()) total -= amount;
      }
    }
    return total;
  };
  std::map<std::string, std::optional<records::Customer>> customers;
  const CheckContext ctx{workspace, clock_.Now()};
  const int64_t now_us = absl::ToUnixMicros(ctx.now);
  const std::string id_field = absl::StrCat(Traits::kNoun, "_id");
  const std::string customer_field =
      absl::StrCat(Traits::kNoun, ".customer_id");

  Violations all;
  kpi::RollupDeltas deltas;
  std::vector<DimensionValue> dimension_values;
  // Sessions move their visitors' activity (kpi/visitor_days.h).
  std::optional<kpi::VisitorDays> visitor_days;
  if (std::is_same_v<Record, records::Session> &&
      kpi::VisitorDays::Kept(workspace)) {
    visitor_days.emplace(view, workspace);
  }
  auto move_visitor = [&]([[maybe_unused]] const Record& r,
                          [[maybe_unused]] int sign) -> absl::Status {
    if constexpr (std::is_same_v<Record, records::Session>) {
      if (visitor_days.has_value()) {
        return visitor_days->Change(r, DayOf(r, calendar), sign, deltas);
      }
    }
    return absl::OkStatus();
  };
  for (size_t i = 0; i < records.size(); ++i) {
    Record& r = records[i];
    Violations v(list_field.empty()
                     ? ""
                     : absl::StrCat(list_field, "[", first_index + i, "]."));
    v.Id(id_field, r.id());
    RETURN_IF_ERROR(CheckFields(r, ctx, find, v));
    RETURN_IF_ERROR(CheckRefundTotal(r, find, refunded_by_others, v));
    r.clear_dims();
    if (r.customer_id().empty()) {
      if (Traits::kCustomerRequired) v.Add(customer_field, "is required");
    } else {
      auto it = customers.find(r.customer_id());
      if (it == customers.end()) {
        ASSIGN_OR_RETURN(std::optional<records::Customer> c,
                         customers_.Find(store_, ws, r.customer_id()));
        it = customers.emplace(r.customer_id(), std::move(c)).first;
      }
      if (!it->second.has_value()) {
        v.Add(customer_field, NoSuchCustomer(r.customer_id()));
      } else {
        r.mutable_dims()->set_segment(it->second->segment());
        r.mutable_dims()->set_region(it->second->region());
        r.mutable_dims()->set_customer_type(it->second->customer_type());
      }
    }
    all.Merge(v.ToStatus());
    if (!v.empty()) continue;

    ASSIGN_OR_RETURN(std::optional<Record> old, find(r.id()));
    if (old.has_value() && SameContent(*old, r)) {
      ++counts.unchanged;
      if (stored != nullptr) stored->push_back(*std::move(old));
      continue;
    }
    if constexpr (std::is_same_v<Record, records::Session>) {
      if (old.has_value() && visitor_days.has_value() &&
          visitors.locked != nullptr &&
          !visitors.locked->contains(old->visitor_id())) {
        visitors.unlocked.push_back(old->visitor_id());
        continue;
      }
    }
    if (old.has_value() && mode == WriteMode::kAddOnly) {
      return errors::AlreadyExists(
          ResourceName<Record>(ws, r.id()),
          absl::StrCat(v.prefix(), id_field, " names a ", Traits::kNoun,
                       " stored with other content"));
    }
    r.set_create_time_us(old.has_value() ? old->create_time_us() : now_us);
    r.set_update_time_us(now_us);
    if (old.has_value()) {
      ++counts.updated;
      kpi::WriteRows(batch, deltas, ws, calendar, Traits::kKind, r.id(),
                     kpi::RowsOf(*old), -1);
      RETURN_IF_ERROR(move_visitor(*old, -1));
      if (!old->customer_id().empty() &&
          old->customer_id() != r.customer_id()) {
        batch.Delete(
            ColumnFamily::kIndex,
            keys::OfCustomer(ws, old->customer_id(), Traits::kTag, r.id()));
      }
    } else {
      ++counts.created;
    }
    table_.Put(batch, ws, r);
    kpi::WriteRows(batch, deltas, ws, calendar, Traits::kKind, r.id(),
                   kpi::RowsOf(r), 1);
    RETURN_IF_ERROR(move_visitor(r, 1));
    if (!r.customer_id().empty()) {
      batch.Put(ColumnFamily::kIndex,
                keys::OfCustomer(ws, r.customer_id(), Traits::kTag, r.id()),
                "");
    }
    if constexpr (std::is_same_v<Record, records::Purchase>) {
      if (old.has_value() && !old->refund_of().empty()) {
        batch_refunds[old->refund_of()].erase(r.id());
      }
      if (!r.refund_of().empty())
        batch_refunds[r.refund_of()][r.id()] = r.amount();
    }
    AddDimensionValues(r, dimension_values);
    written.push_back(r.id());
    latest[r.id()] = r;
    if (stored != nullptr) stored->push_back(r);
  }
  RETURN_IF_ERROR(all.ToStatus());
  if (!visitors.unlocked.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::vector<std::string> new_values,
                   workspaces_.dimension_caps().Admit(ws, dimension_values));
  for (std::string& key : new_values) {
    batch.Put(ColumnFamily::kIndex, std::move(key), "");
  }
  if (visitor_days.has_value()) {
    // An import stages the blocks it only read too: a conflict check.
    visitor_days->FlushTo(batch, visitors.locked == nullptr);
    visitors.blocks = visitor_days->BlockKeys();
  }
  if (rollups != nullptr) {
    rollups->Merge(std::move(deltas));
  } else {
    deltas.FlushTo(batch);
  }
  return absl::OkStatus();
}

template <typename Record>
absl::StatusOr<Record> FactLedger<Record>::Get(absl::string_view ws,
                                               absl::string_view id) const {
  return table_.Get(ws, id, ResourceName<Record>(ws, id));
}

template <typename Record>
absl::StatusOr<Page<Record>> FactLedger<Record>::List(
    absl::string_view ws, absl::string_view customer_id,
    absl::string_view after, int limit) const {
  return table_.List(ws, after, limit, [&](const Record& r) {
    return customer_id.empty() || r.customer_id() == customer_id;
  });
}

template <typename Record>
absl::StatusOr<std::vector<Record>> FactLedger<Record>::OfCustomers(
    absl::string_view ws, absl::Span<const std::string> customer_ids) const {
  return OfCustomers(store_, ws, customer_ids);
}

template <typename Record>
absl::StatusOr<std::vector<Record>> FactLedger<Record>::OfCustomers(
    const storage::ReadView& view, absl::string_view ws,
    absl::Span<const std::string> customer_ids) const {
  std::vector<std::string> ids;
  for (const std::string& customer_id : customer_ids) {
    ASSIGN_OR_RETURN(
        std::vector<std::string> theirs,
        IdsOfCustomer(view, ws, customer_id, FactTraits<Record>::kTag));
    ids.insert(ids.end(), std::make_move_iterator(theirs.begin()),
               std::make_move_iterator(theirs.end()));
  }
  return table_.FindAll(view, ws, ids);
}

template <typename Record>
absl::Status FactLedger<Record>::AddAnonymization(
    storage::WriteBatch& batch, kpi::RollupDeltas& deltas, absl::string_view ws,
    const kpi::Calendar& calendar, absl::string_view id,
    absl::string_view token, std::map<std::string, std::string>* visitors,
    kpi::VisitorDays* visitor_days) const {
  using Traits = FactTraits<Record>;
  ASSIGN_OR_RETURN(std::optional<Record> old, table_.Find(store_, ws, id));
  if (!old.has_value()) return absl::OkStatus();
  Record r = *old;
  const bool named = !old->customer_id().empty();
  if (named) r.set_customer_id(std::string(token));
  if constexpr (std::is_same_v<Record, records::Session>) {
    if (visitors != nullptr) {
      std::string& pseudonym = (*visitors)[old->visitor_id()];
      if (pseudonym.empty()) {
        pseudonym = absl::StrCat(token, "-v", visitors->size());
      }
      r.set_visitor_id(pseudonym);
    }
    if (visitor_days != nullptr) {
      const kpi::DayNumber day = DayOf(r, calendar);
      RETURN_IF_ERROR(visitor_days->Change(*old, day, -1, deltas));
      RETURN_IF_ERROR(visitor_days->Change(r, day, 1, deltas));
    }
  }
  table_.Put(batch, ws, r);
  kpi::RekeyRows(batch, deltas, ws, calendar, Traits::kKind, id,
                 kpi::RowsOf(*old), id, kpi::RowsOf(r));
  if (named) {
    batch.Delete(ColumnFamily::kIndex,
                 keys::OfCustomer(ws, old->customer_id(), Traits::kTag, id));
    // Joins by customer (an event's attendees' purchases) keep working.
    batch.Put(ColumnFamily::kIndex,
              keys::OfCustomer(ws, token, Traits::kTag, id), "");
  }
  return absl::OkStatus();
}

template <typename Record>
absl::StatusOr<std::vector<std::string>>
FactLedger<Record>::AnonymousOfVisitors(
    absl::string_view ws,
    const std::map<std::string, std::string>& visitors) const {
  std::vector<std::string> out;
  if constexpr (std::is_same_v<Record, records::Session>) {
    if (visitors.empty()) return out;
    constexpr int kPage = 10'000;
    std::string after;
    for (;;) {
      ASSIGN_OR_RETURN(Page<Record> page, List(ws, "", after, kPage));
      for (const Record& s : page.items) {
        if (s.customer_id().empty() && visitors.contains(s.visitor_id())) {
          out.push_back(s.id());
        }
      }
      if (page.next_after.empty()) break;
      after = page.next_after;
    }
  }
  return out;
}

template class FactImport<records::Purchase>;
template class FactImport<records::Session>;
template class FactImport<records::Ticket>;
template class FactLedger<records::Purchase>;
template class FactLedger<records::Session>;
template class FactLedger<records::Ticket>;

}  // namespace mittari::domain
