// Conversions between the API messages (mittari.v1) and the domain's
// records, for surveys, customers and responses.
#ifndef MITTARI_SERVICE_CONVERT_H_
#define MITTARI_SERVICE_CONVERT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "domain/records.pb.h"
#include "mittari/v1/customer.pb.h"
#include "mittari/v1/survey.pb.h"

namespace mittari::service {

v1::Survey SurveyToProto(absl::string_view ws, const records::Survey& s);
records::Survey SurveyFromProto(const std::string& id, const v1::Survey& s);

v1::Customer CustomerToProto(absl::string_view ws, const records::Customer& c);
records::Customer CustomerFromProto(const std::string& id,
                                    const v1::Customer& c);

v1::Response ResponseToProto(absl::string_view ws, const records::Response& r);
records::Response ResponseFromProto(const std::string& id,
                                    const v1::Response& r);

v1::InvitationBatch InvitationBatchToProto(absl::string_view ws,
                                           const records::InvitationBatch& b);

// Field-mask paths of the API mapped to record field names; unknown paths
// are kept as they are (the domain refuses them by name).
std::vector<std::string> CustomerMaskToRecord(
    const google::protobuf::RepeatedPtrField<std::string>& paths);

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_CONVERT_H_
