#include "storage/rocksdb_store.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/memory/memory.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/backup_engine.h"
#include "rocksdb/utilities/options_util.h"
#include "storage/key_codec.h"
#include "storage/rocksdb_util.h"

namespace mittari::storage {
namespace {

// Meta tag 0 is the storage layer's own; the domain's tags start at 1.
std::string SchemaKey() {
  return KeyEncoder().U8(0).Str("schema_version").key();
}

constexpr size_t kCounterWriteBufferBytes = size_t{4} << 20;

// The rollup log's column family (rollup_log.h): the storage layer's own,
// not one of kColumnFamilies.
constexpr absl::string_view kRollupLogColumnFamily = "rollup_log";
constexpr size_t kRollupLogWriteBufferBytes = size_t{8} << 20;
// A checkpoint comes sooner when the active generation sums this many keys.
constexpr size_t kCheckpointKeys = 200'000;

// The size of a RocksDB write batch: a sequence number and a count, then per
// op its key and value and at most 16 bytes more (a tag, then the column
// family id and the two lengths as varints).
constexpr size_t kBatchHeaderBytes = 12;
constexpr size_t kOpOverheadBytes = 16;

// RocksDB's memtable insert hint, one per memtable: every key has the empty
// prefix. Write inserts a batch in key order, and with the hint each key's
// skiplist search starts from the key before it instead of from the top (the
// committer's CPU per response in unary ingest at 1024 in flight: 30.9 ->
// 27.6 us, medians of five alternating runs). RocksDB 7.8 also hands that
// hint to a range deletion, whose entries live in a skiplist of their own,
// where the hint points into the wrong list. So the hint is off (keys are
// out of its domain) while `on` is false: while the WAL is replayed, and
// while a batch with a range deletion is written, which no other write
// overlaps.
class InsertHintPrefix final : public rocksdb::SliceTransform {
 public:
  explicit InsertHintPrefix(std::shared_ptr<std::atomic<bool>> on)
      : on_(std::move(on)) {}
  const char* Name() const override { return "mittari.InsertHintPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return {key.data(), 0};
  }
  bool InDomain(const rocksdb::Slice& /*key*/) const override {
    return on_->load(std::memory_order_acquire);
  }

 private:
  std::shared_ptr<std::atomic<bool>> on_;
};

// The rollup log's checkpoint marker as of `snapshot` (null: now): the
// first log entry not in the rollups.
absl::StatusOr<uint64_t> ReadLogMarker(rocksdb::DB* db,
                                       rocksdb::ColumnFamilyHandle* log,
                                       const rocksdb::Snapshot* snapshot) {
  ASSIGN_OR_RETURN(std::optional<std::string> stored,
                   GetWith(db, log, snapshot, LogMarkerKey()));
  if (!stored.has_value()) return 0;
  return DecodeSeq(*stored);
}

// Visits the log entries from `marker` on, in order.
absl::Status ScanLogEntries(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log,
                            uint64_t marker, ScanVisitor visit) {
  return ScanWith(db, log, nullptr, LogEntryKey(marker),
                  LogEntryKey(std::numeric_limits<uint64_t>::max()), visit);
}

class RocksDbSnapshot final : public ReadView {
 public:
  // `buffer` and `log`: the rollup log, whose sums the rollup column
  // family's reads add (null: none).
  RocksDbSnapshot(rocksdb::DB* db,
                  const std::vector<rocksdb::ColumnFamilyHandle*>* handles,
                  rocksdb::ColumnFamilyHandle* log, const RollupBuffer* buffer)
      : db_(db), handles_(handles) {
    // The generations first: any not in this list was sealed after the
    // snapshot was taken, so none of its sums is in it.
    RollupBuffer::Gens gens;
    if (buffer != nullptr) gens = buffer->Live();
    snapshot_ = db->GetSnapshot();
    if (buffer == nullptr) return;
    absl::StatusOr<uint64_t> marker = ReadLogMarker(db, log, snapshot_);
    status_ = marker.status();
    overlay_.emplace(std::move(gens), marker.value_or(0));
  }
  ~RocksDbSnapshot() override { db_->ReleaseSnapshot(snapshot_); }
  RocksDbSnapshot(const RocksDbSnapshot&) = delete;
  RocksDbSnapshot& operator=(const RocksDbSnapshot&) = delete;

  absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily cf, absl::string_view key) const override {
    absl::StatusOr<std::optional<std::string>> stored =
        GetWith(db_, Handle(cf), snapshot_, key);
    if (cf != ColumnFamily::kRollups || !overlay_.has_value() || !stored.ok()) {
      return stored;
    }
    RETURN_IF_ERROR(status_);
    return overlay_->Get(key, *std::move(stored));
  }
  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      ColumnFamily cf, absl::Span<const std::string> keys) const override {
    ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> stored,
                     MultiGetWith(db_, Handle(cf), snapshot_, keys));
    if (cf != ColumnFamily::kRollups || !overlay_.has_value()) return stored;
    RETURN_IF_ERROR(status_);
    for (size_t i = 0; i < keys.size(); ++i) {
      ASSIGN_OR_RETURN(stored[i], overlay_->Get(keys[i], std::move(stored[i])));
    }
    return stored;
  }
  absl::Status Scan(ColumnFamily cf, absl::string_view begin,
                    absl::string_view end, ScanVisitor visit) const override {
    if (cf != ColumnFamily::kRollups || !overlay_.has_value()) {
      return ScanWith(db_, Handle(cf), snapshot_, begin, end, visit);
    }
    RETURN_IF_ERROR(status_);
    return overlay_->Scan(
        begin, end,
        [&](ScanVisitor stored) {
          return ScanWith(db_, Handle(cf), snapshot_, begin, end, stored);
        },
        visit);
  }

 private:
  rocksdb::ColumnFamilyHandle* Handle(ColumnFamily cf) const {
    return (*handles_)[static_cast<size_t>(cf)];
  }

  rocksdb::DB* db_;
  const std::vector<rocksdb::ColumnFamilyHandle*>* handles_;
  const rocksdb::Snapshot* snapshot_ = nullptr;
  std::optional<RollupOverlay> overlay_;
  absl::Status status_;
};

}  // namespace

absl::Status ScanWith(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle,
                      const rocksdb::Snapshot* snapshot,
                      absl::string_view begin, absl::string_view end,
                      ScanVisitor visit) {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  rocksdb::Slice upper = ToSlice(end);
  if (!end.empty()) options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(options, handle));
  for (it->Seek(ToSlice(begin)); it->Valid(); it->Next()) {
    if (!visit(ToView(it->key()), ToView(it->value()))) break;
  }
  return FromRocks(it->status(), "scan");
}

