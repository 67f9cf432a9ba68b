#include "service/observability.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <map>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/errors.h"
#include "domain/keys.h"
#include "nlohmann/json.hpp"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace mittari::service {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::ServerRpcInfo;

// --- Logs -----------------------------------------------------------------

spdlog::logger& Logger() {
  static spdlog::logger* logger = [] {
    auto* l = new spdlog::logger(
        "mittari", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");
    l->set_level(spdlog::level::info);
    return l;
  }();
  return *logger;
}

void Log(spdlog::level::level_enum level, absl::string_view msg,
         const nlohmann::ordered_json& fields) {
  spdlog::logger& logger = Logger();
  if (!logger.should_log(level)) return;
  nlohmann::ordered_json line = {
      {"time", absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(),
                                absl::UTCTimeZone())},
      {"level", spdlog::level::to_string_view(level).data()},
      {"msg", msg}};
  line.update(fields);
  logger.log(level, "{}",
             line.dump(-1, ' ', false,
                       nlohmann::ordered_json::error_handler_t::replace));
}

// --- Calls ----------------------------------------------------------------

// grpc_code label values, as the gRPC ecosystem's Prometheus middleware
// writes them (so that existing dashboards and alerts work unchanged).
constexpr std::array<const char*, 17> kCodeNames = {"OK",
                                                    "Canceled",
                                                    "Unknown",
                                                    "InvalidArgument",
                                                    "DeadlineExceeded",
                                                    "NotFound",
                                                    "AlreadyExists",
                                                    "PermissionDenied",
                                                    "ResourceExhausted",
                                                    "FailedPrecondition",
                                                    "Aborted",
                                                    "OutOfRange",
                                                    "Unimplemented",
                                                    "Internal",
                                                    "Unavailable",
                                                    "DataLoss",
                                                    "Unauthenticated"};

const char* TypeName(ServerRpcInfo::Type type) {
  switch (type) {
    case ServerRpcInfo::Type::UNARY:
      return "unary";
    case ServerRpcInfo::Type::CLIENT_STREAMING:
      return "client_stream";
    case ServerRpcInfo::Type::SERVER_STREAMING:
      return "server_stream";
    case ServerRpcInfo::Type::BIDI_STREAMING:
      return "bidi_stream";
  }
  return "unknown";
}

// Codes that say the server failed, not the request.
bool ServerSide(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNKNOWN ||
         code == grpc::StatusCode::INTERNAL ||
         code == grpc::StatusCode::UNAVAILABLE ||
         code == grpc::StatusCode::DATA_LOSS ||
         code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

// An id a client may choose: short, and only characters that are safe in
// a log line.
bool SaneId(absl::string_view id) {
  return !id.empty() && id.size() <= 64 &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.';
         });
}

// W3C trace context: version-traceid-parentid-flags, lower-case hex.
bool SaneTraceparent(absl::string_view t) {
  if (t.size() != 55) return false;
  for (size_t i = 0; i < t.size(); ++i) {
    const bool dash = i == 2 || i == 35 || i == 52;
    if (dash ? t[i] != '-'
             : !(absl::ascii_isdigit(t[i]) || (t[i] >= 'a' && t[i] <= 'f'))) {
      return false;
    }
  }
  return true;
}

std::string NewRequestId() {
  thread_local absl::InsecureBitGen bitgen;  // an id, not a secret
  return absl::StrCat(
      absl::Hex(absl::Uniform<uint64_t>(bitgen), absl::kZeroPad16));
}

// One method's series.
struct MethodMetrics {
  std::string service;
  std::string method;
  const char* type;
  prometheus::Counter* started;
  prometheus::Histogram* seconds;
  // By code, made on first use (under Parts::mu); read without a lock.
  std::array<std::atomic<prometheus::Counter*>, kCodeNames.size()> handled{};
};

// --- Scrape-time metrics --------------------------------------------------

