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

 private:
  std::string prefix_;
  std::vector<errors::FieldViolation> list_;
};

// True for a valid client-chosen id.
bool IsValidId(absl::string_view id);

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_VALIDATION_H_
