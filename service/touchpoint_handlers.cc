// KpiService: the customer journey's touchpoints and their baselines.
#include <cmath>
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

constexpr absl::string_view kTouchpoints = "touchpoints";

v1::Touchpoint TouchpointToProto(absl::string_view ws,
                                 const records::Touchpoint& t) {
  v1::Touchpoint out;
  out.set_name(ChildName(ws, kTouchpoints, t.id()));
  out.set_display_name(t.display_name());
  out.set_journey_stage(t.journey_stage());
  out.set_order(t.order());
  for (const records::Baseline& b : t.baselines()) {
    v1::Baseline* o = out.add_baselines();
    o->set_metric(b.metric());
    if (b.has_value()) o->set_value(b.value());
    o->set_n(b.n());
    if (b.has_ci_low()) o->set_ci_low(b.ci_low());
    if (b.has_ci_high()) o->set_ci_high(b.ci_high());
    if (b.to_us() != 0) {
      SetTime(b.from_us(), o->mutable_period()->mutable_start_time());
      SetTime(b.to_us(), o->mutable_period()->mutable_end_time());
    }
    o->mutable_filters()->insert(b.filters().begin(), b.filters().end());
    o->mutable_params()->insert(b.params().begin(), b.params().end());
    SetTime(b.set_time_us(), o->mutable_set_time());
  }
  SetTime(t.create_time_us(), out.mutable_create_time());
  SetTime(t.update_time_us(), out.mutable_update_time());
  return out;
}

records::Touchpoint TouchpointFromProto(absl::string_view id,
                                        const v1::Touchpoint& t) {
  records::Touchpoint out;
  out.set_id(std::string(id));
  out.set_display_name(t.display_name());
  out.set_journey_stage(t.journey_stage());
  out.set_order(t.order());
  return out;
}

}  // namespace

grpc::Status KpiServiceImpl::CreateTouchpoint(
    grpc::ServerContext* context, const v1::CreateTouchpointRequest* request,
    v1::Touchpoint* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kWrite},
                                           request->parent()));
    ASSIGN_OR_RETURN(
        records::Touchpoint created,
        touchpoints_.Create(call.workspace_id,
                            TouchpointFromProto(request->touchpoint_id(),
                                                request->touchpoint())));
    *response = TouchpointToProto(call.workspace_id, created);
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::GetTouchpoint(
    grpc::ServerContext* context, const v1::GetTouchpointRequest* request,
    v1::Touchpoint* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kRead},
                                             request->name(), kTouchpoints));
    ASSIGN_OR_RETURN(records::Touchpoint t,
                     touchpoints_.Get(call.workspace_id, call.id));
    *response = TouchpointToProto(call.workspace_id, t);
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::ListTouchpoints(
    grpc::ServerContext* context, const v1::ListTouchpointsRequest* request,
    v1::ListTouchpointsResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    ASSIGN_OR_RETURN(int size, PageSize(request->page_size(), "page_size"));
    ASSIGN_OR_RETURN(std::string after,
                     DecodePageToken(request->page_token(), "page_token"));
    ASSIGN_OR_RETURN(domain::Page<records::Touchpoint> page,
                     touchpoints_.List(call.workspace_id, after, size));
    for (const records::Touchpoint& t : page.items) {
      *response->add_touchpoints() = TouchpointToProto(call.workspace_id, t);
    }
    response->set_next_page_token(EncodePageToken(page.next_after));
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::UpdateTouchpoint(
    grpc::ServerContext* context, const v1::UpdateTouchpointRequest* request,
    v1::Touchpoint* response) {
  return Handle([&]() -> absl::Status {
    const v1::Touchpoint& t = request->touchpoint();
    ASSIGN_OR_RETURN(
        ResourceCall call,
        auth_.AuthorizeResource(*context, {Permission::kWrite}, t.name(),
                                kTouchpoints, "touchpoint.name"));
    std::vector<std::string> fields(request->update_mask().paths().begin(),
                                    request->update_mask().paths().end());
    if (fields.empty()) fields = {"display_name", "journey_stage", "order"};
    ASSIGN_OR_RETURN(
        records::Touchpoint updated,
        touchpoints_.Update(call.workspace_id, call.id,
                            TouchpointFromProto(call.id, t), fields));
    *response = TouchpointToProto(call.workspace_id, updated);
    return absl::OkStatus();
  });
}

grpc::Status KpiServiceImpl::DeleteTouchpoint(
    grpc::ServerContext* context, const v1::DeleteTouchpointRequest* request,
    v1::DeleteTouchpointResponse* /*response*/) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kWrite},
                                             request->name(), kTouchpoints));
    return touchpoints_.Delete(call.workspace_id, call.id);
  });
}

grpc::Status KpiServiceImpl::SetBaseline(grpc::ServerContext* context,
                                         const v1::SetBaselineRequest* request,
                                         v1::Touchpoint* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kWrite},
                                             request->name(), kTouchpoints));
    ASSIGN_OR_RETURN(const domain::kpi::MetricEngine* engine,
                     EngineFor(request->metric()));
    records::Baseline baseline;
    baseline.set_metric(request->metric());
    switch (request->source_case()) {
      case v1::SetBaselineRequest::kValue:
        if (!std::isfinite(request->value())) {
          return errors::InvalidArgument("value", "must be a finite number");
        }
        baseline.set_value(request->value());
        break;
      case v1::SetBaselineRequest::kPeriod: {
        // The metric over the period at this touchpoint, as one value.
        domain::kpi::MetricQuery q;
        q.metric = request->metric();
        ASSIGN_OR_RETURN(
            q.from,
            RequiredTime(request->period().has_start_time(),
                         request->period().start_time(), "period.start_time"));
        ASSIGN_OR_RETURN(q.to, RequiredTime(request->period().has_end_time(),
                                            request->period().end_time(),
                                            "period.end_time"));
        q.filters.insert(request->filters().begin(), request->filters().end());
        if (q.filters.contains("touchpoint")) {
          return errors::InvalidArgument(
              "filters", "the touchpoint is the baseline's own");
        }
        q.params.insert(request->params().begin(), request->params().end());
        baseline.mutable_filters()->insert(request->filters().begin(),
                                           request->filters().end());
        baseline.mutable_params()->insert(request->params().begin(),
                                          request->params().end());
        q.filters["touchpoint"] = call.id;
        // The touchpoint must exist before anything is computed for it.
        RETURN_IF_ERROR(touchpoints_.Get(call.workspace_id, call.id).status());
        ASSIGN_OR_RETURN(std::vector<domain::kpi::MetricPoint> points,
                         engine->Query(call.workspace_id, q));
        const domain::kpi::Estimate& e = points.at(0).estimate;
        if (e.value) baseline.set_value(*e.value);
        baseline.set_n(e.n);
        if (e.ci_low) baseline.set_ci_low(*e.ci_low);
        if (e.ci_high) baseline.set_ci_high(*e.ci_high);
        baseline.set_from_us(absl::ToUnixMicros(q.from));
        baseline.set_to_us(absl::ToUnixMicros(q.to));
        break;
      }
      default:
        return errors::InvalidArgument(
            "value", "give a value, or a period to compute it over");
    }
    ASSIGN_OR_RETURN(records::Touchpoint updated,
                     touchpoints_.SetBaseline(call.workspace_id, call.id,
                                              std::move(baseline)));
    *response = TouchpointToProto(call.workspace_id, updated);
    return absl::OkStatus();
  });
}

}  // namespace mittari::service