prometheus::MetricFamily Family(std::string name, std::string help,
                                prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

void AddPoint(prometheus::MetricFamily& family, double value,
              std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric point;
  point.label = std::move(labels);
  if (family.type == prometheus::MetricType::Counter) {
    point.counter.value = value;
  } else {
    point.gauge.value = value;
  }
  family.metric.push_back(std::move(point));
}

class ScrapeCollector : public prometheus::Collectable {
 public:
  explicit ScrapeCollector(MetricSources sources)
      : sources_(std::move(sources)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> out;
    if (sources_.store) CollectStore(sources_.store(), out);
    if (sources_.refusals) {
      const RateLimiter::Refusals r = sources_.refusals();
      auto refusals = Family("mittari_rate_limit_refusals_total",
                             "Calls refused with RESOURCE_EXHAUSTED by a "
                             "rate limit, by limit.",
                             prometheus::MetricType::Counter);
      AddPoint(refusals, static_cast<double>(r.calls), {{"limit", "calls"}});
      AddPoint(refusals, static_cast<double>(r.rows), {{"limit", "rows"}});
      AddPoint(refusals, static_cast<double>(r.authentications),
               {{"limit", "failed_authentications"}});
      out.push_back(std::move(refusals));
      auto slowed = Family("mittari_stream_slowdowns_total",
                           "Times a client stream was slowed by the rows "
                           "limit of its workspace.",
                           prometheus::MetricType::Counter);
      AddPoint(slowed, static_cast<double>(r.stream_slowdowns));
      out.push_back(std::move(slowed));
    }
    if (sources_.queued_writes) {
      auto queued = Family("mittari_submit_queue_depth",
                           "Unary writes waiting for the committer.",
                           prometheus::MetricType::Gauge);
      for (const auto& [records, n] : sources_.queued_writes()) {
        AddPoint(queued, static_cast<double>(n), {{"records", records}});
      }
      out.push_back(std::move(queued));
    }
    return out;
  }

 private:
  static void CollectStore(const storage::StoreStats& stats,
                           std::vector<prometheus::MetricFamily>& out) {
    std::map<std::string, uint64_t> by_kind;
    for (const storage::StoreStats::Puts& p : stats.puts) {
      if (p.cf != storage::ColumnFamily::kCatalog &&
          p.cf != storage::ColumnFamily::kFacts) {
        continue;
      }
      const absl::string_view kind = domain::keys::RecordKind(p.tag);
      if (!kind.empty()) by_kind[std::string(kind)] += p.count;
    }
    auto records = Family("mittari_records_written_total",
                          "Records created or replaced, by kind (imports "
                          "count when they commit).",
                          prometheus::MetricType::Counter);
    for (const auto& [kind, n] : by_kind) {
      AddPoint(records, static_cast<double>(n), {{"kind", kind}});
    }
    out.push_back(std::move(records));
    auto rollups = Family("mittari_rollup_writes_total",
                          "Counter adds to the KPI rollups.",
                          prometheus::MetricType::Counter);
    AddPoint(rollups, static_cast<double>(stats.counter_adds));
    out.push_back(std::move(rollups));
    auto batches = Family("mittari_store_writes_total",
                          "Synced writes (batches and committed imports).",
                          prometheus::MetricType::Counter);
    AddPoint(batches, static_cast<double>(stats.batches));
    out.push_back(std::move(batches));
    // RocksDB's gauges under their own names: rocksdb.is-write-stopped is
    // mittari_rocksdb_is_write_stopped.
    for (const auto& [name, value] : stats.engine) {
      std::string metric = absl::StrCat(
          "mittari_", absl::StrReplaceAll(name, {{".", "_"}, {"-", "_"}}));
      auto gauge = Family(metric, absl::StrCat("RocksDB property ", name, "."),
                          prometheus::MetricType::Gauge);
      AddPoint(gauge, static_cast<double>(value));
      out.push_back(std::move(gauge));
    }
  }

  const MetricSources sources_;
};

}  // namespace

absl::Status SetLogLevel(absl::string_view level) {
  static const auto* kLevels =
      new std::map<std::string, spdlog::level::level_enum, std::less<>>{
          {"debug", spdlog::level::debug},
          {"info", spdlog::level::info},
          {"warn", spdlog::level::warn},
          {"error", spdlog::level::err},
          {"off", spdlog::level::off}};
  auto it = kLevels->find(level);
  if (it == kLevels->end()) {
    return errors::InvalidArgument("log_level",
                                   "must be debug, info, warn, error or off");
  }
  Logger().set_level(it->second);
  return absl::OkStatus();
}

