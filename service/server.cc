#include "service/server.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/memory/memory.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/errors.h"
#include "common/net.h"
#include "common/status_macros.h"
#include "domain/api_keys.h"
#include "domain/audit.h"
#include "domain/privacy.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "service/admin_service.h"
#include "service/auth.h"
#include "service/customer_service.h"
#include "service/event_service.h"
#include "service/kpi_service.h"
#include "service/observability.h"
#include "service/survey_service.h"
#include "service/webhook_sender.h"
#include "storage/cached_store.h"
#include "storage/observed_store.h"
#include "storage/rocksdb_store.h"

namespace mittari::service {

struct Server::Parts {
  std::unique_ptr<storage::Store> store;
  storage::RocksDbStore* rocksdb = nullptr;  // inside `store`
  std::unique_ptr<domain::AuditLog> audit;
  std::unique_ptr<domain::KeyRing> keys;
  std::unique_ptr<domain::WorkspaceDirectory> workspaces;
  std::unique_ptr<RateLimiter> limiter;
  std::unique_ptr<StreamWatchdog> watchdog;
  std::unique_ptr<Authorizer> authorizer;
  std::unique_ptr<domain::SurveyCatalog> surveys;
  std::unique_ptr<domain::CustomerDirectory> customers;
  std::unique_ptr<domain::ResponseLedger> responses;
  std::unique_ptr<domain::PurchaseLedger> purchases;
  std::unique_ptr<domain::SessionLedger> sessions;
  std::unique_ptr<domain::TicketLedger> tickets;
  std::unique_ptr<domain::Events> events;
  std::unique_ptr<domain::Privacy> privacy;
  std::unique_ptr<domain::kpi::SurveyMetrics> survey_metrics;
  std::unique_ptr<domain::kpi::ActivityMetrics> activity_metrics;
  std::unique_ptr<domain::ValueReports> value_reports;
  std::unique_ptr<domain::Touchpoints> touchpoints;
  std::unique_ptr<domain::Targets> targets;
  std::unique_ptr<domain::kpi::Engines> engines;
  std::unique_ptr<domain::Scorecards> scorecards;
  std::unique_ptr<domain::AlertRules> alert_rules;
  std::unique_ptr<domain::ChangeFeed> changes;
  std::unique_ptr<domain::Webhooks> webhooks;
  std::unique_ptr<domain::Alerts> alerts;
  std::unique_ptr<WebhookSender> webhook_sender;
  std::unique_ptr<domain::WorkspaceExport> exporter;
  std::unique_ptr<AdminServiceImpl> admin;
  std::unique_ptr<KpiServiceImpl> kpi_service;
  std::unique_ptr<SurveyServiceImpl> survey_service;
  std::unique_ptr<CustomerServiceImpl> customer_service;
  std::unique_ptr<EventServiceImpl> event_service;
  std::unique_ptr<Telemetry> telemetry;
  std::unique_ptr<grpc::Server> grpc_server;
  std::optional<domain::FirstStart> first_start;
  int port = 0;
  absl::Mutex mu;
  bool stopped ABSL_GUARDED_BY(mu) = false;
};

namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     absl::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return errors::InvalidArgument(flag, absl::StrCat("cannot read ", path));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const ServerOptions& options) {
  bool has_cert = !options.tls_cert_file.empty();
  bool has_key = !options.tls_key_file.empty();
  if (has_cert != has_key) {
    return errors::InvalidArgument(has_cert ? "tls_key" : "tls_cert",
                                   "TLS needs both a certificate and a key");
  }
  if (!has_cert && !options.tls_client_ca_file.empty()) {
    return errors::InvalidArgument(
        "tls_client_ca", "client certificates need --tls_cert and --tls_key");
  }
  if (!has_cert) {
    if (!options.insecure && !IsLoopbackAddress(options.listen)) {
      return errors::InvalidArgument(
          "listen",
          absl::StrCat("refusing to listen on ", options.listen,
                       " without TLS: give --tls_cert and --tls_key, or "
                       "--insecure"));
    }
    return grpc::InsecureServerCredentials();
  }
  // The files are read once here, so that a wrong path fails the start with
  // a clear error, and then watched: a renewed certificate, key or client
  // CA is served from the next handshake on, without a restart.
  ASSIGN_OR_RETURN(std::string cert_chain,
                   ReadFile(options.tls_cert_file, "tls_cert"));
  ASSIGN_OR_RETURN(std::string private_key,
                   ReadFile(options.tls_key_file, "tls_key"));
  const bool mutual = !options.tls_client_ca_file.empty();
  if (mutual) {
    RETURN_IF_ERROR(
        ReadFile(options.tls_client_ca_file, "tls_client_ca").status());
  }
  if (options.tls_reload_interval < absl::Seconds(1)) {
    return errors::InvalidArgument("tls_reload_interval",
                                   "must be at least 1s");
  }
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          options.tls_key_file, options.tls_cert_file,
          options.tls_client_ca_file,
          static_cast<unsigned int>(
              absl::ToInt64Seconds(options.tls_reload_interval)));
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_identity_key_cert_pairs();
  if (mutual) {
    // Service-to-service clients: only a certificate signed by the client
    // CA may open a connection at all.
    tls.watch_root_certs();
    tls.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(tls);
}

