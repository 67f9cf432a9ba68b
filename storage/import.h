// An import: the writes of one job too large for one WriteBatch (a file of
// millions of records), staged batch by batch and applied all at once when
// the job commits, or never. Until then nothing of it is visible to other
// readers; the job's own reads (through the import, a ReadView) see the
// store with everything staged so far applied, so a record staged in an
// early batch is found by a later one.
//
// What is staged is kept in memory up to a bound; past it a backend may
// spill to disk (RocksDbStore stages in a scratch RocksDB and commits by
// ingesting sorted files, atomically across column families). A commit of
// what never spilled is one ordinary Store::Write. Dropping an import
// without committing discards it.
//
// Staged ops are puts, deletes and counter adds. Range deletions, writes
// to cached column families (which a CachedStore must see go by) and puts
// or deletes in a counter column family are refused: an import stores
// facts, their indexes and their rollups. Counter adds are summed as they
// are staged, and the sums stay in memory while they take at most half the
// bound (a job's rollup keys are few beside its records).
#ifndef MITTARI_STORAGE_IMPORT_H_
#define MITTARI_STORAGE_IMPORT_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/column_families.h"
#include "storage/side_thread.h"
#include "storage/store.h"

namespace mittari::storage {

class Import : public ReadView {
 public:
  // Reads: the store with what is staged applied.
  absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily cf, absl::string_view key) const override;
  absl::Status Scan(ColumnFamily cf, absl::string_view begin,
                    absl::string_view end, ScanVisitor visit) const override;

  ~Import() override;

  // Adds the batch's writes to what the import will apply.
  absl::Status Stage(WriteBatch batch);
  // Whether the import has staged a put or a delete of `key` (a conflict
  // check; counter adds commute and do not count).
  absl::StatusOr<bool> StagesWrite(ColumnFamily cf,
                                   absl::string_view key) const;
  // Ends staging and readies the commit (a spilled import writes its table
  // files here, so that Commit has little left to do); reads go on working.
  absl::Status Seal();
  // Applies everything staged, atomically and durably, sealing first when
  // not sealed. Once.
  absl::Status Commit();

  // Whether the import moved what it staged to disk.
  bool spilled() const { return spilled_; }

  // A staged entry's value starts with one of these tags.
  enum Tag : char { kPut = 'P', kDelete = 'D', kCounters = 'C' };
  // Sums two tagged counter entries; anything else: the newer wins.
  static absl::StatusOr<std::string> Combine(absl::string_view older,
                                             absl::string_view newer);

 protected:
  // `memory_bytes`: how much is staged in memory before Spill is called.
  Import(Store& store, int64_t memory_bytes)
      : store_(store), memory_bytes_(memory_bytes) {}

  // Hashed, not ordered: the staged keys share long prefixes, and keeping
  // them ordered in memory (a red-black tree, a B-tree) cost two thirds of
  // an import's CPU in compares. Order comes from the spill (RocksDB's
  // memtable and files), which a scan through the import forces first.
  using Staged = absl::flat_hash_map<std::string, std::string>;
  using StagedTables = std::array<Staged, kColumnFamilies.size()>;

  // Backends that spill: Spill moves one column family's table (tagged
  // entries; then cleared) to disk, each time the memory bound is reached
  // and once more when sealed. Puts and deletes replace what was spilled
  // before, counters add to it. SpillGet and SpillScan read what was
  // spilled (tagged); SpillSeal readies one column family's spill,
  // SpillCommit applies them all to the store. Spill and SpillSeal run
  // for some column families on a second thread while they run for the
  // others (never two calls for one column family at once); the reads run
  // alone. The defaults keep everything in memory.
  virtual bool spills() const { return false; }
  virtual absl::Status Spill(ColumnFamily /*cf*/,
                             const Staged& /*table*/) const {
    return absl::OkStatus();
  }
  virtual absl::StatusOr<std::optional<std::string>> SpillGet(
      ColumnFamily /*cf*/, absl::string_view /*key*/) const {
    return std::nullopt;
  }
  virtual absl::Status SpillScan(ColumnFamily /*cf*/,
                                 absl::string_view /*begin*/,
                                 absl::string_view /*end*/,
                                 ScanVisitor /*visit*/) const {
    return absl::OkStatus();
  }
  virtual absl::Status SpillSeal(ColumnFamily /*cf*/) {
    return absl::OkStatus();
  }
  virtual absl::Status SpillCommit() { return absl::OkStatus(); }

 private:
  // The staged (tagged) entry of `key`, if any.
  absl::StatusOr<std::optional<std::string>> StagedEntry(
      ColumnFamily cf, absl::string_view key) const;

  // Stages the batch's ops that Stage hands to the side thread (`aside`),
  // or the others.
  absl::Status StageOps(const WriteBatch& batch, bool aside);
  // Waits until what Stage handed to the side thread is staged; its
  // error, if any.
  absl::Status AwaitAside() const;
  // Moves what is in memory to the spill: the puts and deletes, and the
  // counter sums too when `counters`.
  absl::Status SpillMemory(bool counters) const;
  // Runs `work` for every column family: on two threads, split by column
  // family, when the import spills (a job big enough to spill is bound by
  // this work), else one after the other. The first error, if any.
  absl::Status ByThread(
      absl::FunctionRef<absl::Status(ColumnFamily cf)> work) const;

  Store& store_;
  const int64_t memory_bytes_;
  // Mutable: a scan spills what is in memory first.
  mutable StagedTables tables_;
  // Bytes staged in memory, by column family.
  mutable std::array<int64_t, kColumnFamilies.size()> memory_{};
  mutable bool spilled_ = false;
  // The batch the side thread stages in part while the job goes on, and
  // how that went.
  WriteBatch staging_;
  mutable bool aside_pending_ = false;
  absl::Status aside_status_;
  // The side thread of ByThread and Stage, started when first needed.
  // After what its task touches, so that it stops before that goes away.
  mutable std::unique_ptr<SideThread> side_;
  bool sealed_ = false;
  bool committed_ = false;
};

// An import that stages in memory only, committed with one Store::Write
// (MemoryStore's, and a CachedStore's when its store has none better).
std::unique_ptr<Import> NewMemoryImport(Store& store);

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_IMPORT_H_
