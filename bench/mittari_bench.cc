// The benchmark's load client. Subcommands:
//   echo    unary echo calls (~100 bytes), --inflight at once, for --seconds
//   setup   surveys and customers for the ingest runs
//   ingest  SubmitResponse (--batch 1) or BatchSubmitResponses (--batch N),
//           --inflight at once, for --seconds; each call returns once the
//           write is durable. --times=live dates the records in the minute
//           before they are sent, as an app sends them; the default, year,
//           spreads them over the benchmark's year, as a backfill does
//   load    BatchSubmitResponses of 1000 until --total responses are stored
//   query   a one-year weekly NPS series grouped by channel, --count times,
//           one at a time: p50 and p99 latency
//   rules   alert rules a team would keep: angry answers about price at
//           one touchpoint, a daily NPS deviation, and an NPS target with
//           its rule
//   alerts  a WatchAlerts subscriber, then --count such answers sent one
//           at a time at --rate a second, each matching the response rule:
//           the time from each send to its alert's arrival, p50, p99, max
// Each prints one line `name value [unit]` per figure.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/echo.grpc.pb.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/create_channel.h"
#include "mittari/v1/customer.grpc.pb.h"
#include "mittari/v1/event.grpc.pb.h"
#include "mittari/v1/kpi.grpc.pb.h"
#include "mittari/v1/survey.grpc.pb.h"

ABSL_FLAG(std::string, addr, "127.0.0.1:50051", "server address");
ABSL_FLAG(std::string, key, "", "API key (write role)");
ABSL_FLAG(std::string, parent, "workspaces/default",
          "the workspace the calls name");
ABSL_FLAG(int, inflight, 64, "calls in flight");
ABSL_FLAG(double, rate, 0,
          "calls started per second (ingest; 0: as fast as the calls in "
          "flight allow; alerts: 0 means 20)");
ABSL_FLAG(int, seconds, 10, "how long a rate is measured");
ABSL_FLAG(int, batch, 1, "responses per call (1 = SubmitResponse)");
ABSL_FLAG(int64_t, total, 1000000, "responses to have stored (load)");
ABSL_FLAG(int64_t, start_id, 0, "first response number (load)");
ABSL_FLAG(int, count, 200, "queries (query)");
ABSL_FLAG(std::string, id_prefix, "b", "record id prefix");
ABSL_FLAG(std::string, kind, "responses",
          "what ingest and load send: responses or sessions; unary ingest "
          "also purchases, tickets or registrations");
ABSL_FLAG(std::string, times, "year",
          "when the records sent happened: year (at random in the "
          "benchmark's year, as in a backfill) or live (in the minute "
          "before they are sent, as an app sends them)");
ABSL_FLAG(std::string, query, "nps",
          "query: nps (a year weekly by channel), csat (a year monthly by "
          "touchpoint), dau (30 days daily), retention (a year monthly), "
          "conversion (a year monthly by source), event (an event's "
          "report)");

namespace {

using google::protobuf::util::TimeUtil;
namespace v1 = mittari::v1;

// The workspace every call names (--parent).
const std::string& Parent() {
  static const std::string parent = absl::GetFlag(FLAGS_parent);
  return parent;
}
const absl::Time kYearStart = absl::FromUnixSeconds(1751328000);  // 2025-07-01Z
constexpr int64_t kYearSeconds = 365LL * 86400;
const std::vector<std::string> kChannels = {"web", "email", "mobile_app",
                                            "chat", "phone"};
const std::vector<std::string> kTouchpoints = {"onboarding", "purchase",
                                               "support", "renewal"};
const std::vector<std::string> kSurveys = {"bench-nps", "bench-csat",
                                           "bench-ces"};
constexpr int kCustomers = 20000;
// Webinars through the year, each with registrations of distinct
// customers; and purchases, which the event report looks at around each.
constexpr int kEvents = 20;
constexpr int kRegistrationsPerEvent = 1000;
constexpr int kPurchases = 100000;
constexpr int kVisitors = 300000;
const std::vector<std::string> kSources = {
    "organic_search", "paid_search", "social", "referral", "email", "direct"};
const std::vector<std::string> kDevices = {"desktop", "mobile", "tablet"};
const std::vector<std::string> kPages = {"/", "/pricing", "/blog/nps",
                                         "/events", "/product"};

std::shared_ptr<grpc::Channel> Channel() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(absl::GetFlag(FLAGS_addr),
                                   grpc::InsecureChannelCredentials(), args);
}

