// Conversions between the API messages (mittari.v1) and the domain's
// records, for surveys, customers and responses.
#ifndef MITTARI_SERVICE_CONVERT_H_
#define MITTARI_SERVICE_CONVERT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "domain/records.pb.h"
#include "mittari/v1/customer.pb.h"
#include "mittari/v1/event.pb.h"
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

// Purchases, sessions and tickets: ToProto names the record in workspace
// `ws`; RecordOf takes the id and the item of a Record*Request.
v1::Purchase ToProto(absl::string_view ws, const records::Purchase& p);
v1::Session ToProto(absl::string_view ws, const records::Session& s);
v1::Ticket ToProto(absl::string_view ws, const records::Ticket& t);
records::Purchase RecordOf(const v1::RecordPurchaseRequest& request);
records::Session RecordOf(const v1::RecordSessionRequest& request);
records::Ticket RecordOf(const v1::RecordTicketRequest& request);

v1::Event EventToProto(absl::string_view ws, const records::Event& e);
v1::Registration RegistrationToProto(absl::string_view ws,
                                     const records::Registration& r);
v1::EventLine EventLineToProto(const records::EventLine& l);

v1::InvitationBatch InvitationBatchToProto(absl::string_view ws,
                                           const records::InvitationBatch& b);

// Field-mask paths of the API mapped to record field names; unknown paths
// are kept as they are (the domain refuses them by name).
std::vector<std::string> CustomerMaskToRecord(
    const google::protobuf::RepeatedPtrField<std::string>& paths);

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_CONVERT_H_