absl::StatusOr<std::optional<std::string>> GetWith(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle,
    const rocksdb::Snapshot* snapshot, absl::string_view key) {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  std::string value;
  rocksdb::Status s = db->Get(options, handle, ToSlice(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(FromRocks(s, "get"));
  return value;
}

absl::StatusOr<std::vector<std::optional<std::string>>> MultiGetWith(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle,
    const rocksdb::Snapshot* snapshot, absl::Span<const std::string> keys) {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  std::vector<rocksdb::Slice> slices;
  slices.reserve(keys.size());
  for (const std::string& key : keys) slices.push_back(ToSlice(key));
  std::vector<rocksdb::PinnableSlice> found(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db->MultiGet(options, handle, keys.size(), slices.data(), found.data(),
               statuses.data());
  std::vector<std::optional<std::string>> values(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    RETURN_IF_ERROR(FromRocks(statuses[i], "get"));
    values[i].emplace(found[i].data(), found[i].size());
  }
  return values;
}

absl::StatusOr<std::unique_ptr<RocksDbStore>> RocksDbStore::Open(
    const std::string& path, const Options& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  if (options.env != nullptr) db_options.env = options.env;
  db_options.IncreaseParallelism(2);
  db_options.max_background_jobs = 2;
  // Compactions yield the CPU to calls: a query or an acknowledged write
  // must not wait behind background work (on two cores, a compaction after
  // a bulk load otherwise doubles the queries' tail latency). Flushes keep
  // their priority, so memtables still drain and writes do not stall.
  db_options.env
      ->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::LOW,
                                   rocksdb::CpuPriority::kLow)
      .PermitUncheckedError();

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filter blocks stay resident with their table readers: every
  // submit looks its id up, and filters evicted from the block cache were
  // read back from disk on each lookup (the load slowed 5x past ~3 M).
  table.cache_index_and_filter_blocks = false;

  auto store = absl::WrapUnique(new RocksDbStore());
  auto hint = std::make_shared<InsertHintPrefix>(store->hints_on_);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const ColumnFamilySpec& spec : kColumnFamilies) {
    rocksdb::ColumnFamilyOptions cf_options(db_options);
    cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    cf_options.memtable_insert_with_hint_prefix_extractor = hint;
    if (spec.counters) {
      cf_options.merge_operator = NewCounterMergeOperator();
      // Rollup keys are hot: every response of a day adds to the same few.
      // Each add is a merge operand, and a query sums again every operand
      // still in the memtable (a flush sums them into one value per key).
      // A small memtable bounds that work, and so the query's latency, at
      // any size of the store. (max_successive_merges would bound it too,
      // but looks the key up in the memtable on every merge: a quarter of
      // the committer's time in the unary ingest benchmark.)
      cf_options.write_buffer_size = kCounterWriteBufferBytes;
    } else {
      // A bloom filter over the memtable's keys: a lookup of a key the
      // memtable lacks (every new id's idempotency check) skips the skiplist.
      cf_options.memtable_whole_key_filtering = true;
      cf_options.memtable_prefix_bloom_size_ratio = 0.02;
    }
    store->cf_options_.push_back(
        std::make_unique<rocksdb::Options>(db_options, cf_options));
    descriptors.emplace_back(std::string(spec.name), cf_options);
  }
  // Log entries, without the insert hint (their range deletions). A small
  // memtable: its flush drops the entries checkpoints deleted, and frees
  // the WAL files that held them sooner.
  rocksdb::ColumnFamilyOptions log_options(db_options);
  log_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  log_options.write_buffer_size = kRollupLogWriteBufferBytes;
  descriptors.emplace_back(std::string(kRollupLogColumnFamily), log_options);

  // Refuse to open data that has column families this build does not know:
  // it was written by a newer version.
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, path, &existing).ok()) {
    for (const std::string& name : existing) {
      bool known = name == kRollupLogColumnFamily;
      for (const ColumnFamilySpec& spec : kColumnFamilies) {
        known = known || spec.name == name;
      }
      if (!known) {
        return errors::FailedPrecondition(
            "SCHEMA_TOO_NEW",
            absl::StrCat("data directory ", path, " has column family '", name,
                         "' unknown to this version; upgrade Mittari"));
      }
    }
  }

  rocksdb::DB* db = nullptr;
  RETURN_IF_ERROR(FromRocks(
      rocksdb::DB::Open(db_options, path, descriptors, &store->handles_, &db),
      absl::StrCat("opening RocksDB at ", path)));
  store->db_.reset(db);
  store->log_handle_ = store->handles_.back();
  store->hints_on_->store(true, std::memory_order_release);
  RETURN_IF_ERROR(store->CheckSchema());
  RETURN_IF_ERROR(store->ReplayRollupLog());
  if (options.rollup_checkpoint_ms > 0) {
    store->checkpointer_ =
        std::thread([s = store.get(), ms = options.rollup_checkpoint_ms] {
          s->RunCheckpoints(ms);
        });
  }
  // Imports that never committed left only their scratch directories.
  store->import_dir_ = options.import_dir.empty()
                           ? absl::StrCat(path, ".imports")
                           : options.import_dir;
  store->import_memory_bytes_ = options.import_memory_bytes;
  store->path_ = path;
  store->min_free_bytes_.store(options.min_free_bytes);
  std::error_code ec;
  std::filesystem::remove_all(store->import_dir_, ec);
  if (ec) {
    return errors::Internal(
        absl::StrCat("removing ", store->import_dir_, ": ", ec.message()));
  }
  return store;
}