// A repeatable stream of numbers from a seed, drawn cheaply (splitmix64):
// the load client shares the machine with the server it measures, so it
// must cost little per call.
class Draw {
 public:
  explicit Draw(uint64_t seed) : state_(seed) {}
  uint64_t operator()() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// Flags read once: absl::GetFlag copies a string under a lock, a cost the
// load client would otherwise pay on every call.
const std::string& IdPrefix() {
  static const std::string* const prefix =
      new std::string(absl::GetFlag(FLAGS_id_prefix));
  return *prefix;
}

void Authorize(grpc::ClientContext* context) {
  static const std::string* const bearer =
      new std::string("Bearer " + absl::GetFlag(FLAGS_key));
  context->AddMetadata("authorization", *bearer);
}

// When a record happened, per --times.
google::protobuf::Timestamp DrawTime(Draw& rng) {
  static const bool live = absl::GetFlag(FLAGS_times) == "live";
  int64_t seconds =
      live ? absl::ToUnixSeconds(absl::Now()) - static_cast<int64_t>(rng() % 60)
           : absl::ToUnixSeconds(kYearStart) +
                 static_cast<int64_t>(rng() % kYearSeconds);
  return TimeUtil::SecondsToTimestamp(seconds);
}

// A response as an app would send it; `i` numbers it.
v1::SubmitResponseRequest MakeResponse(int64_t i) {
  Draw rng(static_cast<uint64_t>(i));
  v1::SubmitResponseRequest r;
  r.set_response_id(absl::StrCat(IdPrefix(), i));
  v1::Response* x = r.mutable_response();
  const std::string& survey = kSurveys[i % 3];
  x->set_survey_id(survey);
  if (rng() % 5 != 0)
    x->set_customer_id(absl::StrCat("bc", rng() % kCustomers));
  *x->mutable_submit_time() = DrawTime(rng);
  x->set_score(survey == "bench-nps"    ? static_cast<int>(rng() % 11)
               : survey == "bench-csat" ? 1 + static_cast<int>(rng() % 5)
                                        : 1 + static_cast<int>(rng() % 7));
  x->set_channel(kChannels[rng() % kChannels.size()]);
  x->set_touchpoint(kTouchpoints[rng() % kTouchpoints.size()]);
  if (rng() % 10 == 0) x->add_tags("price");
  if (rng() % 50 == 0) {
    x->set_event_id(absl::StrCat("bench-event-", rng() % kEvents));
  }
  return r;
}

// A session as a web app would send it; `i` numbers it. A third of the
// visitors are known customers.
v1::RecordSessionRequest MakeSession(int64_t i) {
  Draw rng((static_cast<uint64_t>(i) << 1) | 1);
  v1::RecordSessionRequest r;
  r.set_session_id(absl::StrCat(IdPrefix(), i));
  v1::Session* s = r.mutable_session();
  uint64_t visitor = rng() % kVisitors;
  s->set_visitor_id(absl::StrCat("v", visitor));
  if (visitor % 3 == 0) {
    s->set_customer_id(absl::StrCat("bc", visitor % kCustomers));
  }
  *s->mutable_start_time() = DrawTime(rng);
  s->set_duration_seconds(static_cast<int64_t>(5 + rng() % 1800));
  s->set_page_views(static_cast<int64_t>(1 + rng() % 14));
  const std::string& source = kSources[rng() % kSources.size()];
  s->set_source(source);
  s->set_device(kDevices[rng() % kDevices.size()]);
  s->set_landing_page(kPages[rng() % kPages.size()]);
  s->set_content_type("page");
  if (source == "organic_search") s->set_keyword("nps software");
  s->set_converted(rng() % 20 == 0);
  return r;
}

// Event `e`: a two-hour webinar at 14:00 on day 15 + 17 e of the year.
std::string EventId(int e) { return absl::StrCat("bench-event-", e); }
absl::Time EventStart(int e) {
  return kYearStart + absl::Hours(24 * (15 + 17 * e) + 14);
}

v1::CreateEventRequest MakeEvent(int e) {
  v1::CreateEventRequest r;
  r.set_event_id(EventId(e));
  v1::Event* x = r.mutable_event();
  x->set_display_name(absl::StrCat("Benchmark webinar ", e));
  x->set_kind("webinar");
  x->set_format("online");
  x->set_series("bench-webinars");
  *x->mutable_start_time() =
      TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(EventStart(e)));
  *x->mutable_end_time() = TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(EventStart(e) + absl::Hours(2)));
  x->mutable_budget()->set_minor_units(500000);
  x->mutable_goals()->set_registrations(kRegistrationsPerEvent);
  x->mutable_goals()->set_attendance_rate(60);
  return r;
}

// Its registrations: distinct customers, 60 % attending, a tenth of the
// attendees converting.
std::vector<v1::Registration> MakeRegistrations(int e) {
  Draw rng(static_cast<uint64_t>(1000 + e));
  std::vector<v1::Registration> out(kRegistrationsPerEvent);
  const int64_t start = absl::ToUnixSeconds(EventStart(e));
  for (int j = 0; j < kRegistrationsPerEvent; ++j) {
    v1::Registration& r = out[static_cast<size_t>(j)];
    r.set_event_id(EventId(e));
    r.set_customer_id(
        absl::StrCat("bc", (e * kRegistrationsPerEvent + j) % kCustomers));
    *r.mutable_register_time() = TimeUtil::SecondsToTimestamp(
        start - 86400 * static_cast<int64_t>(1 + rng() % 20));
    if (rng() % 10 < 6) {
      r.set_attended(true);
      *r.mutable_check_in_time() = TimeUtil::SecondsToTimestamp(
          start + static_cast<int64_t>(rng() % 1800));
      r.set_minutes_attended(static_cast<int64_t>(20 + rng() % 100));
      r.set_converted(rng() % 10 == 0);
    }
  }
  return out;
}

