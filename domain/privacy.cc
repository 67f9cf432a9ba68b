#include "domain/privacy.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/digest.h"
#include "domain/kpi/visitor_days.h"
#include "domain/purges.h"

namespace mittari::domain {

absl::StatusOr<std::vector<std::pair<keys::WorkspaceTag, std::string>>>
Privacy::RecordsOf(absl::string_view ws, absl::string_view customer_id) const {
  std::string prefix = keys::OfCustomerPrefix(ws, customer_id);
  std::vector<std::pair<keys::WorkspaceTag, std::string>> out;
  absl::Status status;
  RETURN_IF_ERROR(store_.ScanPrefix(
      storage::ColumnFamily::kIndex, prefix,
      [&](absl::string_view key, absl::string_view) {
        storage::KeyDecoder in(key.substr(prefix.size()));
        absl::StatusOr<uint8_t> tag = in.U8();
        absl::StatusOr<std::string> id = in.Str();
        if (!tag.ok() || !id.ok()) {
          status = errors::DataLoss("unreadable customer index entry");
          return false;
        }
        out.emplace_back(static_cast<keys::WorkspaceTag>(*tag), *id);
        return true;
      }));
  RETURN_IF_ERROR(status);
  return out;
}

absl::StatusOr<CustomerData> Privacy::Export(
    absl::string_view ws, absl::string_view customer_id) const {
  CustomerData data;
  ASSIGN_OR_RETURN(data.customer, customers_.Get(ws, customer_id));
  ASSIGN_OR_RETURN(auto records, RecordsOf(ws, customer_id));
  for (const auto& [tag, id] : records) {
    switch (tag) {
      case keys::WorkspaceTag::kResponse: {
        ASSIGN_OR_RETURN(records::Response r, responses_.Get(ws, id));
        data.responses.push_back(std::move(r));
        break;
      }
      case keys::WorkspaceTag::kPurchase: {
        ASSIGN_OR_RETURN(records::Purchase p, purchases_.Get(ws, id));
        data.purchases.push_back(std::move(p));
        break;
      }
      case keys::WorkspaceTag::kSession: {
        ASSIGN_OR_RETURN(records::Session s, sessions_.Get(ws, id));
        data.sessions.push_back(std::move(s));
        break;
      }
      case keys::WorkspaceTag::kTicket: {
        ASSIGN_OR_RETURN(records::Ticket t, tickets_.Get(ws, id));
        data.tickets.push_back(std::move(t));
        break;
      }
      case keys::WorkspaceTag::kRegistration:
        break;  // read below, by event
      default:
        return errors::DataLoss("unknown record kind in the customer index");
    }
  }
  ASSIGN_OR_RETURN(data.registrations,
                   events_.RegistrationsOf(ws, customer_id));
  return data;
}

std::string Privacy::CustomerHash(absl::string_view ws,
                                  absl::string_view customer_id) {
  return Sha256(absl::StrCat(ws, absl::string_view("\0", 1), customer_id));
}

absl::StatusOr<std::vector<std::pair<uint64_t, records::Erasure>>>
Privacy::ReadErasureLog(const storage::ReadView& view) {
  const std::string prefix = keys::ErasurePrefix();
  std::vector<std::pair<uint64_t, records::Erasure>> out;
  absl::Status status;
  RETURN_IF_ERROR(view.ScanPrefix(
      storage::ColumnFamily::kMeta, prefix,
      [&](absl::string_view key, absl::string_view value) {
        storage::KeyDecoder in(key.substr(prefix.size()));
        absl::StatusOr<uint64_t> seq = in.U64();
        records::Erasure entry;
        if (!seq.ok() || !entry.ParseFromString(std::string(value))) {
          status = errors::DataLoss("unreadable erasure log entry");
          return false;
        }
        out.emplace_back(*seq, std::move(entry));
        return true;
      }));
  RETURN_IF_ERROR(status);
  return out;
}

absl::StatusOr<int> Privacy::Reapply(
    storage::Store& store,
    const std::vector<std::pair<uint64_t, records::Erasure>>& later) {
  ASSIGN_OR_RETURN(auto present, ReadErasureLog(store));
  uint64_t last = present.empty() ? 0 : present.back().first;
  storage::WriteBatch batch;
  int added = 0;
  for (const auto& [seq, entry] : later) {
    if (seq <= last) continue;
    records::Erasure pending = entry;
    pending.set_applied(false);
    batch.Put(storage::ColumnFamily::kMeta, keys::Erasure(seq),
              pending.SerializeAsString());
    ++added;
  }
  if (added > 0) RETURN_IF_ERROR(store.Write(batch));
  return added;
}

absl::StatusOr<int> Privacy::Resume() {
  absl::MutexLock erasing(&mu_);
  ASSIGN_OR_RETURN(auto log, ReadErasureLog(store_));
  int applied = 0;
  for (const auto& [seq, entry] : log) {
    if (entry.applied()) continue;
    // The person is found by the hash of their id among the workspace's
    // customers (a restore is rare; this scan is its cost).
    ASSIGN_OR_RETURN(std::optional<std::string> id,
                     FindByHash(entry.workspace_id(), entry.customer_hash()));
    records::Erasure done = entry;
    done.set_applied(true);
    if (id.has_value()) {
      RETURN_IF_ERROR(
          EraseRecords(entry.workspace_id(), *id, seq, done).status());
      ++applied;
    } else {
      storage::WriteBatch batch;
      batch.Put(storage::ColumnFamily::kMeta, keys::Erasure(seq),
                done.SerializeAsString());
      RETURN_IF_ERROR(store_.Write(batch));
    }
  }
  RETURN_IF_ERROR(ResumePurges(store_).status());
  return applied;
}

absl::StatusOr<std::optional<std::string>> Privacy::FindByHash(
    absl::string_view ws, absl::string_view hash) const {
  if (!workspaces_.Get(ws).ok()) return std::nullopt;  // deleted since
  std::optional<std::string> found;
  std::string after;
  while (!found.has_value()) {
    ASSIGN_OR_RETURN(Page<records::Customer> page,
                     customers_.List(ws, after, 1000, CustomerFilter()));
    for (const records::Customer& c : page.items) {
      if (CustomerHash(ws, c.id()) == hash) found = c.id();
    }
    if (page.next_after.empty()) break;
    after = page.next_after;
  }
  return found;
}

absl::StatusOr<ErasureCounts> Privacy::Erase(absl::string_view ws,
                                             absl::string_view customer_id) {
  absl::MutexLock erasing(&mu_);
  if (next_seq_ == 0) {
    ASSIGN_OR_RETURN(auto log, ReadErasureLog(store_));
    next_seq_ = log.empty() ? 1 : log.back().first + 1;
  }
  const uint64_t seq = next_seq_;
  records::Erasure entry;
  entry.set_workspace_id(std::string(ws));
  entry.set_customer_hash(CustomerHash(ws, customer_id));
  entry.set_time_us(absl::ToUnixMicros(absl::Now()));
  entry.set_applied(true);
  ASSIGN_OR_RETURN(ErasureCounts counts,
                   EraseRecords(ws, customer_id, seq, entry));
  ++next_seq_;
  // Flush every column family and compact the workspace's keys, so that
  // the old values (and the tombstones naming the customer) leave every
  // file, the log included, without rewriting other workspaces' data. A
  // crash before this ends leaves the purge marker: the next start runs
  // it.
  RETURN_IF_ERROR(Purge(store_, ws));
  return counts;
}

absl::StatusOr<ErasureCounts> Privacy::EraseRecords(
    absl::string_view ws, absl::string_view customer_id, uint64_t seq,
    const records::Erasure& entry) {
  // No writer of a fact naming a customer runs while the customer's records
  // are found and rewritten; those that checked the customer before check
  // again (see ChangeGate).
  absl::WriterMutexLock gate(&customers_.erasure_gate(ws).mutex());
  absl::MutexLock lock(&customers_.mutex());
  ASSIGN_OR_RETURN(records::Customer customer, customers_.Get(ws, customer_id));
  ASSIGN_OR_RETURN(absl::TimeZone zone, workspaces_.TimeZoneOf(ws));
  kpi::Calendar calendar(zone);
  // A token that links the anonymous facts to each other (distinct counts
  // stay exact) and to no one.
  absl::BitGen random;
  std::string token =
      absl::StrFormat("erased-%016x%016x", absl::Uniform<uint64_t>(random),
                      absl::Uniform<uint64_t>(random));

  storage::WriteBatch batch;
  kpi::RollupDeltas deltas;
  ErasureCounts counts;
  // The person's visitor ids -> their pseudonyms, and their sessions
  // moved to those in the visitor-day index.
  std::map<std::string, std::string> visitors;
  ASSIGN_OR_RETURN(records::Workspace workspace, workspaces_.Get(ws));
  std::optional<kpi::VisitorDays> visitor_days;
  if (kpi::VisitorDays::Kept(workspace)) {
    visitor_days.emplace(store_, workspace);
  }
  kpi::VisitorDays* days = visitor_days ? &*visitor_days : nullptr;
  customers_.AddErasure(batch, deltas, ws, calendar, customer, token);
  ASSIGN_OR_RETURN(auto records, RecordsOf(ws, customer_id));
  for (const auto& [tag, id] : records) {
    switch (tag) {
      case keys::WorkspaceTag::kResponse:
        RETURN_IF_ERROR(responses_.AddAnonymization(batch, ws, id, token));
        ++counts.responses;
        break;
      case keys::WorkspaceTag::kPurchase:
        RETURN_IF_ERROR(purchases_.AddAnonymization(batch, deltas, ws, calendar,
                                                    id, token));
        ++counts.purchases;
        break;
      case keys::WorkspaceTag::kSession:
        RETURN_IF_ERROR(sessions_.AddAnonymization(batch, deltas, ws, calendar,
                                                   id, token, &visitors, days));
        ++counts.sessions;
        break;
      case keys::WorkspaceTag::kTicket:
        RETURN_IF_ERROR(
            tickets_.AddAnonymization(batch, deltas, ws, calendar, id, token));
        ++counts.tickets;
        break;
      case keys::WorkspaceTag::kRegistration:
        ++counts.registrations;
        break;
      default:
        return errors::DataLoss("unknown record kind in the customer index");
    }
  }
  // The person's visitor ids leave their anonymous sessions too (those
  // from before they signed in, say), under the same pseudonyms.
  ASSIGN_OR_RETURN(std::vector<std::string> anonymous,
                   sessions_.AnonymousOfVisitors(ws, visitors));
  for (const std::string& id : anonymous) {
    RETURN_IF_ERROR(sessions_.AddAnonymization(batch, deltas, ws, calendar, id,
                                               token, &visitors, days));
  }
  RETURN_IF_ERROR(events_.AddAnonymization(batch, ws, customer_id, token));
  if (days != nullptr) days->FlushTo(batch);
  deltas.FlushTo(batch);
  // In the same write: the erasure's log entry and its purge marker.
  batch.Put(storage::ColumnFamily::kMeta, keys::Erasure(seq),
            entry.SerializeAsString());
  AddPurgeMarker(batch, ws);
  RETURN_IF_ERROR(store_.Write(batch));
  // Counted once the customer is gone: a writer that sees the new count
  // finds no customer; one that saw the old count checks again.
  customers_.erasure_gate(ws).Count();
  return counts;
}

}  // namespace mittari::domain
