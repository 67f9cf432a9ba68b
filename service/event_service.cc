#include "service/event_service.h"

#include <limits>

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

constexpr absl::string_view kEvents = "events";
constexpr size_t kMaxImported = 1'000'000;

records::Event EventFromProto(const std::string& id, const v1::Event& e) {
  records::Event out;
  out.set_id(id);
  out.set_display_name(e.display_name());
  out.set_kind(e.kind());
  out.set_format(e.format());
  out.set_series(e.series());
  out.set_start_time_us(MicrosOf(e.has_start_time(), e.start_time()));
  out.set_end_time_us(MicrosOf(e.has_end_time(), e.end_time()));
  out.set_budget(e.budget().minor_units());
  const v1::EventGoals& g = e.goals();
  records::EventGoals* goals = out.mutable_goals();
  if (g.has_registrations()) goals->set_registrations(g.registrations());
  if (g.has_attendees()) goals->set_attendees(g.attendees());
  if (g.has_attendance_rate()) goals->set_attendance_rate(g.attendance_rate());
  if (g.has_conversions()) goals->set_conversions(g.conversions());
  if (g.has_revenue()) goals->set_revenue(g.revenue());
  if (g.has_nps()) goals->set_nps(g.nps());
  return out;
}

v1::EventReport ReportToProto(const domain::EventReport& r) {
  v1::EventReport out;
  out.set_event(r.event.id());
  out.set_display_name(r.event.display_name());
  out.set_kind(r.event.kind());
  out.set_series(r.event.series());
  out.set_live(r.live);
  out.set_budget(r.event.budget());
  out.set_registrations(r.registrations);
  out.set_attendees(r.attendees);
  out.set_conversions(r.conversions);
  out.set_cost(r.cost);
  out.set_revenue(r.revenue);
  auto set = [](const std::optional<double>& v, auto setter) {
    if (v) setter(*v);
  };
  set(r.attendance_rate, [&](double v) { out.set_attendance_rate(v); });
  set(r.conversion_rate, [&](double v) { out.set_conversion_rate(v); });
  set(r.roi, [&](double v) { out.set_roi(v); });
  set(r.cost_per_attendee, [&](double v) { out.set_cost_per_attendee(v); });
  set(r.cost_per_registration,
      [&](double v) { out.set_cost_per_registration(v); });
  set(r.cost_per_conversion, [&](double v) { out.set_cost_per_conversion(v); });
  set(r.cost_per_lead, [&](double v) { out.set_cost_per_lead(v); });
  set(r.revenue_per_attendee,
      [&](double v) { out.set_revenue_per_attendee(v); });
  set(r.avg_minutes_attended,
      [&](double v) { out.set_avg_minutes_attended(v); });
  set(r.registration_goal_pct,
      [&](double v) { out.set_registration_goal_pct(v); });
  if (r.attendance_goal_met)
    out.set_attendance_goal_met(*r.attendance_goal_met);
  set(r.nps, [&](double v) { out.set_nps(v); });
  out.set_nps_n(r.nps_n);
  set(r.csat, [&](double v) { out.set_csat(v); });
  out.set_csat_n(r.csat_n);
  out.set_leads(r.leads);
  out.set_social_reach(r.social_reach);
  out.set_questions(r.questions);
  out.set_poll_answers(r.poll_answers);
  out.set_chat_messages(r.chat_messages);
  for (const auto& [k, v] : r.cost_by_category)
    (*out.mutable_cost_by_category())[k] = v;
  for (const auto& [k, v] : r.revenue_by_category)
    (*out.mutable_revenue_by_category())[k] = v;
  for (const domain::EventReport::Goal& g : r.goals) {
    v1::GoalAchievement* a = out.add_goals();
    a->set_goal(g.goal);
    a->set_target(g.target);
    if (g.actual) a->set_actual(*g.actual);
    if (g.pct) a->set_pct(*g.pct);
    a->set_met(g.met);
  }
  out.set_window_days(r.window_days);
  out.set_purchases_before(r.purchases_before);
  out.set_revenue_before(r.revenue_before);
  out.set_purchases_after(r.purchases_after);
  out.set_revenue_after(r.revenue_after);
  return out;
}

}  // namespace

