// SurveyService handlers: surveys, responses, follow-ups, invitations.
#ifndef MITTARI_SERVICE_SURVEY_SERVICE_H_
#define MITTARI_SERVICE_SURVEY_SERVICE_H_

#include "domain/responses.h"
#include "domain/surveys.h"
#include "mittari/v1/survey.grpc.pb.h"
#include "service/auth.h"

namespace mittari::service {

// SubmitResponse is served by the callback API: its handler never blocks
// on the synced write (the ledger's committer thread does that for many
// submits at once), so calls in flight do not each hold a thread.
class SurveyServiceImpl final
    : public v1::SurveyService::WithCallbackMethod_SubmitResponse<
          v1::SurveyService::Service> {
 public:
  SurveyServiceImpl(const Authorizer& auth, domain::SurveyCatalog& surveys,
                    domain::ResponseLedger& responses)
      : auth_(auth), surveys_(surveys), responses_(responses) {}

  grpc::Status CreateSurvey(grpc::ServerContext* context,
                            const v1::CreateSurveyRequest* request,
                            v1::Survey* response) override;
  grpc::Status GetSurvey(grpc::ServerContext* context,
                         const v1::GetSurveyRequest* request,
                         v1::Survey* response) override;
  grpc::Status ListSurveys(grpc::ServerContext* context,
                           const v1::ListSurveysRequest* request,
                           v1::ListSurveysResponse* response) override;
  grpc::Status UpdateSurvey(grpc::ServerContext* context,
                            const v1::UpdateSurveyRequest* request,
                            v1::Survey* response) override;
  grpc::Status ArchiveSurvey(grpc::ServerContext* context,
                             const v1::ArchiveSurveyRequest* request,
                             v1::Survey* response) override;
  grpc::Status ImportSurveys(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportSurveysRequest>* reader,
      v1::ImportSummary* response) override;
  grpc::ServerUnaryReactor* SubmitResponse(
      grpc::CallbackServerContext* context,
      const v1::SubmitResponseRequest* request,
      v1::Response* response) override;
  grpc::Status BatchSubmitResponses(
      grpc::ServerContext* context,
      const v1::BatchSubmitResponsesRequest* request,
      v1::BatchSubmitResponsesResponse* response) override;
  grpc::Status StreamSubmitResponses(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::StreamSubmitResponsesRequest>* reader,
      v1::BatchSubmitResponsesResponse* response) override;
  grpc::Status GetResponse(grpc::ServerContext* context,
                           const v1::GetResponseRequest* request,
                           v1::Response* response) override;
  grpc::Status ListResponses(grpc::ServerContext* context,
                             const v1::ListResponsesRequest* request,
                             v1::ListResponsesResponse* response) override;
  grpc::Status ListFollowUps(grpc::ServerContext* context,
                             const v1::ListFollowUpsRequest* request,
                             v1::ListFollowUpsResponse* response) override;
  grpc::Status UpdateFollowUp(grpc::ServerContext* context,
                              const v1::UpdateFollowUpRequest* request,
                              v1::FollowUp* response) override;
  grpc::Status RecordInvitations(grpc::ServerContext* context,
                                 const v1::RecordInvitationsRequest* request,
                                 v1::InvitationBatch* response) override;

 private:
  static v1::FollowUp FollowUpToProto(absl::string_view ws,
                                      const domain::FollowUpItem& item);
  const Authorizer& auth_;
  domain::SurveyCatalog& surveys_;
  domain::ResponseLedger& responses_;
};

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_SURVEY_SERVICE_H_
