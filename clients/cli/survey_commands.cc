// `mittari surveys …` and `mittari responses …`.
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "clients/cli/commands.h"
#include "google/protobuf/util/time_util.h"
#include "mittari/v1/survey.grpc.pb.h"

namespace mittari::cli {
namespace {

using v1::SurveyService;

std::unique_ptr<SurveyService::Stub> Stub(const Invocation& inv) {
  return SurveyService::NewStub(inv.client.channel());
}

int SurveyCreate(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the survey's id");
  v1::CreateSurveyRequest request;
  v1::ImportedSurvey item;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  if (status.ok()) status = FillFromFlags(inv, SurveyFields(), item, nullptr);
  request.set_survey_id(inv.operands[0]);
  *request.mutable_survey() = item.survey();
  v1::Survey survey;
  if (status.ok()) {
    status =
        Stub(inv)->CreateSurvey(inv.client.Context().get(), request, &survey);
  }
  return inv.Finish(status, ToJson(survey));
}

int SurveyGet(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the survey's id");
  std::string ws;
  grpc::Status status = inv.Workspace(&ws);
  v1::GetSurveyRequest request;
  request.set_name(ChildOf(ws, "surveys", inv.operands[0]));
  v1::Survey survey;
  if (status.ok()) {
    status = Stub(inv)->GetSurvey(inv.client.Context().get(), request, &survey);
  }
  return inv.Finish(status, ToJson(survey));
}

int SurveyList(Invocation& inv) {
  v1::ListSurveysRequest request;
  v1::ImportedSurvey kind;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  if (auto k = inv.args.Get("kind")) {
    absl::Status set = SetField(kind, "survey.kind", *k, absl::UTCTimeZone());
    if (!set.ok()) return inv.Usage(absl::StrCat("--kind: ", set.message()));
  }
  request.set_kind(kind.survey().kind());
  request.set_show_archived(inv.args.Has("archived"));
  request.set_page_size(1000);
  Json list = Json::array();
  while (status.ok()) {
    v1::ListSurveysResponse page;
    status = Stub(inv)->ListSurveys(inv.client.Context().get(), request, &page);
    for (const v1::Survey& s : page.surveys()) list.push_back(ToJson(s));
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  return inv.Finish(status, Json{{"surveys", list}});
}

int SurveyUpdate(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the survey's id");
  v1::UpdateSurveyRequest request;
  v1::ImportedSurvey item;
  std::vector<std::string> paths;
  std::string ws;
  grpc::Status status = inv.Workspace(&ws);
  if (status.ok()) status = FillFromFlags(inv, SurveyFields(), item, &paths);
  if (status.ok() && paths.empty()) return inv.Usage("give a field to change");
  *request.mutable_survey() = item.survey();
  request.mutable_survey()->set_name(ChildOf(ws, "surveys", inv.operands[0]));
  for (const std::string& p : paths)
    request.mutable_update_mask()->add_paths(p);
  v1::Survey survey;
  if (status.ok()) {
    status =
        Stub(inv)->UpdateSurvey(inv.client.Context().get(), request, &survey);
  }
  return inv.Finish(status, ToJson(survey));
}

int SurveyArchive(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the survey's id");
  std::string ws;
  grpc::Status status = inv.Workspace(&ws);
  v1::ArchiveSurveyRequest request;
  request.set_name(ChildOf(ws, "surveys", inv.operands[0]));
  v1::Survey survey;
  if (status.ok()) {
    status =
        Stub(inv)->ArchiveSurvey(inv.client.Context().get(), request, &survey);
  }
  return inv.Finish(status, ToJson(survey));
}

int ResponseSubmit(Invocation& inv) {
  v1::SubmitResponseRequest request;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  if (status.ok())
    status = FillFromFlags(inv, ResponseFields(), request, nullptr);
  v1::Response response;
  if (status.ok()) {
    status = Stub(inv)->SubmitResponse(inv.client.Context().get(), request,
                                       &response);
  }
  return inv.Finish(status, ToJson(response));
}

int ResponseGet(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the response's id");
  std::string ws;
  grpc::Status status = inv.Workspace(&ws);
  v1::GetResponseRequest request;
  request.set_name(ChildOf(ws, "responses", inv.operands[0]));
  v1::Response response;
  if (status.ok()) {
    status =
        Stub(inv)->GetResponse(inv.client.Context().get(), request, &response);
  }
  return inv.Finish(status, ToJson(response));
}

// --from/--to into a range (plain dates are local midnight).
grpc::Status RangeFromFlags(Invocation& inv, v1::TimeRange* range) {
  std::vector<std::string> values;
  for (const char* flag : {"from", "to"}) {
    if (auto v = inv.args.Get(flag)) values.push_back(*v);
  }
  absl::TimeZone zone;
  grpc::Status status = inv.ZoneFor(values, &zone);
  if (!status.ok()) return status;
  for (const char* flag : {"from", "to"}) {
    auto v = inv.args.Get(flag);
    if (!v) continue;
    absl::StatusOr<absl::Time> t = ParseTimeText(*v, zone);
    if (!t.ok()) {
      return {grpc::StatusCode::INVALID_ARGUMENT,
              absl::StrCat("--", flag, ": ", t.status().message())};
    }
    *(std::string(flag) == "from" ? range->mutable_start_time()
                                  : range->mutable_end_time()) =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
            absl::ToUnixMicros(*t));
  }
  return grpc::Status::OK;
}

int Limit(const Invocation& inv, int* limit) {
  *limit = 1000;
  if (auto v = inv.args.Get("limit");
      v && (!absl::SimpleAtoi(*v, limit) || *limit <= 0)) {
    return inv.Usage("--limit takes a whole number > 0");
  }
  return kExitOk;
}

int ResponseList(Invocation& inv) {
  v1::ListResponsesRequest request;
  int limit = 0;
  if (int code = Limit(inv, &limit); code != kExitOk) return code;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  if (status.ok()) status = RangeFromFlags(inv, request.mutable_range());
  request.set_survey_id(inv.args.GetOr("survey", ""));
  request.set_tag(inv.args.GetOr("tag", ""));
  request.set_channel(inv.args.GetOr("channel", ""));
  request.set_touchpoint(inv.args.GetOr("touchpoint", ""));
  request.set_event_id(inv.args.GetOr("event", ""));
  request.set_text(inv.args.GetOr("text", ""));
  Json list = Json::array();
  while (status.ok() && static_cast<int>(list.size()) < limit) {
    request.set_page_size(
        std::min(1000, limit - static_cast<int>(list.size())));
    v1::ListResponsesResponse page;
    status =
        Stub(inv)->ListResponses(inv.client.Context().get(), request, &page);
    for (const v1::Response& r : page.responses()) list.push_back(ToJson(r));
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  return inv.Finish(status, Json{{"responses", list}});
}

int ResponseFollowUps(Invocation& inv) {
  v1::ListFollowUpsRequest request;
  int limit = 0;
  if (int code = Limit(inv, &limit); code != kExitOk) return code;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  if (status.ok()) status = RangeFromFlags(inv, request.mutable_range());
  request.set_survey_id(inv.args.GetOr("survey", ""));
  if (auto v = inv.args.Get("state")) {
    v1::FollowUpState state;
    if (!v1::FollowUpState_Parse("FOLLOW_UP_STATE_" + absl::AsciiStrToUpper(*v),
                                 &state)) {
      return inv.Usage("--state must be open, contacted, closed or dismissed");
    }
    request.set_state(state);
  }
  request.set_assignee(inv.args.GetOr("assignee", ""));
  Json list = Json::array();
  while (status.ok() && static_cast<int>(list.size()) < limit) {
    request.set_page_size(
        std::min(1000, limit - static_cast<int>(list.size())));
    v1::ListFollowUpsResponse page;
    status =
        Stub(inv)->ListFollowUps(inv.client.Context().get(), request, &page);
    for (const v1::FollowUp& f : page.follow_ups()) list.push_back(ToJson(f));
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  if (inv.format == Format::kTable) {
    // People read one line per response: when, score, who, comment.
    Json rows = Json::array();
    for (const Json& f : list) {
      const Json& r = f["response"];
      const Json& c = f["customer"];
      rows.push_back(
          Json{{"submit_time", r["submit_time"]},
               {"survey_id", r["survey_id"]},
               {"score", r["score"]},
               {"state", f["state"]},
               {"assignee", f["assignee"]},
               {"customer", c.is_null() ? Json() : c["display_name"]},
               {"email", c.is_null() ? Json() : c["email"]},
               {"comment", r["comment"]}});
    }
    return inv.Finish(status, Json{{"follow_ups", rows}});
  }
  return inv.Finish(status, Json{{"follow_ups", list}});
}

// `followups update ID [--state S] [--assignee A] [--notes N]`.
int FollowUpUpdate(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the response's id");
  v1::UpdateFollowUpRequest request;
  v1::FollowUp* f = request.mutable_follow_up();
  std::string workspace;
  grpc::Status status = inv.Workspace(&workspace);
  f->set_name(ChildOf(workspace, "followUps", inv.operands[0]));
  if (auto v = inv.args.Get("state")) {
    v1::FollowUpState state;
    if (!v1::FollowUpState_Parse("FOLLOW_UP_STATE_" + absl::AsciiStrToUpper(*v),
                                 &state)) {
      return inv.Usage("--state must be open, contacted, closed or dismissed");
    }
    f->set_state(state);
    request.mutable_update_mask()->add_paths("state");
  }
  for (const char* flag : {"assignee", "notes"}) {
    if (auto v = inv.args.Get(flag)) {
      v1::FollowUp::GetReflection()->SetString(
          f, v1::FollowUp::descriptor()->FindFieldByName(flag), *v);
      request.mutable_update_mask()->add_paths(flag);
    }
  }
  if (request.update_mask().paths().empty()) {
    return inv.Usage("give --state, --assignee or --notes");
  }
  v1::FollowUp updated;
  if (status.ok()) {
    status = Stub(inv)->UpdateFollowUp(inv.client.Context().get(), request,
                                       &updated);
  }
  return inv.Finish(status, ToJson(updated));
}

int Invitations(Invocation& inv) {
  v1::RecordInvitationsRequest request;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  request.set_invitation_batch_id(inv.args.GetOr("id", ""));
  v1::InvitationBatch* batch = request.mutable_invitation_batch();
  batch->set_survey_id(inv.args.GetOr("survey", ""));
  batch->set_channel(inv.args.GetOr("channel", ""));
  int64_t count = 0;
  if (!absl::SimpleAtoi(inv.args.GetOr("count", ""), &count)) {
    return inv.Usage("--count takes a whole number");
  }
  batch->set_count(count);
  if (auto t = inv.args.Get("time")) {
    absl::TimeZone zone;
    if (status.ok()) status = inv.ZoneFor({*t}, &zone);
    absl::StatusOr<absl::Time> when = ParseTimeText(*t, zone);
    if (!when.ok())
      return inv.Usage(absl::StrCat("--time: ", when.status().message()));
    *batch->mutable_send_time() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
            absl::ToUnixMicros(*when));
  }
  v1::InvitationBatch stored;
  if (status.ok()) {
    status = Stub(inv)->RecordInvitations(inv.client.Context().get(), request,
                                          &stored);
  }
  return inv.Finish(status, ToJson(stored));
}

}  // namespace

std::vector<Command> SurveyCommands() {
  return {
      {{"surveys", "create"},
       "ID",
       "create a survey",
       FlagsOf(SurveyFields()),
       SurveyCreate},
      {{"surveys", "get"}, "ID", "show a survey", {}, SurveyGet},
      {{"surveys", "list"},
       "",
       "list surveys",
       {"kind", "archived"},
       SurveyList},
      {{"surveys", "update"},
       "ID",
       "change a survey's fields",
       FlagsOf(SurveyFields()),
       SurveyUpdate},
      {{"surveys", "archive"},
       "ID",
       "archive (close and hide) a survey",
       {},
       SurveyArchive},
  };
}

std::vector<Command> ResponseCommands() {
  return {
      {{"responses", "submit"},
       "",
       "submit one response (idempotent by --id)",
       FlagsOf(ResponseFields()),
       ResponseSubmit},
      {{"responses", "get"}, "ID", "show a response", {}, ResponseGet},
      {{"responses", "list"},
       "",
       "list responses, newest first",
       {"from", "to", "survey", "tag", "channel", "touchpoint", "event", "text",
        "limit"},
       ResponseList},
      {{"responses", "follow-up"},
       "",
       "low scores to follow up, newest first, with the customer and their "
       "workflow (as `followups list`)",
       {"from", "to", "survey", "limit", "state", "assignee"},
       ResponseFollowUps},
      {{"followups", "list"},
       "",
       "follow-up items (low scores), newest first, with the customer: "
       "[--state open|contacted|closed|dismissed] [--assignee A] [--from] "
       "[--to] [--survey] [--limit]",
       {"from", "to", "survey", "limit", "state", "assignee"},
       ResponseFollowUps},
      {{"followups", "update"},
       "RESPONSE_ID",
       "move an item along open -> contacted -> closed (or dismissed), or "
       "set its --assignee and --notes",
       {"state", "assignee", "notes"},
       FollowUpUpdate},
      {{"responses", "invitations"},
       "",
       "record invitations sent (for the response rate)",
       {"id", "survey", "channel", "count", "time"},
       Invitations},
  };
}

}  // namespace mittari::cli