absl::Status RocksDbStore::CheckSchema() {
  ASSIGN_OR_RETURN(std::optional<std::string> stored,
                   Get(ColumnFamily::kMeta, SchemaKey()));
  if (!stored.has_value()) {
    WriteBatch batch;
    batch.Put(ColumnFamily::kMeta, SchemaKey(), absl::StrCat(kSchemaVersion));
    return Write(batch);
  }
  int version = 0;
  if (!absl::SimpleAtoi(*stored, &version)) {
    return errors::DataLoss("unreadable schema version record");
  }
  if (version > kSchemaVersion) {
    return errors::FailedPrecondition(
        "SCHEMA_TOO_NEW", absl::StrCat("data was written by schema version ",
                                       version, "; this build reads up to ",
                                       kSchemaVersion, ": upgrade Mittari"));
  }
  return absl::OkStatus();
}

RocksDbStore::~RocksDbStore() { Close().IgnoreError(); }

absl::Status RocksDbStore::Close() {
  if (db_ == nullptr)
    return errors::FailedPrecondition("CLOSED", "store closed");
  StopCheckpoints();
  absl::Status status = CheckpointRollups();
  // After a failed write the database is in error, and its log is not
  // synced again (RocksDB asserts against it).
  if (!write_failed_.load(std::memory_order_relaxed)) {
    status.Update(FromRocks(db_->FlushWAL(/*sync=*/true), "sync WAL"));
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    status.Update(FromRocks(db_->DestroyColumnFamilyHandle(handle),
                            "closing column family"));
  }
  handles_.clear();
  log_handle_ = nullptr;
  status.Update(FromRocks(db_->Close(), "close"));
  db_.reset();
  return status;
}

absl::StatusOr<std::optional<std::string>> RocksDbStore::Get(
    ColumnFamily cf, absl::string_view key) const {
  if (cf == ColumnFamily::kRollups && buffer_ != nullptr) {
    return RocksDbSnapshot(db_.get(), &handles_, log_handle_, buffer_.get())
        .Get(cf, key);
  }
  return GetWith(db_.get(), Handle(cf), nullptr, key);
}

absl::StatusOr<std::vector<std::optional<std::string>>> RocksDbStore::MultiGet(
    ColumnFamily cf, absl::Span<const std::string> keys) const {
  if (cf == ColumnFamily::kRollups && buffer_ != nullptr) {
    return RocksDbSnapshot(db_.get(), &handles_, log_handle_, buffer_.get())
        .MultiGet(cf, keys);
  }
  return MultiGetWith(db_.get(), Handle(cf), nullptr, keys);
}

absl::Status RocksDbStore::Scan(ColumnFamily cf, absl::string_view begin,
                                absl::string_view end,
                                ScanVisitor visit) const {
  if (cf == ColumnFamily::kRollups && buffer_ != nullptr) {
    return RocksDbSnapshot(db_.get(), &handles_, log_handle_, buffer_.get())
        .Scan(cf, begin, end, visit);
  }
  return ScanWith(db_.get(), Handle(cf), nullptr, begin, end, visit);
}

absl::Status RocksDbStore::CheckSpace() {
  const uint64_t min = min_free_bytes_.load(std::memory_order_relaxed);
  if (min == 0) return absl::OkStatus();
  const int64_t now = absl::GetCurrentTimeNanos();
  const bool low = free_bytes_.load(std::memory_order_relaxed) < min;
  if (low ||
      now - space_checked_ns_.load(std::memory_order_relaxed) > 100'000'000) {
    struct statvfs fs {};
    if (statvfs(path_.c_str(), &fs) == 0) {
      free_bytes_.store(static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize,
                        std::memory_order_relaxed);
    }
    space_checked_ns_.store(now, std::memory_order_relaxed);
  }
  if (free_bytes_.load(std::memory_order_relaxed) >= min) {
    return absl::OkStatus();
  }
  return errors::Unavailable(
      "the server's disk is nearly full: writes are refused until space is "
      "freed; reads go on");
}