namespace {

nlohmann::ordered_json Fields(
    std::initializer_list<std::pair<absl::string_view, std::string>> fields) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [name, value] : fields) out[std::string(name)] = value;
  return out;
}

}  // namespace

void LogInfo(
    absl::string_view msg,
    std::initializer_list<std::pair<absl::string_view, std::string>> fields) {
  Log(spdlog::level::info, msg, Fields(fields));
}

void LogWarning(
    absl::string_view msg,
    std::initializer_list<std::pair<absl::string_view, std::string>> fields) {
  Log(spdlog::level::warn, msg, Fields(fields));
}

struct Telemetry::Parts {
  std::shared_ptr<prometheus::Registry> registry =
      std::make_shared<prometheus::Registry>();
  std::shared_ptr<ScrapeCollector> scrape;
  prometheus::Family<prometheus::Counter>* started = nullptr;
  prometheus::Family<prometheus::Counter>* handled = nullptr;
  prometheus::Family<prometheus::Histogram>* seconds = nullptr;
  std::unique_ptr<prometheus::Exposer> exposer;
  int port = 0;

  absl::Mutex mu;
  absl::flat_hash_map<std::string, std::unique_ptr<MethodMetrics>> methods
      ABSL_GUARDED_BY(mu);

  MethodMetrics& For(const char* full_method, ServerRpcInfo::Type type) {
    // gRPC names a registered method by one string for the server's life:
    // each thread remembers its methods by that pointer, so a call takes
    // no shared lock here.
    thread_local absl::flat_hash_map<std::pair<const void*, const char*>,
                                     MethodMetrics*>
        seen;
    const auto local =
        std::make_pair(static_cast<const void*>(this), full_method);
    if (auto it = seen.find(local); it != seen.end()) return *it->second;
    MethodMetrics& found = Lookup(full_method, type);
    seen.emplace(local, &found);
    return found;
  }

  MethodMetrics& Lookup(const char* full_method, ServerRpcInfo::Type type) {
    const absl::string_view name = full_method == nullptr ? "" : full_method;
    absl::MutexLock lock(&mu);
    std::unique_ptr<MethodMetrics>& slot = methods[name];
    if (slot != nullptr) return *slot;
    slot = std::make_unique<MethodMetrics>();
    // "/package.Service/Method"
    absl::string_view rest = absl::StripPrefix(name, "/");
    const size_t slash = rest.find('/');
    slot->service = slash == absl::string_view::npos
                        ? "unknown"
                        : std::string(rest.substr(0, slash));
    slot->method = slash == absl::string_view::npos
                       ? "unknown"
                       : std::string(rest.substr(slash + 1));
    slot->type = TypeName(type);
    const prometheus::Labels labels = {{"grpc_service", slot->service},
                                       {"grpc_method", slot->method},
                                       {"grpc_type", slot->type}};
    slot->started = &started->Add(labels);
    // From 0.5 ms: most calls of this server take a few milliseconds.
    slot->seconds =
        &seconds->Add(labels, prometheus::Histogram::BucketBoundaries{
                                  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60});
    return *slot;
  }

  prometheus::Counter& Handled(MethodMetrics& m, int code) {
    if (prometheus::Counter* c =
            m.handled[code].load(std::memory_order_acquire)) {
      return *c;
    }
    absl::MutexLock lock(&mu);
    prometheus::Counter* c = m.handled[code].load(std::memory_order_relaxed);
    if (c == nullptr) {
      c = &handled->Add({{"grpc_service", m.service},
                         {"grpc_method", m.method},
                         {"grpc_type", m.type},
                         {"grpc_code", kCodeNames[code]}});
      m.handled[code].store(c, std::memory_order_release);
    }
    return *c;
  }
};

namespace {

class CallInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(Telemetry::Parts& parts, ServerRpcInfo* info)
      : parts_(parts),
        metrics_(parts.For(info->method(), info->type())),
        start_(absl::Now()) {
    metrics_.started->Increment();
  }

