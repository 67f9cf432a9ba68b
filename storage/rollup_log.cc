#include "storage/rollup_log.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "storage/counters.h"

namespace mittari::storage {
namespace {

constexpr char kMarkerTag = 0;
constexpr char kEntryTag = 1;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool GetVarint(absl::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// Adds `delta` to `sum`; a sum that cannot take it (a corrupt delta, a
// length mismatch) becomes unreadable, and stays so: empty is no counter
// vector.
void SumInto(std::string& sum, absl::string_view delta) {
  if (!sum.empty() &&
      !AddEncodedCountersInPlace(absl::MakeSpan(sum), delta).ok()) {
    sum.clear();
  }
}

bool GetLengthPrefixed(absl::string_view& in, absl::string_view& out) {
  uint64_t n = 0;
  if (!GetVarint(in, n) || n > in.size()) return false;
  out = in.substr(0, n);
  in.remove_prefix(n);
  return true;
}

}  // namespace

std::string EncodeSeq(uint64_t seq) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<char>((seq >> (8 * (7 - i))) & 0xff);
  }
  return out;
}

absl::StatusOr<uint64_t> DecodeSeq(absl::string_view value) {
  if (value.size() != 8) {
    return errors::DataLoss("rollup log: a sequence number of the wrong size");
  }
  uint64_t seq = 0;
  for (char c : value) seq = (seq << 8) | static_cast<uint8_t>(c);
  return seq;
}

std::string LogEntryKey(uint64_t seq) {
  return absl::StrCat(absl::string_view(&kEntryTag, 1), EncodeSeq(seq));
}

std::string LogMarkerKey() { return std::string(1, kMarkerTag); }

absl::StatusOr<uint64_t> DecodeLogEntryKey(absl::string_view key) {
  if (key.empty() || key.front() != kEntryTag) {
    return errors::DataLoss("rollup log: not an entry's key");
  }
  return DecodeSeq(key.substr(1));
}

std::string EncodeLogEntry(const std::vector<CounterAdd>& adds) {
  size_t bytes = 0;
  for (const auto& [key, value] : adds) bytes += key.size() + value.size() + 4;
  std::string out;
  out.reserve(bytes);
  for (const auto& [key, value] : adds) {
    PutVarint(out, key.size());
    out.append(key.data(), key.size());
    PutVarint(out, value.size());
    out.append(value.data(), value.size());
  }
  return out;
}

absl::Status DecodeLogEntry(
    absl::string_view entry,
    absl::FunctionRef<void(absl::string_view key, absl::string_view value)>
        add) {
  while (!entry.empty()) {
    absl::string_view key;
    absl::string_view value;
    if (!GetLengthPrefixed(entry, key) || !GetLengthPrefixed(entry, value)) {
      return errors::DataLoss("rollup log: a truncated entry");
    }
    add(key, value);
  }
  return absl::OkStatus();
}

void RollupBuffer::Generation::Add(const std::vector<CounterAdd>& adds) {
  absl::MutexLock lock(&mu_);
  for (const auto& [key, value] : adds) {
    auto [it, added] = sums_.try_emplace(key, value);
    if (!added) SumInto(it->second, value);
  }
}

void RollupBuffer::Generation::Collect(absl::string_view begin,
                                       absl::string_view end,
                                       CounterSums& out) const {
  absl::MutexLock lock(&mu_);
  auto it = sums_.lower_bound(begin);
  const auto stop = end.empty() ? sums_.end() : sums_.lower_bound(end);
  for (; it != stop; ++it) {
    auto [at, added] = out.try_emplace(it->first, it->second);
    if (!added) SumInto(at->second, it->second);
  }
}

void RollupBuffer::Generation::CollectKey(
    absl::string_view key, std::optional<std::string>& out) const {
  absl::MutexLock lock(&mu_);
  auto it = sums_.find(key);
  if (it == sums_.end()) return;
  if (out.has_value()) {
    SumInto(*out, it->second);
  } else {
    out = it->second;
  }
}

size_t RollupBuffer::Generation::keys() const {
  absl::MutexLock lock(&mu_);
  return sums_.size();
}

RollupBuffer::RollupBuffer(uint64_t next_seq)
    : active_(std::make_shared<Generation>()), next_seq_(next_seq) {}

RollupBuffer::Ticket RollupBuffer::Begin() {
  absl::MutexLock lock(&mu_);
  ++active_->in_flight_;
  return {active_, next_seq_++};
}

void RollupBuffer::Commit(const Ticket& ticket,
                          const std::vector<CounterAdd>& adds) {
  ticket.gen->Add(adds);
  Release(ticket);
}

