#include "storage/import.h"

#include <limits>
#include <map>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "storage/counters.h"
#include "storage/side_thread.h"

namespace mittari::storage {
namespace {

// How a job's work is split between the handler and the side thread.
// Stage hands the side thread the rollups (most of a job's ops) and the
// facts, which a job's checks read only for a record already stored; the
// handler keeps the index, which they read for every record. Spills and
// the seal, which nothing overlaps, give the side thread the rollups and
// the index instead: about half of a job's keys on each thread.
bool StagedAside(ColumnFamily cf) {
  return Spec(cf).counters || cf == ColumnFamily::kFacts;
}
bool SpilledAside(ColumnFamily cf) {
  return Spec(cf).counters || cf == ColumnFamily::kIndex;
}

class MemoryImport final : public Import {
 public:
  explicit MemoryImport(Store& store)
      : Import(store, std::numeric_limits<int64_t>::max()) {}
};

// A tagged entry over `base` (the store's value, if any), as a reader sees
// it: nullopt when the entry deletes the key.
absl::StatusOr<std::optional<std::string>> Apply(
    absl::string_view tagged, const std::optional<absl::string_view>& base) {
  if (tagged.empty()) return errors::Internal("empty staged entry");
  const absl::string_view payload = tagged.substr(1);
  switch (tagged[0]) {
    case Import::kPut:
      return std::string(payload);
    case Import::kDelete:
      return std::nullopt;
    case Import::kCounters:
      if (!base.has_value()) return std::string(payload);
      return AddEncodedCounters(*base, payload);
    default:
      return errors::Internal("unknown staged entry");
  }
}

}  // namespace

std::unique_ptr<Import> NewMemoryImport(Store& store) {
  return std::make_unique<MemoryImport>(store);
}

Import::~Import() {
  if (aside_pending_) side_->Wait();
}

absl::StatusOr<std::string> Import::Combine(absl::string_view older,
                                            absl::string_view newer) {
  if (!older.empty() && !newer.empty() && older[0] == kCounters &&
      newer[0] == kCounters) {
    ASSIGN_OR_RETURN(std::string sum,
                     AddEncodedCounters(older.substr(1), newer.substr(1)));
    return absl::StrCat(older.substr(0, 1), sum);
  }
  return std::string(newer);
}

absl::StatusOr<std::optional<std::string>> Import::StagedEntry(
    ColumnFamily cf, absl::string_view key) const {
  if (StagedAside(cf)) RETURN_IF_ERROR(AwaitAside());
  const Staged& table = tables_[static_cast<size_t>(cf)];
  auto it = table.find(key);
  std::optional<std::string> spilled;
  if (spilled_ && (it == table.end() || it->second[0] == kCounters)) {
    ASSIGN_OR_RETURN(spilled, SpillGet(cf, key));
  }
  if (it == table.end()) return spilled;
  if (!spilled.has_value()) return it->second;
  return Combine(*spilled, it->second);
}

absl::StatusOr<std::optional<std::string>> Import::Get(
    ColumnFamily cf, absl::string_view key) const {
  ASSIGN_OR_RETURN(std::optional<std::string> staged, StagedEntry(cf, key));
  if (!staged.has_value()) return store_.Get(cf, key);
  std::optional<std::string> base;
  if ((*staged)[0] == kCounters) {
    ASSIGN_OR_RETURN(base, store_.Get(cf, key));
  }
  return Apply(*staged, base);
}

absl::StatusOr<bool> Import::StagesWrite(ColumnFamily cf,
                                         absl::string_view key) const {
  ASSIGN_OR_RETURN(std::optional<std::string> staged, StagedEntry(cf, key));
  return staged.has_value() && (*staged)[0] != kCounters;
}

absl::Status Import::SpillMemory(bool counters) const {
  const absl::Status spilled = ByThread([&](ColumnFamily cf) -> absl::Status {
    Staged& table = tables_[static_cast<size_t>(cf)];
    if (table.empty() || (Spec(cf).counters && !counters)) {
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(Spill(cf, table));
    table.clear();
    memory_[static_cast<size_t>(cf)] = 0;
    return absl::OkStatus();
  });
  RETURN_IF_ERROR(spilled);
  spilled_ = true;
  return absl::OkStatus();
}

absl::Status Import::Scan(ColumnFamily cf, absl::string_view begin,
                          absl::string_view end, ScanVisitor visit) const {
  RETURN_IF_ERROR(AwaitAside());
  // What is staged in the range, in key order.
  std::map<std::string, std::string, std::less<>> staged;
  absl::Status error;
  const Staged& table = tables_[static_cast<size_t>(cf)];
  if (spills() && !table.empty()) RETURN_IF_ERROR(SpillMemory(true));
  if (spilled_) {
    RETURN_IF_ERROR(SpillScan(cf, begin, end,
                              [&](absl::string_view k, absl::string_view v) {
                                staged.emplace(std::string(k), std::string(v));
                                return true;
                              }));
  }
  for (const auto& [key, tagged] : table) {
    if (key >= begin && (end.empty() || key < end)) staged.emplace(key, tagged);
  }
  // Merged with the store's keys, in key order.
  auto next = staged.begin();
  bool stopped = false;
  auto emit = [&](absl::string_view key, absl::string_view tagged,
                  std::optional<absl::string_view> base) {
    absl::StatusOr<std::optional<std::string>> value = Apply(tagged, base);
    if (!value.ok()) {
      error = value.status();
      return false;
    }
    return !value->has_value() || visit(key, **value);
  };
  RETURN_IF_ERROR(store_.Scan(
      cf, begin, end, [&](absl::string_view key, absl::string_view value) {
        for (; next != staged.end() && next->first < key; ++next) {
          if (!emit(next->first, next->second, std::nullopt)) {
            stopped = true;
            return false;
          }
        }
        if (next != staged.end() && next->first == key) {
          const bool go_on = emit(key, next->second, value);
          ++next;
          stopped = !go_on;
          return go_on;
        }
        stopped = !visit(key, value);
        return !stopped;
      }));
  for (; !stopped && next != staged.end(); ++next) {
    stopped = !emit(next->first, next->second, std::nullopt);
  }
  return error;
}

absl::Status Import::ByThread(
    absl::FunctionRef<absl::Status(ColumnFamily cf)> work) const {
  auto run = [&](bool side) -> absl::Status {
    for (const ColumnFamilySpec& spec : kColumnFamilies) {
      if (SpilledAside(spec.id) == side) RETURN_IF_ERROR(work(spec.id));
    }
    return absl::OkStatus();
  };
  if (!spills()) {
    RETURN_IF_ERROR(run(false));
    return run(true);
  }
  if (side_ == nullptr) side_ = std::make_unique<SideThread>();
  absl::Status side;
  absl::Status here;
  side_->Both([&] { side = run(true); }, [&] { here = run(false); });
  RETURN_IF_ERROR(here);
  return side;
}

absl::Status Import::StageOps(const WriteBatch& batch, bool aside) {
  for (const WriteBatch::Op& op : batch.ops()) {
    if (StagedAside(op.cf) != aside) continue;
    Staged& table = tables_[static_cast<size_t>(op.cf)];
    auto [it, inserted] = table.try_emplace(op.key);
    if (!inserted && op.kind == WriteBatch::OpKind::kAddCounters) {
      // Summed where it stands: a job adds to the same rollup keys over
      // and over.
      RETURN_IF_ERROR(AddEncodedCountersInPlace(
          absl::MakeSpan(it->second).subspan(1), op.value));
      continue;
    }
    switch (op.kind) {
      case WriteBatch::OpKind::kPut:
        it->second = absl::StrCat(absl::string_view("P"), op.value);
        break;
      case WriteBatch::OpKind::kDelete:
        it->second = "D";
        break;
      default:
        it->second = absl::StrCat(absl::string_view("C"), op.value);
    }
    if (inserted) {
      memory_[static_cast<size_t>(op.cf)] +=
          static_cast<int64_t>(op.key.size() + it->second.size());
    }
  }
  return absl::OkStatus();
}

absl::Status Import::AwaitAside() const {
  if (aside_pending_) {
    side_->Wait();
    aside_pending_ = false;
  }
  return aside_status_;
}

absl::Status Import::Stage(WriteBatch batch) {
  if (sealed_) return errors::FailedPrecondition("SEALED", "sealed");
  for (const WriteBatch::Op& op : batch.ops()) {
    const ColumnFamilySpec& spec = Spec(op.cf);
    if (spec.cached) {
      return errors::Internal(
          absl::StrCat("an import cannot write to ", spec.name, " (cached)"));
    }
    if (op.kind == WriteBatch::OpKind::kDeleteRange) {
      return errors::Internal("an import cannot delete a range");
    }
    if ((op.kind == WriteBatch::OpKind::kAddCounters) != spec.counters) {
      return errors::Internal(absl::StrCat(
          "column family ", spec.name,
          spec.counters ? " takes only counter adds" : " holds no counters"));
    }
  }
  // What the side thread stages of the batch before is staged by now;
  // what is staged may have reached the bound.
  RETURN_IF_ERROR(AwaitAside());
  int64_t used = 0;
  int64_t counters = 0;
  for (const ColumnFamilySpec& spec : kColumnFamilies) {
    const int64_t bytes = memory_[static_cast<size_t>(spec.id)];
    used += bytes;
    if (spec.counters) counters += bytes;
  }
  if (used > memory_bytes_ && spills()) {
    // Counter sums stay in memory while they fit in half the bound: a
    // job adds to the same rollup keys over and over.
    RETURN_IF_ERROR(SpillMemory(counters > memory_bytes_ / 2));
  }
  if (!spills()) {
    RETURN_IF_ERROR(StageOps(batch, false));
    return StageOps(batch, true);
  }
  // A job that spills is bound by its checks and its staging: the side
  // thread stages the rollups and the facts while this one stages the
  // index and goes on to check the next batch (a read of what the side
  // thread stages waits for it).
  if (side_ == nullptr) side_ = std::make_unique<SideThread>();
  staging_ = std::move(batch);
  aside_pending_ = true;
  side_->Start([this] { aside_status_ = StageOps(staging_, true); });
  return StageOps(staging_, false);
}

absl::Status Import::Seal() {
  if (sealed_) return absl::OkStatus();
  sealed_ = true;
  RETURN_IF_ERROR(AwaitAside());
  if (!spilled_) return absl::OkStatus();
  RETURN_IF_ERROR(SpillMemory(true));
  return ByThread([&](ColumnFamily cf) { return SpillSeal(cf); });
}

absl::Status Import::Commit() {
  if (committed_) return errors::FailedPrecondition("COMMITTED", "committed");
  RETURN_IF_ERROR(Seal());
  committed_ = true;
  if (spilled_) return SpillCommit();
  WriteBatch batch;
  for (const ColumnFamilySpec& spec : kColumnFamilies) {
    for (const auto& [key, tagged] : tables_[static_cast<size_t>(spec.id)]) {
      switch (tagged[0]) {
        case kPut:
          batch.Put(spec.id, key, tagged.substr(1));
          break;
        case kDelete:
          batch.Delete(spec.id, key);
          break;
        default: {
          ASSIGN_OR_RETURN(CounterVector delta,
                           DecodeCounters(absl::string_view(tagged).substr(1)));
          if (!ChangesNothing(delta.values, delta.overflowed)) {
            batch.AddCounters(spec.id, key, delta.values, delta.overflowed);
          }
        }
      }
    }
  }
  if (batch.empty()) return absl::OkStatus();
  return store_.Write(batch);
}

}  // namespace mittari::storage