  ~CallInterceptor() override {
    // A call that ends without a status (its client went away).
    if (!done_) Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* m) override {
    if (m->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      for (const auto& [key, value] : *m->GetRecvInitialMetadata()) {
        const absl::string_view k(key.data(), key.size());
        const absl::string_view v(value.data(), value.size());
        if (k == "x-request-id" && SaneId(v)) request_id_ = std::string(v);
        if (k == "traceparent" && SaneTraceparent(v)) {
          traceparent_ = std::string(v);
        }
      }
    }
    if (m->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      m->GetSendInitialMetadata()->emplace("x-request-id", RequestId());
    }
    if (m->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      Finish(m->GetSendStatus());
    }
    m->Proceed();
  }

 private:
  const std::string& RequestId() {
    if (request_id_.empty()) request_id_ = NewRequestId();
    return request_id_;
  }

  void Finish(const grpc::Status& status) {
    done_ = true;
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
    int code = static_cast<int>(status.error_code());
    if (code < 0 || code >= static_cast<int>(kCodeNames.size())) code = 2;
    parts_.Handled(metrics_, code).Increment();
    metrics_.seconds->Observe(seconds);
    // A refused request is the client's business, and a flood of them must
    // not become a flood of log lines: only failures of the server itself
    // log by default.
    const spdlog::level::level_enum level = ServerSide(status.error_code())
                                                ? spdlog::level::warn
                                                : spdlog::level::debug;
    if (!Logger().should_log(level)) return;
    nlohmann::ordered_json fields = {{"request_id", RequestId()},
                                     {"service", metrics_.service},
                                     {"method", metrics_.method},
                                     {"code", kCodeNames[code]},
                                     {"duration_ms", seconds * 1000}};
    if (!traceparent_.empty()) fields["traceparent"] = traceparent_;
    // The message the client got: it names fields and reasons, never
    // stored values (the ingest key's promise).
    if (!status.ok()) fields["error"] = status.error_message();
    Log(level, "call", fields);
  }

  Telemetry::Parts& parts_;
  MethodMetrics& metrics_;
  const absl::Time start_;
  std::string request_id_;
  std::string traceparent_;
  bool done_ = false;
};

class CallInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallInterceptorFactory(Telemetry::Parts& parts) : parts_(parts) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      ServerRpcInfo* info) override {
    return new CallInterceptor(parts_, info);
  }

 private:
  Telemetry::Parts& parts_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Telemetry>> Telemetry::Start(
    const std::string& listen, MetricSources sources) {
  auto parts = std::make_unique<Parts>();
  parts->started = &prometheus::BuildCounter()
                        .Name("grpc_server_started_total")
                        .Help("Calls started on the server.")
                        .Register(*parts->registry);
  parts->handled = &prometheus::BuildCounter()
                        .Name("grpc_server_handled_total")
                        .Help("Calls completed on the server, by status code.")
                        .Register(*parts->registry);
  parts->seconds =
      &prometheus::BuildHistogram()
           .Name("grpc_server_handling_seconds")
           .Help("Time from a call's start to its status, in seconds.")
           .Register(*parts->registry);
  parts->scrape = std::make_shared<ScrapeCollector>(std::move(sources));
  if (!listen.empty()) {
    try {
      parts->exposer = std::make_unique<prometheus::Exposer>(listen, 1);
    } catch (const std::exception& e) {
      return errors::Unavailable(
          absl::StrCat("cannot serve metrics on ", listen, ": ", e.what()));
    }
    parts->exposer->RegisterCollectable(parts->registry);
    parts->exposer->RegisterCollectable(parts->scrape);
    const std::vector<int> ports = parts->exposer->GetListeningPorts();
    parts->port = ports.empty() ? 0 : ports.front();
  }
  return std::unique_ptr<Telemetry>(new Telemetry(std::move(parts)));
}

Telemetry::Telemetry(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
Telemetry::~Telemetry() = default;

int Telemetry::port() const { return parts_->port; }

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
Telemetry::InterceptorFactory() {
  return std::make_unique<CallInterceptorFactory>(*parts_);
}

void Telemetry::StopServing() { parts_->exposer.reset(); }

}  // namespace mittari::service
