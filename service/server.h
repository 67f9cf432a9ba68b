// The Mittari server: opens the store, builds the domain objects and the
// gRPC services over them, and serves health and reflection beside them.
// mittarid (service/mittarid.cc) and the test fixture both run this.
#ifndef MITTARI_SERVICE_SERVER_H_
#define MITTARI_SERVICE_SERVER_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "domain/workspaces.h"
#include "service/limits.h"
#include "service/stream_watchdog.h"
#include "storage/rocksdb_store.h"

namespace mittari::service {

struct ServerOptions {
  // host:port; port 0 picks a free port (see Server::port()).
  std::string listen = "127.0.0.1:50051";
  // Directory of the server's data; created when missing.
  std::string data_dir;
  // PEM files; both or neither. With them the server speaks TLS only.
  std::string tls_cert_file;
  std::string tls_key_file;
  // PEM bundle of the CAs that sign client certificates. With it every
  // client must present one (mutual TLS); needs the two files above.
  std::string tls_client_ca_file;
  // How often the three files are checked for renewal.
  absl::Duration tls_reload_interval = absl::Minutes(1);
  // Allows listening beyond loopback without TLS.
  bool insecure = false;
  // Threads that run handlers (and so concurrent synced writers).
  int max_threads = 256;
  // Largest request accepted; larger ones are refused.
  int max_receive_message_bytes = 4 << 20;
  // Calls and rows per key, workspace and peer (service/limits.h).
  RateLimits limits;
  // Idle timeout and deadline of client streams (stream_watchdog.h).
  StreamLimits streams;
  // Distinct values per dimension per workspace (domain/dimension_caps.h).
  domain::DimensionCapLimits dimension_caps;
  // Concurrent streams (calls) on one connection.
  int max_concurrent_streams = 256;
  // A connection is closed (gracefully, GOAWAY) after this long, so that
  // clients spread over servers and none holds one forever; its calls get
  // max_connection_grace to finish.
  absl::Duration max_connection_age = absl::Hours(1);
  absl::Duration max_connection_grace = absl::Minutes(1);
  // Pings an idle connection this often, and drops it when a ping goes
  // unanswered for keepalive_timeout.
  absl::Duration keepalive_time = absl::Minutes(2);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // host:port of the Prometheus metrics (http://LISTEN/metrics); empty for
  // none; port 0 picks a free port (see Server::metrics_port()).
  std::string metrics_listen;
  // Where CreateBackup writes (default DATA_DIR/backups), and how many
  // backups it keeps.
  std::string backup_dir;
  int backup_keep = 7;
  // Writes are refused (UNAVAILABLE) while the data disk has less free
  // space than this; 0 turns the check off.
  uint64_t min_free_disk_bytes = 0;
  // How often every workspace's alert rules are judged again without a
  // write (time alone moves periods and event paces).
  absl::Duration alert_sweep_interval = absl::Minutes(1);
};

// The directory backups go to under `options`.
std::string BackupDir(const ServerOptions& options);

struct RestoreReport {
  storage::RocksDbStore::BackupInfo backup;
  // Erasures made after the backup, applied again at the next start.
  int erasures_to_reapply = 0;
};

// Offline (no server may run on `data_dir`): replaces the data directory's
// database with backup `backup_id` of `backup_dir` (0: the newest). The
// erasures the replaced database logged after the backup are carried over,
// to be applied again when the server starts; the restore is audited.
absl::StatusOr<RestoreReport> Restore(const std::string& data_dir,
                                      const std::string& backup_dir,
                                      uint32_t backup_id);

class Server {
 public:
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerOptions& options, const Clock& clock);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port actually bound.
  int port() const;
  // The metrics port actually bound; 0 when metrics are not served.
  int metrics_port() const;
  // The keys made when this start was the data directory's first.
  const std::optional<domain::FirstStart>& first_start() const;

  // Graceful stop: health turns NOT_SERVING, no new calls are accepted,
  // in-flight calls get until `drain` to finish (then are cancelled), and
  // the store is closed cleanly. Idempotent.
  absl::Status Shutdown(absl::Duration drain);

 private:
  struct Parts;
  explicit Server(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_SERVER_H_
