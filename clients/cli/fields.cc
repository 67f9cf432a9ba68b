#include "clients/cli/fields.h"

#include <limits>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/cli/output.h"
#include "common/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"

namespace mittari::cli {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

std::string EnumPrefix(const google::protobuf::EnumDescriptor* e) {
  std::string out;
  for (char c : e->name()) {
    if (absl::ascii_isupper(c) && !out.empty()) out.push_back('_');
    out.push_back(absl::ascii_toupper(c));
  }
  return out + "_";
}

}  // namespace

const std::vector<FieldSpec>& CustomerFields() {
  static const auto* fields = new std::vector<FieldSpec>{
      {"id", "", "customer_id"},
      {"name", "name", "customer.display_name"},
      {"email", "email", "customer.email"},
      {"segment", "segment", "customer.segment"},
      {"region", "region", "customer.region"},
      {"customer_type", "type", "customer.customer_type"},
      {"attributes", "attributes", "customer.attributes"},
      {"acquired_at", "acquired-at", "customer.acquire_time"},
      {"churned_at", "churned-at", "customer.churn_time"},
      {"past_intervals", "", "past_intervals"},
  };
  return *fields;
}

const std::vector<FieldSpec>& SurveyFields() {
  static const auto* fields = new std::vector<FieldSpec>{
      {"id", "", "survey_id"},
      {"kind", "kind", "survey.kind"},
      {"question", "question", "survey.question"},
      {"scale_min", "scale-min", "survey.scale_min"},
      {"scale_max", "scale-max", "survey.scale_max"},
      {"positive_threshold", "positive-threshold", "survey.positive_threshold"},
      {"low_threshold", "low-threshold", "survey.low_threshold"},
      {"direction", "direction", "survey.direction"},
      {"touchpoint", "touchpoint", "survey.touchpoint"},
      {"journey_stage", "journey-stage", "survey.journey_stage"},
      {"channel", "channel", "survey.channel"},
      {"event_id", "event", "survey.event_id"},
      {"tags", "tags", "survey.tag_vocabulary"},
      {"state", "state", "survey.state"},
  };
  return *fields;
}

const std::vector<FieldSpec>& ResponseFields() {
  static const auto* fields = new std::vector<FieldSpec>{
      {"id", "id", "response_id"},
      {"survey_id", "survey", "response.survey_id"},
      {"customer_id", "customer", "response.customer_id"},
      {"submitted_at", "time", "response.submit_time"},
      {"score", "score", "response.score"},
      {"channel", "channel", "response.channel"},
      {"touchpoint", "touchpoint", "response.touchpoint"},
      {"comment", "comment", "response.comment"},
      {"tags", "tags", "response.tags"},
      {"event_id", "event", "response.event_id"},
  };
  return *fields;
}

const std::vector<FieldSpec>& PurchaseFields() {
  static const auto* fields = new std::vector<FieldSpec>{
      {"id", "", "purchase_id"},
      {"customer_id", "customer", "purchase.customer_id"},
      {"occurred_at", "time", "purchase.purchase_time"},
      {"amount", "amount", "purchase.amount"},
      {"currency", "currency", "purchase.amount.currency_code"},
      {"channel", "channel", "purchase.channel"},
      {"refund_of", "refund-of", "purchase.refund_of"},
  };
  return *fields;
}

const std::vector<FieldSpec>& SessionFields() {
  static const auto* fields = new std::vector<FieldSpec>{
      {"id", "", "session_id"},
      {"visitor_id", "visitor", "session.visitor_id"},
      {"customer_id", "customer", "session.customer_id"},
      {"started_at", "time", "session.start_time"},
      {"duration_seconds", "duration", "session.duration_seconds"},
      {"page_views", "page-views", "session.page_views"},
      {"source", "source", "session.source"},
      {"device", "device", "session.device"},
      {"landing_page", "landing-page", "session.landing_page"},
      {"content_type", "content-type", "session.content_type"},
      {"keyword", "keyword", "session.keyword"},
      {"converted", "converted", "session.converted"},
  };
  return *fields;
}

const std::vector<FieldSpec>& TicketFields() {
  static const auto* fields = new std::vector<FieldSpec>{
      {"id", "", "ticket_id"},
      {"customer_id", "customer", "ticket.customer_id"},
      {"channel", "channel", "ticket.channel"},
      {"created_at", "created", "ticket.create_time"},
      {"first_response_at", "first-response", "ticket.first_response_time"},
      {"resolved_at", "resolved", "ticket.resolve_time"},
  };
  return *fields;
}

const std::vector<FieldSpec>& EventFields() {
  static const auto* fields = new std::vector<FieldSpec>{
      {"id", "", "event_id"},
      {"name", "name", "event.display_name"},
      {"kind", "kind", "event.kind"},
      {"format", "format", "event.format"},
      {"series", "series", "event.series"},
      {"starts_at", "start", "event.start_time"},
      {"ends_at", "end", "event.end_time"},
      {"budget", "budget", "event.budget"},
      {"registration_target", "registration-target",
       "event.goals.registrations"},
      {"attendee_target", "attendee-target", "event.goals.attendees"},
      {"attendance_target_pct", "attendance-target-pct",
       "event.goals.attendance_rate"},
      {"conversion_target", "conversion-target", "event.goals.conversions"},
      {"revenue_target", "revenue-target", "event.goals.revenue"},
      {"nps_target", "nps-target", "event.goals.nps"},
  };
  return *fields;
}

