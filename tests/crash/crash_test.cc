// The crash test: an acknowledged write is never lost, none is
// half-present, and every KPI equals its recomputation from the raw rows,
// whenever the server dies.
//
// Each round starts mittarid on the same data directory, drives concurrent
// ingest of responses (unary, batch, stream), sessions (unary) and
// purchases (batch) into two workspaces through the generated stubs,
// records every acknowledged id, kills the server with SIGKILL at a random
// moment (every third round, stops it with SIGTERM instead: a graceful
// shutdown under load must exit 0 within its grace period and lose
// nothing acknowledged either), starts it again and checks:
//   - every acknowledged response (with its score), session and purchase
//     is there;
//   - every stream that was not acknowledged is all there or not at all;
//   - NPS, DAU per day and AOV equal their recomputation from the records
//     the server lists.
// The test command runs 5 rounds; `--rounds 100` is the long variant.
//
//   crash_test --mittarid PATH --dir DIR [--rounds N] [--seed S]
#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/create_channel.h"
#include "mittari/v1/admin.grpc.pb.h"
#include "mittari/v1/customer.grpc.pb.h"
#include "mittari/v1/kpi.grpc.pb.h"
#include "mittari/v1/survey.grpc.pb.h"

ABSL_FLAG(std::string, mittarid, "", "the mittarid binary");
ABSL_FLAG(std::string, dir, "", "a directory for the server's data");
ABSL_FLAG(int, rounds, 5, "kills survived to prove");
ABSL_FLAG(uint64_t, seed, 1, "seeds the moments of the kills");

namespace {

using google::protobuf::util::TimeUtil;
namespace v1 = mittari::v1;

// Records happen in the first half of 2026 (UTC workspaces).
const absl::Time kStart =
    absl::FromCivil(absl::CivilDay(2026, 1, 1), absl::UTCTimeZone());
constexpr int kCustomers = 50;

[[noreturn]] void Fail(const std::string& what) {
  std::cerr << "crash_test: FAILED: " << what << "\n";
  std::exit(1);
}

// How long a graceful stop lets calls in flight finish.
constexpr absl::Duration kGrace = absl::Seconds(2);

// mittarid as a child process, its output appended to a log file.
class Server {
 public:
  explicit Server(std::string dir) : dir_(std::move(dir)) {}

