// `mittari events create|get|list|report|compare|register|signal`.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "google/protobuf/util/time_util.h"
#include "mittari/v1/event.grpc.pb.h"

namespace mittari::cli {
namespace {

using v1::EventService;

std::unique_ptr<EventService::Stub> Stub(const Invocation& inv) {
  return EventService::NewStub(inv.client.channel());
}

int Create(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the event's id");
  v1::CreateEventRequest request;
  v1::ImportedEvent item;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  if (status.ok()) status = FillFromFlags(inv, EventFields(), item, nullptr);
  request.set_event_id(inv.operands[0]);
  *request.mutable_event() = item.event();
  v1::Event event;
  if (status.ok()) {
    status =
        Stub(inv)->CreateEvent(inv.client.Context().get(), request, &event);
  }
  return inv.Finish(status, ToJson(event));
}

int Get(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the event's id");
  v1::GetEventRequest request;
  std::string ws;
  grpc::Status status = inv.Workspace(&ws);
  request.set_name(ChildOf(ws, "events", inv.operands[0]));
  v1::Event event;
  if (status.ok()) {
    status = Stub(inv)->GetEvent(inv.client.Context().get(), request, &event);
  }
  return inv.Finish(status, ToJson(event));
}

int List(Invocation& inv) {
  v1::ListEventsRequest request;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  request.set_kind(inv.args.GetOr("kind", ""));
  request.set_series(inv.args.GetOr("series", ""));
  request.set_page_size(1000);
  Json list = Json::array();
  while (status.ok()) {
    v1::ListEventsResponse page;
    status = Stub(inv)->ListEvents(inv.client.Context().get(), request, &page);
    for (const v1::Event& e : page.events()) list.push_back(ToJson(e));
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  return inv.Finish(status, Json{{"events", list}});
}

int Report(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the event's id");
  v1::GetEventReportRequest request;
  std::string ws;
  grpc::Status status = inv.Workspace(&ws);
  request.set_name(ChildOf(ws, "events", inv.operands[0]));
  if (auto days = inv.args.Get("window-days")) {
    int n = 0;
    if (!absl::SimpleAtoi(*days, &n))
      return inv.Usage("--window-days: a number");
    request.set_window_days(n);
  }
  v1::EventReport report;
  if (status.ok()) {
    status =
        Stub(inv)->GetEventReport(inv.client.Context().get(), request, &report);
  }
  return inv.Finish(status, ToJson(report));
}

// The columns of the comparison table.
const std::vector<std::string>& CompareColumns() {
  static const auto* columns = new std::vector<std::string>{"event",
                                                            "display_name",
                                                            "kind",
                                                            "budget",
                                                            "registrations",
                                                            "attendees",
                                                            "attendance_rate",
                                                            "conversions",
                                                            "conversion_rate",
                                                            "cost",
                                                            "revenue",
                                                            "roi",
                                                            "cost_per_attendee",
                                                            "nps"};
  return *columns;
}

int Compare(Invocation& inv) {
  v1::CompareEventsRequest request;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  request.set_kind(inv.args.GetOr("kind", ""));
  request.set_series(inv.args.GetOr("series", ""));
  request.set_sort_by(inv.args.GetOr("sort", ""));
  request.set_descending(inv.args.Has("desc"));
  std::vector<std::string> times;
  for (const char* flag : {"from", "to"}) {
    if (auto v = inv.args.Get(flag)) times.push_back(*v);
  }
  absl::TimeZone zone;
  if (status.ok()) status = inv.ZoneFor(times, &zone);
  for (const char* flag : {"from", "to"}) {
    auto v = inv.args.Get(flag);
    if (!v || !status.ok()) continue;
    absl::StatusOr<absl::Time> t = ParseTimeText(*v, zone);
    if (!t.ok()) {
      return inv.Usage(absl::StrCat("--", flag, ": ", t.status().message()));
    }
    *(std::string(flag) == "from"
          ? request.mutable_range()->mutable_start_time()
          : request.mutable_range()->mutable_end_time()) =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
            absl::ToUnixMicros(*t));
  }
  v1::CompareEventsResponse response;
  if (status.ok()) {
    status = Stub(inv)->CompareEvents(inv.client.Context().get(), request,
                                      &response);
  }
  Json rows = Json::array();
  for (const v1::EventComparison& c : response.events()) {
    Json report = ToJson(c.report());
    Json row = Json::object();
    for (const std::string& column : CompareColumns()) {
      row[column] = report[column];
    }
    if (inv.format == Format::kJson) {
      row["series_mean"] = ToJson(c)["series_mean"];
      row["vs_series"] = ToJson(c)["vs_series"];
    }
    rows.push_back(row);
  }
  return inv.Finish(status, Json{{"events", rows}});
}

int Register(Invocation& inv) {
  if (inv.operands.size() != 2) {
    return inv.Usage("name the event and the customer");
  }
  v1::RecordRegistrationRequest request;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  v1::Registration* r = request.mutable_registration();
  if (status.ok())
    status = FillFromFlags(inv, RegistrationFields(), *r, nullptr);
  r->set_event_id(inv.operands[0]);
  r->set_customer_id(inv.operands[1]);
  v1::Registration stored;
  if (status.ok()) {
    status = Stub(inv)->RecordRegistration(inv.client.Context().get(), request,
                                           &stored);
  }
  return inv.Finish(status, ToJson(stored));
}

int Signal(Invocation& inv) {
  if (inv.operands.size() != 2) {
    return inv.Usage("name the event and the signal's id");
  }
  auto kind = inv.args.Get("kind");
  auto count = inv.args.Get("count");
  int64_t n = 0;
  if (!kind || !count || !absl::SimpleAtoi(*count, &n)) {
    return inv.Usage("give --kind and --count");
  }
  v1::RecordEventSignalsRequest request;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  v1::EventSignal* s = request.add_signals();
  s->set_event_id(inv.operands[0]);
  s->set_signal_id(inv.operands[1]);
  s->set_kind(*kind);
  s->set_count(n);
  v1::ImportSummary summary;
  if (status.ok()) {
    status = Stub(inv)->RecordEventSignals(inv.client.Context().get(), request,
                                           &summary);
  }
  return inv.Finish(status, ToJson(summary));
}

}  // namespace

std::vector<Command> EventCommands() {
  return {
      {{"events", "create"},
       "ID",
       "create an event",
       FlagsOf(EventFields()),
       Create},
      {{"events", "get"}, "ID", "show an event", {}, Get},
      {{"events", "list"}, "", "list events", {"kind", "series"}, List},
      {{"events", "report"},
       "ID",
       "every KPI of one event [--window-days N for before/after]",
       {"window-days"},
       Report},
      {{"events", "compare"},
       "",
       "events side by side [--kind] [--series] [--from --to] [--sort KPI] "
       "[--desc]",
       {"kind", "series", "from", "to", "sort", "desc"},
       Compare},
      {{"events", "register"},
       "EVENT CUSTOMER",
       "record a registration, check-in or conversion",
       FlagsOf(RegistrationFields()),
       Register},
      {{"events", "signal"},
       "EVENT ID",
       "record leads, mentions, shares, questions, poll answers or chat "
       "messages: --kind K --count N",
       {"kind", "count"},
       Signal},
  };
}

}  // namespace mittari::cli
