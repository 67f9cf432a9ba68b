#include "service/convert.h"

#include "domain/events.h"
#include "service/handler.h"
#include "service/resource_names.h"

namespace mittari::service {

v1::Survey SurveyToProto(absl::string_view ws, const records::Survey& s) {
  v1::Survey out;
  out.set_name(ChildName(ws, "surveys", s.id()));
  out.set_kind(static_cast<v1::SurveyKind>(s.kind()));
  out.set_question(s.question());
  if (s.has_scale_min()) out.set_scale_min(s.scale_min());
  if (s.has_scale_max()) out.set_scale_max(s.scale_max());
  if (s.has_positive_threshold())
    out.set_positive_threshold(s.positive_threshold());
  if (s.has_low_threshold()) out.set_low_threshold(s.low_threshold());
  out.set_direction(static_cast<v1::Direction>(s.direction()));
  out.set_touchpoint(s.touchpoint());
  out.set_journey_stage(s.journey_stage());
  out.set_channel(s.channel());
  out.set_event_id(s.event_id());
  *out.mutable_tag_vocabulary() = s.tag_vocabulary();
  out.set_state(static_cast<v1::SurveyState>(s.state()));
  if (s.archive_time_us() != 0)
    SetTime(s.archive_time_us(), out.mutable_archive_time());
  SetTime(s.create_time_us(), out.mutable_create_time());
  SetTime(s.update_time_us(), out.mutable_update_time());
  return out;
}

records::Survey SurveyFromProto(const std::string& id, const v1::Survey& s) {
  records::Survey out;
  out.set_id(id);
  out.set_kind(s.kind());
  out.set_question(s.question());
  if (s.has_scale_min()) out.set_scale_min(s.scale_min());
  if (s.has_scale_max()) out.set_scale_max(s.scale_max());
  if (s.has_positive_threshold())
    out.set_positive_threshold(s.positive_threshold());
  if (s.has_low_threshold()) out.set_low_threshold(s.low_threshold());
  out.set_direction(s.direction());
  out.set_touchpoint(s.touchpoint());
  out.set_journey_stage(s.journey_stage());
  out.set_channel(s.channel());
  out.set_event_id(s.event_id());
  *out.mutable_tag_vocabulary() = s.tag_vocabulary();
  out.set_state(s.state());
  return out;
}

v1::Customer CustomerToProto(absl::string_view ws, const records::Customer& c) {
  v1::Customer out;
  out.set_name(ChildName(ws, "customers", c.id()));
  out.set_display_name(c.display_name());
  out.set_email(c.email());
  out.set_segment(c.segment());
  out.set_region(c.region());
  out.set_customer_type(c.customer_type());
  *out.mutable_attributes() = c.attributes();
  if (c.acquire_time_us() != 0)
    SetTime(c.acquire_time_us(), out.mutable_acquire_time());
  if (c.churn_time_us() != 0)
    SetTime(c.churn_time_us(), out.mutable_churn_time());
  SetTime(c.create_time_us(), out.mutable_create_time());
  SetTime(c.update_time_us(), out.mutable_update_time());
  return out;
}

records::Customer CustomerFromProto(const std::string& id,
                                    const v1::Customer& c) {
  records::Customer out;
  out.set_id(id);
  out.set_display_name(c.display_name());
  out.set_email(c.email());
  out.set_segment(c.segment());
  out.set_region(c.region());
  out.set_customer_type(c.customer_type());
  *out.mutable_attributes() = c.attributes();
  out.set_acquire_time_us(MicrosOf(c.has_acquire_time(), c.acquire_time()));
  out.set_churn_time_us(MicrosOf(c.has_churn_time(), c.churn_time()));
  return out;
}

v1::Response ResponseToProto(absl::string_view ws, const records::Response& r) {
  v1::Response out;
  out.set_name(ChildName(ws, "responses", r.id()));
  out.set_survey_id(r.survey_id());
  out.set_customer_id(r.customer_id());
  SetTime(r.submit_time_us(), out.mutable_submit_time());
  if (r.has_score()) out.set_score(r.score());
  out.set_channel(r.channel());
  out.set_touchpoint(r.touchpoint());
  out.set_event_id(r.event_id());
  out.set_comment(r.comment());
  *out.mutable_tags() = r.tags();
  out.set_segment(r.segment());
  out.set_region(r.region());
  out.set_customer_type(r.customer_type());
  out.set_survey_kind(static_cast<v1::SurveyKind>(r.survey_kind()));
  out.set_journey_stage(r.journey_stage());
  return out;
}

records::Response ResponseFromProto(const std::string& id,
                                    const v1::Response& r) {
  records::Response out;
  out.set_id(id);
  out.set_survey_id(r.survey_id());
  out.set_customer_id(r.customer_id());
  out.set_submit_time_us(MicrosOf(r.has_submit_time(), r.submit_time()));
  if (r.has_score()) out.set_score(r.score());
  out.set_channel(r.channel());
  out.set_touchpoint(r.touchpoint());
  out.set_event_id(r.event_id());
  out.set_comment(r.comment());
  *out.mutable_tags() = r.tags();
  return out;
}

namespace {

template <typename Proto>
void SetDims(const records::CustomerDims& d, Proto& out) {
  out.set_segment(d.segment());
  out.set_region(d.region());
  out.set_customer_type(d.customer_type());
}

}  // namespace

v1::Purchase ToProto(absl::string_view ws, const records::Purchase& p) {
  v1::Purchase out;
  out.set_name(ChildName(ws, "purchases", p.id()));
  out.set_customer_id(p.customer_id());
  SetTime(p.occur_time_us(), out.mutable_purchase_time());
  out.mutable_amount()->set_currency_code(p.currency());
  out.mutable_amount()->set_minor_units(p.amount());
  out.set_channel(p.channel());
  out.set_refund_of(p.refund_of());
  SetDims(p.dims(), out);
  return out;
}

records::Purchase RecordOf(const v1::RecordPurchaseRequest& request) {
  const v1::Purchase& p = request.purchase();
  records::Purchase out;
  out.set_id(request.purchase_id());
  out.set_customer_id(p.customer_id());
  out.set_occur_time_us(MicrosOf(p.has_purchase_time(), p.purchase_time()));
  out.set_amount(p.amount().minor_units());
  out.set_currency(p.amount().currency_code());
  out.set_channel(p.channel());
  out.set_refund_of(p.refund_of());
  return out;
}

v1::Session ToProto(absl::string_view ws, const records::Session& s) {
  v1::Session out;
  out.set_name(ChildName(ws, "sessions", s.id()));
  out.set_visitor_id(s.visitor_id());
  out.set_customer_id(s.customer_id());
  SetTime(s.start_time_us(), out.mutable_start_time());
  out.set_duration_seconds(s.duration_seconds());
  out.set_page_views(s.page_views());
  out.set_source(s.source());
  out.set_device(s.device());
  out.set_landing_page(s.landing_page());
  out.set_content_type(s.content_type());
  out.set_keyword(s.keyword());
  out.set_converted(s.converted());
  SetDims(s.dims(), out);
  return out;
}

records::Session RecordOf(const v1::RecordSessionRequest& request) {
  const v1::Session& s = request.session();
  records::Session out;
  out.set_id(request.session_id());
  out.set_visitor_id(s.visitor_id());
  out.set_customer_id(s.customer_id());
  out.set_start_time_us(MicrosOf(s.has_start_time(), s.start_time()));
  out.set_duration_seconds(s.duration_seconds());
  out.set_page_views(s.page_views());
  out.set_source(s.source());
  out.set_device(s.device());
  out.set_landing_page(s.landing_page());
  out.set_content_type(s.content_type());
  out.set_keyword(s.keyword());
  out.set_converted(s.converted());
  return out;
}

v1::Ticket ToProto(absl::string_view ws, const records::Ticket& t) {
  v1::Ticket out;
  out.set_name(ChildName(ws, "tickets", t.id()));
  out.set_customer_id(t.customer_id());
  out.set_channel(t.channel());
  SetTime(t.open_time_us(), out.mutable_create_time());
  if (t.first_response_time_us() != 0) {
    SetTime(t.first_response_time_us(), out.mutable_first_response_time());
  }
  if (t.resolve_time_us() != 0) {
    SetTime(t.resolve_time_us(), out.mutable_resolve_time());
  }
  SetDims(t.dims(), out);
  return out;
}

records::Ticket RecordOf(const v1::RecordTicketRequest& request) {
  const v1::Ticket& t = request.ticket();
  records::Ticket out;
  out.set_id(request.ticket_id());
  out.set_customer_id(t.customer_id());
  out.set_channel(t.channel());
  out.set_open_time_us(MicrosOf(t.has_create_time(), t.create_time()));
  out.set_first_response_time_us(
      MicrosOf(t.has_first_response_time(), t.first_response_time()));
  out.set_resolve_time_us(MicrosOf(t.has_resolve_time(), t.resolve_time()));
  return out;
}

v1::InvitationBatch InvitationBatchToProto(absl::string_view ws,
                                           const records::InvitationBatch& b) {
  v1::InvitationBatch out;
  out.set_name(ChildName(ws, "invitationBatches", b.id()));
  out.set_survey_id(b.survey_id());
  out.set_channel(b.channel());
  out.set_count(b.count());
  SetTime(b.send_time_us(), out.mutable_send_time());
  return out;
}

std::vector<std::string> CustomerMaskToRecord(
    const google::protobuf::RepeatedPtrField<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    if (p == "acquire_time" || p == "churn_time") {
      out.push_back(p + "_us");
    } else {
      out.push_back(p);
    }
  }
  return out;
}

