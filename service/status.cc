#include "service/status.h"

#include <string>

#include "common/errors.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "service/observability.h"

namespace mittari::service {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  if (std::string detail = errors::InternalDetail(status); !detail.empty()) {
    // For the operator; the client gets the message alone.
    LogWarning("storage error",
               {{"error", std::string(status.message())}, {"detail", detail}});
  }
  google::rpc::Status rpc_status;
  rpc_status.set_code(static_cast<int>(status.code()));
  rpc_status.set_message(std::string(status.message()));

  google::rpc::ErrorInfo info;
  std::string reason = errors::Reason(status);
  info.set_reason(reason.empty() ? absl::StatusCodeToString(status.code())
                                 : reason);
  info.set_domain(std::string(errors::kDomain));
  rpc_status.add_details()->PackFrom(info);

  std::vector<errors::FieldViolation> violations =
      errors::FieldViolations(status);
  if (!violations.empty()) {
    google::rpc::BadRequest bad_request;
    for (const errors::FieldViolation& v : violations) {
      google::rpc::BadRequest::FieldViolation* fv =
          bad_request.add_field_violations();
      fv->set_field(v.field);
      fv->set_description(v.description);
    }
    rpc_status.add_details()->PackFrom(bad_request);
  }
  if (std::optional<absl::Duration> after = errors::RetryAfter(status)) {
    google::rpc::RetryInfo retry;
    const int64_t ms = absl::ToInt64Milliseconds(*after);
    retry.mutable_retry_delay()->set_seconds(ms / 1000);
    retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>(ms % 1000) *
                                           1'000'000);
    rpc_status.add_details()->PackFrom(retry);
  }
  return {static_cast<grpc::StatusCode>(status.code()),
          std::string(status.message()), rpc_status.SerializeAsString()};
}

}  // namespace mittari::service