records::Registration RegistrationFromProto(const v1::Registration& r) {
  records::Registration out;
  out.set_event_id(r.event_id());
  out.set_customer_id(r.customer_id());
  out.set_register_time_us(MicrosOf(r.has_register_time(), r.register_time()));
  out.set_attended(r.attended());
  out.set_check_in_time_us(MicrosOf(r.has_check_in_time(), r.check_in_time()));
  out.set_minutes_attended(r.minutes_attended());
  out.set_converted(r.converted());
  return out;
}

records::EventSignal SignalFromProto(const v1::EventSignal& s) {
  records::EventSignal r;
  r.set_id(s.signal_id());
  r.set_event_id(s.event_id());
  r.set_kind(s.kind());
  r.set_count(s.count());
  r.set_time_us(MicrosOf(s.has_time(), s.time()));
  return r;
}

grpc::Status EventServiceImpl::CreateEvent(
    grpc::ServerContext* context, const v1::CreateEventRequest* request,
    v1::Event* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kWrite},
                                           request->parent()));
    ASSIGN_OR_RETURN(
        records::Event created,
        events_.Create(call.workspace_id,
                       EventFromProto(request->event_id(), request->event())));
    *response = EventToProto(call.workspace_id, created);
    return absl::OkStatus();
  });
}

grpc::Status EventServiceImpl::GetEvent(grpc::ServerContext* context,
                                        const v1::GetEventRequest* request,
                                        v1::Event* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kRead},
                                             request->name(), kEvents));
    ASSIGN_OR_RETURN(records::Event e, events_.Get(call.workspace_id, call.id));
    *response = EventToProto(call.workspace_id, e);
    return absl::OkStatus();
  });
}

grpc::Status EventServiceImpl::ListEvents(grpc::ServerContext* context,
                                          const v1::ListEventsRequest* request,
                                          v1::ListEventsResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    ASSIGN_OR_RETURN(int size, PageSize(request->page_size(), "page_size"));
    ASSIGN_OR_RETURN(std::string after,
                     DecodePageToken(request->page_token(), "page_token"));
    domain::EventFilter filter;
    filter.kind = request->kind();
    filter.series = request->series();
    ASSIGN_OR_RETURN(domain::Page<records::Event> page,
                     events_.List(call.workspace_id, after, size, filter));
    for (const records::Event& e : page.items) {
      *response->add_events() = EventToProto(call.workspace_id, e);
    }
    response->set_next_page_token(EncodePageToken(page.next_after));
    return absl::OkStatus();
  });
}

grpc::Status EventServiceImpl::ImportEvents(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportEventsRequest>* reader,
    v1::ImportSummary* response) {
  return Handle([&]() -> absl::Status {
    std::vector<records::Event> events;
    ASSIGN_OR_RETURN(
        WorkspaceCall call,
        ReadStream(*context, reader, auth_, {Permission::kWrite}, kMaxImported,
                   [&](const v1::ImportEventsRequest& message) {
                     for (const v1::ImportedEvent& e : message.events()) {
                       events.push_back(
                           EventFromProto(e.event_id(), e.event()));
                     }
                     return message.events_size();
                   }));
    ASSIGN_OR_RETURN(domain::ImportCounts counts,
                     events_.Import(call.workspace_id, std::move(events)));
    *response = ImportSummaryToProto(counts);
    return absl::OkStatus();
  });
}

grpc::Status EventServiceImpl::ImportEventLines(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportEventLinesRequest>* reader,
    v1::ImportSummary* response) {
  return Handle([&]() -> absl::Status {
    std::vector<records::EventLine> lines;
    ASSIGN_OR_RETURN(
        WorkspaceCall call,
        ReadStream(*context, reader, auth_, {Permission::kWrite}, kMaxImported,
                   [&](const v1::ImportEventLinesRequest& message) {
                     for (const v1::EventLine& l : message.lines()) {
                       records::EventLine r;
                       r.set_id(l.line_id());
                       r.set_event_id(l.event_id());
                       r.set_revenue(l.revenue());
                       r.set_category(l.category());
                       r.set_amount(l.amount().minor_units());
                       lines.push_back(std::move(r));
                     }
                     return message.lines_size();
                   }));
    ASSIGN_OR_RETURN(
        domain::ImportCounts counts,
        events_.RecordLines(call.workspace_id, std::move(lines), "lines"));
    *response = ImportSummaryToProto(counts);
    return absl::OkStatus();
  });
}

