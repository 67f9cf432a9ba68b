// KpiService: alert rules, alerts, and the live streams (WatchAlerts,
// WatchMetric).
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "google/protobuf/util/message_differencer.h"
#include "service/handler.h"
#include "service/kpi_service.h"
#include "service/resource_names.h"
#include "storage/key_codec.h"

namespace mittari::service {
namespace {

using domain::Permission;

constexpr absl::string_view kRules = "alertRules";
constexpr absl::string_view kAlerts = "alerts";
// How often a live stream looks at its key and at the server's state when
// nothing happens.
constexpr absl::Duration kStreamTick = absl::Seconds(1);
// The least time between two messages of one WatchMetric stream.
constexpr absl::Duration kMetricThrottle = absl::Seconds(1);
// Alert versions read from the log at once.
constexpr int kLogPage = 100;

// A rule's id from the id itself or its resource name.
std::string LastSegment(absl::string_view name) {
  const size_t slash = name.rfind('/');
  return std::string(slash == absl::string_view::npos ? name
                                                      : name.substr(slash + 1));
}

v1::AlertRule RuleToProto(absl::string_view ws, const records::AlertRule& r) {
  v1::AlertRule out;
  out.set_name(ChildName(ws, kRules, r.id()));
  out.set_display_name(r.display_name());
  out.set_kind(static_cast<v1::AlertRuleKind>(r.kind()));
  out.mutable_filters()->insert(r.filters().begin(), r.filters().end());
  if (r.has_score_max()) out.set_score_max(r.score_max());
  out.set_tag(r.tag());
  out.set_metric(r.metric());
  out.mutable_params()->insert(r.params().begin(), r.params().end());
  out.set_granularity(static_cast<v1::Granularity>(r.granularity()));
  out.set_window(r.window());
  out.set_k(r.k());
  out.set_side(static_cast<v1::DeviationSide>(r.side()));
  out.set_min_n(r.min_n());
  out.set_target(r.target_id());
  out.set_fire_on(static_cast<v1::TargetStatus>(r.fire_on()));
  out.set_event(r.event_id());
  out.mutable_webhooks()->CopyFrom(r.webhooks());
  SetTime(r.create_time_us(), out.mutable_create_time());
  SetTime(r.update_time_us(), out.mutable_update_time());
  return out;
}

records::AlertRule RuleFromProto(absl::string_view id, const v1::AlertRule& r) {
  records::AlertRule out;
  out.set_id(std::string(id));
  out.set_display_name(r.display_name());
  out.set_kind(r.kind());
  out.mutable_filters()->insert(r.filters().begin(), r.filters().end());
  if (r.has_score_max()) out.set_score_max(r.score_max());
  out.set_tag(r.tag());
  out.set_metric(r.metric());
  out.mutable_params()->insert(r.params().begin(), r.params().end());
  out.set_granularity(r.granularity());
  out.set_window(r.window());
  out.set_k(r.k());
  out.set_side(r.side());
  out.set_min_n(r.min_n());
  out.set_target_id(LastSegment(r.target()));
  out.set_fire_on(r.fire_on());
  out.set_event_id(LastSegment(r.event()));
  out.mutable_webhooks()->CopyFrom(r.webhooks());
  return out;
}

}  // namespace

v1::Alert AlertToProto(absl::string_view ws, const records::Alert& a) {
  v1::Alert out;
  out.set_name(ChildName(ws, kAlerts, a.id()));
  out.set_rule(ChildName(ws, kRules, a.rule_id()));
  out.set_kind(static_cast<v1::AlertRuleKind>(a.rule_kind()));
  out.set_state(static_cast<v1::AlertState>(a.state()));
  if (a.has_value()) out.set_value(a.value());
  out.set_n(a.n());
  if (a.has_threshold()) out.set_threshold(a.threshold());
  out.set_summary(a.summary());
  out.mutable_trigger()->insert(a.trigger().begin(), a.trigger().end());
  SetTime(a.fire_time_us(), out.mutable_fire_time());
  SetTime(a.update_time_us(), out.mutable_update_time());
  if (a.resolve_time_us() != 0) {
    SetTime(a.resolve_time_us(), out.mutable_resolve_time());
  }
  out.set_version(a.version());
  return out;
}

std::string EncodeResumeToken(uint64_t sequence) {
  return absl::WebSafeBase64Escape(storage::KeyEncoder().U64(sequence).key());
}

namespace {

absl::StatusOr<uint64_t> DecodeResumeToken(absl::string_view token) {
  std::string raw;
  if (absl::WebSafeBase64Unescape(token, &raw) && raw.size() == 8) {
    absl::StatusOr<uint64_t> seq = storage::KeyDecoder(raw).U64();
    if (seq.ok()) return *seq;
  }
  return errors::InvalidArgument("resume_token",
                                 "is not a token this server handed out");
}

// Violations of a request field's parts, named under `prefix`.
absl::Status Prefixed(const absl::Status& status, absl::string_view prefix) {
  if (status.code() != absl::StatusCode::kInvalidArgument) return status;
  std::vector<errors::FieldViolation> named;
  for (errors::FieldViolation v : errors::FieldViolations(status)) {
    v.field = absl::StrCat(prefix, v.field);
    named.push_back(std::move(v));
  }
  return named.empty() ? status : errors::InvalidArguments(named);
}

}  // namespace

absl::Status KpiServiceImpl::CheckRule(absl::string_view ws,
                                       const records::AlertRule& rule) const {
  switch (static_cast<domain::RuleKind>(rule.kind())) {
    case domain::RuleKind::kTarget:
      if (absl::IsNotFound(targets_.Get(ws, rule.target_id()).status())) {
        return errors::InvalidArgument(
            "alert_rule.target", absl::StrCat("no target '", rule.target_id(),
                                              "' in this workspace"));
      }
      return absl::OkStatus();
    case domain::RuleKind::kEventPace: {
      absl::StatusOr<records::Event> event = events_.Get(ws, rule.event_id());
      if (absl::IsNotFound(event.status())) {
        return errors::InvalidArgument(
            "alert_rule.event",
            absl::StrCat("no event '", rule.event_id(), "' in this workspace"));
      }
      RETURN_IF_ERROR(event.status());
      if (!event->goals().has_registrations()) {
        return errors::InvalidArgument("alert_rule.event",
                                       "the event has no registrations goal");
      }
      return absl::OkStatus();
    }
    case domain::RuleKind::kDeviation:
      return CheckQueryScope(ws, rule.metric(), rule.filters(), rule.params(),
                             "alert_rule.");
    default:
      return absl::OkStatus();
  }
}

grpc::Status KpiServiceImpl::CreateAlertRule(
    grpc::ServerContext* context, const v1::CreateAlertRuleRequest* request,
    v1::AlertRule* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kWrite},
                                           request->parent()));
    records::AlertRule rule =
        RuleFromProto(request->alert_rule_id(), request->alert_rule());
    domain::Violations v;
    domain::AlertRules::Normalize(rule, v);
    RETURN_IF_ERROR(v.ToStatus());
    RETURN_IF_ERROR(CheckRule(call.workspace_id, rule));
    ASSIGN_OR_RETURN(records::AlertRule created,
                     rules_.Create(call.workspace_id, std::move(rule)));
    *response = RuleToProto(call.workspace_id, created);
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::GetAlertRule(
    grpc::ServerContext* context, const v1::GetAlertRuleRequest* request,
    v1::AlertRule* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kRead},
                                             request->name(), kRules));
    ASSIGN_OR_RETURN(records::AlertRule r,
                     rules_.Get(call.workspace_id, call.id));
    *response = RuleToProto(call.workspace_id, r);
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::ListAlertRules(
    grpc::ServerContext* context, const v1::ListAlertRulesRequest* request,
    v1::ListAlertRulesResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    ASSIGN_OR_RETURN(int size, PageSize(request->page_size(), "page_size"));
    ASSIGN_OR_RETURN(std::string after,
                     DecodePageToken(request->page_token(), "page_token"));
    ASSIGN_OR_RETURN(domain::Page<records::AlertRule> page,
                     rules_.List(call.workspace_id, after, size));
    for (const records::AlertRule& r : page.items) {
      *response->add_alert_rules() = RuleToProto(call.workspace_id, r);
    }
    response->set_next_page_token(EncodePageToken(page.next_after));
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::UpdateAlertRule(
    grpc::ServerContext* context, const v1::UpdateAlertRuleRequest* request,
    v1::AlertRule* response) {
  return Handle([&]() -> absl::Status {
    const v1::AlertRule& r = request->alert_rule();
    ASSIGN_OR_RETURN(
        ResourceCall call,
        auth_.AuthorizeResource(*context, {Permission::kWrite}, r.name(),
                                kRules, "alert_rule.name"));
    std::vector<std::string> fields = MaskedFields(r, request->update_mask());
    for (std::string& f : fields) {
      // The records' names of the API's fields.
      if (f == "target") f = "target_id";
      if (f == "event") f = "event_id";
    }
    ASSIGN_OR_RETURN(
        records::AlertRule updated,
        rules_.Update(call.workspace_id, call.id, RuleFromProto(call.id, r),
                      fields, [&](const records::AlertRule& after) {
                        return CheckRule(call.workspace_id, after);
                      }));
    *response = RuleToProto(call.workspace_id, updated);
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::DeleteAlertRule(
    grpc::ServerContext* context, const v1::DeleteAlertRuleRequest* request,
    v1::DeleteAlertRuleResponse* /*response*/) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kWrite},
                                             request->name(), kRules));
    return rules_.Delete(call.workspace_id, call.id);
  });
}