absl::Status RocksDbStore::Write(const WriteBatch& batch) {
  RETURN_IF_ERROR(CheckSpace());
  bool adds = false;
  bool replaces = false;
  for (const WriteBatch::Op& op : batch.ops()) {
    if (op.cf != ColumnFamily::kRollups) continue;
    (op.kind == WriteBatch::OpKind::kAddCounters ? adds : replaces) = true;
  }
  if (replaces) {
    // A delete of a rollup key goes after every sum buffered before it.
    absl::MutexLock lock(&checkpoint_mu_);
    RETURN_IF_ERROR(CheckpointLocked());
    return WriteOps(batch, /*log_adds=*/false);
  }
  return WriteOps(batch, /*log_adds=*/adds && buffer_ != nullptr);
}

absl::Status RocksDbStore::WriteOps(const WriteBatch& batch, bool log_adds) {
  std::vector<const WriteBatch::Op*> order;
  order.reserve(batch.ops().size());
  std::vector<CounterAdd> adds;
  bool has_range = false;
  // RocksDB's batch is one string; sized once, it is never copied to grow.
  size_t bytes = kBatchHeaderBytes;
  for (const WriteBatch::Op& op : batch.ops()) {
    if (log_adds && op.cf == ColumnFamily::kRollups) {
      adds.emplace_back(op.key, op.value);
      continue;
    }
    order.push_back(&op);
    has_range = has_range || op.kind == WriteBatch::OpKind::kDeleteRange;
    bytes += op.key.size() + op.value.size() + kOpOverheadBytes;
  }
  std::optional<RollupBuffer::Ticket> ticket;
  std::pair<std::string, std::string> log_put;
  if (!adds.empty()) {
    ticket = buffer_->Begin();
    log_put = {LogEntryKey(ticket->seq), EncodeLogEntry(adds)};
    bytes += log_put.first.size() + log_put.second.size() + kOpOverheadBytes;
  }
  const auto* log = adds.empty() ? nullptr : &log_put;
  absl::Status written;
  if (has_range) {
    // Applied in the order built, without the insert hint (InsertHintPrefix).
    absl::WriterMutexLock lock(&range_mu_);
    hints_on_->store(false, std::memory_order_release);
    written = WriteInOrder(order, bytes, log);
    hints_on_->store(true, std::memory_order_release);
  } else {
    // Key order for the insert hint; writes to one key keep their order.
    std::stable_sort(order.begin(), order.end(),
                     [](const WriteBatch::Op* a, const WriteBatch::Op* b) {
                       return std::tie(a->cf, a->key) < std::tie(b->cf, b->key);
                     });
    absl::ReaderMutexLock lock(&range_mu_);
    written = WriteInOrder(order, bytes, log);
  }
  if (!ticket.has_value()) return written;
  if (!written.ok()) {
    buffer_->Abort(*ticket);
    return written;
  }
  buffer_->Commit(*ticket, adds);
  for (size_t i = 0; i < adds.size(); ++i) stats_.CountCounterAdd();
  if (ticket->seq % 1024 == 0 && buffer_->active_keys() >= kCheckpointKeys) {
    absl::MutexLock lock(&checkpointer_mu_);
    checkpoint_wanted_ = true;
  }
  return absl::OkStatus();
}

absl::Status RocksDbStore::WriteToDb(const rocksdb::WriteOptions& options,
                                     rocksdb::WriteBatch& batch,
                                     absl::string_view what) {
  rocksdb::Status s = db_->Write(options, &batch);
  if (!s.ok()) write_failed_.store(true, std::memory_order_relaxed);
  return FromRocks(s, what);
}

