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
#include "domain/records.pb.h"
#include "domain/surveys.h"
#include "domain/validation.h"

namespace mittari::domain {

struct CustomerFilter {
  std::string segment;
  std::string region;
  std::string customer_type;
};

class CustomerDirectory {
 public:
  CustomerDirectory(storage::Store& store, const Clock& clock)
      : store_(store),
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
  // "customers[i].…".
  absl::StatusOr<ImportCounts> Import(absl::string_view workspace_id,
                                      std::vector<records::Customer> customers);

 private:
  storage::Store& store_;
  const Clock& clock_;
  CatalogTable<records::Customer> table_;
  absl::Mutex mu_;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_CUSTOMERS_H_
