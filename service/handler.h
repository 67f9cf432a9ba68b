// What every handler shares: running its body and converting the status in
// the one place, and time conversions.
#ifndef MITTARI_SERVICE_HANDLER_H_
#define MITTARI_SERVICE_HANDLER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/errors.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "service/status.h"

namespace mittari::service {

// Runs a handler body (returning absl::Status) and converts its status.
template <typename Body>
grpc::Status Handle(Body body) {
  return ToGrpcStatus(body());
}

inline void SetTime(int64_t micros, google::protobuf::Timestamp* out) {
  *out = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(micros);
}

// Micros of a timestamp; 0 when absent (`has` false).
inline int64_t MicrosOf(bool has, const google::protobuf::Timestamp& t) {
  return has ? google::protobuf::util::TimeUtil::TimestampToMicroseconds(t) : 0;
}

// A timestamp the request must carry; INVALID_ARGUMENT naming `field`
// when absent.
inline absl::StatusOr<absl::Time> RequiredTime(
    bool has, const google::protobuf::Timestamp& t, absl::string_view field) {
  if (!has) return errors::InvalidArgument(field, "is required");
  return absl::FromUnixMicros(MicrosOf(true, t));
}

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_HANDLER_H_