absl::Status RocksDbStore::WriteInOrder(
    const std::vector<const WriteBatch::Op*>& order, size_t bytes,
    const std::pair<std::string, std::string>* log_put) {
  rocksdb::WriteBatch rb(bytes);
  for (const WriteBatch::Op* next : order) {
    const WriteBatch::Op& op = *next;
    rocksdb::ColumnFamilyHandle* handle = Handle(op.cf);
    rocksdb::Status s;
    switch (op.kind) {
      case WriteBatch::OpKind::kPut:
        s = rb.Put(handle, op.key, op.value);
        break;
      case WriteBatch::OpKind::kDelete:
        s = rb.Delete(handle, op.key);
        break;
      case WriteBatch::OpKind::kDeleteRange:
        if (op.value.empty()) {
          return errors::Internal("DeleteRange needs an end key");
        }
        s = rb.DeleteRange(handle, op.key, op.value);
        break;
      case WriteBatch::OpKind::kAddCounters:
        if (!Spec(op.cf).counters) {
          return errors::Internal(absl::StrCat(
              "column family ", Spec(op.cf).name, " holds no counters"));
        }
        s = rb.Merge(handle, op.key, op.value);
        break;
    }
    RETURN_IF_ERROR(FromRocks(s, "batch"));
  }
  if (log_put != nullptr) {
    RETURN_IF_ERROR(FromRocks(
        rb.Put(log_handle_, log_put->first, log_put->second), "batch"));
  }
  rocksdb::WriteOptions options;
  options.sync = true;
  RETURN_IF_ERROR(WriteToDb(options, rb, "write"));
  for (const WriteBatch::Op* op : order) {
    if (op->kind == WriteBatch::OpKind::kPut) stats_.CountPut(op->cf, op->key);
    if (op->kind == WriteBatch::OpKind::kAddCounters) stats_.CountCounterAdd();
  }
  stats_.CountBatch();
  return absl::OkStatus();
}

StoreStats RocksDbStore::Stats() const {
  StoreStats stats = stats_.Snapshot();
  if (db_ == nullptr) return stats;
  // Summed over the column families.
  for (const char* name :
       {"rocksdb.cur-size-all-mem-tables",
        "rocksdb.estimate-pending-compaction-bytes",
        "rocksdb.total-sst-files-size", "rocksdb.estimate-num-keys"}) {
    uint64_t value = 0;
    if (db_->GetAggregatedIntProperty(name, &value)) {
      stats.engine.emplace_back(name, value);
    }
  }
  // The database's own.
  for (const char* name :
       {"rocksdb.background-errors", "rocksdb.is-write-stopped",
        "rocksdb.actual-delayed-write-rate", "rocksdb.num-running-compactions",
        "rocksdb.num-running-flushes"}) {
    uint64_t value = 0;
    if (db_->GetIntProperty(name, &value)) {
      stats.engine.emplace_back(name, value);
    }
  }
  return stats;
}

namespace {

RocksDbStore::BackupInfo ToBackupInfo(const rocksdb::BackupInfo& info) {
  RocksDbStore::BackupInfo out;
  out.id = info.backup_id;
  out.time_us = info.timestamp * 1'000'000;
  out.size_bytes = info.size;
  out.files = info.number_files;
  return out;
}

}  // namespace

absl::StatusOr<RocksDbStore::BackupInfo> RocksDbStore::CreateBackup(
    const std::string& dir, int keep) {
  if (db_ == nullptr) {
    return errors::FailedPrecondition("CLOSED", "store closed");
  }
  absl::MutexLock lock(&backup_mu_);
  // The backup flushes one column family after another: no checkpoint may
  // move sums from the log to the rollups between the two, or a restore
  // would count them twice. What is buffered goes to the rollups first.
  absl::MutexLock checkpoint(&checkpoint_mu_);
  RETURN_IF_ERROR(CheckpointLocked());
  rocksdb::BackupEngine* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::BackupEngine::Open(rocksdb::BackupEngineOptions(dir),
                                            rocksdb::Env::Default(), &raw),
                "opening the backup directory"));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  rocksdb::CreateBackupOptions options;
  // The memtables go into table files first, so the backup needs no log
  // replay, and it holds every acknowledged write.
  options.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  RETURN_IF_ERROR(FromRocks(engine->CreateNewBackup(options, db_.get(), &id),
                            "backing up"));
  RETURN_IF_ERROR(FromRocks(
      engine->PurgeOldBackups(static_cast<uint32_t>(std::max(keep, 1))),
      "removing old backups"));
  rocksdb::BackupInfo info;
  RETURN_IF_ERROR(FromRocks(engine->GetBackupInfo(id, &info), "backing up"));
  return ToBackupInfo(info);
}

