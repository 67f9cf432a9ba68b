#include "service/survey_service.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "service/convert.h"
#include "service/customer_service.h"
#include "service/handler.h"
#include "service/resource_names.h"
#include "service/streams.h"
#include "service/write_reply.h"

namespace mittari::service {
namespace {

using domain::Permission;

constexpr absl::string_view kSurveys = "surveys";
constexpr absl::string_view kResponses = "responses";
constexpr size_t kMaxImportedSurveys = 100'000;
constexpr int kMaxBatch = 1000;

domain::ResponseFilter FilterOf(const v1::TimeRange& range,
                                const std::string& survey_id) {
  domain::ResponseFilter f;
  if (range.has_start_time()) f.from_us = MicrosOf(true, range.start_time());
  if (range.has_end_time()) f.to_us = MicrosOf(true, range.end_time());
  f.survey_id = survey_id;
  return f;
}

absl::Status CheckRange(const domain::ResponseFilter& f) {
  if (f.from_us && f.to_us && *f.from_us > *f.to_us) {
    return errors::InvalidArgument("range.end_time",
                                   "is before range.start_time");
  }
  return absl::OkStatus();
}

// The batch's own parent, or an item's parent that must agree with it.
absl::Status CheckItemParent(const v1::SubmitResponseRequest& item,
                             const std::string& parent, size_t index) {
  if (!item.parent().empty() && item.parent() != parent) {
    return errors::InvalidArgument(absl::StrCat("requests[", index, "].parent"),
                                   "must be empty or the batch's parent");
  }
  return absl::OkStatus();
}

v1::BatchSubmitResponsesResponse CountsToProto(const domain::SubmitCounts& c) {
  v1::BatchSubmitResponsesResponse out;
  out.set_received(c.received);
  out.set_stored(c.stored);
  out.set_duplicates(c.duplicates);
  return out;
}

}  // namespace

grpc::Status SurveyServiceImpl::CreateSurvey(
    grpc::ServerContext* context, const v1::CreateSurveyRequest* request,
    v1::Survey* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kWrite},
                                           request->parent()));
    ASSIGN_OR_RETURN(
        records::Survey created,
        surveys_.Create(call.workspace_id, SurveyFromProto(request->survey_id(),
                                                           request->survey())));
    *response = SurveyToProto(call.workspace_id, created);
    return absl::OkStatus();
  });
}

grpc::Status SurveyServiceImpl::GetSurvey(grpc::ServerContext* context,
                                          const v1::GetSurveyRequest* request,
                                          v1::Survey* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kRead},
                                             request->name(), kSurveys));
    ASSIGN_OR_RETURN(records::Survey s,
                     surveys_.Get(call.workspace_id, call.id));
    *response = SurveyToProto(call.workspace_id, s);
    return absl::OkStatus();
  });
}

grpc::Status SurveyServiceImpl::ListSurveys(
    grpc::ServerContext* context, const v1::ListSurveysRequest* request,
    v1::ListSurveysResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    ASSIGN_OR_RETURN(int size, PageSize(request->page_size(), "page_size"));
    ASSIGN_OR_RETURN(std::string after,
                     DecodePageToken(request->page_token(), "page_token"));
    ASSIGN_OR_RETURN(domain::Page<records::Survey> page,
                     surveys_.List(call.workspace_id, after, size,
                                   request->kind(), request->show_archived()));
    for (const records::Survey& s : page.items) {
      *response->add_surveys() = SurveyToProto(call.workspace_id, s);
    }
    response->set_next_page_token(EncodePageToken(page.next_after));
    return absl::OkStatus();
  });
}

grpc::Status SurveyServiceImpl::UpdateSurvey(
    grpc::ServerContext* context, const v1::UpdateSurveyRequest* request,
    v1::Survey* response) {
  return Handle([&]() -> absl::Status {
    const v1::Survey& s = request->survey();
    ASSIGN_OR_RETURN(ResourceCall call, auth_.AuthorizeResource(
                                            *context, {Permission::kWrite},
                                            s.name(), kSurveys, "survey.name"));
    std::vector<std::string> fields(request->update_mask().paths().begin(),
                                    request->update_mask().paths().end());
    if (fields.empty()) {
      // Every field given a value other than its default.
      const auto* reflection = v1::Survey::GetReflection();
      std::vector<const google::protobuf::FieldDescriptor*> set;
      reflection->ListFields(s, &set);
      for (const auto* f : set) {
        if (f->name() != "name") fields.push_back(f->name());
      }
    }
    ASSIGN_OR_RETURN(records::Survey updated,
                     surveys_.Update(call.workspace_id, call.id,
                                     SurveyFromProto(call.id, s), fields));
    *response = SurveyToProto(call.workspace_id, updated);
    return absl::OkStatus();
  });
}

grpc::Status SurveyServiceImpl::ArchiveSurvey(
    grpc::ServerContext* context, const v1::ArchiveSurveyRequest* request,
    v1::Survey* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kWrite},
                                             request->name(), kSurveys));
    ASSIGN_OR_RETURN(records::Survey s,
                     surveys_.Archive(call.workspace_id, call.id));
    *response = SurveyToProto(call.workspace_id, s);
    return absl::OkStatus();
  });
}

