// The storage interface the domain layer writes to and reads from. It knows
// column families and byte keys, nothing of the domain. Two backends:
// RocksDbStore (the product) and MemoryStore (a reference for the
// conformance suite); tests/storage/store_conformance_test.cc runs one suite
// against both.
#ifndef MITTARI_STORAGE_STORE_H_
#define MITTARI_STORAGE_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "storage/column_families.h"
#include "storage/counters.h"
#include "storage/write_stats.h"

namespace mittari::storage {

class Import;

// The writes of one logical operation, applied atomically by Store::Write.
class WriteBatch {
 public:
  enum class OpKind { kPut, kDelete, kDeleteRange, kAddCounters };
  struct Op {
    OpKind kind;
    ColumnFamily cf;
    std::string key;
    std::string value;  // the end key for kDeleteRange
  };

  void Put(ColumnFamily cf, std::string key, std::string value);
  void Delete(ColumnFamily cf, std::string key);
  // Deletes every key in [begin, end); an empty end means "to the end".
  void DeleteRange(ColumnFamily cf, std::string begin, std::string end);
  // Adds `delta` to the counters at `key` (a column family with counters);
  // `overflowed` when the delta itself saturated (storage/counters.h).
  void AddCounters(ColumnFamily cf, std::string key, const Counters& delta,
                   bool overflowed = false);

  // Adds the writes of `other` after this batch's own.
  void Append(const WriteBatch& other);

  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }

 private:
  std::vector<Op> ops_;
};

// Return false to stop a scan.
using ScanVisitor =
    absl::FunctionRef<bool(absl::string_view key, absl::string_view value)>;

// Reads. A snapshot is a ReadView frozen at one point in time, for reads
// that must agree with each other.
class ReadView {
 public:
  virtual ~ReadView() = default;

  virtual absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily cf, absl::string_view key) const = 0;
  // The values of `keys` in their order (nullopt where absent): many point
  // reads in one call, which a store may serve as one batch (RocksDbStore
  // does). By default, one Get after another.
  virtual absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      ColumnFamily cf, absl::Span<const std::string> keys) const;

  // Visits the keys in [begin, end) in byte order until `visit` returns
  // false. An empty `end` means no upper bound.
  virtual absl::Status Scan(ColumnFamily cf, absl::string_view begin,
                            absl::string_view end, ScanVisitor visit) const = 0;

  // Scan over every key starting with `prefix`.
  absl::Status ScanPrefix(ColumnFamily cf, absl::string_view prefix,
                          ScanVisitor visit) const;

 protected:
  // MultiGet as one Get after another.
  absl::StatusOr<std::vector<std::optional<std::string>>> GetEach(
      ColumnFamily cf, absl::Span<const std::string> keys) const;
};

class Store : public ReadView {
 public:
  // Applies the batch atomically. When it returns OK the batch is durable:
  // it survives a crash of the process or of the machine.
  virtual absl::Status Write(const WriteBatch& batch) = 0;

  virtual std::unique_ptr<ReadView> NewSnapshot() const = 0;

  // A new import job's staging (import.h): writes staged batch by batch,
  // applied all at once by its Commit, or never.
  virtual absl::StatusOr<std::unique_ptr<Import>> NewImport() = 0;

  // Rewrites all data so that deleted values no longer exist in any file
  // (used after erasing personal data).
  virtual absl::Status CompactAll() = 0;
  // The same for the keys in [begin, end) of every column family: every
  // memtable is flushed (so the log holds none of the old values either),
  // then only that range is rewritten. An erasure or a workspace deletion
  // compacts its workspace's keys, not the whole database.
  virtual absl::Status CompactRange(absl::string_view begin,
                                    absl::string_view end) = 0;
  // What was written since the store opened, and the engine's gauges.
  virtual StoreStats Stats() const { return {}; }
  // Ends the store's use: what is buffered reaches disk. Later calls may
  // fail (RocksDbStore's do).
  virtual absl::Status Close() = 0;
};

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_STORE_H_
