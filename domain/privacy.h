// Data-subject requests (GDPR): export everything stored about one customer,
// and erase one customer. Erasure deletes the person — their record (name,
// e-mail, attributes, external id) and their comments — and re-keys their
// scores, purchases, sessions and tickets to a random token that names no
// one, so every KPI stays as it was; then it compacts the store so that
// the deleted values are gone from every file, not only tombstoned.
#ifndef MITTARI_DOMAIN_PRIVACY_H_
#define MITTARI_DOMAIN_PRIVACY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/activity.h"
#include "domain/customers.h"
#include "domain/events.h"
#include "domain/responses.h"
#include "domain/workspaces.h"

namespace mittari::domain {

struct CustomerData {
  records::Customer customer;
  std::vector<records::Response> responses;
  std::vector<records::Purchase> purchases;
  std::vector<records::Session> sessions;
  std::vector<records::Ticket> tickets;
  std::vector<records::Registration> registrations;
};

struct ErasureCounts {
  int64_t responses = 0;
  int64_t purchases = 0;
  int64_t sessions = 0;
  int64_t tickets = 0;
  int64_t registrations = 0;
};

class Privacy {
 public:
  Privacy(storage::Store& store, const WorkspaceDirectory& workspaces,
          CustomerDirectory& customers, const ResponseLedger& responses,
          const PurchaseLedger& purchases, const SessionLedger& sessions,
          const TicketLedger& tickets, const Events& events)
      : store_(store),
        workspaces_(workspaces),
        customers_(customers),
        responses_(responses),
        purchases_(purchases),
        sessions_(sessions),
        tickets_(tickets),
        events_(events) {}

  absl::StatusOr<CustomerData> Export(absl::string_view ws,
                                      absl::string_view customer_id) const;
  // What the erasure anonymized. The erasure is logged (by a hash of the
  // person, records::Erasure) in the same write as the re-keying, and
  // marks a purge (purges.h) that runs before it returns, or at the next
  // start after a crash.
  absl::StatusOr<ErasureCounts> Erase(absl::string_view ws,
                                      absl::string_view customer_id);

  // At start: applies the erasures a restore marked not applied, then
  // runs the purges a crash left. Returns how many erasures it applied.
  absl::StatusOr<int> Resume();

  // The erasure log of a store, in order.
  static absl::StatusOr<std::vector<std::pair<uint64_t, records::Erasure>>>
  ReadErasureLog(const storage::ReadView& view);
  // Adds to a restored store the entries of `later` (the log of the store
  // it replaces) that it lacks, marked not applied. Returns how many.
  static absl::StatusOr<int> Reapply(
      storage::Store& store,
      const std::vector<std::pair<uint64_t, records::Erasure>>& later);
  // The hash an erasure names a person by.
  static std::string CustomerHash(absl::string_view ws,
                                  absl::string_view customer_id);

 private:
  // Rewrites everything stored about the customer in one write (Erase's
  // work before the compaction), with log entry `seq`.
  absl::StatusOr<ErasureCounts> EraseRecords(absl::string_view ws,
                                             absl::string_view customer_id,
                                             uint64_t seq,
                                             const records::Erasure& entry);
  // The customer of workspace `ws` whose id hashes to `hash`, if any.
  absl::StatusOr<std::optional<std::string>> FindByHash(
      absl::string_view ws, absl::string_view hash) const;
  // The (record tag, id) of everything stored about the customer.
  absl::StatusOr<std::vector<std::pair<keys::WorkspaceTag, std::string>>>
  RecordsOf(absl::string_view ws, absl::string_view customer_id) const;

  storage::Store& store_;
  const WorkspaceDirectory& workspaces_;
  CustomerDirectory& customers_;
  const ResponseLedger& responses_;
  const PurchaseLedger& purchases_;
  const SessionLedger& sessions_;
  const TicketLedger& tickets_;
  const Events& events_;
  absl::Mutex mu_;  // one erasure at a time, and it alone writes the log
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;  // 0: not read yet
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_PRIVACY_H_