std::string DatabaseDir(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "rocksdb").string();
}

}  // namespace

std::string BackupDir(const ServerOptions& options) {
  return options.backup_dir.empty()
             ? (std::filesystem::path(options.data_dir) / "backups").string()
             : options.backup_dir;
}

absl::StatusOr<RestoreReport> Restore(const std::string& data_dir,
                                      const std::string& backup_dir,
                                      uint32_t backup_id) {
  if (data_dir.empty()) {
    return errors::InvalidArgument("data_dir", "is required");
  }
  const std::string live = DatabaseDir(data_dir);
  const std::string restoring = live + ".restoring";
  const std::string replaced = live + ".replaced";
  std::error_code ec;
  // What an earlier, interrupted restore left.
  std::filesystem::remove_all(restoring, ec);
  std::filesystem::remove_all(replaced, ec);
  std::filesystem::create_directories(data_dir, ec);

  RestoreReport report;
  ASSIGN_OR_RETURN(report.backup, storage::RocksDbStore::RestoreBackup(
                                      backup_dir, backup_id, restoring));
  {
    ASSIGN_OR_RETURN(std::unique_ptr<storage::RocksDbStore> restored,
                     storage::RocksDbStore::Open(restoring));
    // From the database being replaced: the erasures made after the
    // backup, applied again when the server next starts, and the whole
    // audit log.
    if (std::filesystem::exists(live)) {
      ASSIGN_OR_RETURN(std::unique_ptr<storage::RocksDbStore> current,
                       storage::RocksDbStore::Open(live));
      ASSIGN_OR_RETURN(auto erasures,
                       domain::Privacy::ReadErasureLog(*current));
      ASSIGN_OR_RETURN(report.erasures_to_reapply,
                       domain::Privacy::Reapply(*restored, erasures));
      RETURN_IF_ERROR(domain::AuditLog::CopyAll(*current, *restored));
      RETURN_IF_ERROR(current->Close());
    }
    records::AuditEvent event;
    event.set_action("backup.restore");
    event.set_target(absl::StrCat("backups/", report.backup.id));
    RETURN_IF_ERROR(
        domain::AuditLog::RecordAt(*restored, absl::Now(), std::move(event)));
    RETURN_IF_ERROR(restored->Close());
  }
  // The swap: until the second rename the old database is whole in place.
  if (std::filesystem::exists(live)) {
    std::filesystem::rename(live, replaced, ec);
    if (ec) return errors::Internal("cannot move the replaced database");
  }
  std::filesystem::rename(restoring, live, ec);
  if (ec) return errors::Internal("cannot move the restored database");
  std::filesystem::remove_all(replaced, ec);
  return report;
}

