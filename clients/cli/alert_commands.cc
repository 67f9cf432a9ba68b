// `mittari rules create|get|list|update|delete` and
// `mittari alerts list|get|ack|resolve|watch`.
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "clients/cli/commands.h"
#include "clients/cli/watch.h"
#include "google/protobuf/util/time_util.h"
#include "mittari/v1/kpi.grpc.pb.h"
#include "proto/json/alert_json.h"

namespace mittari::cli {
namespace {

using v1::KpiService;

std::unique_ptr<KpiService::Stub> Stub(const Invocation& inv) {
  return KpiService::NewStub(inv.client.channel());
}

grpc::Status NameIn(Invocation& inv, const std::string& collection,
                    std::string* name) {
  if (inv.operands.size() != 1) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "name one " + collection};
  }
  std::string workspace;
  grpc::Status status = inv.Workspace(&workspace);
  if (status.ok()) *name = ChildOf(workspace, collection, inv.operands[0]);
  return status;
}

// An enum flag's word (`--side bad`) as the value of `Parse` with
// `prefix`; a usage error's text, or empty.
template <typename Enum, typename Parse>
std::string EnumFlag(const Invocation& inv, const char* flag,
                     const std::string& prefix, Parse parse, Enum* out,
                     bool* given) {
  *given = false;
  auto v = inv.args.Get(flag);
  if (!v) return "";
  if (!parse(prefix + absl::AsciiStrToUpper(*v), out)) {
    return absl::StrCat("--", flag, ": '", *v, "' is not a choice");
  }
  *given = true;
  return "";
}

// A rule's flags into `r`, the API paths set into `paths`; a usage error's
// text, or empty.
std::string FillRule(Invocation& inv, v1::AlertRule* r,
                     std::vector<std::string>* paths) {
  bool given = false;
  v1::AlertRuleKind kind{};
  std::string problem = EnumFlag(inv, "kind", "ALERT_RULE_KIND_",
                                 v1::AlertRuleKind_Parse, &kind, &given);
  if (!problem.empty()) return problem;
  if (given) {
    r->set_kind(kind);
    paths->push_back("kind");
  }
  v1::Granularity granularity{};
  problem = EnumFlag(inv, "granularity", "GRANULARITY_", v1::Granularity_Parse,
                     &granularity, &given);
  if (!problem.empty()) return problem;
  if (given) {
    r->set_granularity(granularity);
    paths->push_back("granularity");
  }
  v1::DeviationSide side{};
  problem = EnumFlag(inv, "side", "DEVIATION_SIDE_", v1::DeviationSide_Parse,
                     &side, &given);
  if (!problem.empty()) return problem;
  if (given) {
    r->set_side(side);
    paths->push_back("side");
  }
  v1::TargetStatus on{};
  problem = EnumFlag(inv, "on", "TARGET_STATUS_", v1::TargetStatus_Parse, &on,
                     &given);
  if (!problem.empty()) return problem;
  if (given) {
    r->set_fire_on(on);
    paths->push_back("fire_on");
  }
  for (const auto& [flag, field] :
       {std::pair{"display-name", "display_name"}, std::pair{"tag", "tag"},
        std::pair{"metric", "metric"}, std::pair{"target", "target"},
        std::pair{"event", "event"}}) {
    if (auto v = inv.args.Get(flag)) {
      v1::AlertRule::GetReflection()->SetString(
          r, v1::AlertRule::descriptor()->FindFieldByName(field), *v);
      paths->push_back(field);
    }
  }
  for (const auto& [flag, field] :
       {std::pair{"score-max", "score_max"}, std::pair{"window", "window"},
        std::pair{"min-n", "min_n"}}) {
    auto v = inv.args.Get(flag);
    if (!v) continue;
    int64_t n = 0;
    if (!absl::SimpleAtoi(*v, &n)) {
      return absl::StrCat("--", flag, " takes a whole number");
    }
    if (std::string(flag) == "score-max") {
      if (n < -1000 || n > 1000) return "--score-max is out of range";
      r->set_score_max(static_cast<int32_t>(n));
    } else if (std::string(flag) == "window") {
      if (n < 0 || n > 100000) return "--window is out of range";
      r->set_window(static_cast<int32_t>(n));
    } else {
      r->set_min_n(n);
    }
    paths->push_back(field);
  }
  const std::vector<std::string> webhooks = inv.args.GetAll("webhook");
  if (!webhooks.empty()) {
    for (const std::string& url : webhooks) r->add_webhooks(url);
    paths->push_back("webhooks");
  }
  if (auto v = inv.args.Get("k")) {
    double k = 0;
    if (!absl::SimpleAtod(*v, &k)) return "--k takes a number";
    r->set_k(k);
    paths->push_back("k");
  }
  for (const auto& [flag, map] : {std::pair{"filter", r->mutable_filters()},
                                  std::pair{"param", r->mutable_params()}}) {
    problem = ParsePairs(inv, flag, "NAME", map);
    if (!problem.empty()) return problem;
    if (!inv.args.GetAll(flag).empty()) {
      paths->push_back(std::string(flag) == "filter" ? "filters" : "params");
    }
  }
  return "";
}

