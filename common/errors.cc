#include "common/errors.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace mittari::errors {
namespace {

constexpr absl::string_view kReasonPayload = "mittari/reason";
constexpr absl::string_view kViolationsPayload = "mittari/field_violations";
constexpr absl::string_view kRetryPayload = "mittari/retry_after_ms";
constexpr absl::string_view kDetailPayload = "mittari/internal_detail";
// Separators that cannot appear in a field path and are replaced in
// descriptions, so the payload decodes unambiguously.
constexpr char kUnitSep = '\x1f';
constexpr char kRecordSep = '\x1e';

absl::Status Make(absl::StatusCode code, absl::string_view reason,
                  absl::string_view message) {
  absl::Status status(code, message);
  status.SetPayload(kReasonPayload, absl::Cord(reason));
  return status;
}

std::string Clean(absl::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == kUnitSep || c == kRecordSep) c = ' ';
  }
  return out;
}

}  // namespace

absl::Status InvalidArgument(absl::string_view field,
                             absl::string_view reason) {
  return InvalidArguments({{std::string(field), std::string(reason)}});
}

absl::Status InvalidArguments(const std::vector<FieldViolation>& violations) {
  // The message and the violations travel in the reply's trailers, which
  // clients cap (8 KiB by default): a batch with a bad field in every item
  // lists the first ones and counts the rest.
  std::vector<std::string> messages;
  std::string payload;
  size_t listed = 0;
  for (const FieldViolation& v : violations) {
    if (listed == kMaxListedViolations) break;
    ++listed;
    messages.push_back(absl::StrCat(v.field, ": ", v.description));
    absl::StrAppend(&payload, Clean(v.field), std::string(1, kUnitSep),
                    Clean(v.description), std::string(1, kRecordSep));
  }
  std::string message = absl::StrJoin(messages, "; ");
  if (listed < violations.size()) {
    absl::StrAppend(&message, "; and ", violations.size() - listed,
                    " more like these");
  }
  absl::Status status =
      Make(absl::StatusCode::kInvalidArgument, "INVALID_ARGUMENT", message);
  status.SetPayload(kViolationsPayload, absl::Cord(payload));
  return status;
}

absl::Status NotFound(absl::string_view resource_name) {
  return Make(absl::StatusCode::kNotFound, "NOT_FOUND",
              absl::StrCat(resource_name, " not found"));
}

absl::Status AlreadyExists(absl::string_view resource_name,
                           absl::string_view detail) {
  return Make(absl::StatusCode::kAlreadyExists, "ALREADY_EXISTS",
              detail.empty()
                  ? absl::StrCat(resource_name, " already exists")
                  : absl::StrCat(resource_name, " already exists: ", detail));
}

absl::Status Unauthenticated(absl::string_view why) {
  return Make(absl::StatusCode::kUnauthenticated, "UNAUTHENTICATED", why);
}

absl::Status PermissionDenied(absl::string_view why) {
  return Make(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED", why);
}

absl::Status FailedPrecondition(absl::string_view reason,
                                absl::string_view message) {
  return Make(absl::StatusCode::kFailedPrecondition, reason, message);
}

absl::Status ResourceExhausted(absl::string_view message,
                               absl::string_view reason) {
  return Make(absl::StatusCode::kResourceExhausted, reason, message);
}

absl::Status Throttled(absl::string_view reason, absl::string_view message,
                       absl::Duration retry_after) {
  absl::Status status =
      Make(absl::StatusCode::kResourceExhausted, reason, message);
  status.SetPayload(kRetryPayload,
                    absl::Cord(absl::StrCat(absl::ToInt64Milliseconds(
                        absl::Ceil(retry_after, absl::Milliseconds(1))))));
  return status;
}

absl::Status Cancelled(absl::string_view message) {
  return Make(absl::StatusCode::kCancelled, "CANCELLED", message);
}

absl::Status Aborted(absl::string_view message) {
  return Make(absl::StatusCode::kAborted, "ABORTED", message);
}

absl::Status Unavailable(absl::string_view message) {
  return Make(absl::StatusCode::kUnavailable, "UNAVAILABLE", message);
}

absl::Status Internal(absl::string_view message) {
  return Make(absl::StatusCode::kInternal, "INTERNAL", message);
}

absl::Status DataLoss(absl::string_view message) {
  return Make(absl::StatusCode::kDataLoss, "DATA_LOSS", message);
}

std::optional<absl::Duration> RetryAfter(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryPayload);
  int64_t ms = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &ms)) {
    return std::nullopt;
  }
  return absl::Milliseconds(ms);
}

void SetInternalDetail(absl::Status& status, absl::string_view detail) {
  status.SetPayload(kDetailPayload, absl::Cord(detail));
}

std::string InternalDetail(const absl::Status& status) {
  auto payload = status.GetPayload(kDetailPayload);
  return payload.has_value() ? std::string(*payload) : std::string();
}

std::string Reason(const absl::Status& status) {
  auto payload = status.GetPayload(kReasonPayload);
  return payload.has_value() ? std::string(*payload) : std::string();
}

std::vector<FieldViolation> FieldViolations(const absl::Status& status) {
  std::vector<FieldViolation> out;
  auto payload = status.GetPayload(kViolationsPayload);
  if (!payload.has_value()) return out;
  std::string flat(*payload);
  for (absl::string_view record :
       absl::StrSplit(flat, kRecordSep, absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(record, absl::MaxSplits(kUnitSep, 1));
    out.push_back({std::string(parts.first), std::string(parts.second)});
  }
  return out;
}

}  // namespace mittari::errors
