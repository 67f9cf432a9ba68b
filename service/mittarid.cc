// mittarid: the Mittari server process. Flags, first-start keys, signals.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "service/observability.h"
#include "service/server.h"

namespace {

std::string Env(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

ABSL_FLAG(std::string, listen, Env("MITTARI_LISTEN", "127.0.0.1:50051"),
          "host:port to listen on (env MITTARI_LISTEN); port 0 picks one");
ABSL_FLAG(std::string, data_dir, Env("MITTARI_DATA_DIR", "./data"),
          "directory of the server's data (env MITTARI_DATA_DIR)");
ABSL_FLAG(std::string, tls_cert, Env("MITTARI_TLS_CERT", ""),
          "PEM certificate chain; with --tls_key turns on TLS "
          "(env MITTARI_TLS_CERT)");
ABSL_FLAG(std::string, tls_key, Env("MITTARI_TLS_KEY", ""),
          "PEM private key (env MITTARI_TLS_KEY)");
ABSL_FLAG(std::string, tls_client_ca, Env("MITTARI_TLS_CLIENT_CA", ""),
          "PEM bundle of the CAs of client certificates; with it every client "
          "must present a certificate they signed (mutual TLS) "
          "(env MITTARI_TLS_CLIENT_CA)");
ABSL_FLAG(absl::Duration, tls_reload_interval, absl::Minutes(1),
          "how often the TLS files are checked: renewed ones are served "
          "without a restart");
ABSL_FLAG(bool, insecure, false, "allow listening beyond loopback without TLS");
ABSL_FLAG(std::string, admin_key_file, "",
          "on first start, write the default workspace's admin key to this "
          "file, created with mode 0600 (default DATA_DIR/admin.key)");
ABSL_FLAG(std::string, operator_key_file, "",
          "on first start, write the operator key to this file, created with "
          "mode 0600 (default DATA_DIR/operator.key)");
ABSL_FLAG(bool, print_first_start_keys, false,
          "on first start, print the keys on stdout instead of writing them "
          "to files");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "on SIGTERM, how long in-flight calls may take to finish");
ABSL_FLAG(int, max_threads, 256, "threads that run calls");
ABSL_FLAG(double, rate_limit_calls_per_key, 5000,
          "calls per second of one API key; 0 for no limit");
ABSL_FLAG(double, rate_limit_calls_per_workspace, 10000,
          "calls per second into one workspace; 0 for no limit");
ABSL_FLAG(double, rate_limit_rows_per_workspace, 200000,
          "records per second into one workspace through batches, streams "
          "and imports (streams are slowed, batches refused); 0 for no limit");
ABSL_FLAG(double, failed_auth_per_peer, 10,
          "failed authentications per second from one client address; 0 for "
          "no limit");
ABSL_FLAG(absl::Duration, stream_idle_timeout, absl::Seconds(60),
          "a client stream that sends nothing this long is cancelled "
          "(0 for never)");
ABSL_FLAG(absl::Duration, stream_deadline, absl::Hours(1),
          "a client stream that runs longer is cancelled (0 for never)");
ABSL_FLAG(int64_t, max_import_rows, 100'000'000,
          "records one import (a file of responses, purchases, sessions or "
          "tickets) may carry; the disk bounds it too");
ABSL_FLAG(int64_t, max_dimension_values, 1000,
          "distinct values of a label dimension (channel, touchpoint, event, "
          "tag, source, device, content type) in one workspace");
ABSL_FLAG(int64_t, max_page_dimension_values, 10000,
          "distinct landing pages, and distinct keywords, in one workspace");
ABSL_FLAG(int, max_concurrent_streams, 256,
          "concurrent calls on one connection");
ABSL_FLAG(absl::Duration, max_connection_age, absl::Hours(1),
          "connections are closed gracefully after this long");
ABSL_FLAG(std::string, metrics_listen,
          Env("MITTARI_METRICS_LISTEN", "127.0.0.1:9464"),
          "host:port of the Prometheus metrics (/metrics); empty for none; "
          "port 0 picks one (env MITTARI_METRICS_LISTEN)");
ABSL_FLAG(std::string, backup_dir, Env("MITTARI_BACKUP_DIR", ""),
          "where CreateBackup writes (default DATA_DIR/backups; another disk "
          "is better) (env MITTARI_BACKUP_DIR)");
ABSL_FLAG(int, backup_keep, 7, "backups kept; older ones are removed");
ABSL_FLAG(std::string, restore_from, "",
          "offline restore: replace DATA_DIR's database with a backup from "
          "this directory, then exit (the server must not be running)");
ABSL_FLAG(uint32_t, restore_backup_id, 0,
          "with --restore_from: the backup to restore (0: the newest)");
ABSL_FLAG(int64_t, min_free_disk_mb, 256,
          "writes are refused (UNAVAILABLE) while the data disk has less free "
          "space (MiB), and go on once space is freed; 0 turns it off");
ABSL_FLAG(int, max_watches_per_key, 16,
          "most WatchAlerts and WatchMetric streams one key holds open");
ABSL_FLAG(absl::Duration, alert_sweep_interval, absl::Minutes(1),
          "judge every workspace's alert rules this often without a write "
          "(time alone moves periods and event paces)");
ABSL_FLAG(std::string, log_level, "info",
          "JSON logs on stderr: debug (every call), info (server events "
          "and calls the server failed), warn (those calls only), error, off");
ABSL_FLAG(absl::Duration, keepalive_time, absl::Minutes(2),
          "ping idle connections this often (unanswered pings drop them)");

namespace {

// Writes `secret` to a new file that only its owner may read: created
// with mode 0600, never readable by others, not even for a moment.
bool WriteSecret(const std::string& path, const std::string& secret) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                      S_IRUSR | S_IWUSR);
  if (fd < 0) return false;
  const std::string line = secret + "\n";
  bool ok = fchmod(fd, S_IRUSR | S_IWUSR) == 0 &&
            write(fd, line.data(), line.size()) ==
                static_cast<ssize_t>(line.size()) &&
            fsync(fd) == 0;
  return close(fd) == 0 && ok;
}

