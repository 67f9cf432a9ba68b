// AdminService: ExportWorkspace, the workspace's records as the import
// streams take them.
#include "common/status_macros.h"
#include "service/admin_service.h"
#include "service/convert.h"
#include "service/handler.h"

namespace mittari::service {
namespace {

using domain::ExportChunk;

// Records per message: well under the message size limit for the widest
// records.
constexpr size_t kChunk = 500;

v1::ExportWorkspaceResponse ChunkToProto(absl::string_view ws,
                                         const ExportChunk& chunk) {
  v1::ExportWorkspaceResponse out;
  out.set_file(std::string(domain::ExportKindName(chunk.kind)));
  for (const records::Customer& c : chunk.customers) {
    v1::ImportedCustomer* item = out.add_customers();
    item->set_customer_id(c.id());
    *item->mutable_customer() = CustomerToProto(ws, c);
    for (const records::Interval& i : c.past_intervals()) {
      v1::ActiveInterval* past = item->add_past_intervals();
      SetTime(i.acquire_time_us(), past->mutable_acquire_time());
      SetTime(i.churn_time_us(), past->mutable_churn_time());
    }
  }
  for (const records::Survey& s : chunk.surveys) {
    v1::ImportedSurvey* item = out.add_surveys();
    item->set_survey_id(s.id());
    *item->mutable_survey() = SurveyToProto(ws, s);
  }
  for (const records::Event& e : chunk.events) {
    v1::ImportedEvent* item = out.add_events();
    item->set_event_id(e.id());
    *item->mutable_event() = EventToProto(ws, e);
  }
  for (const records::EventLine& l : chunk.lines) {
    *out.add_event_lines() = EventLineToProto(l);
  }
  for (const records::Registration& r : chunk.registrations) {
    *out.add_registrations() = RegistrationToProto(ws, r);
  }
  for (const records::Response& r : chunk.responses) {
    v1::SubmitResponseRequest* item = out.add_responses();
    item->set_response_id(r.id());
    *item->mutable_response() = ResponseToProto(ws, r);
  }
  for (const records::Purchase& p : chunk.purchases) {
    v1::RecordPurchaseRequest* item = out.add_purchases();
    item->set_purchase_id(p.id());
    *item->mutable_purchase() = ToProto(ws, p);
  }
  for (const records::Session& s : chunk.sessions) {
    v1::RecordSessionRequest* item = out.add_sessions();
    item->set_session_id(s.id());
    *item->mutable_session() = ToProto(ws, s);
  }
  for (const records::Ticket& t : chunk.tickets) {
    v1::RecordTicketRequest* item = out.add_tickets();
    item->set_ticket_id(t.id());
    *item->mutable_ticket() = ToProto(ws, t);
  }
  return out;
}

}  // namespace

grpc::Status AdminServiceImpl::ExportWorkspace(
    grpc::ServerContext* context, const v1::ExportWorkspaceRequest* request,
    grpc::ServerWriter<v1::ExportWorkspaceResponse>* writer) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        WorkspaceCall call,
        auth_.AuthorizeParent(*context, {domain::Permission::kAdmin},
                              request->parent()));
    return exporter_.Run(
        call.workspace_id, kChunk, [&](const ExportChunk& chunk) {
          return !context->IsCancelled() &&
                 writer->Write(ChunkToProto(call.workspace_id, chunk));
        });
  });
}

}  // namespace mittari::service
