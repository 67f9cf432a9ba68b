// EventService handlers.
#ifndef MITTARI_SERVICE_EVENT_SERVICE_H_
#define MITTARI_SERVICE_EVENT_SERVICE_H_

#include "domain/events.h"
#include "mittari/v1/event.grpc.pb.h"
#include "service/auth.h"
#include "service/convert.h"

namespace mittari::service {

// RecordRegistration is served by the callback API, as the other unary
// writes of a record are: the events' committer thread stores it.
class EventServiceImpl final
    : public v1::EventService::WithCallbackMethod_RecordRegistration<
          v1::EventService::Service> {
 public:
  EventServiceImpl(const Authorizer& auth, domain::Events& events)
      : auth_(auth), events_(events) {}

  grpc::Status CreateEvent(grpc::ServerContext* context,
                           const v1::CreateEventRequest* request,
                           v1::Event* response) override;
  grpc::Status GetEvent(grpc::ServerContext* context,
                        const v1::GetEventRequest* request,
                        v1::Event* response) override;
  grpc::Status ListEvents(grpc::ServerContext* context,
                          const v1::ListEventsRequest* request,
                          v1::ListEventsResponse* response) override;
  grpc::Status ImportEvents(grpc::ServerContext* context,
                            grpc::ServerReader<v1::ImportEventsRequest>* reader,
                            v1::ImportSummary* response) override;
  grpc::Status ImportEventLines(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportEventLinesRequest>* reader,
      v1::ImportSummary* response) override;
  grpc::Status ImportRegistrations(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportRegistrationsRequest>* reader,
      v1::ImportSummary* response) override;
  grpc::ServerUnaryReactor* RecordRegistration(
      grpc::CallbackServerContext* context,
      const v1::RecordRegistrationRequest* request,
      v1::Registration* response) override;
  grpc::Status RecordEventSignals(grpc::ServerContext* context,
                                  const v1::RecordEventSignalsRequest* request,
                                  v1::ImportSummary* response) override;
  grpc::Status GetEventReport(grpc::ServerContext* context,
                              const v1::GetEventReportRequest* request,
                              v1::EventReport* response) override;
  grpc::Status CompareEvents(grpc::ServerContext* context,
                             const v1::CompareEventsRequest* request,
                             v1::CompareEventsResponse* response) override;

 private:
  const Authorizer& auth_;
  domain::Events& events_;
};

// Conversions shared with the ingest fuzzer (RegistrationToProto is in
// convert.h).
records::Registration RegistrationFromProto(const v1::Registration& r);
records::EventSignal SignalFromProto(const v1::EventSignal& s);

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_EVENT_SERVICE_H_