grpc::Status KpiServiceImpl::ListAlerts(grpc::ServerContext* context,
                                        const v1::ListAlertsRequest* request,
                                        v1::ListAlertsResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    ASSIGN_OR_RETURN(int size, PageSize(request->page_size(), "page_size"));
    ASSIGN_OR_RETURN(std::string after,
                     DecodePageToken(request->page_token(), "page_token"));
    domain::AlertFilter filter;
    if (request->state() != v1::ALERT_STATE_UNSPECIFIED) {
      if (!v1::AlertState_IsValid(request->state())) {
        return errors::InvalidArgument("state", "is not an alert state");
      }
      filter.state = static_cast<domain::AlertState>(request->state());
    }
    filter.rule_id = LastSegment(request->rule());
    if (request->has_fire_time_from()) {
      ASSIGN_OR_RETURN(
          absl::Time from,
          RequiredTime(true, request->fire_time_from(), "fire_time_from"));
      filter.fired_from_us = absl::ToUnixMicros(from);
    }
    if (request->has_fire_time_to()) {
      ASSIGN_OR_RETURN(
          absl::Time to,
          RequiredTime(true, request->fire_time_to(), "fire_time_to"));
      filter.fired_to_us = absl::ToUnixMicros(to);
    }
    ASSIGN_OR_RETURN(domain::Page<records::Alert> page,
                     alerts_.List(call.workspace_id, filter, after, size));
    for (const records::Alert& a : page.items) {
      *response->add_alerts() = AlertToProto(call.workspace_id, a);
    }
    response->set_next_page_token(EncodePageToken(page.next_after));
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::GetAlert(grpc::ServerContext* context,
                                      const v1::GetAlertRequest* request,
                                      v1::Alert* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kRead},
                                             request->name(), kAlerts));
    ASSIGN_OR_RETURN(records::Alert a, alerts_.Get(call.workspace_id, call.id));
    *response = AlertToProto(call.workspace_id, a);
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::AcknowledgeAlert(
    grpc::ServerContext* context, const v1::AcknowledgeAlertRequest* request,
    v1::Alert* response) {
  return ChangeAlert(*context, request->name(), response,
                     [&](const ResourceCall& call) {
                       return alerts_.Acknowledge(call.workspace_id, call.id,
                                                  call.principal.key_id);
                     });
}

