// The value of customer experience (metrics.md "Value of customer
// experience"): the customers who answered in a range, grouped by the
// experience they reported last, and per group what they spend, whether
// they stay and what they have been worth, with the best group against the
// worst. Computed when asked from the responses of the range and the
// grouped customers' records and purchases: its cost grows with the
// answering customers, not with the workspace.
#ifndef MITTARI_DOMAIN_VALUE_REPORT_H_
#define MITTARI_DOMAIN_VALUE_REPORT_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "domain/activity.h"
#include "domain/customers.h"
#include "domain/responses.h"

namespace mittari::domain {

enum class ExperienceKind { kNps, kCsat };

struct ValueReportQuery {
  ExperienceKind kind = ExperienceKind::kNps;
  absl::Time from;  // inclusive
  absl::Time to;    // exclusive
  // On the responses: survey, channel, touchpoint, event, tag, segment,
  // region, customer_type, journey_stage.
  std::map<std::string, std::string> filters;
};

struct ValueGroup {
  std::string group;  // promoter / passive / detractor, positive / ...
  int64_t customers = 0;
  // Mean net revenue in the range per year, in minor units, with the
  // normal 95 % interval (absent below 2 customers).
  std::optional<double> annual_spend;
  std::optional<double> annual_spend_ci_low;
  std::optional<double> annual_spend_ci_high;
  // Of the group's customers active at the range's start (retention_n),
  // the percentage still in that active interval at its end (Wilson CI).
  std::optional<double> retention;
  int64_t retention_n = 0;
  std::optional<double> retention_ci_low;
  std::optional<double> retention_ci_high;
  // Mean net revenue before the range's end.
  std::optional<double> clv_historical;
};

// The best group against the worst.
struct ValueHeadline {
  std::optional<double> spend_uplift_pct;
  std::optional<double> spend_z;  // Welch
  std::optional<bool> spend_significant;
  std::optional<double> retention_best;
  std::optional<double> retention_worst;
  std::optional<double> retention_z;  // pooled two-proportion
  std::optional<bool> retention_significant;
};

struct ValueReport {
  std::vector<ValueGroup> groups;  // always all three, best first
  ValueHeadline headline;
};

class ValueReports {
 public:
  ValueReports(const ResponseLedger& responses, const PurchaseLedger& purchases,
               const CustomerDirectory& customers, const storage::Store& store)
      : responses_(responses),
        purchases_(purchases),
        customers_(customers),
        store_(store) {}

  // INVALID_ARGUMENT naming `range` or `filters` for a bad query.
  absl::StatusOr<ValueReport> Report(absl::string_view ws,
                                     const ValueReportQuery& query) const;

 private:
  const ResponseLedger& responses_;
  const PurchaseLedger& purchases_;
  const CustomerDirectory& customers_;
  const storage::Store& store_;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_VALUE_REPORT_H_
