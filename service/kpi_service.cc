#include "service/kpi_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/kpi/comparison.h"
#include "domain/kpi/forecast.h"
#include "domain/kpi/registry.h"
#include "service/handler.h"
#include "service/resource_names.h"

namespace mittari::service {
namespace {

using domain::Permission;
using domain::kpi::Granularity;
using domain::kpi::MetricPoint;
using domain::kpi::MetricQuery;

absl::StatusOr<Granularity> GranularityOf(v1::Granularity g) {
  switch (g) {
    case v1::GRANULARITY_UNSPECIFIED:
    case v1::GRANULARITY_NONE:
      return Granularity::kNone;
    case v1::GRANULARITY_DAY:
      return Granularity::kDay;
    case v1::GRANULARITY_WEEK:
      return Granularity::kWeek;
    case v1::GRANULARITY_MONTH:
      return Granularity::kMonth;
    case v1::GRANULARITY_QUARTER:
      return Granularity::kQuarter;
    case v1::GRANULARITY_YEAR:
      return Granularity::kYear;
    default:
      return errors::InvalidArgument("granularity", "is not a granularity");
  }
}

template <typename Request>
absl::StatusOr<MetricQuery> QueryOf(const Request& request) {
  MetricQuery q;
  q.metric = request.metric();
  ASSIGN_OR_RETURN(
      q.from, RequiredTime(request.range().has_start_time(),
                           request.range().start_time(), "range.start_time"));
  ASSIGN_OR_RETURN(q.to,
                   RequiredTime(request.range().has_end_time(),
                                request.range().end_time(), "range.end_time"));
  q.filters.insert(request.filters().begin(), request.filters().end());
  if constexpr (requires { request.group_by(); }) {
    q.group_by.assign(request.group_by().begin(), request.group_by().end());
  }
  q.params.insert(request.params().begin(), request.params().end());
  return q;
}

v1::ValueGroup ValueGroupToProto(const domain::ValueGroup& g) {
  v1::ValueGroup out;
  out.set_group(g.group);
  out.set_customers(g.customers);
  if (g.annual_spend) out.set_annual_spend(*g.annual_spend);
  if (g.annual_spend_ci_low)
    out.set_annual_spend_ci_low(*g.annual_spend_ci_low);
  if (g.annual_spend_ci_high)
    out.set_annual_spend_ci_high(*g.annual_spend_ci_high);
  if (g.retention) out.set_retention(*g.retention);
  out.set_retention_n(g.retention_n);
  if (g.retention_ci_low) out.set_retention_ci_low(*g.retention_ci_low);
  if (g.retention_ci_high) out.set_retention_ci_high(*g.retention_ci_high);
  if (g.clv_historical) out.set_clv_historical(*g.clv_historical);
  return out;
}

v1::ValueHeadline ValueHeadlineToProto(const domain::ValueHeadline& h) {
  v1::ValueHeadline out;
  if (h.spend_uplift_pct) out.set_spend_uplift_pct(*h.spend_uplift_pct);
  if (h.spend_z) out.set_spend_z(*h.spend_z);
  if (h.spend_significant) out.set_spend_significant(*h.spend_significant);
  if (h.retention_best) out.set_retention_best(*h.retention_best);
  if (h.retention_worst) out.set_retention_worst(*h.retention_worst);
  if (h.retention_z) out.set_retention_z(*h.retention_z);
  if (h.retention_significant)
    out.set_retention_significant(*h.retention_significant);
  return out;
}

}  // namespace

v1::MetricPoint PointToProto(const std::string& metric, const MetricPoint& p) {
  v1::MetricPoint out;
  if (p.bucket_start) {
    SetTime(absl::ToUnixMicros(*p.bucket_start), out.mutable_bucket_start());
  }
  for (const auto& [dim, value] : p.group) (*out.mutable_group())[dim] = value;
  const auto& e = p.estimate;
  if (e.value) out.set_value(*e.value);
  out.set_n(e.n);
  if (e.ci_low) out.set_ci_low(*e.ci_low);
  if (e.ci_high) out.set_ci_high(*e.ci_high);
  out.set_suppressed(p.suppressed);
  out.set_overflowed(p.overflowed);
  if (p.overflowed) return out;
  for (const auto& [name, value] : p.components) {
    if (name == "start") out.set_start(value);
    if (name == "end") out.set_end(value);
    if (name == "new") out.set_new_(value);
    if (name == "lost") out.set_lost(value);
    if (name == "conversions") out.set_conversions(value);
  }
  if (p.suppressed) return out;
  const auto& c = p.counters;
  const domain::kpi::MetricDef* def = domain::kpi::FindMetric(metric);
  if (def == nullptr) return out;
  if (def->metric == domain::kpi::Metric::kNps) {
    out.set_promoters(c.promoters);
    out.set_passives(c.n - c.promoters - c.detractors);
    out.set_detractors(c.detractors);
  } else if (def->metric == domain::kpi::Metric::kCsat) {
    out.set_positives(c.positive);
    if (c.n > 0)
      out.set_mean(static_cast<double>(c.sum) / static_cast<double>(c.n));
  }
  return out;
}

absl::StatusOr<const domain::kpi::MetricEngine*> KpiServiceImpl::EngineFor(
    absl::string_view metric) const {
  return engines_.For(metric);
}

absl::StatusOr<v1::QueryMetricResponse> KpiServiceImpl::RunQuery(
    absl::string_view ws, const v1::QueryMetricRequest& request,
    bool current_bucket_only) const {
  ASSIGN_OR_RETURN(const domain::kpi::MetricEngine* engine,
                   EngineFor(request.metric()));
  ASSIGN_OR_RETURN(Granularity granularity,
                   GranularityOf(request.granularity()));
  MetricQuery q;
  if (current_bucket_only) {
    if (granularity == Granularity::kNone) {
      return errors::InvalidArgument("granularity",
                                     "is required for the current bucket only");
    }
    // The bucket holding now, in the workspace's time zone.
    v1::QueryMetricRequest ranged = request;
    ASSIGN_OR_RETURN(absl::TimeZone zone, workspaces_.TimeZoneOf(ws));
    const domain::kpi::Calendar calendar(zone);
    const absl::CivilDay bucket = calendar.BucketOf(
        calendar.CivilOf(calendar.DayOf(clock_.Now())), granularity);
    SetTime(absl::ToUnixMicros(calendar.StartOf(bucket)),
            ranged.mutable_range()->mutable_start_time());
    SetTime(absl::ToUnixMicros(
                calendar.StartOf(calendar.NextBucket(bucket, granularity))),
            ranged.mutable_range()->mutable_end_time());
    ASSIGN_OR_RETURN(q, QueryOf(ranged));
  } else {
    ASSIGN_OR_RETURN(q, QueryOf(request));
  }
  q.granularity = granularity;
  q.min_n = request.min_n();
  ASSIGN_OR_RETURN(std::vector<MetricPoint> points, engine->Query(ws, q));
  v1::QueryMetricResponse response;
  for (const MetricPoint& p : points) {
    *response.add_points() = PointToProto(q.metric, p);
  }
  return response;
}

grpc::Status KpiServiceImpl::QueryMetric(grpc::ServerContext* context,
                                         const v1::QueryMetricRequest* request,
                                         v1::QueryMetricResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    ASSIGN_OR_RETURN(*response, RunQuery(call.workspace_id, *request, false));
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::ForecastMetric(
    grpc::ServerContext* context, const v1::ForecastMetricRequest* request,
    v1::ForecastMetricResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    ASSIGN_OR_RETURN(const domain::kpi::MetricEngine* engine,
                     EngineFor(request->metric()));
    ASSIGN_OR_RETURN(MetricQuery q, QueryOf(*request));
    ASSIGN_OR_RETURN(q.granularity, GranularityOf(request->granularity()));
    q.min_n = request->min_n();
    ASSIGN_OR_RETURN(absl::TimeZone zone,
                     workspaces_.TimeZoneOf(call.workspace_id));
    ASSIGN_OR_RETURN(
        domain::kpi::MetricForecast f,
        domain::kpi::ForecastMetric(*engine, domain::kpi::Calendar(zone),
                                    call.workspace_id, q, request->horizon()));
    for (const MetricPoint& p : f.history) {
      *response->add_points() = PointToProto(q.metric, p);
    }
    const domain::kpi::SeriesForecast& series = f.forecast;
    for (size_t h = 0; h < series.steps.size() && h < f.bucket_starts.size();
         ++h) {
      const domain::kpi::ForecastStep& step = series.steps[h];
      v1::ForecastPoint* out = response->add_forecast();
      SetTime(absl::ToUnixMicros(f.bucket_starts[h]),
              out->mutable_bucket_start());
      out->set_value(step.value);
      out->set_pi80_low(step.pi80_low);
      out->set_pi80_high(step.pi80_high);
      out->set_pi95_low(step.pi95_low);
      out->set_pi95_high(step.pi95_high);
    }
    switch (series.method) {
      case domain::kpi::ForecastMethod::kHoltWinters:
        response->set_method("holt_winters");
        break;
      case domain::kpi::ForecastMethod::kHolt:
        response->set_method("holt");
        break;
      case domain::kpi::ForecastMethod::kNone:
        response->set_method("none");
        break;
    }
    response->set_season_length(series.season_length);
    response->set_alpha(series.alpha);
    response->set_beta(series.beta);
    response->set_gamma(series.gamma);
    response->set_sigma(series.sigma);
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::ComparePeriods(
    grpc::ServerContext* context, const v1::ComparePeriodsRequest* request,
    v1::ComparePeriodsResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    ASSIGN_OR_RETURN(const domain::kpi::MetricEngine* engine,
                     EngineFor(request->metric()));
    ASSIGN_OR_RETURN(MetricQuery q, QueryOf(*request));
    ASSIGN_OR_RETURN(absl::TimeZone zone,
                     workspaces_.TimeZoneOf(call.workspace_id));
    ASSIGN_OR_RETURN(
        domain::kpi::Comparison c,
        domain::kpi::ComparePeriods(*engine, domain::kpi::Calendar(zone),
                                    call.workspace_id, q));
    SetTime(absl::ToUnixMicros(c.previous_from),
            response->mutable_previous_range()->mutable_start_time());
    SetTime(absl::ToUnixMicros(c.previous_to),
            response->mutable_previous_range()->mutable_end_time());
    for (const domain::kpi::GroupComparison& g : c.groups) {
      v1::PeriodComparison* out = response->add_comparisons();
      for (const auto& [dim, value] : g.group)
        (*out->mutable_group())[dim] = value;
      *out->mutable_current() = PointToProto(q.metric, g.current);
      *out->mutable_previous() = PointToProto(q.metric, g.previous);
      if (g.change) out->set_change(*g.change);
      if (g.significance) {
        out->set_z(g.significance->z);
        out->set_significant(g.significance->significant);
      }
    }
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::ListDimensionValues(
    grpc::ServerContext* context, const v1::ListDimensionValuesRequest* request,
    v1::ListDimensionValuesResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    std::optional<absl::Time> from;
    std::optional<absl::Time> to;
    if (request->range().has_start_time()) {
      from =
          absl::FromUnixMicros(MicrosOf(true, request->range().start_time()));
    }
    if (request->range().has_end_time()) {
      to = absl::FromUnixMicros(MicrosOf(true, request->range().end_time()));
    }
    const std::string& dim = request->dimension();
    const std::string& metric = request->metric();
    bool survey = domain::kpi::SurveyMetrics::HasDimension(dim);
    bool activity = domain::kpi::ActivityMetrics::HasDimension(dim);
    if (!metric.empty()) {
      ASSIGN_OR_RETURN(const domain::kpi::MetricEngine* engine,
                       EngineFor(metric));
      survey = survey && engine == &survey_metrics_;
      activity = activity && engine == &activity_metrics_;
    }
    if (!survey && !activity) {
      return errors::InvalidArgument(
          "dimension", absl::StrCat("'", dim, "' is not a dimension",
                                    metric.empty() ? "" : " of ", metric));
    }
    std::set<std::string> values;
    if (survey) {
      ASSIGN_OR_RETURN(
          std::vector<std::string> v,
          survey_metrics_.DimensionValues(call.workspace_id, dim, from, to));
      values.insert(v.begin(), v.end());
    }
    if (activity) {
      ASSIGN_OR_RETURN(
          std::vector<std::string> v,
          activity_metrics_.DimensionValues(call.workspace_id, dim, from, to));
      values.insert(v.begin(), v.end());
    }
    ASSIGN_OR_RETURN(int size, PageSize(request->page_size(), "page_size"));
    ASSIGN_OR_RETURN(std::string after,
                     DecodePageToken(request->page_token(), "page_token"));
    for (auto it = values.upper_bound(after); it != values.end(); ++it) {
      if (response->values_size() == size) {
        response->set_next_page_token(
            EncodePageToken(response->values(size - 1)));
        break;
      }
      response->add_values(*it);
    }
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::GetValueReport(
    grpc::ServerContext* context, const v1::GetValueReportRequest* request,
    v1::ValueReport* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    domain::ValueReportQuery q;
    switch (request->kind()) {
      case v1::EXPERIENCE_KIND_NPS:
        q.kind = domain::ExperienceKind::kNps;
        break;
      case v1::EXPERIENCE_KIND_CSAT:
        q.kind = domain::ExperienceKind::kCsat;
        break;
      default:
        return errors::InvalidArgument("kind", "is required: nps or csat");
    }
    ASSIGN_OR_RETURN(q.from, RequiredTime(request->range().has_start_time(),
                                          request->range().start_time(),
                                          "range.start_time"));
    ASSIGN_OR_RETURN(
        q.to, RequiredTime(request->range().has_end_time(),
                           request->range().end_time(), "range.end_time"));
    q.filters.insert(request->filters().begin(), request->filters().end());
    ASSIGN_OR_RETURN(domain::ValueReport report,
                     value_reports_.Report(call.workspace_id, q));
    response->set_kind(request->kind());
    *response->mutable_range() = request->range();
    for (const domain::ValueGroup& g : report.groups) {
      *response->add_groups() = ValueGroupToProto(g);
    }
    *response->mutable_headline() = ValueHeadlineToProto(report.headline);
    return absl::OkStatus();
  });
}

}  // namespace mittari::service