grpc::Status EventServiceImpl::ImportRegistrations(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportRegistrationsRequest>* reader,
    v1::ImportSummary* response) {
  return Handle([&]() -> absl::Status {
    std::vector<records::Registration> registrations;
    ASSIGN_OR_RETURN(
        WorkspaceCall call,
        ReadStream(*context, reader, auth_, {Permission::kIngest}, kMaxImported,
                   [&](const v1::ImportRegistrationsRequest& message) {
                     for (const v1::Registration& r : message.registrations()) {
                       registrations.push_back(RegistrationFromProto(r));
                     }
                     return message.registrations_size();
                   }));
    ASSIGN_OR_RETURN(
        domain::ImportCounts counts,
        events_.RecordRegistrations(call.workspace_id, std::move(registrations),
                                    "registrations",
                                    domain::WriteModeOf(call.principal.role)));
    *response = ImportSummaryToProto(counts);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EventServiceImpl::RecordRegistration(
    grpc::CallbackServerContext* context,
    const v1::RecordRegistrationRequest* request, v1::Registration* response) {
  return UnaryWrite(
      auth_, *context, request->parent(),
      [&](const WorkspaceCall& call, auto finish) {
        records::Registration r =
            RegistrationFromProto(request->registration());
        v1::Registration sent = RegistrationToProto(call.workspace_id, r);
        events_.RecordRegistrationAsync(
            call.workspace_id, std::move(r),
            domain::WriteModeOf(call.principal.role),
            [finish, response, role = call.principal.role,
             sent =
                 std::move(sent)](absl::StatusOr<domain::ImportCounts> counts) {
              if (counts.ok()) {
                *response = WriteReply(role, sent, OutcomeOf(*counts));
              }
              finish(counts.status());
            });
      });
}

grpc::Status EventServiceImpl::RecordEventSignals(
    grpc::ServerContext* context, const v1::RecordEventSignalsRequest* request,
    v1::ImportSummary* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kWrite},
                                           request->parent()));
    RETURN_IF_ERROR(auth_.AdmitRows(call, request->signals_size()));
    std::vector<records::EventSignal> signals;
    for (const v1::EventSignal& s : request->signals()) {
      signals.push_back(SignalFromProto(s));
    }
    ASSIGN_OR_RETURN(domain::ImportCounts counts,
                     events_.RecordSignals(call.workspace_id,
                                           std::move(signals), "signals"));
    *response = ImportSummaryToProto(counts);
    return absl::OkStatus();
  });
}

grpc::Status EventServiceImpl::GetEventReport(
    grpc::ServerContext* context, const v1::GetEventReportRequest* request,
    v1::EventReport* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kRead},
                                             request->name(), kEvents));
    ASSIGN_OR_RETURN(
        domain::EventReport report,
        events_.Report(call.workspace_id, call.id, request->window_days()));
    *response = ReportToProto(report);
    return absl::OkStatus();
  });
}

grpc::Status EventServiceImpl::CompareEvents(
    grpc::ServerContext* context, const v1::CompareEventsRequest* request,
    v1::CompareEventsResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    domain::EventFilter filter;
    filter.kind = request->kind();
    filter.series = request->series();
    if (request->range().has_start_time()) {
      filter.from =
          absl::FromUnixMicros(MicrosOf(true, request->range().start_time()));
    }
    if (request->range().has_end_time()) {
      filter.to =
          absl::FromUnixMicros(MicrosOf(true, request->range().end_time()));
    }
    ASSIGN_OR_RETURN(
        std::vector<domain::EventComparisonRow> rows,
        events_.Compare(call.workspace_id, filter, request->sort_by(),
                        request->descending()));
    for (const domain::EventComparisonRow& row : rows) {
      v1::EventComparison* out = response->add_events();
      *out->mutable_report() = ReportToProto(row.report);
      for (const auto& [k, v] : row.series_mean)
        (*out->mutable_series_mean())[k] = v;
      for (const auto& [k, v] : row.vs_series)
        (*out->mutable_vs_series())[k] = v;
    }
    return absl::OkStatus();
  });
}

}  // namespace mittari::service
