// The one place where an absl::Status becomes a grpc::Status: the code, the
// message, and a google.rpc.Status in the binary details carrying one
// google.rpc.ErrorInfo and, for invalid input, a google.rpc.BadRequest with
// the field violations.
#ifndef MITTARI_SERVICE_STATUS_H_
#define MITTARI_SERVICE_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace mittari::service {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_STATUS_H_