int RuleCreate(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the rule's id");
  v1::CreateAlertRuleRequest request;
  request.set_alert_rule_id(inv.operands[0]);
  std::vector<std::string> paths;
  if (std::string usage = FillRule(inv, request.mutable_alert_rule(), &paths);
      !usage.empty()) {
    return inv.Usage(usage);
  }
  grpc::Status status = inv.Workspace(request.mutable_parent());
  v1::AlertRule r;
  if (status.ok()) {
    status =
        Stub(inv)->CreateAlertRule(inv.client.Context().get(), request, &r);
  }
  return inv.Finish(status, ToJson(r));
}

int RuleUpdate(Invocation& inv) {
  v1::UpdateAlertRuleRequest request;
  grpc::Status status =
      NameIn(inv, "alertRules", request.mutable_alert_rule()->mutable_name());
  std::vector<std::string> paths;
  if (std::string usage = FillRule(inv, request.mutable_alert_rule(), &paths);
      !usage.empty()) {
    return inv.Usage(usage);
  }
  if (paths.empty()) return inv.Usage("give a field to change");
  for (const std::string& p : paths)
    request.mutable_update_mask()->add_paths(p);
  v1::AlertRule r;
  if (status.ok()) {
    status =
        Stub(inv)->UpdateAlertRule(inv.client.Context().get(), request, &r);
  }
  return inv.Finish(status, ToJson(r));
}

int AlertList(Invocation& inv) {
  v1::ListAlertsRequest request;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  bool given = false;
  v1::AlertState state{};
  if (std::string usage = EnumFlag(inv, "state", "ALERT_STATE_",
                                   v1::AlertState_Parse, &state, &given);
      !usage.empty()) {
    return inv.Usage(usage);
  }
  if (given) request.set_state(state);
  if (auto v = inv.args.Get("rule")) request.set_rule(*v);
  std::vector<std::string> times;
  for (const char* flag : {"from", "to"}) {
    if (auto v = inv.args.Get(flag)) times.push_back(*v);
  }
  absl::TimeZone zone;
  if (status.ok() && !times.empty()) status = inv.ZoneFor(times, &zone);
  for (const char* flag : {"from", "to"}) {
    auto v = inv.args.Get(flag);
    if (!v || !status.ok()) continue;
    absl::StatusOr<absl::Time> t = ParseTimeText(*v, zone);
    if (!t.ok()) {
      return inv.Usage(absl::StrCat("--", flag, ": ", t.status().message()));
    }
    *(std::string(flag) == "from" ? request.mutable_fire_time_from()
                                  : request.mutable_fire_time_to()) =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
            absl::ToUnixMicros(*t));
  }
  request.set_page_size(1000);
  Json list = Json::array();
  while (status.ok()) {
    v1::ListAlertsResponse page;
    status = Stub(inv)->ListAlerts(inv.client.Context().get(), request, &page);
    for (const v1::Alert& a : page.alerts()) list.push_back(ToJson(a));
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  return inv.Finish(status, Json{{"alerts", list}});
}

// `alerts ack|resolve ID`.
template <typename Request, typename Call>
int AlertChange(Invocation& inv, Call call) {
  Request request;
  grpc::Status status = NameIn(inv, "alerts", request.mutable_name());
  v1::Alert a;
  if (status.ok()) {
    status = (Stub(inv).get()->*call)(inv.client.Context().get(), request, &a);
  }
  return inv.Finish(status, ToJson(a));
}

int AlertWatch(Invocation& inv) {
  v1::WatchAlertsRequest request;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  if (!status.ok()) return inv.Finish(status, Json());
  if (auto v = inv.args.Get("resume-token")) request.set_resume_token(*v);
  return RunWatch<v1::WatchAlertsResponse>(
      inv,
      [&](grpc::ClientContext* context) {
        return Stub(inv)->WatchAlerts(context, request);
      },
      [](const v1::WatchAlertsResponse& m) {
        return json::AlertJson(m.alert(), m.resume_token());
      });
}

}  // namespace

