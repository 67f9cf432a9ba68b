// The one factory of errors. Every error the service returns is made here,
// with the right canonical code, a stable machine-readable reason (becoming
// google.rpc.ErrorInfo.reason) and, for invalid input, the offending fields
// (becoming google.rpc.BadRequest field violations). The details travel as
// absl::Status payloads so that no layer below the service needs protobuf.
#ifndef MITTARI_COMMON_ERRORS_H_
#define MITTARI_COMMON_ERRORS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mittari::errors {

// ErrorInfo.domain of every Mittari error.
inline constexpr absl::string_view kDomain = "mittari";

struct FieldViolation {
  std::string field;        // e.g. "workspace.time_zone"
  std::string description;  // why it is invalid
  bool operator==(const FieldViolation&) const = default;
};

// INVALID_ARGUMENT for one field: "<field>: <reason>".
absl::Status InvalidArgument(absl::string_view field, absl::string_view reason);
// At most this many violations are listed (in the message and the details);
// the message counts the rest.
inline constexpr size_t kMaxListedViolations = 20;
// INVALID_ARGUMENT for several fields at once.
absl::Status InvalidArguments(const std::vector<FieldViolation>& violations);
// NOT_FOUND for a resource name.
absl::Status NotFound(absl::string_view resource_name);
// ALREADY_EXISTS for a resource name.
absl::Status AlreadyExists(absl::string_view resource_name,
                           absl::string_view detail = "");
// UNAUTHENTICATED: no key, or a key the server does not accept.
absl::Status Unauthenticated(absl::string_view why);
// PERMISSION_DENIED: the key is valid but may not do this here.
absl::Status PermissionDenied(absl::string_view why);
// FAILED_PRECONDITION with a reason code (UPPER_SNAKE_CASE).
absl::Status FailedPrecondition(absl::string_view reason,
                                absl::string_view message);
// RESOURCE_EXHAUSTED: a request over a limit (reason RESOURCE_EXHAUSTED
// unless given).
absl::Status ResourceExhausted(absl::string_view message,
                               absl::string_view reason = "RESOURCE_EXHAUSTED");
// RESOURCE_EXHAUSTED of a rate or capacity limit, with a reason code
// (e.g. RATE_LIMITED) and when a retry may succeed (google.rpc.RetryInfo).
absl::Status Throttled(absl::string_view reason, absl::string_view message,
                       absl::Duration retry_after);
// CANCELLED: the call was cancelled before it was done.
absl::Status Cancelled(absl::string_view message);
// ABORTED: the call conflicted with a concurrent one; running it again may
// succeed.
absl::Status Aborted(absl::string_view message);
// UNAVAILABLE, e.g. while shutting down.
absl::Status Unavailable(absl::string_view message);
// INTERNAL: a fault of the server or of its data, never of the input.
absl::Status Internal(absl::string_view message);
// DATA_LOSS: stored data is corrupt.
absl::Status DataLoss(absl::string_view message);

// The ErrorInfo reason attached to `status` (empty when none).
std::string Reason(const absl::Status& status);
// The field violations attached to `status` (empty when none).
std::vector<FieldViolation> FieldViolations(const absl::Status& status);
// The retry delay attached to `status` by Throttled.
std::optional<absl::Duration> RetryAfter(const absl::Status& status);

// What only the server's log may see (a storage engine's message, naming
// files): attached to `status`, never sent to a client.
void SetInternalDetail(absl::Status& status, absl::string_view detail);
std::string InternalDetail(const absl::Status& status);

}  // namespace mittari::errors

#endif  // MITTARI_COMMON_ERRORS_H_
