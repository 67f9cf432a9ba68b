// KpiService: targets and the scorecard.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "service/handler.h"
#include "service/kpi_service.h"
#include "service/resource_names.h"

namespace mittari::service {
namespace {

using domain::Permission;

constexpr absl::string_view kTargets = "targets";

v1::Target TargetToProto(absl::string_view ws, const records::Target& t) {
  v1::Target out;
  out.set_name(ChildName(ws, kTargets, t.id()));
  out.set_display_name(t.display_name());
  out.set_metric(t.metric());
  out.mutable_filters()->insert(t.filters().begin(), t.filters().end());
  out.mutable_params()->insert(t.params().begin(), t.params().end());
  out.set_goal(t.goal());
  out.set_direction(static_cast<v1::TargetDirection>(t.direction()));
  out.set_period(static_cast<v1::Granularity>(t.period()));
  out.set_min_n(t.min_n());
  out.set_kpi_class(static_cast<v1::KpiClass>(t.kpi_class()));
  if (t.has_benchmark()) out.set_benchmark(t.benchmark());
  out.set_benchmark_source(t.benchmark_source());
  out.set_owner(t.owner());
  SetTime(t.create_time_us(), out.mutable_create_time());
  SetTime(t.update_time_us(), out.mutable_update_time());
  return out;
}

records::Target TargetFromProto(absl::string_view id, const v1::Target& t) {
  records::Target out;
  out.set_id(std::string(id));
  out.set_display_name(t.display_name());
  out.set_metric(t.metric());
  out.mutable_filters()->insert(t.filters().begin(), t.filters().end());
  out.mutable_params()->insert(t.params().begin(), t.params().end());
  out.set_goal(t.goal());
  out.set_direction(t.direction());
  out.set_period(t.period());
  out.set_min_n(t.min_n());
  out.set_kpi_class(t.kpi_class());
  if (t.has_benchmark()) out.set_benchmark(t.benchmark());
  out.set_benchmark_source(t.benchmark_source());
  out.set_owner(t.owner());
  return out;
}

}  // namespace

absl::Status KpiServiceImpl::CheckQueryScope(
    absl::string_view ws, const std::string& metric,
    const google::protobuf::Map<std::string, std::string>& filters,
    const google::protobuf::Map<std::string, std::string>& params,
    absl::string_view prefix) const {
  // The scope must be one a query accepts (filters and parameters of the
  // metric): one small query says so, naming the field.
  ASSIGN_OR_RETURN(const domain::kpi::MetricEngine* engine, EngineFor(metric));
  domain::kpi::MetricQuery q;
  q.metric = metric;
  q.to = clock_.Now();
  q.from = q.to - absl::Hours(24);
  q.filters.insert(filters.begin(), filters.end());
  q.params.insert(params.begin(), params.end());
  absl::Status status = engine->Query(ws, q).status();
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    std::vector<errors::FieldViolation> named;
    for (errors::FieldViolation v : errors::FieldViolations(status)) {
      v.field = absl::StrCat(prefix, v.field);
      named.push_back(std::move(v));
    }
    return named.empty() ? status : errors::InvalidArguments(named);
  }
  return status;
}