grpc::Status KpiServiceImpl::ResolveAlert(
    grpc::ServerContext* context, const v1::ResolveAlertRequest* request,
    v1::Alert* response) {
  return ChangeAlert(*context, request->name(), response,
                     [&](const ResourceCall& call) {
                       return alerts_.Resolve(call.workspace_id, call.id,
                                              call.principal.key_id);
                     });
}

grpc::Status KpiServiceImpl::ChangeAlert(
    const grpc::ServerContext& context, const std::string& name,
    v1::Alert* response,
    absl::FunctionRef<absl::StatusOr<records::Alert>(const ResourceCall&)>
        change) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        ResourceCall call,
        auth_.AuthorizeResource(context, {Permission::kWrite}, name, kAlerts));
    ASSIGN_OR_RETURN(records::Alert a, change(call));
    *response = AlertToProto(call.workspace_id, a);
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::WatchAlerts(
    grpc::ServerContext* context, const v1::WatchAlertsRequest* request,
    grpc::ServerWriter<v1::WatchAlertsResponse>* writer) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    uint64_t after = alerts_.sequence();  // live ones only
    if (!request->resume_token().empty()) {
      ASSIGN_OR_RETURN(after, DecodeResumeToken(request->resume_token()));
    }
    ASSIGN_OR_RETURN(auto slot,
                     auth_.streams().OpenWatch(call.principal.key_id));
    // Headers now, so that a client knows the watch is on before any
    // alert comes.
    writer->SendInitialMetadata();
    for (;;) {
      if (context->IsCancelled()) return errors::Cancelled("watch cancelled");
      RETURN_IF_ERROR(auth_.Recheck(*context, {Permission::kRead}));
      // Read before the log, so that nothing written in between is missed.
      const uint64_t seen = alerts_.sequence();
      ASSIGN_OR_RETURN(
          std::vector<records::Alert> changes,
          alerts_.ChangesAfter(call.workspace_id, after, kLogPage));
      for (const records::Alert& a : changes) {
        v1::WatchAlertsResponse message;
        *message.mutable_alert() = AlertToProto(call.workspace_id, a);
        message.set_resume_token(EncodeResumeToken(a.sequence()));
        if (!writer->Write(message)) {
          return errors::Cancelled("the watcher went away");
        }
        after = a.sequence();
      }
      if (static_cast<int>(changes.size()) == kLogPage) continue;
      if (alerts_.stopped()) return absl::OkStatus();  // shutting down
      alerts_.AwaitSequence(seen, absl::Now() + kStreamTick);
    }
  });
}

