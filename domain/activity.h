// What customers do: purchases, web/app sessions and support tickets. One
// ledger per kind, keyed by the sender's id: a record sent again unchanged
// changes nothing, a record sent with other content replaces the old one in
// every KPI (its old rollup rows are taken away in the same WriteBatch), and
// a batch is stored all or nothing. The customer's segment, region and type
// are captured when a record is stored.
#ifndef MITTARI_DOMAIN_ACTIVITY_H_
#define MITTARI_DOMAIN_ACTIVITY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "domain/catalog_table.h"
#include "domain/customers.h"
#include "domain/group_committer.h"
#include "domain/import_job.h"
#include "domain/key_locks.h"
#include "domain/kpi/facts.h"
#include "domain/kpi/visitor_days.h"
#include "domain/page.h"
#include "domain/records.pb.h"
#include "domain/roles.h"
#include "domain/surveys.h"
#include "domain/workspaces.h"

namespace mittari::domain {

// The most records one batch or stream may carry.
inline constexpr size_t kMaxFactsPerWrite = 1'000'000;

// What differs between the kinds.
template <typename Record>
struct FactTraits;

template <>
struct FactTraits<records::Purchase> {
  static constexpr keys::WorkspaceTag kTag = keys::WorkspaceTag::kPurchase;
  static constexpr kpi::FactKind kKind = kpi::FactKind::kPurchase;
  static constexpr absl::string_view kNoun = "purchase";
  static constexpr absl::string_view kCollection = "purchases";
  static constexpr bool kCustomerRequired = true;
};

template <>
struct FactTraits<records::Session> {
  static constexpr keys::WorkspaceTag kTag = keys::WorkspaceTag::kSession;
  static constexpr kpi::FactKind kKind = kpi::FactKind::kSession;
  static constexpr absl::string_view kNoun = "session";
  static constexpr absl::string_view kCollection = "sessions";
  static constexpr bool kCustomerRequired = false;  // visitors may be unknown
};

template <>
struct FactTraits<records::Ticket> {
  static constexpr keys::WorkspaceTag kTag = keys::WorkspaceTag::kTicket;
  static constexpr kpi::FactKind kKind = kpi::FactKind::kTicket;
  static constexpr absl::string_view kNoun = "ticket";
  static constexpr absl::string_view kCollection = "tickets";
  static constexpr bool kCustomerRequired = true;
};

template <typename Record>
class FactLedger;

// A record as one unary write left it, and what the write did (one of
// created, updated and unchanged is 1).
template <typename Record>
struct StoredFact {
  Record record;
  ImportCounts counts;
};

// One import job of a fact kind (import_job.h): the chunks of a file,
// checked and staged as they come, stored at once by Commit. Violations
// name items by their place in the whole job ("requests[i]...").
template <typename Record>
class FactImport {
 public:
  // Checks and stages the next records.
  absl::Status Add(std::vector<Record> records);
  absl::StatusOr<ImportCounts> Commit();

 private:
  friend class FactLedger<Record>;
  FactImport(FactLedger<Record>& ledger, std::unique_ptr<ImportJob> job,
             std::string list_field, WriteMode mode)
      : ledger_(ledger),
        job_(std::move(job)),
        list_field_(std::move(list_field)),
        mode_(mode) {}

  FactLedger<Record>& ledger_;
  std::unique_ptr<ImportJob> job_;
  const std::string list_field_;
  const WriteMode mode_;
  ImportCounts counts_;
  size_t next_index_ = 0;
};

template <typename Record>
class FactLedger {
 public:
  FactLedger(storage::Store& store, const WorkspaceDirectory& workspaces,
             const CustomerDirectory& customers, const Clock& clock)
      : store_(store),
        workspaces_(workspaces),
        customers_(customers),
        clock_(clock),
        table_(store, FactTraits<Record>::kTag, storage::ColumnFamily::kFacts),
        committer_(
            [this](std::vector<PendingPut>& group) { CommitGroup(group); }) {}
  FactLedger(const FactLedger&) = delete;
  FactLedger& operator=(const FactLedger&) = delete;

  // Creates or replaces every record by id, all or nothing. Violations are
  // named "<noun>_id" and "<noun>.<field>", after "<list_field>[i]." when
  // `list_field` is not empty. With kAddOnly a record with other content
  // under a stored id is ALREADY_EXISTS, and a refund PERMISSION_DENIED
  // (checking one reads stored amounts).
  absl::StatusOr<ImportCounts> Put(
      absl::string_view ws, std::vector<Record> records,
      absl::string_view list_field,
      WriteMode mode = WriteMode::kCreateOrReplace);
  // Put of one record without blocking: the record is queued, and the
  // committer thread checks and stores it together with the other records
  // waiting at that moment, in one synced write (group_committer.h).
  // `done` runs on that thread once the write is durable, with the record
  // as stored, or with the error Put would return.
  void PutAsync(absl::string_view ws, Record record, WriteMode mode,
                std::function<void(absl::StatusOr<StoredFact<Record>>)> done);
  // Unary writes waiting for the committer.
  size_t queued() const { return committer_.queued(); }