grpc::Status SurveyServiceImpl::ImportSurveys(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportSurveysRequest>* reader,
    v1::ImportSummary* response) {
  return Handle([&]() -> absl::Status {
    std::vector<records::Survey> surveys;
    ASSIGN_OR_RETURN(
        WorkspaceCall call,
        ReadStream(
            *context, reader, auth_, {Permission::kWrite}, kMaxImportedSurveys,
            [&](const v1::ImportSurveysRequest& message) {
              for (const v1::ImportedSurvey& s : message.surveys()) {
                surveys.push_back(SurveyFromProto(s.survey_id(), s.survey()));
              }
              return message.surveys_size();
            }));
    ASSIGN_OR_RETURN(domain::ImportCounts counts,
                     surveys_.Import(call.workspace_id, std::move(surveys)));
    *response = ImportSummaryToProto(counts);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SurveyServiceImpl::SubmitResponse(
    grpc::CallbackServerContext* context,
    const v1::SubmitResponseRequest* request, v1::Response* response) {
  return UnaryWrite(
      auth_, *context, request->parent(),
      [&](const WorkspaceCall& call, auto finish) {
        responses_.SubmitAsync(
            call.workspace_id,
            ResponseFromProto(request->response_id(), request->response()),
            [finish, response, ws = call.workspace_id,
             role = call.principal.role](
                absl::StatusOr<domain::Submitted> stored) {
              if (stored.ok()) {
                *response =
                    WriteReply(role, ResponseToProto(ws, stored->response),
                               stored->created ? v1::WRITE_OUTCOME_CREATED
                                               : v1::WRITE_OUTCOME_UNCHANGED);
              }
              finish(stored.status());
            });
      });
}

grpc::Status SurveyServiceImpl::BatchSubmitResponses(
    grpc::ServerContext* context,
    const v1::BatchSubmitResponsesRequest* request,
    v1::BatchSubmitResponsesResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kIngest},
                                           request->parent()));
    if (request->requests_size() > kMaxBatch) {
      return errors::InvalidArgument(
          "requests", absl::StrCat("at most ", kMaxBatch,
                                   " in a batch; stream larger sets"));
    }
    RETURN_IF_ERROR(auth_.AdmitRows(call, request->requests_size()));
    std::vector<records::Response> items;
    for (int i = 0; i < request->requests_size(); ++i) {
      const v1::SubmitResponseRequest& item = request->requests(i);
      RETURN_IF_ERROR(CheckItemParent(item, request->parent(), i));
      items.push_back(ResponseFromProto(item.response_id(), item.response()));
    }
    ASSIGN_OR_RETURN(
        domain::SubmitCounts counts,
        responses_.SubmitAll(call.workspace_id, std::move(items), "requests"));
    *response = CountsToProto(counts);
    return absl::OkStatus();
  });
}

grpc::Status SurveyServiceImpl::StreamSubmitResponses(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::StreamSubmitResponsesRequest>* reader,
    v1::BatchSubmitResponsesResponse* response) {
  return Handle([&]() -> absl::Status {
    // One import job: each message's responses are checked and staged as
    // they come; the end of the stream commits them all.
    std::unique_ptr<domain::ResponseImport> job;
    size_t seen = 0;
    auto take = [&](const WorkspaceCall& call,
                    const v1::StreamSubmitResponsesRequest& message)
        -> absl::StatusOr<size_t> {
      if (job == nullptr) {
        ASSIGN_OR_RETURN(job,
                         responses_.StartImport(call.workspace_id, "requests"));
      }
      std::vector<records::Response> items;
      items.reserve(message.requests_size());
      for (const v1::SubmitResponseRequest& item : message.requests()) {
        RETURN_IF_ERROR(CheckItemParent(
            item, message.parent().empty() ? item.parent() : message.parent(),
            seen++));
        items.push_back(ResponseFromProto(item.response_id(), item.response()));
      }
      RETURN_IF_ERROR(job->Add(std::move(items)));
      return static_cast<size_t>(message.requests_size());
    };
    RETURN_IF_ERROR(ReadChunks(*context, reader, auth_, {Permission::kIngest},
                               MaxImportRows(auth_), take)
                        .status());
    ASSIGN_OR_RETURN(domain::SubmitCounts counts, job->Commit());
    *response = CountsToProto(counts);
    return absl::OkStatus();
  });
}

grpc::Status SurveyServiceImpl::GetResponse(
    grpc::ServerContext* context, const v1::GetResponseRequest* request,
    v1::Response* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kRead},
                                             request->name(), kResponses));
    ASSIGN_OR_RETURN(records::Response r,
                     responses_.Get(call.workspace_id, call.id));
    *response = ResponseToProto(call.workspace_id, r);
    return absl::OkStatus();
  });
}