// Writes one first-start key to its file (or prints it when asked).
// Returns false on failure.
bool Hand(const std::string& what, const std::string& secret,
          const std::string& file) {
  if (absl::GetFlag(FLAGS_print_first_start_keys)) {
    std::cout << what << " (shown once): " << secret << "\n";
    return true;
  }
  if (!WriteSecret(file, secret)) {
    std::cerr << "mittarid: cannot write " << what << " to " << file << "\n";
    return false;
  }
  std::cout << what << " written to " << file << "\n";
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Mittari server: measures customer experience over gRPC.\n"
      "usage: mittarid [--listen=HOST:PORT] [--data_dir=DIR] "
      "[--tls_cert=PEM --tls_key=PEM]");
  absl::ParseCommandLine(argc, argv);
  // Debian's Abseil checks every Mutex acquisition for lock-order cycles;
  // the tests keep that check, the server does not pay for it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // SIGTERM and SIGINT are taken by sigwait below, in this thread only.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (const std::string from = absl::GetFlag(FLAGS_restore_from);
      !from.empty()) {
    auto report =
        mittari::service::Restore(absl::GetFlag(FLAGS_data_dir), from,
                                  absl::GetFlag(FLAGS_restore_backup_id));
    if (!report.ok()) {
      std::cerr << "mittarid: restore failed: " << report.status().message()
                << "\n";
      return 1;
    }
    std::cout << "restored backup " << report->backup.id << " (made "
              << absl::FormatTime(absl::FromUnixMicros(report->backup.time_us),
                                  absl::UTCTimeZone())
              << ") into " << absl::GetFlag(FLAGS_data_dir) << "; "
              << report->erasures_to_reapply
              << " erasure(s) made since will be applied again at start"
              << std::endl;
    return 0;
  }

  mittari::service::ServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  options.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  options.tls_reload_interval = absl::GetFlag(FLAGS_tls_reload_interval);
  options.insecure = absl::GetFlag(FLAGS_insecure);
  options.max_threads = absl::GetFlag(FLAGS_max_threads);
  options.limits.calls_per_key = absl::GetFlag(FLAGS_rate_limit_calls_per_key);
  options.limits.calls_per_workspace =
      absl::GetFlag(FLAGS_rate_limit_calls_per_workspace);
  options.limits.rows_per_workspace =
      absl::GetFlag(FLAGS_rate_limit_rows_per_workspace);
  options.limits.failed_auth_per_peer =
      absl::GetFlag(FLAGS_failed_auth_per_peer);
  options.max_concurrent_streams = absl::GetFlag(FLAGS_max_concurrent_streams);
  options.streams.idle_timeout = absl::GetFlag(FLAGS_stream_idle_timeout);
  options.dimension_caps.labels = absl::GetFlag(FLAGS_max_dimension_values);
  options.dimension_caps.pages = absl::GetFlag(FLAGS_max_page_dimension_values);
  options.streams.deadline = absl::GetFlag(FLAGS_stream_deadline);
  options.streams.max_import_rows = absl::GetFlag(FLAGS_max_import_rows);
  options.streams.max_watches_per_key =
      absl::GetFlag(FLAGS_max_watches_per_key);
  options.alert_sweep_interval = absl::GetFlag(FLAGS_alert_sweep_interval);
  options.max_connection_age = absl::GetFlag(FLAGS_max_connection_age);
  options.keepalive_time = absl::GetFlag(FLAGS_keepalive_time);
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.backup_dir = absl::GetFlag(FLAGS_backup_dir);
  options.backup_keep = absl::GetFlag(FLAGS_backup_keep);
  options.min_free_disk_bytes = static_cast<uint64_t>(
      std::max<int64_t>(0, absl::GetFlag(FLAGS_min_free_disk_mb)) << 20);
  if (absl::Status level =
          mittari::service::SetLogLevel(absl::GetFlag(FLAGS_log_level));
      !level.ok()) {
    std::cerr << "mittarid: --log_level " << level.message() << "\n";
    return 2;
  }

  auto server =
      mittari::service::Server::Start(options, mittari::SystemClock());
  if (!server.ok()) {
    std::cerr << "mittarid: " << server.status().message() << "\n";
    return 1;
  }
  if (const auto& first = (*server)->first_start(); first.has_value()) {
    std::cout << "First start: created workspace '" << first->workspace.id()
              << "' (time zone " << first->workspace.time_zone()
              << ", currency " << first->workspace.currency_code() << ")\n";
    auto file = [&](const std::string& flag, const char* name) {
      return flag.empty()
                 ? (std::filesystem::path(options.data_dir) / name).string()
                 : flag;
    };
    bool ok =
        Hand("Admin key of workspace '" + first->workspace.id() + "'",
             first->admin_key.secret,
             file(absl::GetFlag(FLAGS_admin_key_file), "admin.key")) &&
        Hand("Operator key", first->operator_key.secret,
             file(absl::GetFlag(FLAGS_operator_key_file), "operator.key"));
    if (!ok) return 1;
  }
  if ((*server)->metrics_port() != 0) {
    std::string metrics_host =
        options.metrics_listen.substr(0, options.metrics_listen.rfind(':'));
    std::cout << "metrics on http://" << metrics_host << ":"
              << (*server)->metrics_port() << "/metrics" << std::endl;
  }
  std::string host = options.listen.substr(0, options.listen.rfind(':'));
  std::cout << "mittarid listening on " << host << ":" << (*server)->port()
            << (options.tls_cert_file.empty()        ? ""
                : options.tls_client_ca_file.empty() ? " (TLS)"
                                                     : " (mutual TLS)")
            << ", data in " << options.data_dir << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  std::cout << "mittarid: signal " << received << ", draining" << std::endl;
  absl::Status stopped =
      (*server)->Shutdown(absl::GetFlag(FLAGS_shutdown_grace));
  if (!stopped.ok()) {
    std::cerr << "mittarid: " << stopped.message() << "\n";
    return 1;
  }
  std::cout << "mittarid: stopped" << std::endl;
  return 0;
}