Server::Server(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Server::~Server() { Shutdown(absl::ZeroDuration()).IgnoreError(); }

int Server::port() const { return parts_->port; }

int Server::metrics_port() const { return parts_->telemetry->port(); }

const std::optional<domain::FirstStart>& Server::first_start() const {
  return parts_->first_start;
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerOptions& options, const Clock& clock) {
  if (options.data_dir.empty()) {
    return errors::InvalidArgument("data_dir", "is required");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                   Credentials(options));
  std::error_code ec;
  // A new data directory is its owner's alone: it holds every workspace's
  // data and, at first start, the keys.
  if (!std::filesystem::exists(options.data_dir, ec) &&
      std::filesystem::create_directories(options.data_dir, ec)) {
    std::filesystem::permissions(options.data_dir,
                                 std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  if (ec) {
    return errors::InvalidArgument(
        "data_dir",
        absl::StrCat("cannot create ", options.data_dir, ": ", ec.message()));
  }

  auto parts = std::make_unique<Parts>();
  storage::RocksDbStore::Options store_options;
  store_options.min_free_bytes = options.min_free_disk_bytes;
  ASSIGN_OR_RETURN(std::unique_ptr<storage::RocksDbStore> rocksdb,
                   storage::RocksDbStore::Open(DatabaseDir(options.data_dir),
                                               store_options));
  parts->rocksdb = rocksdb.get();
  auto observed = std::make_unique<storage::ObservedStore>(
      std::make_unique<storage::CachedStore>(std::move(rocksdb)));
  storage::ObservedStore& seam = *observed;
  parts->store = std::move(observed);
  parts->audit = std::make_unique<domain::AuditLog>(*parts->store, clock);
  parts->keys = std::make_unique<domain::KeyRing>(*parts->store, clock);
  parts->workspaces = std::make_unique<domain::WorkspaceDirectory>(
      *parts->store, *parts->keys, clock);
  parts->workspaces->dimension_caps().SetLimits(options.dimension_caps);
  ASSIGN_OR_RETURN(parts->first_start,
                   parts->workspaces->InitializeOnFirstStart());
  parts->limiter = std::make_unique<RateLimiter>(options.limits, clock);
  parts->watchdog = std::make_unique<StreamWatchdog>(options.streams);
  parts->authorizer = std::make_unique<Authorizer>(
      *parts->keys, *parts->limiter, *parts->watchdog);
  parts->surveys =
      std::make_unique<domain::SurveyCatalog>(*parts->store, clock);
  parts->customers = std::make_unique<domain::CustomerDirectory>(
      *parts->store, *parts->workspaces, clock);
  parts->responses = std::make_unique<domain::ResponseLedger>(
      *parts->store, *parts->workspaces, *parts->surveys, *parts->customers,
      clock);
  parts->survey_service = std::make_unique<SurveyServiceImpl>(
      *parts->authorizer, *parts->surveys, *parts->responses);
  parts->purchases = std::make_unique<domain::PurchaseLedger>(
      *parts->store, *parts->workspaces, *parts->customers, clock);
  parts->sessions = std::make_unique<domain::SessionLedger>(
      *parts->store, *parts->workspaces, *parts->customers, clock);
  parts->tickets = std::make_unique<domain::TicketLedger>(
      *parts->store, *parts->workspaces, *parts->customers, clock);
  parts->survey_metrics = std::make_unique<domain::kpi::SurveyMetrics>(
      *parts->store, *parts->workspaces, *parts->surveys);
  parts->events = std::make_unique<domain::Events>(
      *parts->store, *parts->customers, *parts->purchases,
      *parts->survey_metrics, clock);
  parts->event_service =
      std::make_unique<EventServiceImpl>(*parts->authorizer, *parts->events);
  parts->privacy = std::make_unique<domain::Privacy>(
      *parts->store, *parts->workspaces, *parts->customers, *parts->responses,
      *parts->purchases, *parts->sessions, *parts->tickets, *parts->events);
  // Erasures a restore brought back, and purges a crash interrupted, are
  // finished before the first call.
  ASSIGN_OR_RETURN(const int reapplied, parts->privacy->Resume());
  if (reapplied > 0) {
    LogInfo("erasures made after the restored backup applied again",
            {{"erasures", absl::StrCat(reapplied)}});
  }
  parts->exporter = std::make_unique<domain::WorkspaceExport>(
      domain::WorkspaceExport::Sources{*parts->store, *parts->customers,
                                       *parts->surveys, *parts->events,
                                       *parts->responses, *parts->purchases,
                                       *parts->sessions, *parts->tickets});
  AdminServiceImpl::Backups backups;
  backups.store = parts->rocksdb;
  backups.dir = BackupDir(options);
  backups.keep = options.backup_keep;
  parts->admin = std::make_unique<AdminServiceImpl>(
      *parts->authorizer, *parts->workspaces, *parts->keys, *parts->audit,
      *parts->exporter, std::move(backups), storage::kSchemaVersion,
      clock.Now());
  parts->customer_service = std::make_unique<CustomerServiceImpl>(
      *parts->authorizer, *parts->customers, *parts->purchases,
      *parts->sessions, *parts->tickets, *parts->privacy, *parts->audit);
  parts->activity_metrics = std::make_unique<domain::kpi::ActivityMetrics>(
      *parts->store, *parts->workspaces);
  parts->value_reports = std::make_unique<domain::ValueReports>(
      *parts->responses, *parts->purchases, *parts->customers, *parts->store);
  parts->touchpoints =
      std::make_unique<domain::Touchpoints>(*parts->store, clock);
  parts->targets = std::make_unique<domain::Targets>(*parts->store, clock);
  parts->engines = std::make_unique<domain::kpi::Engines>(
      *parts->survey_metrics, *parts->activity_metrics);
  parts->scorecards = std::make_unique<domain::Scorecards>(
      *parts->targets, *parts->touchpoints, *parts->workspaces, *parts->engines,
      clock);
  parts->alert_rules =
      std::make_unique<domain::AlertRules>(*parts->store, clock);
  parts->changes = std::make_unique<domain::ChangeFeed>();
  domain::Alerts::Options alert_options;
  alert_options.sweep_interval = options.alert_sweep_interval;
  alert_options.on_error = [](absl::string_view ws, const absl::Status& s) {
    LogWarning("alert evaluation failed",
               {{"workspace", std::string(ws)},
                {"code", absl::StatusCodeToString(s.code())},
                {"error", std::string(s.message())}});
  };
  // Deliveries wait on the network, not on the data's clock.
  parts->webhooks = std::make_unique<domain::Webhooks>(
      *parts->store, SystemClock(), domain::Webhooks::Options());
  parts->alerts = std::make_unique<domain::Alerts>(
      *parts->store,
      domain::Alerts::Sources{*parts->alert_rules, *parts->targets,
                              *parts->scorecards, *parts->events,
                              *parts->workspaces, *parts->engines,
                              *parts->webhooks},
      clock, std::move(alert_options));
  // What follows every durable write: live KPI streams and alerts.
  seam.AddObserver(parts->changes.get());
  seam.AddObserver(parts->alerts.get());
  RETURN_IF_ERROR(parts->alerts->Start());
  parts->webhook_sender = std::make_unique<WebhookSender>(
      *parts->webhooks, *parts->workspaces, WebhookSender::Options());
  parts->webhook_sender->Start();
  parts->kpi_service = std::make_unique<KpiServiceImpl>(
      *parts->authorizer,
      KpiServiceImpl::Parts{
          *parts->workspaces, *parts->survey_metrics, *parts->activity_metrics,
          *parts->value_reports, *parts->touchpoints, *parts->targets,
          *parts->scorecards, *parts->alert_rules, *parts->alerts,
          *parts->events, *parts->changes, *parts->webhooks},
      clock);

  // Reflection describes services from the generated descriptor pool; the
  // health service is served by gRPC itself, so its descriptor is linked in
  // explicitly here.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  MetricSources sources;
  sources.store = [store = parts->store.get()] { return store->Stats(); };
  sources.refusals = [limiter = parts->limiter.get()] {
    return limiter->refusals();
  };
  sources.queued_writes = [p = parts.get()] {
    return std::vector<std::pair<std::string, size_t>>{
        {"responses", p->responses->queued()},
        {"purchases", p->purchases->queued()},
        {"sessions", p->sessions->queued()},
        {"tickets", p->tickets->queued()},
        {"registrations", p->events->queued()}};
  };
  ASSIGN_OR_RETURN(parts->telemetry, Telemetry::Start(options.metrics_listen,
                                                      std::move(sources)));

  grpc::ServerBuilder builder;
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(parts->telemetry->InterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.AddListeningPort(options.listen, credentials, &parts->port);
  builder.RegisterService(parts->admin.get());
  builder.RegisterService(parts->survey_service.get());
  builder.RegisterService(parts->customer_service.get());
  builder.RegisterService(parts->kpi_service.get());
  builder.RegisterService(parts->event_service.get());
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  auto ms = [](absl::Duration d) {
    return static_cast<int>(absl::ToInt64Milliseconds(d));
  };
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             options.max_concurrent_streams);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             ms(options.max_connection_age));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             ms(options.max_connection_grace));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             ms(options.keepalive_time));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             ms(options.keepalive_timeout));
  // Clients may ping as often as every 10 s without a call in flight.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10'000);
  grpc::ResourceQuota quota("mittari");
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  // Handlers block on synced writes, so many calls run at once; keep their
  // threads polling instead of letting gRPC end and start one per call.
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, options.max_threads);

  parts->grpc_server = builder.BuildAndStart();
  if (parts->grpc_server == nullptr || parts->port == 0) {
    return errors::Unavailable(
        absl::StrCat("cannot listen on ", options.listen));
  }
  parts->grpc_server->GetHealthCheckService()->SetServingStatus(true);
  return absl::WrapUnique(new Server(std::move(parts)));
}

absl::Status Server::Shutdown(absl::Duration drain) {
  {
    absl::MutexLock lock(&parts_->mu);
    if (parts_->stopped) return absl::OkStatus();
    parts_->stopped = true;
  }
  parts_->grpc_server->GetHealthCheckService()->SetServingStatus(false);
  // Live streams end first, cleanly; the evaluator stops (what it has not
  // judged yet is judged again at the next start).
  parts_->alerts->Stop();
  parts_->changes->Close();
  parts_->webhook_sender->Stop();
  parts_->grpc_server->Shutdown(absl::ToChronoTime(absl::Now() + drain));
  parts_->grpc_server->Wait();
  parts_->telemetry->StopServing();
  return parts_->store->Close();
}

}  // namespace mittari::service