std::vector<Command> AlertCommands() {
  const std::set<std::string> rule_flags = {
      "kind",   "display-name", "filter", "param",  "score-max", "tag",
      "metric", "granularity",  "window", "k",      "side",      "min-n",
      "target", "on",           "event",  "webhook"};
  return {
      {{"rules", "create"},
       "ID",
       "an alert rule: --kind response [--filter D=V]... [--score-max N] "
       "[--tag T] | --kind deviation --metric M --granularity G --window W "
       "--k K [--side bad|both] --min-n N [--filter D=V]... | --kind target "
       "--target ID [--on at_risk|missed] | --kind event_pace --event ID; "
       "any kind: [--webhook URL]... (POSTed each new or changed alert, "
       "signed with the workspace's webhook secret)",
       rule_flags,
       RuleCreate},
      {{"rules", "get"},
       "ID",
       "an alert rule",
       {},
       [](Invocation& inv) {
         v1::GetAlertRuleRequest request;
         grpc::Status status =
             NameIn(inv, "alertRules", request.mutable_name());
         v1::AlertRule r;
         if (status.ok()) {
           status =
               Stub(inv)->GetAlertRule(inv.client.Context().get(), request, &r);
         }
         return inv.Finish(status, ToJson(r));
       }},
      {{"rules", "list"},
       "",
       "the alert rules, by id",
       {},
       [](Invocation& inv) {
         v1::ListAlertRulesRequest request;
         grpc::Status status = inv.Workspace(request.mutable_parent());
         request.set_page_size(1000);
         Json list = Json::array();
         while (status.ok()) {
           v1::ListAlertRulesResponse page;
           status = Stub(inv)->ListAlertRules(inv.client.Context().get(),
                                              request, &page);
           for (const v1::AlertRule& r : page.alert_rules())
             list.push_back(ToJson(r));
           if (page.next_page_token().empty()) break;
           request.set_page_token(page.next_page_token());
         }
         return inv.Finish(status, Json{{"rules", list}});
       }},
      {{"rules", "update"},
       "ID",
       "change a rule: any of the create flags but --kind (a --filter or "
       "--param replaces them all)",
       rule_flags,
       RuleUpdate},
      {{"rules", "delete"},
       "ID",
       "delete a rule (its alerts stay)",
       {},
       [](Invocation& inv) {
         v1::DeleteAlertRuleRequest request;
         grpc::Status status =
             NameIn(inv, "alertRules", request.mutable_name());
         v1::DeleteAlertRuleResponse response;
         if (status.ok()) {
           status = Stub(inv)->DeleteAlertRule(inv.client.Context().get(),
                                               request, &response);
         }
         return inv.Finish(status, Json::object());
       }},
      {{"alerts", "list"},
       "",
       "alerts in the order they fired: [--state open|acknowledged|resolved] "
       "[--rule ID] [--from T] [--to T] (fire time)",
       {"state", "rule", "from", "to"},
       AlertList},
      {{"alerts", "get"},
       "ID",
       "an alert",
       {},
       [](Invocation& inv) {
         v1::GetAlertRequest request;
         grpc::Status status = NameIn(inv, "alerts", request.mutable_name());
         v1::Alert a;
         if (status.ok()) {
           status =
               Stub(inv)->GetAlert(inv.client.Context().get(), request, &a);
         }
         return inv.Finish(status, ToJson(a));
       }},
      {{"alerts", "ack"},
       "ID",
       "acknowledge an open alert",
       {},
       [](Invocation& inv) {
         return AlertChange<v1::AcknowledgeAlertRequest>(
             inv, &KpiService::Stub::AcknowledgeAlert);
       }},
      {{"alerts", "resolve"},
       "ID",
       "resolve an alert by hand",
       {},
       [](Invocation& inv) {
         return AlertChange<v1::ResolveAlertRequest>(
             inv, &KpiService::Stub::ResolveAlert);
       }},
      {{"alerts", "watch"},
       "",
       "new and changed alerts as they happen, one JSON line each (alert, "
       "rule, state, value, n, threshold, fired_at, resume_token, version, "
       "summary, trigger) until Ctrl-C; --resume-token T first replays what "
       "came after T",
       {"resume-token"},
       AlertWatch},
      {{"webhooks", "secret"},
       "",
       "the secret that signs webhook deliveries (X-Mittari-Signature: "
       "sha256=HMAC-SHA256 of the body, hex)",
       {},
       [](Invocation& inv) {
         v1::GetWebhookSecretRequest request;
         grpc::Status status = inv.Workspace(request.mutable_parent());
         v1::WebhookSecret secret;
         if (status.ok()) {
           status = Stub(inv)->GetWebhookSecret(inv.client.Context().get(),
                                                request, &secret);
         }
         return inv.Finish(status, ToJson(secret));
       }},
      {{"webhooks", "rotate-secret"},
       "",
       "replace the webhook secret; deliveries from now on use the new one",
       {},
       [](Invocation& inv) {
         v1::RotateWebhookSecretRequest request;
         grpc::Status status = inv.Workspace(request.mutable_parent());
         v1::WebhookSecret secret;
         if (status.ok()) {
           status = Stub(inv)->RotateWebhookSecret(inv.client.Context().get(),
                                                   request, &secret);
         }
         return inv.Finish(status, ToJson(secret));
       }},
  };
}

}  // namespace mittari::cli
