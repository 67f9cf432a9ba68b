// RocksDbStore's imports: staged in memory, then in a scratch RocksDB of
// their own (no log, no sync: nothing there needs to survive a crash),
// committed as sorted table files ingested into the store.
#include <algorithm>
#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/options.h"
#include "rocksdb/sst_file_writer.h"
#include "rocksdb/table.h"
#include "storage/counters.h"
#include "storage/import.h"
#include "storage/rocksdb_store.h"
#include "storage/rocksdb_util.h"

namespace mittari::storage {
namespace {

// Table files of an import roll over at this size, so that none is larger
// than a compaction's usual output.
constexpr uint64_t kMaxTableFileBytes = uint64_t{256} << 20;

// The scratch database's merge: staged counters add up (Import::Combine).
class TaggedMerge final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& /*key*/, const rocksdb::Slice* existing,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* /*logger*/) const override {
    if (existing == nullptr) {
      new_value->assign(value.data(), value.size());
      return true;
    }
    absl::StatusOr<std::string> sum =
        Import::Combine(ToView(*existing), ToView(value));
    if (!sum.ok()) return false;
    *new_value = *std::move(sum);
    return true;
  }
  const char* Name() const override { return "mittari.TaggedMerge"; }
};

}  // namespace

class RocksDbImport final : public Import {
 public:
  RocksDbImport(RocksDbStore& store, std::string dir)
      : Import(store, store.import_memory_bytes_),
        rocks_(store),
        dir_(std::move(dir)) {}