grpc::Status KpiServiceImpl::WatchMetric(
    grpc::ServerContext* context, const v1::WatchMetricRequest* request,
    grpc::ServerWriter<v1::QueryMetricResponse>* writer) {
  return Handle([&]() -> absl::Status {
    const v1::QueryMetricRequest& query = request->query();
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           query.parent(), "query.parent"));
    ASSIGN_OR_RETURN(auto slot,
                     auth_.streams().OpenWatch(call.principal.key_id));
    const bool current = request->current_bucket_only();
    uint64_t version = changes_.Version(call.workspace_id);
    absl::StatusOr<v1::QueryMetricResponse> answer =
        RunQuery(call.workspace_id, query, current);
    RETURN_IF_ERROR(Prefixed(answer.status(), "query."));
    v1::QueryMetricResponse last = *std::move(answer);
    if (!writer->Write(last)) return errors::Cancelled("the watcher went away");
    absl::Time sent = absl::Now();
    for (;;) {
      if (context->IsCancelled()) return errors::Cancelled("watch cancelled");
      RETURN_IF_ERROR(auth_.Recheck(*context, {Permission::kRead}));
      const uint64_t now_version =
          changes_.Await(call.workspace_id, version, absl::Now() + kStreamTick);
      if (changes_.closed()) return absl::OkStatus();  // shutting down
      // Without a write, only time moves the current bucket.
      if (now_version == version && !current) continue;
      const absl::Time next = sent + kMetricThrottle;
      if (absl::Now() < next) absl::SleepFor(next - absl::Now());
      version = changes_.Version(call.workspace_id);
      ASSIGN_OR_RETURN(v1::QueryMetricResponse fresh,
                       RunQuery(call.workspace_id, query, current));
      if (google::protobuf::util::MessageDifferencer::Equals(fresh, last)) {
        continue;
      }
      last = std::move(fresh);
      if (!writer->Write(last)) {
        return errors::Cancelled("the watcher went away");
      }
      sent = absl::Now();
    }
  });
}

grpc::Status KpiServiceImpl::GetWebhookSecret(
    grpc::ServerContext* context, const v1::GetWebhookSecretRequest* request,
    v1::WebhookSecret* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kAdmin},
                                           request->parent()));
    ASSIGN_OR_RETURN(*response->mutable_secret(),
                     webhooks_.Secret(call.workspace_id));
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::RotateWebhookSecret(
    grpc::ServerContext* context, const v1::RotateWebhookSecretRequest* request,
    v1::WebhookSecret* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kAdmin},
                                           request->parent()));
    ASSIGN_OR_RETURN(*response->mutable_secret(),
                     webhooks_.Rotate(call.workspace_id));
    return absl::OkStatus();
  });
}

}  // namespace mittari::service