void RollupBuffer::Abort(const Ticket& ticket) { Release(ticket); }

void RollupBuffer::Release(const Ticket& ticket) {
  absl::MutexLock lock(&mu_);
  --ticket.gen->in_flight_;
}

absl::Status RollupBuffer::Replay(uint64_t seq, absl::string_view entry) {
  std::vector<CounterAdd> adds;
  RETURN_IF_ERROR(DecodeLogEntry(
      entry, [&](absl::string_view key, absl::string_view value) {
        adds.emplace_back(key, value);
      }));
  absl::MutexLock lock(&mu_);
  active_->Add(adds);
  next_seq_ = std::max(next_seq_, seq + 1);
  return absl::OkStatus();
}

RollupBuffer::Gens RollupBuffer::Seal() {
  absl::MutexLock lock(&mu_);
  active_->end_seq_.store(next_seq_, std::memory_order_release);
  sealed_.push_back(std::move(active_));
  active_ = std::make_shared<Generation>();
  auto settled = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return std::all_of(sealed_.begin(), sealed_.end(),
                       [](const auto& gen) { return gen->in_flight_ == 0; });
  };
  mu_.Await(absl::Condition(&settled));
  return Gens(sealed_.begin(), sealed_.end());
}

void RollupBuffer::Drop(size_t n) {
  absl::MutexLock lock(&mu_);
  n = std::min(n, sealed_.size());
  sealed_.erase(sealed_.begin(), sealed_.begin() + static_cast<ptrdiff_t>(n));
}

RollupBuffer::Gens RollupBuffer::Live() const {
  absl::MutexLock lock(&mu_);
  Gens gens(sealed_.begin(), sealed_.end());
  gens.push_back(active_);
  return gens;
}

size_t RollupBuffer::active_keys() const {
  std::shared_ptr<Generation> active;
  {
    absl::MutexLock lock(&mu_);
    active = active_;
  }
  return active->keys();
}

RollupOverlay::RollupOverlay(RollupBuffer::Gens gens, uint64_t marker)
    : gens_(std::move(gens)) {
  // A generation whose every entry is before the marker is in the snapshot.
  gens_.erase(
      std::remove_if(gens_.begin(), gens_.end(),
                     [&](const auto& gen) { return gen->end_seq() <= marker; }),
      gens_.end());
}

absl::StatusOr<std::optional<std::string>> RollupOverlay::Get(
    absl::string_view key, std::optional<std::string> stored) const {
  std::optional<std::string> buffered;
  for (const auto& gen : gens_) gen->CollectKey(key, buffered);
  if (!buffered.has_value()) return stored;
  if (buffered->empty()) {
    return errors::DataLoss("rollup log: a corrupt counter add");
  }
  if (!stored.has_value()) return buffered;
  RETURN_IF_ERROR(
      AddEncodedCountersInPlace(absl::MakeSpan(*stored), *buffered));
  return stored;
}

absl::Status RollupOverlay::Scan(
    absl::string_view begin, absl::string_view end,
    absl::FunctionRef<absl::Status(ScanVisitor)> scan_stored,
    ScanVisitor visit) const {
  CounterSums buffered;
  for (const auto& gen : gens_) gen->Collect(begin, end, buffered);
  if (buffered.empty()) return scan_stored(visit);
  auto next = buffered.begin();
  bool stopped = false;
  absl::Status status;
  // Visits a buffered key alone; false to stop.
  auto emit_buffered = [&](const std::string& key, const std::string& value) {
    if (value.empty()) {
      status = errors::DataLoss("rollup log: a corrupt counter add");
      return false;
    }
    return visit(key, value);
  };
  RETURN_IF_ERROR(scan_stored([&](absl::string_view key,
                                  absl::string_view value) {
    while (next != buffered.end() && next->first < key) {
      if (!emit_buffered(next->first, next->second)) {
        stopped = true;
        return false;
      }
      ++next;
    }
    if (next != buffered.end() && next->first == key) {
      std::string sum(value);
      absl::Status added =
          next->second.empty()
              ? errors::DataLoss("rollup log: a corrupt counter add")
              : AddEncodedCountersInPlace(absl::MakeSpan(sum), next->second);
      ++next;
      if (!added.ok()) {
        status = added;
        stopped = true;
        return false;
      }
      if (!visit(key, sum)) {
        stopped = true;
        return false;
      }
      return true;
    }
    if (!visit(key, value)) {
      stopped = true;
      return false;
    }
    return true;
  }));
  RETURN_IF_ERROR(status);
  for (; !stopped && next != buffered.end(); ++next) {
    if (!emit_buffered(next->first, next->second)) break;
  }
  return status;
}

}  // namespace mittari::storage
