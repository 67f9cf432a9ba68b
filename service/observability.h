// Seeing inside a running server: Prometheus metrics on an HTTP port and
// structured logs.
//
// Every call passes one gRPC interceptor that counts it
// (grpc_server_started_total, grpc_server_handled_total by service, method,
// type and code, and the grpc_server_handling_seconds histogram, as the
// gRPC ecosystem names them), gives it a request id (the client's
// `x-request-id` when it sent a sane one, else a random one, returned in
// the reply's `x-request-id` header), and logs its end as one JSON line on
// stderr with the id and the client's W3C `traceparent`. Logs never carry
// keys, metadata values other than those two, or request contents, so no
// personal data reaches them.
//
// The rest is read at scrape time from its source: records written by kind
// and rollup writes (storage::StoreStats), RocksDB's gauges, rate-limit
// refusals, the submit queue's depth.
#ifndef MITTARI_SERVICE_OBSERVABILITY_H_
#define MITTARI_SERVICE_OBSERVABILITY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/server_interceptor.h"
#include "service/limits.h"
#include "storage/write_stats.h"

namespace mittari::service {

// Where the scrape-time metrics come from; each may be empty.
struct MetricSources {
  std::function<storage::StoreStats()> store;
  std::function<RateLimiter::Refusals()> refusals;
  // Unary writes waiting for a committer, by the kind of record
  // ("responses", "purchases", "sessions", "tickets").
  std::function<std::vector<std::pair<std::string, size_t>>()> queued_writes;
};

// Log levels by name: "debug" (every call), "info" (the server's own
// events and the calls the server failed; the default), "warn" (those
// calls only), "error", "off". INVALID_ARGUMENT for any other name.
absl::Status SetLogLevel(absl::string_view level);

// One JSON line on stderr at info level: {"time", "level", "msg", ...}
// with `fields` (string values) after the message.
void LogInfo(absl::string_view msg,
             std::initializer_list<std::pair<absl::string_view, std::string>>
                 fields = {});

// The same at warn level.
void LogWarning(absl::string_view msg,
                std::initializer_list<std::pair<absl::string_view, std::string>>
                    fields = {});

class Telemetry {
 public:
  // Serves the metrics at http://LISTEN/metrics when `listen` (host:port;
  // port 0 picks one) is not empty.
  static absl::StatusOr<std::unique_ptr<Telemetry>> Start(
      const std::string& listen, MetricSources sources);
  ~Telemetry();
  Telemetry(const Telemetry&) = delete;
  Telemetry& operator=(const Telemetry&) = delete;

  // The metrics port, 0 when not served.
  int port() const;
  // The interceptor to install on the gRPC server (it refers to this
  // object, which must outlive the server).
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  InterceptorFactory();
  // Stops serving metrics, so that no scrape reads a closing store.
  void StopServing();

  struct Parts;

 private:
  explicit Telemetry(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_OBSERVABILITY_H_