// Its costs and revenue.
std::vector<v1::EventLine> MakeLines(int e) {
  const std::vector<std::tuple<std::string, bool, std::string, int64_t>> lines =
      {{"venue", false, "venue", 120000},
       {"ads", false, "marketing", 80000 + 1000 * e},
       {"staff", false, "staff", 60000},
       {"tickets", true, "tickets", 150000 + 2000 * e},
       {"sponsor", true, "sponsorship", 100000}};
  std::vector<v1::EventLine> out;
  for (const auto& [id, revenue, category, amount] : lines) {
    v1::EventLine& l = out.emplace_back();
    l.set_event_id(EventId(e));
    l.set_line_id(id);
    l.set_revenue(revenue);
    l.set_category(category);
    l.mutable_amount()->set_minor_units(amount);
  }
  return out;
}

// A purchase of a benchmark customer during the year.
v1::RecordPurchaseRequest MakePurchase(int64_t i) {
  Draw rng((static_cast<uint64_t>(i) << 2) | 2);
  v1::RecordPurchaseRequest r;
  r.set_purchase_id(absl::StrCat("bp", i));
  v1::Purchase* x = r.mutable_purchase();
  x->set_customer_id(absl::StrCat("bc", rng() % kCustomers));
  *x->mutable_purchase_time() =
      TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(kYearStart) +
                                   static_cast<int64_t>(rng() % kYearSeconds));
  x->mutable_amount()->set_minor_units(
      static_cast<int64_t>(1000 + rng() % 20000));
  x->set_channel(rng() % 2 == 0 ? "web" : "store");
  return r;
}

// Sends `requests` (built by `make` from first, first + 1, ...) as one batch
// of the configured kind; `done(ok)` runs when the call ends.
void SendBatch(v1::SurveyService::Stub& surveys,
               v1::CustomerService::Stub& customers, int64_t first,
               int64_t count, const std::function<void(bool)>& done) {
  auto* context = new grpc::ClientContext();
  Authorize(context);
  auto finish = [context, done](const grpc::Status& s) {
    if (!s.ok()) std::cerr << s.error_message() << "\n";
    delete context;
    done(s.ok());
  };
  if (absl::GetFlag(FLAGS_kind) == "sessions") {
    auto request = std::make_shared<v1::BatchRecordSessionsRequest>();
    request->set_parent(Parent());
    for (int64_t i = first; i < first + count; ++i) {
      *request->add_requests() = MakeSession(i);
    }
    auto response = std::make_shared<v1::ImportSummary>();
    customers.async()->BatchRecordSessions(
        context, request.get(), response.get(),
        [request, response, finish](const grpc::Status& s) { finish(s); });
    return;
  }
  auto request = std::make_shared<v1::BatchSubmitResponsesRequest>();
  request->set_parent(Parent());
  for (int64_t i = first; i < first + count; ++i) {
    *request->add_requests() = MakeResponse(i);
  }
  auto response = std::make_shared<v1::BatchSubmitResponsesResponse>();
  surveys.async()->BatchSubmitResponses(
      context, request.get(), response.get(),
      [request, response, finish](const grpc::Status& s) { finish(s); });
}

// Keeps `inflight` calls going until the time is up; `issue(done)` starts
// one call and runs `done(ok)` when it ends. Returns completed calls/s.
// The q-quantile of `ms` (sorted here); 0 when empty.
double Quantile(std::vector<double>& ms, double q) {
  if (ms.empty()) return 0;
  std::sort(ms.begin(), ms.end());
  return ms[std::min(ms.size() - 1,
                     static_cast<size_t>(q * static_cast<double>(ms.size())))];
}

// Call latencies of the last ClosedLoop, in ms.
std::vector<double>& Latencies() {
  static auto* latencies = new std::vector<double>();
  return *latencies;
}

double ClosedLoop(
    int inflight, absl::Duration duration,
    const std::function<void(std::function<void(bool)>)>& untimed_issue,
    int64_t* failures, double rate = 0) {
  std::mutex latency_mu;
  Latencies().clear();
  // Each call timed from its start to its answer.
  auto issue = [&](const std::function<void(bool)>& done) {
    const absl::Time started = absl::Now();
    untimed_issue([&, started, done](bool ok) {
      {
        std::lock_guard<std::mutex> lock(latency_mu);
        Latencies().push_back(
            absl::ToDoubleMilliseconds(absl::Now() - started));
      }
      done(ok);
    });
  };
  std::mutex mu;
  std::condition_variable cv;
  int active = inflight;
  std::atomic<int64_t> done{0};
  std::atomic<int64_t> failed{0};
  absl::Time start = absl::Now();
  absl::Time deadline = start + duration;
  if (rate > 0) {
    // Paced: one thread starts a call every 1/rate s, as long as fewer
    // than `inflight` are open (a flood at a set rate).
    int open = 0;
    for (int64_t k = 0;; ++k) {
      absl::Time due = start + absl::Seconds(static_cast<double>(k) / rate);
      if (due >= deadline) break;
      absl::SleepFor(due - absl::Now());
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return open < inflight; });
        ++open;
      }
      issue([&](bool ok) {
        (ok ? done : failed)++;
        std::lock_guard<std::mutex> lock(mu);
        --open;
        cv.notify_all();
      });
    }
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return open == 0; });
  } else {
    std::function<void()> next = [&]() {
      if (absl::Now() >= deadline) {
        std::lock_guard<std::mutex> lock(mu);
        if (--active == 0) cv.notify_all();
        return;
      }
      issue([&](bool ok) {
        (ok ? done : failed)++;
        next();
      });
    };
    for (int i = 0; i < inflight; ++i) next();
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return active == 0; });
  }
  *failures = failed.load();
  return static_cast<double>(done.load()) /
         absl::ToDoubleSeconds(absl::Now() - start);
}