grpc::Status SurveyServiceImpl::ListResponses(
    grpc::ServerContext* context, const v1::ListResponsesRequest* request,
    v1::ListResponsesResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    ASSIGN_OR_RETURN(int size, PageSize(request->page_size(), "page_size"));
    ASSIGN_OR_RETURN(std::string after,
                     DecodePageToken(request->page_token(), "page_token"));
    domain::ResponseFilter filter =
        FilterOf(request->range(), request->survey_id());
    RETURN_IF_ERROR(CheckRange(filter));
    filter.tag = request->tag();
    filter.channel = request->channel();
    filter.touchpoint = request->touchpoint();
    filter.event_id = request->event_id();
    filter.text = request->text();
    ASSIGN_OR_RETURN(domain::Page<records::Response> page,
                     responses_.List(call.workspace_id, filter, after, size));
    for (const records::Response& r : page.items) {
      *response->add_responses() = ResponseToProto(call.workspace_id, r);
    }
    response->set_next_page_token(EncodePageToken(page.next_after));
    return absl::OkStatus();
  });
}

v1::FollowUp SurveyServiceImpl::FollowUpToProto(
    absl::string_view ws, const domain::FollowUpItem& item) {
  v1::FollowUp out;
  out.set_name(ChildName(ws, "followUps", item.response.id()));
  *out.mutable_response() = ResponseToProto(ws, item.response);
  if (item.customer.has_value()) {
    *out.mutable_customer() = CustomerToProto(ws, *item.customer);
  }
  const records::FollowUpState& s = item.state;
  out.set_state(static_cast<v1::FollowUpState>(s.state()));
  out.set_assignee(s.assignee());
  out.set_notes(s.notes());
  if (s.contact_time_us() != 0) {
    SetTime(s.contact_time_us(), out.mutable_contact_time());
  }
  if (s.close_time_us() != 0) {
    SetTime(s.close_time_us(), out.mutable_close_time());
  }
  if (s.update_time_us() != 0) {
    SetTime(s.update_time_us(), out.mutable_update_time());
  }
  return out;
}

grpc::Status SurveyServiceImpl::ListFollowUps(
    grpc::ServerContext* context, const v1::ListFollowUpsRequest* request,
    v1::ListFollowUpsResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    ASSIGN_OR_RETURN(int size, PageSize(request->page_size(), "page_size"));
    ASSIGN_OR_RETURN(std::string after,
                     DecodePageToken(request->page_token(), "page_token"));
    domain::ResponseFilter filter =
        FilterOf(request->range(), request->survey_id());
    RETURN_IF_ERROR(CheckRange(filter));
    if (request->state() != v1::FOLLOW_UP_STATE_UNSPECIFIED) {
      if (!v1::FollowUpState_IsValid(request->state())) {
        return errors::InvalidArgument("state", "is not a follow-up state");
      }
      filter.follow_up_state = request->state();
    }
    if (!request->assignee().empty()) filter.assignee = request->assignee();
    ASSIGN_OR_RETURN(
        domain::Page<domain::FollowUpItem> page,
        responses_.FollowUps(call.workspace_id, filter, after, size));
    for (const domain::FollowUpItem& item : page.items) {
      *response->add_follow_ups() = FollowUpToProto(call.workspace_id, item);
    }
    response->set_next_page_token(EncodePageToken(page.next_after));
    return absl::OkStatus();
  });
}

grpc::Status SurveyServiceImpl::UpdateFollowUp(
    grpc::ServerContext* context, const v1::UpdateFollowUpRequest* request,
    v1::FollowUp* response) {
  return Handle([&]() -> absl::Status {
    const v1::FollowUp& f = request->follow_up();
    ASSIGN_OR_RETURN(
        ResourceCall call,
        auth_.AuthorizeResource(*context, {Permission::kWrite}, f.name(),
                                "followUps", "follow_up.name"));
    records::FollowUpState values;
    values.set_state(f.state());
    values.set_assignee(f.assignee());
    values.set_notes(f.notes());
    ASSIGN_OR_RETURN(
        domain::FollowUpItem item,
        responses_.UpdateFollowUp(call.workspace_id, call.id, values,
                                  MaskedFields(f, request->update_mask())));
    *response = FollowUpToProto(call.workspace_id, item);
    return absl::OkStatus();
  });
}

grpc::Status SurveyServiceImpl::RecordInvitations(
    grpc::ServerContext* context, const v1::RecordInvitationsRequest* request,
    v1::InvitationBatch* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kWrite},
                                           request->parent()));
    const v1::InvitationBatch& in = request->invitation_batch();
    records::InvitationBatch batch;
    batch.set_id(request->invitation_batch_id());
    batch.set_survey_id(in.survey_id());
    batch.set_channel(in.channel());
    batch.set_count(in.count());
    batch.set_send_time_us(MicrosOf(in.has_send_time(), in.send_time()));
    ASSIGN_OR_RETURN(records::InvitationBatch stored,
                     responses_.RecordInvitations(call.workspace_id, batch));
    *response = InvitationBatchToProto(call.workspace_id, stored);
    return absl::OkStatus();
  });
}

}  // namespace mittari::service