v1::Event EventToProto(absl::string_view ws, const records::Event& e) {
  v1::Event out;
  out.set_name(ChildName(ws, "events", e.id()));
  out.set_display_name(e.display_name());
  out.set_kind(e.kind());
  out.set_format(e.format());
  out.set_series(e.series());
  SetTime(e.start_time_us(), out.mutable_start_time());
  if (e.end_time_us() != 0) SetTime(e.end_time_us(), out.mutable_end_time());
  out.mutable_budget()->set_minor_units(e.budget());
  const records::EventGoals& g = e.goals();
  v1::EventGoals* goals = out.mutable_goals();
  if (g.has_registrations()) goals->set_registrations(g.registrations());
  if (g.has_attendees()) goals->set_attendees(g.attendees());
  if (g.has_attendance_rate()) goals->set_attendance_rate(g.attendance_rate());
  if (g.has_conversions()) goals->set_conversions(g.conversions());
  if (g.has_revenue()) goals->set_revenue(g.revenue());
  if (g.has_nps()) goals->set_nps(g.nps());
  SetTime(e.create_time_us(), out.mutable_create_time());
  SetTime(e.update_time_us(), out.mutable_update_time());
  return out;
}

v1::Registration RegistrationToProto(absl::string_view ws,
                                     const records::Registration& r) {
  v1::Registration out;
  out.set_name(domain::RegistrationName(ws, r.event_id(), r.customer_id()));
  out.set_event_id(r.event_id());
  out.set_customer_id(r.customer_id());
  if (r.register_time_us() != 0)
    SetTime(r.register_time_us(), out.mutable_register_time());
  out.set_attended(r.attended());
  if (r.check_in_time_us() != 0)
    SetTime(r.check_in_time_us(), out.mutable_check_in_time());
  out.set_minutes_attended(r.minutes_attended());
  out.set_converted(r.converted());
  return out;
}

v1::EventLine EventLineToProto(const records::EventLine& l) {
  v1::EventLine out;
  out.set_event_id(l.event_id());
  out.set_line_id(l.id());
  out.set_revenue(l.revenue());
  out.set_category(l.category());
  out.mutable_amount()->set_minor_units(l.amount());
  return out;
}

}  // namespace mittari::service