int Echo() {
  auto stub = mittari::bench::EchoService::NewStub(Channel());
  mittari::bench::EchoRequest request;
  request.set_payload(std::string(100, 'x'));
  int64_t failures = 0;
  double rate = ClosedLoop(
      absl::GetFlag(FLAGS_inflight),
      absl::Seconds(absl::GetFlag(FLAGS_seconds)),
      [&](const std::function<void(bool)>& done) {
        auto* context = new grpc::ClientContext();
        auto* response = new mittari::bench::EchoResponse();
        stub->async()->Echo(context, &request, response,
                            [=](const grpc::Status& s) {
                              delete context;
                              delete response;
                              done(s.ok());
                            });
      },
      &failures);
  std::cout << "echo_calls_per_s " << rate << "\nfailures " << failures << "\n";
  return failures == 0 ? 0 : 1;
}

// The benchmark's customers: acquired over the year before and the year
// measured; a third of those whose churn falls before the year's end
// churn.
std::vector<v1::ImportedCustomer> Customers() {
  std::vector<v1::ImportedCustomer> out(kCustomers);
  Draw rng(42);
  for (int i = 0; i < kCustomers; ++i) {
    v1::ImportedCustomer& c = out[static_cast<size_t>(i)];
    c.set_customer_id(absl::StrCat("bc", i));
    v1::Customer* x = c.mutable_customer();
    x->set_segment(i % 3 == 0 ? "smb" : "enterprise");
    x->set_region(i % 2 == 0 ? "fi" : "se");
    int64_t acquired = absl::ToUnixSeconds(kYearStart) - kYearSeconds +
                       static_cast<int64_t>(rng() % (2 * kYearSeconds));
    *x->mutable_acquire_time() = TimeUtil::SecondsToTimestamp(acquired);
    int64_t churned = acquired + static_cast<int64_t>(rng() % kYearSeconds);
    if (rng() % 3 == 0 &&
        churned < absl::ToUnixSeconds(kYearStart) + kYearSeconds) {
      *x->mutable_churn_time() = TimeUtil::SecondsToTimestamp(churned);
    }
  }
  return out;
}

// The events, their lines and registrations, and the purchases.
int SetupEvents(const std::shared_ptr<grpc::Channel>& channel) {
  auto events = v1::EventService::NewStub(channel);
  auto fail = [](const grpc::Status& s) {
    std::cerr << "setup: " << s.error_message() << "\n";
    return 1;
  };
  for (int e = 0; e < kEvents; ++e) {
    v1::CreateEventRequest request = MakeEvent(e);
    request.set_parent(Parent());
    grpc::ClientContext context;
    Authorize(&context);
    v1::Event event;
    grpc::Status s = events->CreateEvent(&context, request, &event);
    if (!s.ok() && s.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      return fail(s);
    }
  }
  {
    grpc::ClientContext context;
    Authorize(&context);
    v1::ImportSummary summary;
    auto writer = events->ImportEventLines(&context, &summary);
    for (int e = 0; e < kEvents; ++e) {
      v1::ImportEventLinesRequest message;
      message.set_parent(Parent());
      for (v1::EventLine& l : MakeLines(e)) *message.add_lines() = std::move(l);
      writer->Write(message);
    }
    writer->WritesDone();
    if (grpc::Status s = writer->Finish(); !s.ok()) return fail(s);
  }
  {
    grpc::ClientContext context;
    Authorize(&context);
    v1::ImportSummary summary;
    auto writer = events->ImportRegistrations(&context, &summary);
    for (int e = 0; e < kEvents; ++e) {
      v1::ImportRegistrationsRequest message;
      message.set_parent(Parent());
      for (v1::Registration& r : MakeRegistrations(e)) {
        *message.add_registrations() = std::move(r);
      }
      writer->Write(message);
    }
    writer->WritesDone();
    if (grpc::Status s = writer->Finish(); !s.ok()) return fail(s);
  }
  auto customers = v1::CustomerService::NewStub(channel);
  for (int64_t first = 0; first < kPurchases; first += 1000) {
    v1::BatchRecordPurchasesRequest request;
    request.set_parent(Parent());
    for (int64_t i = first; i < std::min<int64_t>(kPurchases, first + 1000);
         ++i) {
      *request.add_requests() = MakePurchase(i);
    }
    grpc::ClientContext context;
    Authorize(&context);
    v1::ImportSummary summary;
    grpc::Status s =
        customers->BatchRecordPurchases(&context, request, &summary);
    if (!s.ok()) return fail(s);
  }
  return 0;
}

