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
  // What the erasure anonymized.
  absl::StatusOr<ErasureCounts> Erase(absl::string_view ws,
                                      absl::string_view customer_id);

 private:
  // Rewrites everything stored about the customer in one write (Erase's
  // work before the compaction).
  absl::StatusOr<ErasureCounts> EraseRecords(absl::string_view ws,
                                             absl::string_view customer_id);
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
  absl::Mutex mu_;  // one erasure at a time
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_PRIVACY_H_
