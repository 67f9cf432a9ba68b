// The RocksDB backend of Store: where bytes reach disk.
//
// Durability: every Write is a synced WAL write (WriteOptions::sync), so an
// acknowledged write survives a process crash and a power loss. RocksDB
// commits writers in groups: concurrent Write calls queue behind a leader
// that appends all their batches to the WAL and issues one fsync for the
// whole group, so N concurrent writers share one fsync instead of paying N.
// The gRPC server runs handlers on a pool of threads, which is what gives
// RocksDB concurrent writers to group.
//
// Rollups: a write's counter adds go to the rollup log (rollup_log.h), one
// entry per write in the write's own synced batch, and are summed in
// memory; a checkpoint thread moves the sums into the rollup column family
// about once a second. Reads of the rollups see both.
//
// Schema: the meta column family holds the data format version. Opening data
// written by a newer version is refused (FAILED_PRECONDITION) rather than
// misread.
#ifndef MITTARI_STORAGE_ROCKSDB_STORE_H_
#define MITTARI_STORAGE_ROCKSDB_STORE_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/rollup_log.h"
#include "storage/store.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
struct Options;
class WriteBatch;
struct WriteOptions;
}  // namespace rocksdb

namespace mittari::storage {

// The on-disk format version this build writes and reads.
inline constexpr int kSchemaVersion = 1;

class RocksDbStore final : public Store {
 public:
  struct Options {
    // Total memory for RocksDB's block cache.
    size_t block_cache_bytes = size_t{256} << 20;
    // Where imports spill (a scratch directory per job); empty: the
    // database's path followed by ".imports". What is there when the store
    // opens was left by jobs that never committed, and is removed.
    std::string import_dir;
    // How much an import stages in memory before it spills.
    int64_t import_memory_bytes = int64_t{64} << 20;
    // Writes and imports are refused (UNAVAILABLE) while
    // the database's disk has less free space than this, so that RocksDB
    // never meets a full disk mid-write; they go on by themselves once
    // space is freed. 0 turns the check off.
    uint64_t min_free_bytes = 0;
    // The environment (file system) of the database; null for the
    // machine's. Tests give one that loses power or fills up.
    rocksdb::Env* env = nullptr;
    // How often the buffered counter sums are checkpointed into the rollup
    // column family (sooner when many keys are buffered); 0: only by
    // CheckpointRollups, compactions and Close.
    int64_t rollup_checkpoint_ms = 1000;
  };

  // Opens (creating when missing) the database in directory `path`.
  static absl::StatusOr<std::unique_ptr<RocksDbStore>> Open(
      const std::string& path, const Options& options);
  static absl::StatusOr<std::unique_ptr<RocksDbStore>> Open(
      const std::string& path) {
    return Open(path, Options());
  }

  // Flushes and closes the database.
  ~RocksDbStore() override;
  RocksDbStore(const RocksDbStore&) = delete;
  RocksDbStore& operator=(const RocksDbStore&) = delete;

  absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily cf, absl::string_view key) const override;
  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      ColumnFamily cf, absl::Span<const std::string> keys) const override;
  absl::Status Scan(ColumnFamily cf, absl::string_view begin,
                    absl::string_view end, ScanVisitor visit) const override;
  absl::Status Write(const WriteBatch& batch) override;
  std::unique_ptr<ReadView> NewSnapshot() const override;
  // Spills to a scratch RocksDB in its own directory under import_dir
  // (without a log: a crash loses only what was never committed), and
  // commits by writing each column family's staged keys, in order, into
  // table files that IngestExternalFiles adds to the database atomically,
  // across column families, and durably.
  absl::StatusOr<std::unique_ptr<Import>> NewImport() override;
  absl::Status CompactAll() override;
  absl::Status CompactRange(absl::string_view begin,
                            absl::string_view end) override;

  // Counts since open, with RocksDB's memtable, compaction, stall and
  // background-error gauges.
  StoreStats Stats() const override;

  // Closes the database cleanly (flushes memtables, syncs the WAL). Later
  // calls fail. Called by the destructor when not called before.
  absl::Status Close() override;

  // Adds sorted table files (made with the column family's options) to the
  // database, all or none, moving them. Used by NewImport's commits.
  absl::Status IngestFiles(
      const std::vector<std::pair<ColumnFamily, std::string>>& files);

  // Backups (RocksDB's BackupEngine), online: writes go on while one is
  // made, and it holds the database as of one moment.
  struct BackupInfo {
    uint32_t id = 0;
    int64_t time_us = 0;
    uint64_t size_bytes = 0;
    uint32_t files = 0;
  };
  // Flushes and backs up into `dir` (files shared between backups are
  // stored once), then keeps only the newest `keep`.
  absl::StatusOr<BackupInfo> CreateBackup(const std::string& dir, int keep);
  // The backups in `dir`, oldest first.
  static absl::StatusOr<std::vector<BackupInfo>> ListBackups(
      const std::string& dir);
  // Restores backup `id` of `dir` (0: the newest) into `db_path`, which
  // must not exist. Offline: no store may have `db_path` open.
  static absl::StatusOr<BackupInfo> RestoreBackup(const std::string& dir,
                                                  uint32_t id,
                                                  const std::string& db_path);

  // Writes the buffered counter sums into the rollup column family and
  // trims the rollup log (rollup_log.h). Reads see the same before and
  // after.
  absl::Status CheckpointRollups();
  // The log entries not yet checkpointed (for tests).
  absl::StatusOr<int64_t> RollupLogEntries() const;

  // Changes Options::min_free_bytes.
  void set_min_free_bytes(uint64_t bytes) {
    min_free_bytes_.store(bytes, std::memory_order_relaxed);
  }

  // The schema version stored in the database.
  int schema_version() const { return kSchemaVersion; }

 private:
  RocksDbStore() = default;
  absl::Status CheckSchema();
  // UNAVAILABLE while the disk has less than min_free_bytes free.
  absl::Status CheckSpace();
  // Writes the batch; with `log_adds`, its counter adds as one rollup log
  // entry summed by the buffer, else as merges.
  absl::Status WriteOps(const WriteBatch& batch, bool log_adds);
  // Writes the ops as one synced batch, in the order given, with
  // `log_put` (a key and a value of the rollup log) when not null; `bytes`
  // is the batch's size.
  absl::Status WriteInOrder(const std::vector<const WriteBatch::Op*>& order,
                            size_t bytes,
                            const std::pair<std::string, std::string>* log_put);
  // db_->Write, noting a failure (Close).
  absl::Status WriteToDb(const rocksdb::WriteOptions& options,
                         rocksdb::WriteBatch& batch, absl::string_view what);
  // CheckpointRollups with checkpoint_mu_ held.
  absl::Status CheckpointLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(checkpoint_mu_);
  // At open: reads the log from the marker on into the buffer.
  absl::Status ReplayRollupLog();
  void RunCheckpoints(int64_t interval_ms);
  void StopCheckpoints();
  rocksdb::ColumnFamilyHandle* Handle(ColumnFamily cf) const {
    return handles_[static_cast<size_t>(cf)];
  }

  friend class RocksDbImport;

  std::unique_ptr<rocksdb::DB> db_;
  // The options each column family was opened with (its table files'
  // format, its merge operator), for the table files imports write.
  std::vector<std::unique_ptr<rocksdb::Options>> cf_options_;
  std::string import_dir_;
  int64_t import_memory_bytes_ = 0;
  std::atomic<uint64_t> imports_{0};
  WriteStats stats_;
  std::string path_;
  std::atomic<uint64_t> min_free_bytes_{0};
  // The free space last seen, and when (statvfs, at most every 100 ms
  // while above the minimum, at every write below it).
  std::atomic<uint64_t> free_bytes_{0};
  std::atomic<int64_t> space_checked_ns_{0};
  // One per ColumnFamily, then the rollup log's.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* log_handle_ = nullptr;
  std::unique_ptr<RollupBuffer> buffer_;
  // One checkpoint at a time; held too by a write that deletes or replaces
  // rollup keys, which goes after every buffered sum is stored.
  absl::Mutex checkpoint_mu_;
  absl::Mutex checkpointer_mu_;
  bool checkpointer_stop_ ABSL_GUARDED_BY(checkpointer_mu_) = false;
  bool checkpoint_wanted_ ABSL_GUARDED_BY(checkpointer_mu_) = false;
  std::thread checkpointer_;
  std::atomic<bool> write_failed_{false};
  // Whether memtable inserts may use RocksDB's insert hint (see Open): off
  // while the WAL is replayed and while a batch with a range deletion is
  // written. Shared with the hint's prefix extractor in the options.
  std::shared_ptr<std::atomic<bool>> hints_on_ =
      std::make_shared<std::atomic<bool>>(false);
  // One backup at a time.
  absl::Mutex backup_mu_;
  // Held shared by every write, exclusively by one with a range deletion.
  absl::Mutex range_mu_;
};

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_ROCKSDB_STORE_H_