int Setup() {
  auto channel = Channel();
  auto surveys = v1::SurveyService::NewStub(channel);
  for (const std::string& id : kSurveys) {
    v1::CreateSurveyRequest request;
    request.set_parent(Parent());
    request.set_survey_id(id);
    request.mutable_survey()->set_kind(id == "bench-nps" ? v1::SURVEY_KIND_NPS
                                       : id == "bench-csat"
                                           ? v1::SURVEY_KIND_CSAT
                                           : v1::SURVEY_KIND_CES);
    request.mutable_survey()->set_question("Benchmark question");
    v1::Survey survey;
    grpc::ClientContext context;
    Authorize(&context);
    grpc::Status s = surveys->CreateSurvey(&context, request, &survey);
    if (!s.ok() && s.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      std::cerr << "setup: " << s.error_message() << "\n";
      return 1;
    }
  }
  auto customers = v1::CustomerService::NewStub(channel);
  grpc::ClientContext context;
  Authorize(&context);
  v1::ImportSummary summary;
  auto writer = customers->ImportCustomers(&context, &summary);
  const std::vector<v1::ImportedCustomer> all = Customers();
  for (size_t first = 0; first < all.size(); first += 2000) {
    v1::ImportCustomersRequest message;
    message.set_parent(Parent());
    for (size_t i = first; i < std::min(all.size(), first + 2000); ++i) {
      *message.add_customers() = all[i];
    }
    writer->Write(message);
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) {
    std::cerr << "setup: " << s.error_message() << "\n";
    return 1;
  }
  return SetupEvents(channel);
}

// A ticket of a benchmark customer during the year, answered within a
// day and mostly resolved.
v1::RecordTicketRequest MakeTicket(int64_t i) {
  Draw rng((static_cast<uint64_t>(i) << 2) | 3);
  v1::RecordTicketRequest r;
  r.set_ticket_id(absl::StrCat(IdPrefix(), "t", i));
  v1::Ticket* x = r.mutable_ticket();
  x->set_customer_id(absl::StrCat("bc", rng() % kCustomers));
  const int64_t open =
      absl::ToUnixSeconds(kYearStart) +
      static_cast<int64_t>(rng() % (kYearSeconds - int64_t{2} * 86400));
  *x->mutable_create_time() = TimeUtil::SecondsToTimestamp(open);
  *x->mutable_first_response_time() = TimeUtil::SecondsToTimestamp(
      open + 60 + static_cast<int64_t>(rng() % 86000));
  if (rng() % 10 < 8) {
    *x->mutable_resolve_time() = TimeUtil::SecondsToTimestamp(
        open + 86400 + static_cast<int64_t>(rng() % 86400));
  }
  x->set_channel(rng() % 2 == 0 ? "email" : "chat");
  return r;
}

// Sends one unary call `call(context, request, reply, on_done)` of
// `request`, in the configured workspace; `done(ok)` runs when it ends.
template <typename Reply, typename Request, typename Call>
void SendOne(Request request, Call call,
             const std::function<void(bool)>& done) {
  auto* context = new grpc::ClientContext();
  Authorize(context);
  auto* message = new Request(std::move(request));
  message->set_parent(Parent());
  auto* reply = new Reply();
  call(context, message, reply, [=](const grpc::Status& s) {
    if (!s.ok()) std::cerr << s.error_message() << "\n";
    delete context;
    delete message;
    delete reply;
    done(s.ok());
  });
}

int Ingest() {
  auto stub = v1::SurveyService::NewStub(Channel());
  auto customers = v1::CustomerService::NewStub(Channel());
  auto events = v1::EventService::NewStub(Channel());
  const std::string kind = absl::GetFlag(FLAGS_kind);
  int batch = absl::GetFlag(FLAGS_batch);
  if (kind != "responses" && kind != "sessions" &&
      (batch != 1 ||
       (kind != "purchases" && kind != "tickets" && kind != "registrations"))) {
    std::cerr << "--kind: responses or sessions (purchases, tickets and "
                 "registrations: unary only)\n";
    return 2;
  }
  std::atomic<int64_t> next_id{absl::GetFlag(FLAGS_start_id)};
  int64_t failures = 0;
  double rate = ClosedLoop(
      absl::GetFlag(FLAGS_inflight),
      absl::Seconds(absl::GetFlag(FLAGS_seconds)),
      [&](const std::function<void(bool)>& done) {
        if (batch != 1) {
          int64_t first = next_id.fetch_add(batch);
          SendBatch(*stub, *customers, first, batch, done);
          return;
        }
        auto* c = customers->async();
        if (kind == "sessions") {
          SendOne<v1::Session>(
              MakeSession(next_id++),
              [c](auto... a) { c->RecordSession(a...); }, done);
        } else if (kind == "purchases") {
          v1::RecordPurchaseRequest r = MakePurchase(next_id++);
          r.set_purchase_id(absl::StrCat(IdPrefix(), r.purchase_id()));
          SendOne<v1::Purchase>(
              std::move(r), [c](auto... a) { c->RecordPurchase(a...); }, done);
        } else if (kind == "registrations") {
          const int64_t i = next_id++;
          const int e = static_cast<int>(i % kEvents);
          v1::RecordRegistrationRequest r;
          v1::Registration* x = r.mutable_registration();
          x->set_event_id(EventId(e));
          x->set_customer_id(absl::StrCat("bc", (i / kEvents) % kCustomers));
          *x->mutable_register_time() = TimeUtil::SecondsToTimestamp(
              absl::ToUnixSeconds(EventStart(e)) - 86400);
          auto* ev = events->async();
          SendOne<v1::Registration>(
              std::move(r), [ev](auto... a) { ev->RecordRegistration(a...); },
              done);
        } else if (kind == "tickets") {
          SendOne<v1::Ticket>(
              MakeTicket(next_id++), [c](auto... a) { c->RecordTicket(a...); },
              done);
        } else {
          auto* surveys = stub->async();
          SendOne<v1::Response>(
              MakeResponse(next_id++),
              [surveys](auto... a) { surveys->SubmitResponse(a...); }, done);
        }
      },
      &failures, absl::GetFlag(FLAGS_rate));
  std::vector<double>& ms = Latencies();
  std::cout << "calls_per_s " << rate << "\nrecords_per_s " << rate * batch
            << "\nfailures " << failures << "\nnext_id " << next_id.load()
            << "\ncall_p50_ms " << Quantile(ms, 0.5) << "\ncall_p99_ms "
            << Quantile(ms, 0.99) << "\n";
  return failures == 0 ? 0 : 1;
}