  // Starts an import job in workspace `ws`; its items are named
  // "<list_field>[i]." as in Put.
  absl::StatusOr<std::unique_ptr<FactImport<Record>>> StartImport(
      absl::string_view ws, absl::string_view list_field, WriteMode mode);

  absl::StatusOr<Record> Get(absl::string_view ws, absl::string_view id) const;
  // In id order; only the customer's records when `customer_id` is set.
  absl::StatusOr<Page<Record>> List(absl::string_view ws,
                                    absl::string_view customer_id,
                                    absl::string_view after, int limit) const;

  // The customers' records, through the per-customer index, read in one
  // batch (an event's attendees' purchases).
  absl::StatusOr<std::vector<Record>> OfCustomers(
      absl::string_view ws, absl::Span<const std::string> customer_ids) const;

  // Adds to `batch` the writes that re-key record `id` from its customer to
  // `token` (erasure; an anonymous record keeps no customer), leaving every
  // KPI as it was. A session's visitor id goes too: each visitor id gets a
  // pseudonym of its own in `visitors` (made from `token` on first sight),
  // so distinct-visitor counts stay exact; the session moves to it in
  // `visitor_days` (when the workspace keeps them).
  absl::Status AddAnonymization(
      storage::WriteBatch& batch, kpi::RollupDeltas& deltas,
      absl::string_view ws, const kpi::Calendar& calendar, absl::string_view id,
      absl::string_view token,
      std::map<std::string, std::string>* visitors = nullptr,
      kpi::VisitorDays* visitor_days = nullptr) const;

  // The ids of the records with no customer whose visitor id is one of
  // `visitors` (sessions; a scan of the workspace's sessions, which an
  // erasure pays once).
  absl::StatusOr<std::vector<std::string>> AnonymousOfVisitors(
      absl::string_view ws,
      const std::map<std::string, std::string>& visitors) const;

 private:
  friend class FactImport<Record>;

  // How a write reaches the visitor-day index (sessions of workspaces that
  // keep it; kpi/visitor_days.h).
  struct VisitorAccess {
    // A unary write holds the locks of these visitors. A session it
    // replaces whose visitor is not among them is listed in `unlocked`,
    // and nothing is prepared: the write takes that lock too and starts
    // again. Null for an import job, which stages the blocks it read.
    const absl::flat_hash_set<std::string>* locked = nullptr;
    std::vector<std::string> unlocked;
    // The index blocks read or written (for the import watches).
    std::vector<std::string> blocks;
  };

  // Checks `records` (the items from `first_index` on) against `view` and
  // adds their writes to `batch`, counting them in `counts` and the ids
  // written in `written`. Put, FactImport::Add and the committer share it.
  // With `rollups`, the rollup deltas are added there instead of to
  // `batch`; with `stored`, each record is appended as stored (written or
  // unchanged).
  absl::Status Prepare(absl::string_view ws, std::vector<Record> records,
                       absl::string_view list_field, size_t first_index,
                       WriteMode mode, const storage::ReadView& view,
                       storage::WriteBatch& batch, ImportCounts& counts,
                       std::vector<std::string>& written,
                       VisitorAccess& visitors,
                       kpi::RollupDeltas* rollups = nullptr,
                       std::vector<Record>* stored = nullptr);

  // A unary write waiting for the committer.
  struct PendingPut {
    std::string ws;
    Record record;
    WriteMode mode;
    std::function<void(absl::StatusOr<StoredFact<Record>>)> done;
  };
  // Stores a group of unary writes: in one synced write, unless two of
  // them touch the same record or visitor, in which case the earlier part
  // is written first.
  void CommitGroup(std::vector<PendingPut>& group);
  // Notes the keys a write is about to change for the open import jobs.
  void NoteWritten(absl::string_view ws, const std::vector<std::string>& ids,
                   const std::vector<std::string>& blocks);
  absl::StatusOr<std::vector<Record>> OfCustomers(
      const storage::ReadView& view, absl::string_view ws,
      absl::Span<const std::string> customer_ids) const;

  storage::Store& store_;
  const WorkspaceDirectory& workspaces_;
  const CustomerDirectory& customers_;
  const Clock& clock_;
  CatalogTable<Record> table_;
  KeyLocks locks_;
  ImportWatches watches_;
  // Last: stopped (its queue committed) before anything it uses goes.
  GroupCommitter<PendingPut> committer_;
};

using PurchaseLedger = FactLedger<records::Purchase>;
using SessionLedger = FactLedger<records::Session>;
using TicketLedger = FactLedger<records::Ticket>;

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_ACTIVITY_H_
