// What every handler shares: running its body and converting the status in
// the one place, and time conversions.
#ifndef MITTARI_SERVICE_HANDLER_H_
#define MITTARI_SERVICE_HANDLER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/errors.h"
#include "domain/validation.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "service/status.h"

namespace mittari::service {

// Runs a handler body (returning absl::Status) and converts its status.
template <typename Body>
grpc::Status Handle(Body body) {
  return ToGrpcStatus(body());
}

// The fields an update names: its mask's paths, or, for an empty mask,
// every field the request's resource sets but its name.
inline std::vector<std::string> MaskedFields(
    const google::protobuf::Message& resource,
    const google::protobuf::FieldMask& mask) {
  std::vector<std::string> fields(mask.paths().begin(), mask.paths().end());
  if (fields.empty()) {
    std::vector<const google::protobuf::FieldDescriptor*> set;
    resource.GetReflection()->ListFields(resource, &set);
    for (const auto* f : set) {
      if (f->name() != "name") fields.push_back(f->name());
    }
  }
  return fields;
}

inline void SetTime(int64_t micros, google::protobuf::Timestamp* out) {
  *out = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(micros);
}

// Micros of a timestamp; 0 when absent (`has` false), and
// domain::kTimeOutOfRange (which the domain refuses, naming the field) when
// it lies outside [1970, 2100) or its nanos are not 0-999,999,999, so that
// no conversion can overflow.
inline int64_t MicrosOf(bool has, const google::protobuf::Timestamp& t) {
  if (!has) return 0;
  constexpr int64_t kMaxSeconds = domain::kMaxTimeUs / 1'000'000;
  if (t.seconds() < 0 || t.seconds() >= kMaxSeconds || t.nanos() < 0 ||
      t.nanos() > 999'999'999) {
    return domain::kTimeOutOfRange;
  }
  return google::protobuf::util::TimeUtil::TimestampToMicroseconds(t);
}

// A timestamp the request must carry; INVALID_ARGUMENT naming `field`
// when absent.
inline absl::StatusOr<absl::Time> RequiredTime(
    bool has, const google::protobuf::Timestamp& t, absl::string_view field) {
  if (!has) return errors::InvalidArgument(field, "is required");
  const int64_t us = MicrosOf(true, t);
  if (us == domain::kTimeOutOfRange) {
    return errors::InvalidArgument(field,
                                   "must be between 1970-01-01 and 2100-01-01");
  }
  return absl::FromUnixMicros(us);
}

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_HANDLER_H_