int Load() {
  auto stub = v1::SurveyService::NewStub(Channel());
  auto customers = v1::CustomerService::NewStub(Channel());
  int64_t total = absl::GetFlag(FLAGS_total);
  std::atomic<int64_t> next_id{absl::GetFlag(FLAGS_start_id)};
  constexpr int kBatch = 1000;
  std::mutex mu;
  std::condition_variable cv;
  int active = 0;
  std::atomic<int64_t> failed{0};
  absl::Time start = absl::Now();
  std::function<void()> next = [&]() {
    int64_t first = next_id.fetch_add(kBatch);
    if (first >= total) {
      std::lock_guard<std::mutex> lock(mu);
      if (--active == 0) cv.notify_all();
      return;
    }
    SendBatch(*stub, *customers, first,
              std::min<int64_t>(kBatch, total - first), [&](bool ok) {
                if (!ok) ++failed;
                next();
              });
  };
  {
    std::lock_guard<std::mutex> lock(mu);
    active = 4;
  }
  for (int i = 0; i < 4; ++i) next();
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return active == 0; });
  std::cout << "load_records_per_s "
            << static_cast<double>(total - absl::GetFlag(FLAGS_start_id)) /
                   absl::ToDoubleSeconds(absl::Now() - start)
            << "\nfailures " << failed.load() << "\n";
  return failed == 0 ? 0 : 1;
}

// Times --count calls one after another; `call` sets the n it read.
int TimeCalls(const std::function<grpc::Status(int64_t*)>& call) {
  std::vector<double> ms;
  int64_t n = 0;
  for (int i = 0; i < absl::GetFlag(FLAGS_count); ++i) {
    absl::Time t0 = absl::Now();
    grpc::Status s = call(&n);
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
    if (!s.ok()) {
      std::cerr << "query: " << s.error_message() << "\n";
      return 1;
    }
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double q) {
    return ms[static_cast<size_t>(q * static_cast<double>(ms.size() - 1))];
  };
  std::cout << "query_p50_ms " << pct(0.5) << "\nquery_p99_ms " << pct(0.99)
            << "\nquery_points_n " << n << "\n";
  return 0;
}

int Query() {
  const std::string which = absl::GetFlag(FLAGS_query);
  if (which == "event") {
    // The report of an event in the middle of the year.
    auto events = v1::EventService::NewStub(Channel());
    v1::GetEventReportRequest request;
    request.set_name(absl::StrCat(Parent(), "/events/", EventId(kEvents / 2)));
    return TimeCalls([&](int64_t* n) {
      grpc::ClientContext context;
      Authorize(&context);
      v1::EventReport report;
      grpc::Status s = events->GetEventReport(&context, request, &report);
      *n = report.registrations();
      return s;
    });
  }
  v1::QueryMetricRequest request;
  request.set_parent(Parent());
  int64_t from = absl::ToUnixSeconds(kYearStart);
  int64_t to = from + kYearSeconds;
  if (which == "nps") {
    request.set_metric("nps");
    request.set_granularity(v1::GRANULARITY_WEEK);
    request.add_group_by("channel");
    (*request.mutable_filters())["survey"] = "bench-nps";
  } else if (which == "dau") {
    request.set_metric("dau");
    request.set_granularity(v1::GRANULARITY_DAY);
    from = to - int64_t{30} * 86400;
  } else if (which == "dau_by_source") {
    request.set_metric("dau");
    request.set_granularity(v1::GRANULARITY_DAY);
    request.add_group_by("source");
    from = to - int64_t{30} * 86400;
  } else if (which == "retention") {
    request.set_metric("retention_rate");
    request.set_granularity(v1::GRANULARITY_MONTH);
  } else if (which == "csat") {
    request.set_metric("csat");
    request.set_granularity(v1::GRANULARITY_MONTH);
    request.add_group_by("touchpoint");
    (*request.mutable_filters())["survey"] = "bench-csat";
  } else if (which == "conversion") {
    request.set_metric("conversion_rate");
    request.set_granularity(v1::GRANULARITY_MONTH);
    request.add_group_by("source");
  } else {
    std::cerr << "query: nps, csat, dau, dau_by_source, retention, conversion "
                 "or event\n";
    return 2;
  }
  *request.mutable_range()->mutable_start_time() =
      TimeUtil::SecondsToTimestamp(from);
  *request.mutable_range()->mutable_end_time() =
      TimeUtil::SecondsToTimestamp(to);
  auto stub = v1::KpiService::NewStub(Channel());
  return TimeCalls([&](int64_t* n) {
    grpc::ClientContext context;
    Authorize(&context);
    v1::QueryMetricResponse response;
    grpc::Status s = stub->QueryMetric(&context, request, &response);
    *n = 0;
    for (const auto& p : response.points()) *n += p.n();
    return s;
  });
}

}  // namespace

