// The rollup log: counter adds kept in memory and made durable through a
// log, so that a write stores its records and one log entry instead of one
// merge operand per rollup key (RocksDbStore's write path).
//
// A write takes a ticket: the active generation and a sequence number. It
// stores its counter adds as one log entry under that number, in the same
// synced batch as its other writes, and once that is durable adds them to
// the generation, where writes of the same keys sum. A checkpoint seals the
// active generation (later writes take the next one), waits for the writes
// that hold its tickets, and writes the sums of every sealed generation to
// the rollup column family as merges, in one batch with a marker: "every
// log entry before sequence N is in the rollups". The entries before the
// marker are then deleted. At open, the entries from the marker on are read
// back into a generation: a crash loses nothing that was acknowledged.
//
// Reads of the rollups combine a RocksDB snapshot with the generations
// alive when it was taken, less those its marker says it already holds, so
// a delta counts once, before and after its checkpoint. Those generations
// are read as they are at the read, not at the snapshot: a snapshot's
// rollups may include writes that arrived after it (never a delta twice,
// never one lost).
//
// This is also where a replicated log would feed a node's rollups: its
// entries are the same counter adds, applied by the same generations.
#ifndef MITTARI_STORAGE_ROLLUP_LOG_H_
#define MITTARI_STORAGE_ROLLUP_LOG_H_

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "storage/store.h"

namespace mittari::storage {

// Encoded counter vectors (counters.h) by key, in key order.
using CounterSums = absl::btree_map<std::string, std::string>;

// One key's counter add: the key and the encoded delta.
using CounterAdd = std::pair<absl::string_view, absl::string_view>;

// The keys of the log's column family: an entry per sequence number, and
// the checkpoint marker, which sorts before them.
std::string LogEntryKey(uint64_t seq);
std::string LogMarkerKey();
absl::StatusOr<uint64_t> DecodeLogEntryKey(absl::string_view key);
std::string EncodeSeq(uint64_t seq);
absl::StatusOr<uint64_t> DecodeSeq(absl::string_view value);

// A log entry: a write's counter adds.
std::string EncodeLogEntry(const std::vector<CounterAdd>& adds);
absl::Status DecodeLogEntry(
    absl::string_view entry,
    absl::FunctionRef<void(absl::string_view key, absl::string_view value)>
        add);

class RollupBuffer {
 public:
  // The sums of the writes of one span of sequence numbers.
  class Generation {
   public:
    // Adds each key's delta to its sum. A corrupt delta (or one whose length
    // differs from the sum's) leaves the key's sum unreadable, as a corrupt
    // merge operand leaves a RocksDB key.
    void Add(const std::vector<CounterAdd>& adds);
    // Adds the sums of the keys in [begin, end) (no bound when `end` is
    // empty) to `out`.
    void Collect(absl::string_view begin, absl::string_view end,
                 CounterSums& out) const;
    // Adds the sum of `key`, if this generation has one, to `out`.
    void CollectKey(absl::string_view key,
                    std::optional<std::string>& out) const;
    size_t keys() const;

    // The first sequence number after this generation's, once sealed.
    uint64_t end_seq() const {
      return end_seq_.load(std::memory_order_acquire);
    }

   private:
    friend class RollupBuffer;
    mutable absl::Mutex mu_;
    CounterSums sums_ ABSL_GUARDED_BY(mu_);
    std::atomic<uint64_t> end_seq_{std::numeric_limits<uint64_t>::max()};
    // Writes that hold a ticket of this generation (RollupBuffer::mu_).
    int in_flight_ = 0;
  };
  using Gens = std::vector<std::shared_ptr<const Generation>>;

  struct Ticket {
    std::shared_ptr<Generation> gen;
    uint64_t seq = 0;
  };

  // `next_seq`: the sequence number of the next log entry.
  explicit RollupBuffer(uint64_t next_seq);

  // A write's ticket; every ticket ends in Commit or Abort.
  Ticket Begin();
  // The write's log entry is durable: its adds join the generation.
  void Commit(const Ticket& ticket, const std::vector<CounterAdd>& adds);
  // The write failed: it left no log entry.
  void Abort(const Ticket& ticket);
  // At open, an entry read back from the log.
  absl::Status Replay(uint64_t seq, absl::string_view entry);

  // Seals the active generation and waits until no write holds a ticket of
  // a sealed one. Returns the sealed generations, oldest first.
  Gens Seal();
  // Forgets the `n` oldest sealed generations: their sums are stored.
  void Drop(size_t n);

  // Every generation not yet stored, oldest first.
  Gens Live() const;
  // The keys summed in the active generation.
  size_t active_keys() const;

 private:
  void Release(const Ticket& ticket);

  mutable absl::Mutex mu_;
  std::shared_ptr<Generation> active_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Generation>> sealed_ ABSL_GUARDED_BY(mu_);
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_);
};

// Reads of the rollups as of a snapshot: what the snapshot holds, plus the
// generations it does not (RollupBuffer::Live at or before the snapshot,
// less those before its marker).
class RollupOverlay {
 public:
  // `gens`: taken before the snapshot; `marker`: the snapshot's.
  RollupOverlay(RollupBuffer::Gens gens, uint64_t marker);

  // `stored`: the snapshot's value of `key`.
  absl::StatusOr<std::optional<std::string>> Get(
      absl::string_view key, std::optional<std::string> stored) const;
  // `scan_stored` scans the snapshot's keys in [begin, end).
  absl::Status Scan(absl::string_view begin, absl::string_view end,
                    absl::FunctionRef<absl::Status(ScanVisitor)> scan_stored,
                    ScanVisitor visit) const;

 private:
  RollupBuffer::Gens gens_;
};

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_ROLLUP_LOG_H_