const std::vector<FieldSpec>& EventLineFields() {
  static const auto* fields = new std::vector<FieldSpec>{
      {"id", "", "line_id"},
      {"event_id", "event", "event_id"},
      {"category", "category", "category"},
      {"amount", "amount", "amount"},
  };
  return *fields;
}

const std::vector<FieldSpec>& RegistrationFields() {
  static const auto* fields = new std::vector<FieldSpec>{
      {"event_id", "", "event_id"},
      {"customer_id", "", "customer_id"},
      {"registered_at", "registered", "register_time"},
      {"attended", "attended", "attended"},
      {"checked_in_at", "check-in", "check_in_time"},
      {"minutes_attended", "minutes", "minutes_attended"},
      {"converted", "converted", "converted"},
  };
  return *fields;
}

absl::StatusOr<int64_t> ParseMinorUnits(absl::string_view text) {
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not an amount with at most two decimals (12.50)"));
  };
  absl::string_view rest = text;
  bool negative = absl::ConsumePrefix(&rest, "-");
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(rest, absl::MaxSplits('.', 1));
  if (parts.first.empty() || parts.second.size() > 2) return bad();
  for (char c : absl::StrCat(parts.first, parts.second)) {
    if (!absl::ascii_isdigit(c)) return bad();
  }
  int64_t units = 0;
  if (!absl::SimpleAtoi(parts.first, &units) ||
      units > std::numeric_limits<int64_t>::max() / 100) {
    return bad();
  }
  int64_t cents = 0;
  if (!parts.second.empty()) {
    (void)absl::SimpleAtoi(parts.second, &cents);
    if (parts.second.size() == 1) cents *= 10;
  }
  int64_t minor = units * 100 + cents;
  return negative ? -minor : minor;
}

absl::StatusOr<absl::Time> ParseTimeText(absl::string_view text,
                                         const absl::TimeZone& zone) {
  absl::Time t;
  std::string err;
  if (text.size() == 10 &&
      absl::ParseTime("%Y-%m-%d", std::string(text), zone, &t, &err)) {
    return t;
  }
  if (absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &err)) {
    return t;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", text,
                   "' is not an RFC 3339 time (2026-01-31T12:00:00Z) or a date "
                   "(2026-01-31)"));
}

std::string GetField(const Message& message, absl::string_view path) {
  const Message* m = &message;
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(parts[i]);
    if (f == nullptr || !m->GetReflection()->HasField(*m, f)) return "";
    m = &m->GetReflection()->GetMessage(*m, f);
  }
  const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(parts.back());
  if (f == nullptr) return "";
  const auto* r = m->GetReflection();
  if (f->is_map()) {
    std::map<std::string, std::string> sorted;
    for (int i = 0; i < r->FieldSize(*m, f); ++i) {
      const Message& e = r->GetRepeatedMessage(*m, f, i);
      sorted[e.GetReflection()->GetString(e, e.GetDescriptor()->field(0))] =
          e.GetReflection()->GetString(e, e.GetDescriptor()->field(1));
    }
    std::string out;
    for (const auto& [k, v] : sorted) {
      absl::StrAppend(&out, out.empty() ? "" : ";", k, "=", v);
    }
    return out;
  }
  if (f->is_repeated()) {
    std::vector<std::string> items;
    for (int i = 0; i < r->FieldSize(*m, f); ++i) {
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        const Message& interval = r->GetRepeatedMessage(*m, f, i);
        items.push_back(absl::StrCat(GetField(interval, "acquire_time"), "/",
                                     GetField(interval, "churn_time")));
      } else {
        items.push_back(r->GetRepeatedString(*m, f, i));
      }
    }
    return absl::StrJoin(items, ";");
  }
  if (f->has_presence() && !r->HasField(*m, f)) return "";
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return r->GetString(*m, f);
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(r->GetInt32(*m, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(r->GetInt64(*m, f));
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      // The shortest text that reads back as the same double.
      const double v = r->GetDouble(*m, f);
      for (int digits = 6; digits < 17; ++digits) {
        std::string text = absl::StrFormat("%.*g", digits, v);
        double back = 0;
        if (absl::SimpleAtod(text, &back) && back == v) return text;
      }
      return absl::StrFormat("%.17g", v);
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetBool(*m, f) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* v = r->GetEnum(*m, f);
      if (v->number() == 0) return "";
      return absl::AsciiStrToLower(
          v->name().substr(EnumPrefix(f->enum_type()).size()));
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& sub = r->GetMessage(*m, f);
      if (f->message_type()->full_name() == "google.protobuf.Timestamp") {
        const auto& ts = static_cast<const google::protobuf::Timestamp&>(sub);
        return FormatTimestamp(ts.seconds(), ts.nanos());
      }
      if (f->message_type()->full_name() == "mittari.v1.Money") {
        const int64_t minor = sub.GetReflection()->GetInt64(
            sub, sub.GetDescriptor()->FindFieldByName("minor_units"));
        const uint64_t abs = minor < 0 ? 0 - static_cast<uint64_t>(minor)
                                       : static_cast<uint64_t>(minor);
        return absl::StrFormat("%s%d.%02d", minor < 0 ? "-" : "", abs / 100,
                               abs % 100);
      }
      return "";
    }
    default:
      return "";
  }
}