// A timestamp as PostgreSQL reads it; empty when unset.
std::string SqlTime(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S+00",
                          absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

// Prints, as CSV for PostgreSQL's COPY, exactly the records `load` (and
// `ingest` in batches) sends with the same --kind, --id_prefix, --start_id
// and --total, or what `setup` stores (--kind customers, events,
// registrations, event_lines, purchases).
int Csv() {
  const std::string kind = absl::GetFlag(FLAGS_kind);
  std::string out;
  auto flush = [&](bool force) {
    if (force || out.size() > (1 << 20)) {
      std::cout << out;
      out.clear();
    }
  };
  if (kind == "customers") {
    for (const v1::ImportedCustomer& c : Customers()) {
      absl::StrAppend(&out, c.customer_id(), ",", c.customer().segment(), ",",
                      c.customer().region(), ",",
                      SqlTime(c.customer().acquire_time()), ",",
                      SqlTime(c.customer().churn_time()), "\n");
    }
    flush(true);
    return 0;
  }
  if (kind == "events" || kind == "registrations" || kind == "event_lines") {
    for (int e = 0; e < kEvents; ++e) {
      if (kind == "events") {
        const v1::CreateEventRequest r = MakeEvent(e);
        absl::StrAppend(&out, r.event_id(), ",",
                        SqlTime(r.event().start_time()), ",",
                        SqlTime(r.event().end_time()), ",",
                        r.event().budget().minor_units(), "\n");
      } else if (kind == "registrations") {
        for (const v1::Registration& r : MakeRegistrations(e)) {
          absl::StrAppend(&out, r.event_id(), ",", r.customer_id(), ",",
                          SqlTime(r.register_time()), ",",
                          r.attended() ? "t" : "f", ",",
                          SqlTime(r.check_in_time()), ",", r.minutes_attended(),
                          ",", r.converted() ? "t" : "f", "\n");
        }
      } else {
        for (const v1::EventLine& l : MakeLines(e)) {
          absl::StrAppend(&out, l.event_id(), ",", l.line_id(), ",",
                          l.revenue() ? "t" : "f", ",", l.category(), ",",
                          l.amount().minor_units(), "\n");
        }
      }
    }
    flush(true);
    return 0;
  }
  if (kind == "purchases") {
    for (int64_t i = 0; i < kPurchases; ++i) {
      const v1::RecordPurchaseRequest r = MakePurchase(i);
      absl::StrAppend(&out, r.purchase_id(), ",", r.purchase().customer_id(),
                      ",", SqlTime(r.purchase().purchase_time()), ",",
                      r.purchase().amount().minor_units(), ",",
                      r.purchase().channel(), "\n");
      flush(false);
    }
    flush(true);
    return 0;
  }
  const bool sessions = kind == "sessions";
  if (!sessions && kind != "responses") {
    std::cerr << "--kind: responses, sessions, customers, events, "
                 "registrations, event_lines or purchases\n";
    return 2;
  }
  const int64_t end = absl::GetFlag(FLAGS_total);
  for (int64_t i = absl::GetFlag(FLAGS_start_id); i < end; ++i) {
    if (sessions) {
      const v1::RecordSessionRequest r = MakeSession(i);
      const v1::Session& x = r.session();
      absl::StrAppend(&out, r.session_id(), ",", x.visitor_id(), ",",
                      x.customer_id(), ",", SqlTime(x.start_time()), ",",
                      x.duration_seconds(), ",", x.page_views(), ",",
                      x.source(), ",", x.device(), ",", x.landing_page(), ",",
                      x.converted() ? "t" : "f", "\n");
    } else {
      const v1::SubmitResponseRequest r = MakeResponse(i);
      const v1::Response& x = r.response();
      absl::StrAppend(&out, r.response_id(), ",", x.survey_id(), ",",
                      x.customer_id(), ",", SqlTime(x.submit_time()), ",",
                      x.score(), ",", x.channel(), ",", x.touchpoint(), ",",
                      x.tags_size() > 0 ? "t" : "f", ",", x.event_id(), "\n");
    }
    flush(false);
  }
  flush(true);
  return 0;
}

// The rules of `rules`, and the one `alerts` watches.
int Rules() {
  auto kpi = v1::KpiService::NewStub(Channel());
  auto create = [&](const std::string& id, const v1::AlertRule& rule) {
    v1::CreateAlertRuleRequest request;
    request.set_parent(Parent());
    request.set_alert_rule_id(id);
    *request.mutable_alert_rule() = rule;
    grpc::ClientContext context;
    Authorize(&context);
    v1::AlertRule created;
    grpc::Status s = kpi->CreateAlertRule(&context, request, &created);
    if (!s.ok() && s.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      std::cerr << "rules: " << s.error_message() << "\n";
      return false;
    }
    return true;
  };
  // Angry about price at one touchpoint: about 1 response in 400 of the
  // generated ones (a third NPS, 3 of 11 scores, a tenth tagged, a quarter
  // at the touchpoint).
  v1::AlertRule detractors;
  detractors.set_kind(v1::ALERT_RULE_KIND_RESPONSE);
  detractors.set_score_max(2);
  detractors.set_tag("price");
  (*detractors.mutable_filters())["survey"] = "bench-nps";
  (*detractors.mutable_filters())["touchpoint"] = kTouchpoints[0];
  v1::AlertRule drop;
  drop.set_kind(v1::ALERT_RULE_KIND_DEVIATION);
  drop.set_metric("nps");
  drop.set_granularity(v1::GRANULARITY_DAY);
  drop.set_window(28);
  drop.set_k(3);
  drop.set_min_n(30);
  (*drop.mutable_filters())["survey"] = "bench-nps";
  v1::CreateTargetRequest target;
  target.set_parent(Parent());
  target.set_target_id("bench-nps-month");
  target.mutable_target()->set_metric("nps");
  target.mutable_target()->set_goal(30);
  target.mutable_target()->set_direction(v1::TARGET_DIRECTION_AT_LEAST);
  target.mutable_target()->set_period(v1::GRANULARITY_MONTH);
  (*target.mutable_target()->mutable_filters())["survey"] = "bench-nps";
  {
    grpc::ClientContext context;
    Authorize(&context);
    v1::Target t;
    grpc::Status s = kpi->CreateTarget(&context, target, &t);
    if (!s.ok() && s.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      std::cerr << "rules: " << s.error_message() << "\n";
      return 1;
    }
  }
  v1::AlertRule on_target;
  on_target.set_kind(v1::ALERT_RULE_KIND_TARGET);
  on_target.set_target("bench-nps-month");
  on_target.set_fire_on(v1::TARGET_STATUS_AT_RISK);
  return create("bench-detractors", detractors) &&
                 create("bench-nps-drop", drop) &&
                 create("bench-target", on_target)
             ? 0
             : 1;
}

int Alerts() {
  if (int code = Rules(); code != 0) return code;
  auto channel = Channel();
  auto kpi = v1::KpiService::NewStub(channel);
  auto surveys = v1::SurveyService::NewStub(channel);
  grpc::ClientContext watch_context;
  Authorize(&watch_context);
  v1::WatchAlertsRequest watch_request;
  watch_request.set_parent(Parent());
  auto reader = kpi->WatchAlerts(&watch_context, watch_request);
  // Arrival times by response id.
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, absl::Time> arrived;
  std::thread watcher([&] {
    v1::WatchAlertsResponse m;
    while (reader->Read(&m)) {
      auto it = m.alert().trigger().find("response");
      if (it == m.alert().trigger().end() || m.alert().version() != 1) {
        continue;
      }
      const std::string& name = it->second;
      std::lock_guard<std::mutex> lock(mu);
      arrived.emplace(name.substr(name.rfind('/') + 1), absl::Now());
      cv.notify_all();
    }
  });
  absl::SleepFor(absl::Milliseconds(300));  // the watch is on
  const int count = absl::GetFlag(FLAGS_count);
  const double rate =
      absl::GetFlag(FLAGS_rate) > 0 ? absl::GetFlag(FLAGS_rate) : 20;
  std::map<std::string, absl::Time> sent;
  const absl::Time start = absl::Now();
  for (int i = 0; i < count; ++i) {
    const absl::Time due = start + absl::Seconds(i / rate);
    if (absl::Now() < due) absl::SleepFor(due - absl::Now());
    v1::SubmitResponseRequest request;
    request.set_parent(Parent());
    request.set_response_id(absl::StrCat(IdPrefix(), "alert-", i));
    v1::Response* r = request.mutable_response();
    r->set_survey_id("bench-nps");
    r->set_score(1);
    r->add_tags("price");
    r->set_touchpoint(kTouchpoints[0]);
    r->set_channel(kChannels[0]);
    *r->mutable_submit_time() =
        TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(absl::Now()));
    grpc::ClientContext context;
    Authorize(&context);
    v1::Response stored;
    sent[request.response_id()] = absl::Now();
    grpc::Status s = surveys->SubmitResponse(&context, request, &stored);
    if (!s.ok()) {
      std::cerr << "alerts: " << s.error_message() << "\n";
      return 1;
    }
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::seconds(30),
                [&] { return arrived.size() >= sent.size(); });
  }
  watch_context.TryCancel();
  watcher.join();
  std::vector<double> ms;
  int64_t missing = 0;
  for (const auto& [id, at] : sent) {
    auto it = arrived.find(id);
    if (it == arrived.end()) {
      ++missing;
      continue;
    }
    ms.push_back(absl::ToDoubleMilliseconds(it->second - at));
  }
  const double max = ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end());
  std::cout << "alert_delivery_p50_ms " << Quantile(ms, 0.5)
            << "\nalert_delivery_p99_ms " << Quantile(ms, 0.99)
            << "\nalert_delivery_max_ms " << max << "\nalerts_missing "
            << missing << "\n";
  return missing == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  std::string command = rest.size() > 1 ? rest[1] : "";
  const std::string times = absl::GetFlag(FLAGS_times);
  if (times != "year" && (times != "live" || command == "load")) {
    std::cerr << "--times: year, or live for ingest (load fills the year "
                 "that queries read)\n";
    return 2;
  }
  if (command == "echo") return Echo();
  if (command == "setup") return Setup();
  if (command == "ingest") return Ingest();
  if (command == "load") return Load();
  if (command == "query") return Query();
  if (command == "csv") return Csv();
  if (command == "rules") return Rules();
  if (command == "alerts") return Alerts();
  std::cerr << "usage: mittari_bench "
               "echo|setup|ingest|load|query|csv|rules|alerts [flags]\n";
  return 2;
}
