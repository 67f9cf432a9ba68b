// Customers, keyed by the company's own id: enough to cut KPIs by segment,
// region and customer type, plus the active interval [acquired, churned).
#ifndef MITTARI_DOMAIN_CUSTOMERS_H_
#define MITTARI_DOMAIN_CUSTOMERS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "domain/catalog_table.h"
#include "domain/change_gate.h"
#include "domain/kpi/calendar.h"
#include "domain/kpi/rollups.h"
#include "domain/records.pb.h"
#include "domain/surveys.h"
#include "domain/validation.h"
#include "domain/workspaces.h"

namespace mittari::domain {

struct CustomerFilter {
  std::string segment;
  std::string region;
  std::string customer_type;
};

// The ids of a customer's records of one tag, from the per-customer index
// (keys::OfCustomer).
absl::StatusOr<std::vector<std::string>> IdsOfCustomer(
    const storage::ReadView& view, absl::string_view ws,
    absl::string_view customer_id, keys::WorkspaceTag tag);

// The violation message of a record naming a customer the workspace does
// not have.
std::string NoSuchCustomer(absl::string_view customer_id);

class CustomerDirectory {
 public:
  CustomerDirectory(storage::Store& store, const WorkspaceDirectory& workspaces,
                    const Clock& clock)
      : store_(store),
        workspaces_(workspaces),
        clock_(clock),
        table_(store, keys::WorkspaceTag::kCustomer) {}

  // Checks a customer; violations are named "customer.<field>" and
  // "customer_id" after the collector's prefix.
  static void Validate(const records::Customer& customer, Violations& v);

  absl::StatusOr<records::Customer> Create(absl::string_view workspace_id,
                                           records::Customer customer);
  absl::StatusOr<records::Customer> Get(absl::string_view workspace_id,
                                        absl::string_view id) const;
  absl::StatusOr<std::optional<records::Customer>> Find(
      const storage::ReadView& view, absl::string_view workspace_id,
      absl::string_view id) const {
    return table_.Find(view, workspace_id, id);
  }
  absl::StatusOr<Page<records::Customer>> List(
      absl::string_view workspace_id, absl::string_view after_id, int limit,
      const CustomerFilter& filter) const;
  absl::StatusOr<records::Customer> Update(
      absl::string_view workspace_id, absl::string_view id,
      const records::Customer& values, const std::vector<std::string>& fields);
  // Creates or replaces every customer, all or nothing; violations are named
  // "customers[i].…". Earlier active intervals are kept.
  absl::StatusOr<ImportCounts> Import(absl::string_view workspace_id,
                                      std::vector<records::Customer> customers);

  // Ends the customer's active interval at `time`.
  absl::StatusOr<records::Customer> Churn(absl::string_view ws,
                                          absl::string_view id,
                                          absl::Time time);
  // Opens a new active interval at `time` for a churned customer; the
  // ended one is kept as history.
  absl::StatusOr<records::Customer> Reactivate(absl::string_view ws,
                                               absl::string_view id,
                                               absl::Time time);

  // Adds to `batch` the deletion of the customer's record and the re-keying
  // of their active intervals to `token` (erasure).
  void AddErasure(storage::WriteBatch& batch, kpi::RollupDeltas& deltas,
                  absl::string_view ws, const kpi::Calendar& calendar,
                  const records::Customer& customer,
                  absl::string_view token) const;

  // Serializes writers of customers (erasure takes it too).
  absl::Mutex& mutex() { return mu_; }

  // Erasure against the writers of facts that name a customer (responses,
  // purchases, sessions, tickets, registrations): an erasure holds the gate
  // while it finds and rewrites the customer's records, so nothing naming
  // an erased customer is stored after it. One gate per workspace.
  ChangeGate& erasure_gate(absl::string_view ws) const {
    return erasure_gates_.For(ws);
  }

 private:
  // Violations of an imported customer's past intervals.
  static void ValidatePastIntervals(const records::Customer& c, Violations& v);
  // Adds the writes of storing `customer` in place of `old` (its record
  // and its active intervals' rollup rows).
  void AddWrites(storage::WriteBatch& batch, kpi::RollupDeltas& deltas,
                 absl::string_view ws, const kpi::Calendar& calendar,
                 const records::Customer* old,
                 const records::Customer& customer) const;
  // Stores one customer in place of `old`, in one synced write.
  absl::Status Save(absl::string_view ws, const records::Customer* old,
                    const records::Customer& customer);

  storage::Store& store_;
  const WorkspaceDirectory& workspaces_;
  const Clock& clock_;
  CatalogTable<records::Customer> table_;
  absl::Mutex mu_;
  ChangeGates erasure_gates_;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_CUSTOMERS_H_
