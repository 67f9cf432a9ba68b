// Field checks shared by the domain: ids, lengths, and a collector of field
// violations so that one error names every bad field of a request.
#ifndef MITTARI_DOMAIN_VALIDATION_H_
#define MITTARI_DOMAIN_VALIDATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/errors.h"

namespace mittari::domain {

// How far into the future a fact's time may be (clock skew).
inline constexpr absl::Duration kMaxFutureSkew = absl::Minutes(5);

// Bounds on every number that enters, so that the sums of any realistic
// volume stay far inside int64 (a sum that still passes it saturates:
// storage/counters.h). Times lie in [1970-01-01, 2100-01-01) UTC; the API's
// converters turn a Timestamp outside it into kTimeOutOfRange.
inline constexpr int64_t kMaxTimeUs = int64_t{4102444800} * 1'000'000;
inline constexpr int64_t kTimeOutOfRange = -1;
// Money of one record (a purchase, a cost or revenue line, a budget):
// 10^12 minor units, ten billion in a currency of cents.
inline constexpr int64_t kMaxMinorUnits = 1'000'000'000'000;
// Counts carried by one record (signals, invitations, goals).
inline constexpr int64_t kMaxCount = 1'000'000'000;

// Collects violations; `prefix` is put before every field name (e.g.
// "requests[3].response.").
class Violations {
 public:
  explicit Violations(std::string prefix = "") : prefix_(std::move(prefix)) {}

  void Add(absl::string_view field, absl::string_view reason);
  // Adds the violations of a status made by errors::InvalidArgument(s).
  void Merge(const absl::Status& status);
  bool empty() const { return list_.empty(); }
  // What is put before every field name.
  const std::string& prefix() const { return prefix_; }
  // OK when empty, otherwise INVALID_ARGUMENT with every violation.
  absl::Status ToStatus() const;

  // Checks for common field shapes; each adds a violation on failure.
  void Required(absl::string_view field, absl::string_view value);
  void MaxLength(absl::string_view field, absl::string_view value, size_t max);
  // A client-chosen id: 1–128 characters of [A-Za-z0-9._-].
  void Id(absl::string_view field, absl::string_view value);
  // A time, when given (not 0), in [1970, 2100).
  void TimeInRange(absl::string_view field, int64_t us);
  // A number in [min, max].
  void Between(absl::string_view field, int64_t value, int64_t min,
               int64_t max);

 private:
  std::string prefix_;
  std::vector<errors::FieldViolation> list_;
};

// True for a valid client-chosen id.
bool IsValidId(absl::string_view id);

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_VALIDATION_H_