grpc::Status KpiServiceImpl::CreateTarget(
    grpc::ServerContext* context, const v1::CreateTargetRequest* request,
    v1::Target* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kWrite},
                                           request->parent()));
    records::Target target =
        TargetFromProto(request->target_id(), request->target());
    domain::Violations v;
    domain::Targets::Normalize(target, v);
    RETURN_IF_ERROR(v.ToStatus());
    RETURN_IF_ERROR(CheckQueryScope(call.workspace_id, target.metric(),
                                    target.filters(), target.params(),
                                    "target."));
    ASSIGN_OR_RETURN(records::Target created,
                     targets_.Create(call.workspace_id, std::move(target)));
    *response = TargetToProto(call.workspace_id, created);
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::GetTarget(grpc::ServerContext* context,
                                       const v1::GetTargetRequest* request,
                                       v1::Target* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kRead},
                                             request->name(), kTargets));
    ASSIGN_OR_RETURN(records::Target t,
                     targets_.Get(call.workspace_id, call.id));
    *response = TargetToProto(call.workspace_id, t);
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::ListTargets(grpc::ServerContext* context,
                                         const v1::ListTargetsRequest* request,
                                         v1::ListTargetsResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    ASSIGN_OR_RETURN(int size, PageSize(request->page_size(), "page_size"));
    ASSIGN_OR_RETURN(std::string after,
                     DecodePageToken(request->page_token(), "page_token"));
    ASSIGN_OR_RETURN(domain::Page<records::Target> page,
                     targets_.List(call.workspace_id, after, size));
    for (const records::Target& t : page.items) {
      *response->add_targets() = TargetToProto(call.workspace_id, t);
    }
    response->set_next_page_token(EncodePageToken(page.next_after));
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::UpdateTarget(
    grpc::ServerContext* context, const v1::UpdateTargetRequest* request,
    v1::Target* response) {
  return Handle([&]() -> absl::Status {
    const v1::Target& t = request->target();
    ASSIGN_OR_RETURN(ResourceCall call, auth_.AuthorizeResource(
                                            *context, {Permission::kWrite},
                                            t.name(), kTargets, "target.name"));
    const std::vector<std::string> fields =
        MaskedFields(t, request->update_mask());
    ASSIGN_OR_RETURN(
        records::Target updated,
        targets_.Update(call.workspace_id, call.id, TargetFromProto(call.id, t),
                        fields, [&](const records::Target& after) {
                          return CheckQueryScope(
                              call.workspace_id, after.metric(),
                              after.filters(), after.params(), "target.");
                        }));
    *response = TargetToProto(call.workspace_id, updated);
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::DeleteTarget(
    grpc::ServerContext* context, const v1::DeleteTargetRequest* request,
    v1::DeleteTargetResponse* /*response*/) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kWrite},
                                             request->name(), kTargets));
    return targets_.Delete(call.workspace_id, call.id);
  });
}

grpc::Status KpiServiceImpl::GetScorecard(
    grpc::ServerContext* context, const v1::GetScorecardRequest* request,
    v1::Scorecard* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    absl::Time as_of = clock_.Now();
    if (request->has_as_of()) {
      ASSIGN_OR_RETURN(as_of, RequiredTime(true, request->as_of(), "as_of"));
    }
    ASSIGN_OR_RETURN(std::vector<domain::ScorecardEntry> entries,
                     scorecards_.Build(call.workspace_id, as_of));
    for (const domain::ScorecardEntry& e : entries) {
      v1::ScorecardEntry* out = response->add_entries();
      *out->mutable_target() = TargetToProto(call.workspace_id, e.target);
      out->set_touchpoint(e.touchpoint);
      out->set_journey_stage(e.journey_stage);
      SetTime(absl::ToUnixMicros(e.period_start), out->mutable_period_start());
      SetTime(absl::ToUnixMicros(e.period_end), out->mutable_period_end());
      *out->mutable_current() = PointToProto(e.target.metric(), e.current);
      *out->mutable_previous() = PointToProto(e.target.metric(), e.previous);
      out->set_status(static_cast<v1::TargetStatus>(e.status));
      out->set_previous_status(
          static_cast<v1::TargetStatus>(e.previous_status));
      if (e.baseline) out->set_baseline(*e.baseline);
      if (e.change) out->set_change(*e.change);
      if (e.significance) {
        out->set_z(e.significance->z);
        out->set_significant(e.significance->significant);
      }
      if (e.forecast) {
        v1::BucketForecast* f = out->mutable_forecast();
        f->set_value(e.forecast->value);
        f->set_pi80_low(e.forecast->pi80_low);
        f->set_pi80_high(e.forecast->pi80_high);
        f->set_pi95_low(e.forecast->pi95_low);
        f->set_pi95_high(e.forecast->pi95_high);
      }
    }
    return absl::OkStatus();
  });
}

}  // namespace mittari::service
