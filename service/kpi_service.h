// KpiService handlers: metric queries, period comparison, dimension values,
// forecasts, the value-of-CX report (kpi_service.cc), the journey's
// touchpoints with their baselines (touchpoint_handlers.cc), and targets
// with the scorecard (target_handlers.cc), alert rules, alerts and the
// live streams (alert_handlers.cc).
#ifndef MITTARI_SERVICE_KPI_SERVICE_H_
#define MITTARI_SERVICE_KPI_SERVICE_H_

#include "absl/functional/function_ref.h"
#include "domain/alert_rules.h"
#include "domain/alerts.h"
#include "domain/change_feed.h"
#include "domain/events.h"
#include "domain/kpi/activity_metrics.h"
#include "domain/kpi/engines.h"
#include "domain/kpi/survey_metrics.h"
#include "domain/scorecard.h"
#include "domain/targets.h"
#include "domain/touchpoints.h"
#include "domain/value_report.h"
#include "domain/webhooks.h"
#include "domain/workspaces.h"
#include "mittari/v1/kpi.grpc.pb.h"
#include "service/auth.h"

namespace mittari::service {

class KpiServiceImpl final : public v1::KpiService::Service {
 public:
  // What the service reads and changes, owned by the server.
  struct Parts {
    const domain::WorkspaceDirectory& workspaces;
    const domain::kpi::SurveyMetrics& survey_metrics;
    const domain::kpi::ActivityMetrics& activity_metrics;
    const domain::ValueReports& value_reports;
    domain::Touchpoints& touchpoints;
    domain::Targets& targets;
    const domain::Scorecards& scorecards;
    domain::AlertRules& rules;
    domain::Alerts& alerts;
    const domain::Events& events;
    const domain::ChangeFeed& changes;
    domain::Webhooks& webhooks;
  };

  KpiServiceImpl(const Authorizer& auth, Parts parts, const Clock& clock)
      : auth_(auth),
        workspaces_(parts.workspaces),
        survey_metrics_(parts.survey_metrics),
        activity_metrics_(parts.activity_metrics),
        engines_(parts.survey_metrics, parts.activity_metrics),
        value_reports_(parts.value_reports),
        touchpoints_(parts.touchpoints),
        targets_(parts.targets),
        scorecards_(parts.scorecards),
        rules_(parts.rules),
        alerts_(parts.alerts),
        events_(parts.events),
        changes_(parts.changes),
        webhooks_(parts.webhooks),
        clock_(clock) {}

  grpc::Status QueryMetric(grpc::ServerContext* context,
                           const v1::QueryMetricRequest* request,
                           v1::QueryMetricResponse* response) override;
  grpc::Status ComparePeriods(grpc::ServerContext* context,
                              const v1::ComparePeriodsRequest* request,
                              v1::ComparePeriodsResponse* response) override;
  grpc::Status ListDimensionValues(
      grpc::ServerContext* context,
      const v1::ListDimensionValuesRequest* request,
      v1::ListDimensionValuesResponse* response) override;
  grpc::Status ForecastMetric(grpc::ServerContext* context,
                              const v1::ForecastMetricRequest* request,
                              v1::ForecastMetricResponse* response) override;
  grpc::Status GetValueReport(grpc::ServerContext* context,
                              const v1::GetValueReportRequest* request,
                              v1::ValueReport* response) override;

  grpc::Status CreateTouchpoint(grpc::ServerContext* context,
                                const v1::CreateTouchpointRequest* request,
                                v1::Touchpoint* response) override;
  grpc::Status GetTouchpoint(grpc::ServerContext* context,
                             const v1::GetTouchpointRequest* request,
                             v1::Touchpoint* response) override;
  grpc::Status ListTouchpoints(grpc::ServerContext* context,
                               const v1::ListTouchpointsRequest* request,
                               v1::ListTouchpointsResponse* response) override;
  grpc::Status UpdateTouchpoint(grpc::ServerContext* context,
                                const v1::UpdateTouchpointRequest* request,
                                v1::Touchpoint* response) override;
  grpc::Status DeleteTouchpoint(
      grpc::ServerContext* context, const v1::DeleteTouchpointRequest* request,
      v1::DeleteTouchpointResponse* response) override;
  grpc::Status SetBaseline(grpc::ServerContext* context,
                           const v1::SetBaselineRequest* request,
                           v1::Touchpoint* response) override;

  grpc::Status CreateTarget(grpc::ServerContext* context,
                            const v1::CreateTargetRequest* request,
                            v1::Target* response) override;
  grpc::Status GetTarget(grpc::ServerContext* context,
                         const v1::GetTargetRequest* request,
                         v1::Target* response) override;
  grpc::Status ListTargets(grpc::ServerContext* context,
                           const v1::ListTargetsRequest* request,
                           v1::ListTargetsResponse* response) override;
  grpc::Status UpdateTarget(grpc::ServerContext* context,
                            const v1::UpdateTargetRequest* request,
                            v1::Target* response) override;
  grpc::Status DeleteTarget(grpc::ServerContext* context,
                            const v1::DeleteTargetRequest* request,
                            v1::DeleteTargetResponse* response) override;
  grpc::Status GetScorecard(grpc::ServerContext* context,
                            const v1::GetScorecardRequest* request,
                            v1::Scorecard* response) override;