absl::StatusOr<std::vector<RocksDbStore::BackupInfo>> RocksDbStore::ListBackups(
    const std::string& dir) {
  std::vector<BackupInfo> out;
  if (!std::filesystem::exists(dir)) return out;
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(
      rocksdb::BackupEngineReadOnly::Open(rocksdb::BackupEngineOptions(dir),
                                          rocksdb::Env::Default(), &raw),
      "opening the backup directory"));
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  for (const rocksdb::BackupInfo& info : infos)
    out.push_back(ToBackupInfo(info));
  return out;
}

absl::StatusOr<RocksDbStore::BackupInfo> RocksDbStore::RestoreBackup(
    const std::string& dir, uint32_t id, const std::string& db_path) {
  if (std::filesystem::exists(db_path)) {
    return errors::FailedPrecondition("EXISTS",
                                      "a restore needs a new directory");
  }
  ASSIGN_OR_RETURN(std::vector<BackupInfo> backups, ListBackups(dir));
  if (backups.empty()) {
    return errors::FailedPrecondition("NO_BACKUP",
                                      absl::StrCat("no backup in ", dir));
  }
  const auto chosen =
      id == 0 ? backups.end() - 1
              : std::find_if(backups.begin(), backups.end(),
                             [&](const BackupInfo& b) { return b.id == id; });
  if (chosen == backups.end()) {
    return errors::FailedPrecondition(
        "NO_BACKUP", absl::StrCat("no backup ", id, " in ", dir));
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(
      rocksdb::BackupEngineReadOnly::Open(rocksdb::BackupEngineOptions(dir),
                                          rocksdb::Env::Default(), &raw),
      "opening the backup directory"));
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  RETURN_IF_ERROR(FromRocks(
      engine->RestoreDBFromBackup(chosen->id, db_path, db_path), "restoring"));
  return *chosen;
}

absl::Status RocksDbStore::IngestFiles(
    const std::vector<std::pair<ColumnFamily, std::string>>& files) {
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (const auto& [cf, file] : files) {
    rocksdb::ColumnFamilyHandle* handle = Handle(cf);
    auto it = std::find_if(args.begin(), args.end(), [&](const auto& arg) {
      return arg.column_family == handle;
    });
    if (it == args.end()) {
      rocksdb::IngestExternalFileArg arg;
      arg.column_family = handle;
      arg.options.move_files = true;
      arg.options.write_global_seqno = false;
      arg.options.allow_blocking_flush = true;
      args.push_back(std::move(arg));
      it = args.end() - 1;
    }
    it->external_files.push_back(file);
  }
  if (args.empty()) return absl::OkStatus();
  absl::ReaderMutexLock lock(&range_mu_);
  return FromRocks(db_->IngestExternalFiles(args), "ingesting an import");
}

std::unique_ptr<ReadView> RocksDbStore::NewSnapshot() const {
  return std::make_unique<RocksDbSnapshot>(db_.get(), &handles_, log_handle_,
                                           buffer_.get());
}

absl::Status RocksDbStore::CheckpointRollups() {
  absl::MutexLock lock(&checkpoint_mu_);
  return CheckpointLocked();
}

absl::Status RocksDbStore::CheckpointLocked() {
  if (buffer_ == nullptr || db_ == nullptr) return absl::OkStatus();
  RollupBuffer::Gens sealed = buffer_->Seal();
  if (sealed.empty()) return absl::OkStatus();
  CounterSums sums;
  for (const auto& gen : sealed) gen->Collect("", "", sums);
  const uint64_t end = sealed.back()->end_seq();
  if (!sums.empty()) {
    // The sums and the marker, atomically: after a crash, replay starts
    // where the sums stored end.
    rocksdb::WriteBatch rb;
    rocksdb::ColumnFamilyHandle* rollups = Handle(ColumnFamily::kRollups);
    for (const auto& [key, value] : sums) {
      RETURN_IF_ERROR(FromRocks(rb.Merge(rollups, key, value), "checkpoint"));
    }
    RETURN_IF_ERROR(FromRocks(
        rb.Put(log_handle_, LogMarkerKey(), EncodeSeq(end)), "checkpoint"));
    rocksdb::WriteOptions options;
    options.sync = true;
    absl::ReaderMutexLock lock(&range_mu_);
    RETURN_IF_ERROR(WriteToDb(options, rb, "checkpoint"));
  }
  buffer_->Drop(sealed.size());
  // The entries before the marker are no longer read; losing this delete
  // in a crash loses nothing.
  rocksdb::WriteBatch trim;
  RETURN_IF_ERROR(
      FromRocks(trim.DeleteRange(log_handle_, LogEntryKey(0), LogEntryKey(end)),
                "trimming the rollup log"));
  return WriteToDb(rocksdb::WriteOptions(), trim, "trimming the rollup log");
}

