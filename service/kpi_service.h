// KpiService handlers: metric queries, period comparison, dimension values,
// forecasts, the value-of-CX report (kpi_service.cc), the journey's
// touchpoints with their baselines (touchpoint_handlers.cc), and targets
// with the scorecard (target_handlers.cc).
#ifndef MITTARI_SERVICE_KPI_SERVICE_H_
#define MITTARI_SERVICE_KPI_SERVICE_H_

#include "domain/kpi/activity_metrics.h"
#include "domain/kpi/survey_metrics.h"
#include "domain/scorecard.h"
#include "domain/targets.h"
#include "domain/touchpoints.h"
#include "domain/value_report.h"
#include "domain/workspaces.h"
#include "mittari/v1/kpi.grpc.pb.h"
#include "service/auth.h"

namespace mittari::service {

class KpiServiceImpl final : public v1::KpiService::Service {
 public:
  KpiServiceImpl(const Authorizer& auth,
                 const domain::WorkspaceDirectory& workspaces,
                 const domain::kpi::SurveyMetrics& survey_metrics,
                 const domain::kpi::ActivityMetrics& activity_metrics,
                 const domain::ValueReports& value_reports,
                 domain::Touchpoints& touchpoints, domain::Targets& targets,
                 const Clock& clock)
      : auth_(auth),
        workspaces_(workspaces),
        survey_metrics_(survey_metrics),
        activity_metrics_(activity_metrics),
        value_reports_(value_reports),
        touchpoints_(touchpoints),
        targets_(targets),
        clock_(clock),
        scorecards_(
            targets, touchpoints, workspaces,
            [this](absl::string_view metric) { return EngineFor(metric); },
            clock) {}

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

 private:
  const Authorizer& auth_;
  const domain::WorkspaceDirectory& workspaces_;
  // INVALID_ARGUMENT (fields named `target.…`) when a target's scope is
  // not one its metric's queries accept.
  absl::Status CheckScope(absl::string_view ws,
                          const records::Target& target) const;
  // The engine that answers `metric`, or INVALID_ARGUMENT.
  absl::StatusOr<const domain::kpi::MetricEngine*> EngineFor(
      absl::string_view metric) const;

  const domain::kpi::SurveyMetrics& survey_metrics_;
  const domain::kpi::ActivityMetrics& activity_metrics_;
  const domain::ValueReports& value_reports_;
  domain::Touchpoints& touchpoints_;
  domain::Targets& targets_;
  const Clock& clock_;
  const domain::Scorecards scorecards_;
};

// A metric point as the API carries it (QueryMetric's, and the
// scorecard's).
v1::MetricPoint PointToProto(const std::string& metric,
                             const domain::kpi::MetricPoint& p);

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_KPI_SERVICE_H_
