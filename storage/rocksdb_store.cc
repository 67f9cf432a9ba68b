#include "storage/rocksdb_store.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <filesystem>
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

class RocksDbSnapshot final : public ReadView {
 public:
  RocksDbSnapshot(rocksdb::DB* db,
                  const std::vector<rocksdb::ColumnFamilyHandle*>* handles)
      : db_(db), handles_(handles), snapshot_(db->GetSnapshot()) {}
  ~RocksDbSnapshot() override { db_->ReleaseSnapshot(snapshot_); }
  RocksDbSnapshot(const RocksDbSnapshot&) = delete;
  RocksDbSnapshot& operator=(const RocksDbSnapshot&) = delete;

  absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily cf, absl::string_view key) const override {
    return GetWith(db_, (*handles_)[static_cast<size_t>(cf)], snapshot_, key);
  }
  absl::Status Scan(ColumnFamily cf, absl::string_view begin,
                    absl::string_view end, ScanVisitor visit) const override {
    return ScanWith(db_, (*handles_)[static_cast<size_t>(cf)], snapshot_, begin,
                    end, visit);
  }

 private:
  rocksdb::DB* db_;
  const std::vector<rocksdb::ColumnFamilyHandle*>* handles_;
  const rocksdb::Snapshot* snapshot_;
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

  // Refuse to open data that has column families this build does not know:
  // it was written by a newer version.
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, path, &existing).ok()) {
    for (const std::string& name : existing) {
      bool known = false;
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
  store->hints_on_->store(true, std::memory_order_release);
  RETURN_IF_ERROR(store->CheckSchema());
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
  absl::Status status = FromRocks(db_->FlushWAL(/*sync=*/true), "sync WAL");
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    status.Update(FromRocks(db_->DestroyColumnFamilyHandle(handle),
                            "closing column family"));
  }
  handles_.clear();
  status.Update(FromRocks(db_->Close(), "close"));
  db_.reset();
  return status;
}

absl::StatusOr<std::optional<std::string>> RocksDbStore::Get(
    ColumnFamily cf, absl::string_view key) const {
  return GetWith(db_.get(), Handle(cf), nullptr, key);
}

absl::Status RocksDbStore::Scan(ColumnFamily cf, absl::string_view begin,
                                absl::string_view end,
                                ScanVisitor visit) const {
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
  std::vector<const WriteBatch::Op*> order;
  order.reserve(batch.ops().size());
  bool has_range = false;
  // RocksDB's batch is one string; sized once, it is never copied to grow.
  size_t bytes = kBatchHeaderBytes;
  for (const WriteBatch::Op& op : batch.ops()) {
    order.push_back(&op);
    has_range = has_range || op.kind == WriteBatch::OpKind::kDeleteRange;
    bytes += op.key.size() + op.value.size() + kOpOverheadBytes;
  }
  if (has_range) {
    // Applied in the order built, without the insert hint (InsertHintPrefix).
    absl::WriterMutexLock lock(&range_mu_);
    hints_on_->store(false, std::memory_order_release);
    absl::Status written = WriteInOrder(order, bytes);
    hints_on_->store(true, std::memory_order_release);
    return written;
  }
  // Key order for the insert hint; writes to one key keep their order.
  std::stable_sort(order.begin(), order.end(),
                   [](const WriteBatch::Op* a, const WriteBatch::Op* b) {
                     return std::tie(a->cf, a->key) < std::tie(b->cf, b->key);
                   });
  absl::ReaderMutexLock lock(&range_mu_);
  return WriteInOrder(order, bytes);
}

absl::Status RocksDbStore::WriteInOrder(
    const std::vector<const WriteBatch::Op*>& order, size_t bytes) {
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
  rocksdb::WriteOptions options;
  options.sync = true;
  RETURN_IF_ERROR(FromRocks(db_->Write(options, &rb), "write"));
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
  return std::make_unique<RocksDbSnapshot>(db_.get(), &handles_);
}

absl::Status RocksDbStore::CompactRange(absl::string_view begin,
                                        absl::string_view end) {
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
    RETURN_IF_ERROR(
        FromRocks(db_->CompactRange(options, handle, &b, &e), "compact"));
  }
  return absl::OkStatus();
}

absl::Status RocksDbStore::CompactAll() {
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