absl::Status RocksDbStore::ReplayRollupLog() {
  ASSIGN_OR_RETURN(uint64_t marker,
                   ReadLogMarker(db_.get(), log_handle_, nullptr));
  auto buffer = std::make_unique<RollupBuffer>(marker);
  absl::Status replayed;
  RETURN_IF_ERROR(ScanLogEntries(
      db_.get(), log_handle_, marker,
      [&](absl::string_view key, absl::string_view value) {
        absl::StatusOr<uint64_t> seq = DecodeLogEntryKey(key);
        replayed = seq.ok() ? buffer->Replay(*seq, value) : seq.status();
        return replayed.ok();
      }));
  RETURN_IF_ERROR(replayed);
  buffer_ = std::move(buffer);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> RocksDbStore::RollupLogEntries() const {
  int64_t n = 0;
  ASSIGN_OR_RETURN(uint64_t marker,
                   ReadLogMarker(db_.get(), log_handle_, nullptr));
  RETURN_IF_ERROR(ScanLogEntries(db_.get(), log_handle_, marker,
                                 [&](absl::string_view, absl::string_view) {
                                   ++n;
                                   return true;
                                 }));
  return n;
}

void RocksDbStore::RunCheckpoints(int64_t interval_ms) {
  absl::MutexLock lock(&checkpointer_mu_);
  auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(checkpointer_mu_) {
    return checkpointer_stop_ || checkpoint_wanted_;
  };
  while (!checkpointer_stop_) {
    checkpointer_mu_.AwaitWithTimeout(absl::Condition(&woken),
                                      absl::Milliseconds(interval_ms));
    if (checkpointer_stop_) break;
    checkpoint_wanted_ = false;
    checkpointer_mu_.Unlock();
    // A failed checkpoint leaves the sums buffered and the log whole; the
    // next one retries.
    CheckpointRollups().IgnoreError();
    checkpointer_mu_.Lock();
  }
}

void RocksDbStore::StopCheckpoints() {
  {
    absl::MutexLock lock(&checkpointer_mu_);
    checkpointer_stop_ = true;
  }
  if (checkpointer_.joinable()) checkpointer_.join();
}

absl::Status RocksDbStore::CompactRange(absl::string_view begin,
                                        absl::string_view end) {
  // No log entry (which names rollup keys) outlives the compaction.
  RETURN_IF_ERROR(CheckpointRollups());
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    RETURN_IF_ERROR(
        FromRocks(db_->Flush(rocksdb::FlushOptions(), handle), "flush"));
  }
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  const rocksdb::Slice b(begin.data(), begin.size());
  const rocksdb::Slice e(end.data(), end.size());
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    const bool log = handle == log_handle_;
    RETURN_IF_ERROR(
        FromRocks(db_->CompactRange(options, handle, log ? nullptr : &b,
                                    log ? nullptr : &e),
                  "compact"));
  }
  return absl::OkStatus();
}

absl::Status RocksDbStore::CompactAll() {
  RETURN_IF_ERROR(CheckpointRollups());
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    RETURN_IF_ERROR(
        FromRocks(db_->Flush(rocksdb::FlushOptions(), handle), "flush"));
    RETURN_IF_ERROR(FromRocks(
        db_->CompactRange(options, handle, nullptr, nullptr), "compact"));
  }
  return absl::OkStatus();
}

}  // namespace mittari::storage