absl::Status SetField(Message& message, absl::string_view path,
                      absl::string_view text, const absl::TimeZone& zone) {
  if (text.empty()) return absl::OkStatus();
  Message* m = &message;
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(parts[i]);
    if (f == nullptr || f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      return absl::InternalError(absl::StrCat("no message field ", path));
    }
    m = m->GetReflection()->MutableMessage(m, f);
  }
  const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(parts.back());
  if (f == nullptr) return absl::InternalError(absl::StrCat("no field ", path));
  const auto* r = m->GetReflection();
  std::string value(text);
  if (f->is_map()) {
    for (absl::string_view entry :
         absl::StrSplit(text, ';', absl::SkipEmpty())) {
      std::pair<std::string, std::string> kv =
          absl::StrSplit(entry, absl::MaxSplits('=', 1));
      Message* e = r->AddMessage(m, f);
      e->GetReflection()->SetString(e, e->GetDescriptor()->field(0), kv.first);
      e->GetReflection()->SetString(e, e->GetDescriptor()->field(1), kv.second);
    }
    return absl::OkStatus();
  }
  if (f->is_repeated() && f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    // Intervals: FROM/TO;FROM/TO.
    for (absl::string_view item :
         absl::StrSplit(text, ';', absl::SkipEmpty())) {
      std::pair<absl::string_view, absl::string_view> ends =
          absl::StrSplit(item, absl::MaxSplits('/', 1));
      Message* interval = r->AddMessage(m, f);
      for (auto [end, name] : {std::pair{ends.first, "acquire_time"},
                               std::pair{ends.second, "churn_time"}}) {
        if (end.empty()) {
          return absl::InvalidArgumentError(
              absl::StrCat("'", item, "' is not an interval FROM/TO"));
        }
        RETURN_IF_ERROR(SetField(*interval, name, end, zone));
      }
    }
    return absl::OkStatus();
  }
  if (f->is_repeated()) {
    for (absl::string_view item :
         absl::StrSplit(text, ';', absl::SkipEmpty())) {
      r->AddString(m, f, std::string(item));
    }
    return absl::OkStatus();
  }
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      r->SetString(m, f, value);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v = 0;
      if (!absl::SimpleAtoi(value, &v)) {
        return absl::InvalidArgumentError(
            absl::StrCat("'", value, "' is not an integer"));
      }
      r->SetInt32(m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = 0;
      if (!absl::SimpleAtoi(value, &v)) {
        return absl::InvalidArgumentError(
            absl::StrCat("'", value, "' is not an integer"));
      }
      r->SetInt64(m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v = 0;
      if (!absl::SimpleAtod(value, &v)) {
        return absl::InvalidArgumentError(
            absl::StrCat("'", value, "' is not a number"));
      }
      r->SetDouble(m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      if (value != "true" && value != "false") {
        return absl::InvalidArgumentError(
            absl::StrCat("'", value, "' is not true or false"));
      }
      r->SetBool(m, f, value == "true");
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* e = f->enum_type();
      const auto* v =
          e->FindValueByName(EnumPrefix(e) + absl::AsciiStrToUpper(value));
      if (v == nullptr || v->number() == 0) {
        std::string words;
        for (int i = 1; i < e->value_count(); ++i) {
          absl::StrAppend(&words, i > 1 ? ", " : "",
                          absl::AsciiStrToLower(e->value(i)->name().substr(
                              EnumPrefix(e).size())));
        }
        return absl::InvalidArgumentError(
            absl::StrCat("'", value, "' is not one of ", words));
      }
      r->SetEnumValue(m, f, v->number());
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (f->message_type()->full_name() == "google.protobuf.Timestamp") {
        absl::StatusOr<absl::Time> t = ParseTimeText(value, zone);
        if (!t.ok()) return t.status();
        auto* ts =
            static_cast<google::protobuf::Timestamp*>(r->MutableMessage(m, f));
        *ts = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
            absl::ToUnixMicros(*t));
        return absl::OkStatus();
      }
      if (f->message_type()->full_name() == "mittari.v1.Money") {
        absl::StatusOr<int64_t> minor = ParseMinorUnits(value);
        if (!minor.ok()) return minor.status();
        Message* money = r->MutableMessage(m, f);
        money->GetReflection()->SetInt64(
            money, money->GetDescriptor()->FindFieldByName("minor_units"),
            *minor);
        return absl::OkStatus();
      }
      break;
    default:
      break;
  }
  return absl::InternalError(absl::StrCat("cannot set ", path, " from text"));
}

}  // namespace mittari::cli