  grpc::Status CreateAlertRule(grpc::ServerContext* context,
                               const v1::CreateAlertRuleRequest* request,
                               v1::AlertRule* response) override;
  grpc::Status GetAlertRule(grpc::ServerContext* context,
                            const v1::GetAlertRuleRequest* request,
                            v1::AlertRule* response) override;
  grpc::Status ListAlertRules(grpc::ServerContext* context,
                              const v1::ListAlertRulesRequest* request,
                              v1::ListAlertRulesResponse* response) override;
  grpc::Status UpdateAlertRule(grpc::ServerContext* context,
                               const v1::UpdateAlertRuleRequest* request,
                               v1::AlertRule* response) override;
  grpc::Status DeleteAlertRule(grpc::ServerContext* context,
                               const v1::DeleteAlertRuleRequest* request,
                               v1::DeleteAlertRuleResponse* response) override;
  grpc::Status ListAlerts(grpc::ServerContext* context,
                          const v1::ListAlertsRequest* request,
                          v1::ListAlertsResponse* response) override;
  grpc::Status GetAlert(grpc::ServerContext* context,
                        const v1::GetAlertRequest* request,
                        v1::Alert* response) override;
  grpc::Status AcknowledgeAlert(grpc::ServerContext* context,
                                const v1::AcknowledgeAlertRequest* request,
                                v1::Alert* response) override;
  grpc::Status ResolveAlert(grpc::ServerContext* context,
                            const v1::ResolveAlertRequest* request,
                            v1::Alert* response) override;
  grpc::Status WatchAlerts(
      grpc::ServerContext* context, const v1::WatchAlertsRequest* request,
      grpc::ServerWriter<v1::WatchAlertsResponse>* writer) override;
  grpc::Status WatchMetric(
      grpc::ServerContext* context, const v1::WatchMetricRequest* request,
      grpc::ServerWriter<v1::QueryMetricResponse>* writer) override;
  grpc::Status GetWebhookSecret(grpc::ServerContext* context,
                                const v1::GetWebhookSecretRequest* request,
                                v1::WebhookSecret* response) override;
  grpc::Status RotateWebhookSecret(
      grpc::ServerContext* context,
      const v1::RotateWebhookSecretRequest* request,
      v1::WebhookSecret* response) override;

 private:
  // AcknowledgeAlert and ResolveAlert: a write on alert `name`, made by
  // `change`.
  grpc::Status ChangeAlert(
      const grpc::ServerContext& context, const std::string& name,
      v1::Alert* response,
      absl::FunctionRef<absl::StatusOr<records::Alert>(const ResourceCall&)>
          change);
  // A QueryMetric request's answer in `ws`; with `current_bucket_only`,
  // for the bucket holding now instead of the request's range.
  absl::StatusOr<v1::QueryMetricResponse> RunQuery(
      absl::string_view ws, const v1::QueryMetricRequest& request,
      bool current_bucket_only) const;
  // INVALID_ARGUMENT (fields named `alert_rule.…`) when a rule names a
  // target or event that does not exist, or a scope its metric's queries
  // do not accept.
  absl::Status CheckRule(absl::string_view ws,
                         const records::AlertRule& rule) const;
  // INVALID_ARGUMENT naming `<prefix><field>` when a query of `metric`
  // does not accept `filters` and `params`.
  absl::Status CheckQueryScope(
      absl::string_view ws, const std::string& metric,
      const google::protobuf::Map<std::string, std::string>& filters,
      const google::protobuf::Map<std::string, std::string>& params,
      absl::string_view prefix) const;
  const Authorizer& auth_;
  const domain::WorkspaceDirectory& workspaces_;
  // The engine that answers `metric`, or INVALID_ARGUMENT.
  absl::StatusOr<const domain::kpi::MetricEngine*> EngineFor(
      absl::string_view metric) const;

  const domain::kpi::SurveyMetrics& survey_metrics_;
  const domain::kpi::ActivityMetrics& activity_metrics_;
  const domain::kpi::Engines engines_;
  const domain::ValueReports& value_reports_;
  domain::Touchpoints& touchpoints_;
  domain::Targets& targets_;
  const domain::Scorecards& scorecards_;
  domain::AlertRules& rules_;
  domain::Alerts& alerts_;
  const domain::Events& events_;
  const domain::ChangeFeed& changes_;
  domain::Webhooks& webhooks_;
  const Clock& clock_;
};

// An alert as the API carries it (replies, WatchAlerts, webhooks).
v1::Alert AlertToProto(absl::string_view ws, const records::Alert& alert);
// The WatchAlerts resume token of an alert version's sequence.
std::string EncodeResumeToken(uint64_t sequence);

// A metric point as the API carries it (QueryMetric's, and the
// scorecard's).
v1::MetricPoint PointToProto(const std::string& metric,
                             const domain::kpi::MetricPoint& p);

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_KPI_SERVICE_H_
