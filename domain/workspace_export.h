// A workspace's data as the import files take it (product.md "Bulk
// import"): every record of each kind, in the order the files import, in
// chunks. Imported into an empty workspace, it gives every KPI as it was:
// customers carry their earlier active intervals, and the pseudonymous
// customers that erasure left behind (their anonymous facts keep a random
// token as the customer) come back as customers without a name, with the
// dimensions and intervals their facts record.
#ifndef MITTARI_DOMAIN_WORKSPACE_EXPORT_H_
#define MITTARI_DOMAIN_WORKSPACE_EXPORT_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "domain/activity.h"
#include "domain/customers.h"
#include "domain/events.h"
#include "domain/records.pb.h"
#include "domain/responses.h"
#include "domain/surveys.h"
#include "domain/workspaces.h"

namespace mittari::domain {

// The import files, in import order.
enum class ExportKind {
  kCustomers,
  kSurveys,
  kEvents,
  kEventCosts,
  kEventRevenues,
  kRegistrations,
  kResponses,
  kPurchases,
  kSessions,
  kTickets,
};
// The file's name without ".csv" ("customers", "event_costs"…).
absl::string_view ExportKindName(ExportKind kind);

// Records of one kind; only the vector of that kind is filled.
struct ExportChunk {
  ExportKind kind = ExportKind::kCustomers;
  std::vector<records::Customer> customers;
  std::vector<records::Survey> surveys;
  std::vector<records::Event> events;
  std::vector<records::EventLine> lines;
  std::vector<records::Registration> registrations;
  std::vector<records::Response> responses;
  std::vector<records::Purchase> purchases;
  std::vector<records::Session> sessions;
  std::vector<records::Ticket> tickets;
};

class WorkspaceExport {
 public:
  struct Sources {
    const storage::Store& store;
    const CustomerDirectory& customers;
    const SurveyCatalog& surveys;
    const Events& events;
    const ResponseLedger& responses;
    const PurchaseLedger& purchases;
    const SessionLedger& sessions;
    const TicketLedger& tickets;
  };
  explicit WorkspaceExport(Sources sources) : s_(sources) {}

  // Calls `emit` with chunks of at most `chunk` records, kind after kind;
  // `emit` returns false to stop (CANCELLED).
  absl::Status Run(absl::string_view ws, size_t chunk,
                   const std::function<bool(const ExportChunk&)>& emit) const;

 private:
  Sources s_;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_WORKSPACE_EXPORT_H_