  ~RocksDbImport() override {
    Close();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  RocksDbImport(const RocksDbImport&) = delete;
  RocksDbImport& operator=(const RocksDbImport&) = delete;

 protected:
  bool spills() const override { return true; }

  absl::Status Spill(ColumnFamily cf, const Staged& table) const override {
    RETURN_IF_ERROR(OpenScratch());
    rocksdb::ColumnFamilyHandle* handle = handles_[static_cast<size_t>(cf)];
    // In key order: each memtable insert then starts from where the one
    // before it ended, instead of searching the skip list from the top
    // (a third of an import's CPU went to unordered inserts).
    std::vector<const Staged::value_type*> sorted;
    sorted.reserve(table.size());
    for (const auto& entry : table) sorted.push_back(&entry);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto* a, const auto* b) { return a->first < b->first; });
    rocksdb::WriteBatch batch;
    for (const auto* entry : sorted) {
      const std::string& key = entry->first;
      const std::string& tagged = entry->second;
      rocksdb::Status s = tagged[0] == kCounters
                              ? batch.Merge(handle, key, tagged)
                              : batch.Put(handle, key, tagged);
      RETURN_IF_ERROR(FromRocks(s, "staging an import"));
    }
    rocksdb::WriteOptions options;
    options.disableWAL = true;
    return FromRocks(db_->Write(options, &batch), "staging an import");
  }

  absl::StatusOr<std::optional<std::string>> SpillGet(
      ColumnFamily cf, absl::string_view key) const override {
    return GetWith(db_.get(), handles_[static_cast<size_t>(cf)], nullptr, key);
  }

  absl::Status SpillScan(ColumnFamily cf, absl::string_view begin,
                         absl::string_view end,
                         ScanVisitor visit) const override {
    return ScanWith(db_.get(), handles_[static_cast<size_t>(cf)], nullptr,
                    begin, end, visit);
  }

  absl::Status SpillSeal(ColumnFamily cf) override {
    return WriteTables(cf, files_[static_cast<size_t>(cf)]);
  }

  absl::Status SpillCommit() override {
    RETURN_IF_ERROR(rocks_.CheckSpace());
    Close();
    std::vector<std::pair<ColumnFamily, std::string>> files;
    for (const auto& of_cf : files_) {
      files.insert(files.end(), of_cf.begin(), of_cf.end());
    }
    RETURN_IF_ERROR(rocks_.IngestFiles(files));
    rocks_.stats_.Add(written_);
    rocks_.stats_.CountBatch();
    return absl::OkStatus();
  }

 private:
  // Opens the scratch database unless open (Spill runs on two threads).
  absl::Status OpenScratch() const {
    absl::MutexLock lock(&open_mu_);
    if (db_ != nullptr) return absl::OkStatus();
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) {
      return errors::Internal(
          absl::StrCat("creating ", dir_, ": ", ec.message()));
    }
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    options.max_background_jobs = 2;
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const ColumnFamilySpec& spec : kColumnFamilies) {
      rocksdb::ColumnFamilyOptions cf(options);
      cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
      cf.merge_operator = std::make_shared<TaggedMerge>();
      cf.write_buffer_size = size_t{32} << 20;
      cf.memtable_whole_key_filtering = true;
      cf.memtable_prefix_bloom_size_ratio = 0.02;
      descriptors.emplace_back(std::string(spec.name), cf);
    }
    rocksdb::DB* db = nullptr;
    RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(options, dir_ + "/scratch",
                                                descriptors, &handles_, &db),
                              "opening an import's scratch database"));
    db_.reset(db);
    return absl::OkStatus();
  }

  void Close() {
    if (db_ == nullptr) return;
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    handles_.clear();
    db_->Close().PermitUncheckedError();
    db_.reset();
  }

  // The staged keys of `cf`, in order, as table files of at most
  // kMaxTableFileBytes each.
  absl::Status WriteTables(
      ColumnFamily cf, std::vector<std::pair<ColumnFamily, std::string>>& out) {
    const rocksdb::Options& options =
        *rocks_.cf_options_[static_cast<size_t>(cf)];
    std::unique_ptr<rocksdb::SstFileWriter> writer;
    auto finish = [&]() -> absl::Status {
      if (writer == nullptr) return absl::OkStatus();
      RETURN_IF_ERROR(FromRocks(writer->Finish(), "writing an import"));
      writer.reset();
      return absl::OkStatus();
    };
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(
        rocksdb::ReadOptions(), handles_[static_cast<size_t>(cf)]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const absl::string_view tagged = ToView(it->value());
      const rocksdb::Slice payload(tagged.data() + 1, tagged.size() - 1);
      if (tagged[0] == kCounters) {
        ASSIGN_OR_RETURN(CounterVector delta, DecodeCounters(ToView(payload)));
        bool zero = !delta.overflowed;
        for (int64_t x : delta.values) zero = zero && x == 0;
        if (zero) continue;
      }
      if (writer != nullptr && writer->FileSize() >= kMaxTableFileBytes) {
        RETURN_IF_ERROR(finish());
      }
      if (writer == nullptr) {
        writer = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(),
                                                          options);
        std::string file =
            absl::StrCat(dir_, "/", Spec(cf).name, "-", out.size(), ".sst");
        RETURN_IF_ERROR(FromRocks(writer->Open(file), "writing an import"));
        out.emplace_back(cf, std::move(file));
      }
      rocksdb::Status s;
      switch (tagged[0]) {
        case kPut:
          s = writer->Put(it->key(), payload);
          written_.CountPut(cf, ToView(it->key()));
          break;
        case kDelete:
          s = writer->Delete(it->key());
          break;
        default:
          s = writer->Merge(it->key(), payload);
          written_.CountCounterAdd();
      }
      RETURN_IF_ERROR(FromRocks(s, "writing an import"));
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "reading an import"));
    return finish();
  }

  RocksDbStore& rocks_;
  const std::string dir_;
  // Opened on the first spill, which a (const) read may cause.
  mutable absl::Mutex open_mu_;
  mutable std::unique_ptr<rocksdb::DB> db_;
  mutable std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  // What the table files hold, counted into the store's stats on commit.
  WriteStats written_;
  // The table files SpillSeal wrote, by column family.
  std::array<std::vector<std::pair<ColumnFamily, std::string>>,
             kColumnFamilies.size()>
      files_;
};

absl::StatusOr<std::unique_ptr<Import>> RocksDbStore::NewImport() {
  if (db_ == nullptr) {
    return errors::FailedPrecondition("CLOSED", "store closed");
  }
  RETURN_IF_ERROR(CheckSpace());
  const uint64_t n = imports_.fetch_add(1, std::memory_order_relaxed);
  return std::make_unique<RocksDbImport>(*this,
                                         absl::StrCat(import_dir_, "/", n));
}

}  // namespace mittari::storage