  // Starts it; returns its address.
  std::string Start() {
    const std::string log = dir_ + "/server.log";
    const auto offset = std::filesystem::exists(log)
                            ? std::filesystem::file_size(log)
                            : std::uintmax_t{0};
    const std::string bin = absl::GetFlag(FLAGS_mittarid);
    std::vector<std::string> args = {
        bin,
        "--listen=127.0.0.1:0",
        "--metrics_listen=",
        "--data_dir=" + dir_ + "/data",
        "--admin_key_file=" + dir_ + "/admin.key",
        "--operator_key_file=" + dir_ + "/operator.key",
        "--rate_limit_calls_per_key=0",
        "--rate_limit_calls_per_workspace=0",
        "--rate_limit_rows_per_workspace=0",
        absl::StrCat("--shutdown_grace=", absl::FormatDuration(kGrace))};
    // Made before the fork: the child of a threaded process may not
    // allocate.
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ < 0) Fail("fork");
    if (pid_ == 0) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      dup2(fd, 1);
      dup2(fd, 2);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (absl::Now() < deadline) {
      std::ifstream in(log);
      in.seekg(static_cast<std::streamoff>(offset));
      std::string line;
      while (std::getline(in, line)) {
        const auto at = line.find("listening on ");
        if (at != std::string::npos) return line.substr(at + 13);
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        Fail("mittarid exited at start; see " + log);
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    Fail("mittarid did not start; see " + log);
  }

  void Kill() const {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }

  // SIGTERM, while calls are in flight: the server drains them (those
  // still running after the grace period are cancelled), closes the
  // store and exits 0.
  void Terminate() const {
    const absl::Time start = absl::Now();
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    const absl::Duration took = absl::Now() - start;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      Fail("mittarid did not exit 0 on SIGTERM; see " + dir_ + "/server.log");
    }
    // Generous: the grace period, then closing the store.
    if (took > kGrace + absl::Seconds(60)) {
      Fail(absl::StrCat("mittarid took ", absl::FormatDuration(took),
                        " to stop with a grace period of ",
                        absl::FormatDuration(kGrace)));
    }
  }

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string out = s.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

void Authorize(grpc::ClientContext& context, const std::string& key) {
  context.AddMetadata("authorization", "Bearer " + key);
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(20));
}

google::protobuf::Timestamp At(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

// What a workspace was told is stored.
struct Acked {
  std::mutex mu;
  std::map<std::string, int> responses;  // id -> score
  std::set<std::string> sessions;
  std::set<std::string> purchases;
  // Streams that ended without an answer: their first and last ids.
  std::vector<std::pair<std::string, std::string>> open_streams;
};

struct Workspace {
  std::string id;
  std::string key;
  std::string parent() const { return "workspaces/" + id; }
  Acked acked;    // this round's
  Acked earlier;  // every earlier round's, checked again at the end

  // Moves this round's to the earlier rounds'.
  void EndRound() {
    earlier.responses.insert(acked.responses.begin(), acked.responses.end());
    earlier.sessions.insert(acked.sessions.begin(), acked.sessions.end());
    earlier.purchases.insert(acked.purchases.begin(), acked.purchases.end());
    earlier.open_streams.insert(earlier.open_streams.end(),
                                acked.open_streams.begin(),
                                acked.open_streams.end());
    acked.responses.clear();
    acked.sessions.clear();
    acked.purchases.clear();
    acked.open_streams.clear();
  }
};

v1::SubmitResponseRequest Response(const std::string& id, int score,
                                   int64_t n) {
  v1::SubmitResponseRequest r;
  r.set_response_id(id);
  v1::Response* x = r.mutable_response();
  x->set_survey_id("nps");
  x->set_score(score);
  x->set_channel(n % 2 == 0 ? "web" : "email");
  *x->mutable_submit_time() = At(kStart + absl::Minutes(n % 200000));
  return r;
}

// The writers of one workspace in one round; each stops at its first
// failed call (the server is gone).
void Write(const std::shared_ptr<grpc::Channel>& channel, Workspace& w,
           int round, std::vector<std::thread>& threads) {
  const std::string r = absl::StrCat(round);
  threads.emplace_back([&w, channel, r] {  // unary responses
    auto stub = v1::SurveyService::NewStub(channel);
    for (int64_t n = 0;; ++n) {
      const std::string id = absl::StrCat("u", r, "-", n);
      const int score = static_cast<int>(n % 11);
      v1::SubmitResponseRequest request = Response(id, score, n);
      request.set_parent(w.parent());
      grpc::ClientContext context;
      Authorize(context, w.key);
      v1::Response reply;
      if (!stub->SubmitResponse(&context, request, &reply).ok()) return;
      std::lock_guard<std::mutex> lock(w.acked.mu);
      w.acked.responses[id] = score;
    }
  });
  threads.emplace_back([&w, channel, r] {  // batches of responses
    auto stub = v1::SurveyService::NewStub(channel);
    for (int64_t n = 0;; ++n) {
      v1::BatchSubmitResponsesRequest request;
      request.set_parent(w.parent());
      std::map<std::string, int> sent;
      for (int k = 0; k < 20; ++k) {
        const std::string id = absl::StrCat("b", r, "-", n, "-", k);
        const int score = static_cast<int>((n + k) % 11);
        *request.add_requests() = Response(id, score, n * 20 + k);
        sent[id] = score;
      }
      grpc::ClientContext context;
      Authorize(context, w.key);
      v1::BatchSubmitResponsesResponse reply;
      if (!stub->BatchSubmitResponses(&context, request, &reply).ok()) return;
      std::lock_guard<std::mutex> lock(w.acked.mu);
      w.acked.responses.insert(sent.begin(), sent.end());
    }
  });
  threads.emplace_back([&w, channel, r] {  // streams (import jobs)
    auto stub = v1::SurveyService::NewStub(channel);
    for (int64_t n = 0;; ++n) {
      grpc::ClientContext context;
      Authorize(context, w.key);
      v1::BatchSubmitResponsesResponse reply;
      auto writer = stub->StreamSubmitResponses(&context, &reply);
      std::map<std::string, int> sent;
      bool wrote = true;
      for (int m = 0; m < 4 && wrote; ++m) {
        v1::StreamSubmitResponsesRequest message;
        message.set_parent(w.parent());
        for (int k = 0; k < 50; ++k) {
          const std::string id = absl::StrCat("s", r, "-", n, "-", m * 50 + k);
          const int score = static_cast<int>((m + k) % 11);
          *message.add_requests() =
              Response(id, score, n * 200 + int64_t{m} * 50 + k);
          sent[id] = score;
        }
        wrote = writer->Write(message);
      }
      writer->WritesDone();
      const bool ok = writer->Finish().ok();
      std::lock_guard<std::mutex> lock(w.acked.mu);
      if (!ok) {
        w.acked.open_streams.emplace_back(absl::StrCat("s", r, "-", n, "-0"),
                                          absl::StrCat("s", r, "-", n, "-199"));
        return;
      }
      w.acked.responses.insert(sent.begin(), sent.end());
    }
  });
  threads.emplace_back([&w, channel, r] {  // unary sessions
    auto stub = v1::CustomerService::NewStub(channel);
    for (int64_t n = 0;; ++n) {
      const std::string id = absl::StrCat("v", r, "-", n);
      v1::RecordSessionRequest request;
      request.set_parent(w.parent());
      request.set_session_id(id);
      v1::Session* s = request.mutable_session();
      s->set_visitor_id(absl::StrCat("visitor", n % 37));
      if (n % 3 == 0) s->set_customer_id(absl::StrCat("c", n % kCustomers));
      *s->mutable_start_time() = At(kStart + absl::Hours(n % 1500));
      s->set_page_views(1 + n % 5);
      s->set_source(n % 2 == 0 ? "web" : "email");
      grpc::ClientContext context;
      Authorize(context, w.key);
      v1::Session reply;
      if (!stub->RecordSession(&context, request, &reply).ok()) return;
      std::lock_guard<std::mutex> lock(w.acked.mu);
      w.acked.sessions.insert(id);
    }
  });
  threads.emplace_back([&w, channel, r] {  // batches of purchases
    auto stub = v1::CustomerService::NewStub(channel);
    for (int64_t n = 0;; ++n) {
      v1::BatchRecordPurchasesRequest request;
      request.set_parent(w.parent());
      std::vector<std::string> ids;
      for (int k = 0; k < 10; ++k) {
        const std::string id = absl::StrCat("p", r, "-", n, "-", k);
        v1::RecordPurchaseRequest* p = request.add_requests();
        p->set_purchase_id(id);
        p->mutable_purchase()->set_customer_id(
            absl::StrCat("c", (n + k) % kCustomers));
        *p->mutable_purchase()->mutable_purchase_time() =
            At(kStart + absl::Hours((n * 10 + k) % 4000));
        p->mutable_purchase()->mutable_amount()->set_minor_units(
            100 + (n * 7 + k) % 900);
        ids.push_back(id);
      }
      grpc::ClientContext context;
      Authorize(context, w.key);
      v1::ImportSummary reply;
      if (!stub->BatchRecordPurchases(&context, request, &reply).ok()) return;
      std::lock_guard<std::mutex> lock(w.acked.mu);
      w.acked.purchases.insert(ids.begin(), ids.end());
    }
  });
}

// Visits every page of the workspace's records through a List method.
template <typename Stub, typename Request, typename Page, typename Visit>
void ListAll(const Workspace& w, Stub& stub,
             grpc::Status (Stub::*list)(grpc::ClientContext*, const Request&,
                                        Page*),
             const std::string& what, Visit visit) {
  std::string token;
  do {
    Request request;
    request.set_parent(w.parent());
    request.set_page_size(1000);
    request.set_page_token(token);
    grpc::ClientContext context;
    Authorize(context, w.key);
    Page page;
    grpc::Status s = (stub.*list)(&context, request, &page);
    if (!s.ok()) Fail(what + ": " + s.error_message());
    visit(page);
    token = page.next_page_token();
  } while (!token.empty());
}

v1::QueryMetricResponse Query(v1::KpiService::Stub& stub, const Workspace& w,
                              const std::string& metric,
                              v1::Granularity granularity) {
  v1::QueryMetricRequest request;
  request.set_parent(w.parent());
  request.set_metric(metric);
  request.set_granularity(granularity);
  *request.mutable_range()->mutable_start_time() = At(kStart);
  *request.mutable_range()->mutable_end_time() =
      At(kStart + absl::Hours(24 * 180));
  if (metric == "nps") (*request.mutable_filters())["survey"] = "nps";
  grpc::ClientContext context;
  Authorize(context, w.key);
  v1::QueryMetricResponse response;
  grpc::Status s = stub.QueryMetric(&context, request, &response);
  if (!s.ok()) Fail(metric + ": " + s.error_message());
  return response;
}

// Checks the workspace after a restart against what `a` says was
// acknowledged; returns the acknowledged writes checked.
int64_t Check(const std::shared_ptr<grpc::Channel>& channel, const Workspace& w,
              const Acked& a) {
  auto surveys = v1::SurveyService::NewStub(channel);
  auto customers = v1::CustomerService::NewStub(channel);
  auto kpi = v1::KpiService::NewStub(channel);
  int64_t checked = 0;
  auto found = [&](const std::string& id, int* score) {
    v1::GetResponseRequest request;
    request.set_name(w.parent() + "/responses/" + id);
    grpc::ClientContext context;
    Authorize(context, w.key);
    v1::Response reply;
    grpc::Status s = surveys->GetResponse(&context, request, &reply);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return false;
    if (!s.ok()) Fail("GetResponse: " + s.error_message());
    if (score != nullptr) *score = reply.score();
    return true;
  };
  for (const auto& [id, score] : a.responses) {
    int stored = -1;
    if (!found(id, &stored)) Fail(w.id + ": acknowledged response lost: " + id);
    if (stored != score) Fail(w.id + ": response changed: " + id);
    ++checked;
  }
  for (const auto& [first, last] : a.open_streams) {
    if (found(first, nullptr) != found(last, nullptr)) {
      Fail(absl::StrCat(w.id, ": stream half stored: ", first, " .. ", last));
    }
  }
  for (const std::string& id : a.sessions) {
    v1::GetSessionRequest request;
    request.set_name(w.parent() + "/sessions/" + id);
    grpc::ClientContext context;
    Authorize(context, w.key);
    v1::Session reply;
    if (!customers->GetSession(&context, request, &reply).ok()) {
      Fail(w.id + ": acknowledged session lost: " + id);
    }
    ++checked;
  }
  for (const std::string& id : a.purchases) {
    v1::GetPurchaseRequest request;
    request.set_name(w.parent() + "/purchases/" + id);
    grpc::ClientContext context;
    Authorize(context, w.key);
    v1::Purchase reply;
    if (!customers->GetPurchase(&context, request, &reply).ok()) {
      Fail(w.id + ": acknowledged purchase lost: " + id);
    }
    ++checked;
  }

  // The KPIs against the raw rows the server lists.
  int64_t promoters = 0;
  int64_t detractors = 0;
  int64_t answers = 0;
  ListAll(w, *surveys, &v1::SurveyService::Stub::ListResponses, "ListResponses",
          [&](const v1::ListResponsesResponse& page) {
            for (const v1::Response& r : page.responses()) {
              ++answers;
              promoters += r.score() >= 9 ? 1 : 0;
              detractors += r.score() <= 6 ? 1 : 0;
            }
          });
  const v1::QueryMetricResponse nps =
      Query(*kpi, w, "nps", v1::GRANULARITY_NONE);
  if (answers > 0) {
    const double want = 100.0 * static_cast<double>(promoters - detractors) /
                        static_cast<double>(answers);
    if (nps.points_size() != 1 || nps.points(0).n() != answers ||
        std::abs(nps.points(0).value() - want) > 1e-9) {
      Fail(absl::StrCat(w.id, ": NPS ", nps.points(0).value(), " n ",
                        nps.points(0).n(), ", recomputed ", want, " n ",
                        answers));
    }
  }

  std::map<int64_t, std::set<std::string>> visitors_by_day;
  ListAll(w, *customers, &v1::CustomerService::Stub::ListSessions,
          "ListSessions", [&](const v1::ListSessionsResponse& page) {
            for (const v1::Session& x : page.sessions()) {
              visitors_by_day[x.start_time().seconds() / 86400].insert(
                  x.visitor_id());
            }
          });
  const v1::QueryMetricResponse dau =
      Query(*kpi, w, "dau", v1::GRANULARITY_DAY);
  for (const v1::MetricPoint& p : dau.points()) {
    const auto it = visitors_by_day.find(p.bucket_start().seconds() / 86400);
    const auto want = it == visitors_by_day.end()
                          ? 0
                          : static_cast<int64_t>(it->second.size());
    if (static_cast<int64_t>(std::llround(p.value())) != want) {
      Fail(absl::StrCat(w.id, ": DAU of day ",
                        p.bucket_start().seconds() / 86400, " is ", p.value(),
                        ", recomputed ", want));
    }
  }

  int64_t orders = 0;
  int64_t revenue = 0;
  ListAll(w, *customers, &v1::CustomerService::Stub::ListPurchases,
          "ListPurchases", [&](const v1::ListPurchasesResponse& page) {
            for (const v1::Purchase& x : page.purchases()) {
              ++orders;
              revenue += x.amount().minor_units();
            }
          });
  const v1::QueryMetricResponse aov =
      Query(*kpi, w, "aov", v1::GRANULARITY_NONE);
  if (orders > 0 && (aov.points(0).n() != orders ||
                     std::abs(aov.points(0).value() -
                              static_cast<double>(revenue) /
                                  static_cast<double>(orders)) > 1e-6)) {
    Fail(absl::StrCat(w.id, ": AOV n ", aov.points(0).n(), ", recomputed ",
                      orders));
  }
  return checked;
}

// Creates the second workspace, the surveys and the customers.
void Setup(const std::shared_ptr<grpc::Channel>& channel,
           std::vector<std::unique_ptr<Workspace>>& workspaces,
           const std::string& dir) {
  auto admin = v1::AdminService::NewStub(channel);
  workspaces.push_back(std::make_unique<Workspace>());
  workspaces.back()->id = "default";
  workspaces.back()->key = ReadFile(dir + "/admin.key");
  {
    v1::CreateWorkspaceRequest request;
    request.set_workspace_id("second");
    request.mutable_workspace()->set_display_name("Second");
    grpc::ClientContext context;
    Authorize(context, ReadFile(dir + "/operator.key"));
    v1::CreateWorkspaceResponse reply;
    grpc::Status s = admin->CreateWorkspace(&context, request, &reply);
    if (!s.ok()) Fail("CreateWorkspace: " + s.error_message());
    workspaces.push_back(std::make_unique<Workspace>());
    workspaces.back()->id = "second";
    workspaces.back()->key = reply.admin_key().secret();
  }
  auto surveys = v1::SurveyService::NewStub(channel);
  auto customers = v1::CustomerService::NewStub(channel);
  for (const auto& w : workspaces) {
    v1::CreateSurveyRequest survey;
    survey.set_parent(w->parent());
    survey.set_survey_id("nps");
    survey.mutable_survey()->set_kind(v1::SURVEY_KIND_NPS);
    survey.mutable_survey()->set_question(
        "How likely are you to recommend us?");
    grpc::ClientContext context;
    Authorize(context, w->key);
    v1::Survey created;
    grpc::Status s = surveys->CreateSurvey(&context, survey, &created);
    if (!s.ok()) Fail("CreateSurvey: " + s.error_message());
    for (int c = 0; c < kCustomers; ++c) {
      v1::CreateCustomerRequest request;
      request.set_parent(w->parent());
      request.set_customer_id(absl::StrCat("c", c));
      *request.mutable_customer()->mutable_acquire_time() =
          At(kStart - absl::Hours(24 * 30));
      grpc::ClientContext cc;
      Authorize(cc, w->key);
      v1::Customer reply;
      s = customers->CreateCustomer(&cc, request, &reply);
      if (!s.ok()) Fail("CreateCustomer: " + s.error_message());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::GetFlag(FLAGS_dir);
  if (absl::GetFlag(FLAGS_mittarid).empty() || dir.empty()) {
    std::cerr << "usage: crash_test --mittarid PATH --dir DIR [--rounds N]\n";
    return 2;
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed));
  Server server(dir);
  std::vector<std::unique_ptr<Workspace>> workspaces;
  int64_t checked = 0;
  std::string addr = server.Start();
  Setup(grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()),
        workspaces, dir);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  for (int round = 1; round <= rounds; ++round) {
    auto channel =
        grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
    std::vector<std::thread> threads;
    for (auto& w : workspaces) Write(channel, *w, round, threads);
    absl::SleepFor(
        absl::Milliseconds(std::uniform_int_distribution<int>(300, 2000)(rng)));
    const bool graceful = round % 3 == 0;
    if (graceful) {
      server.Terminate();
    } else {
      server.Kill();
    }
    for (std::thread& t : threads) t.join();
    addr = server.Start();
    channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
    int64_t round_checked = 0;
    for (auto& w : workspaces) {
      round_checked += Check(channel, *w, w->acked);
      w->EndRound();
    }
    checked += round_checked;
    std::cout << "round " << round << ": "
              << (graceful ? "stopped (SIGTERM)" : "killed")
              << " and restarted; " << round_checked
              << " acknowledged writes present, KPIs equal "
              << "to their recomputation\n";
  }
  // Every round's writes once more, after the last restart.
  auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  for (auto& w : workspaces) Check(channel, *w, w->earlier);
  server.Kill();
  std::cout << "crash_test: " << rounds << " rounds survived, " << checked
            << " acknowledged writes checked\n";
  std::filesystem::remove_all(dir);
  return 0;
}
