#include "domain/kpi/visitor_days.h"

#include <algorithm>
#include <optional>

#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/keys.h"
#include "storage/counters.h"
#include "storage/key_codec.h"

namespace mittari::domain::kpi {
namespace {

using storage::ColumnFamily;
using storage::KeyDecoder;
using storage::KeyEncoder;

// Local days per index block: a MAU window (59 days around a day) spans
// at most two blocks.
constexpr int kBlockShift = 6;
constexpr DayNumber kBlockDays = DayNumber{1} << kBlockShift;
static_assert(2 * kMauWindowDays - 1 <= kBlockDays);

// The daily rollup's counters: the day's DAU, then per length L in 1..30
// the number of MAU ranges of that length starting on the day.
constexpr size_t kDau = 0;
constexpr size_t kRanges = 1;
constexpr size_t kDailyCounters = kRanges + kMauWindowDays;

int64_t BlockOf(DayNumber day) { return day >> kBlockShift; }

std::string BlockKey(absl::string_view ws, absl::string_view visitor,
                     int64_t block) {
  return keys::InWorkspace(ws, keys::WorkspaceTag::kVisitorDays)
      .Str(visitor)
      .I64(block)
      .key();
}

KeyEncoder DailyPrefix(absl::string_view ws) {
  return keys::InWorkspace(ws, keys::WorkspaceTag::kRollup)
      .U8(static_cast<uint8_t>(Projection::kVisitorDays));
}

std::string DailyKey(absl::string_view ws, DayNumber day) {
  return DailyPrefix(ws).I64(day).key();
}

// A block's value: (day within the block, sessions) for each active day.
std::string EncodeBlock(const std::map<DayNumber, int64_t>& days) {
  KeyEncoder out;
  for (const auto& [day, sessions] : days) {
    out.U8(static_cast<uint8_t>(day & (kBlockDays - 1))).I64(sessions);
  }
  return std::move(out).key();
}

absl::Status DecodeBlock(absl::string_view value, int64_t block,
                         std::map<DayNumber, int64_t>& days) {
  KeyDecoder in(value);
  while (!in.done()) {
    absl::StatusOr<uint8_t> offset = in.U8();
    absl::StatusOr<int64_t> sessions = in.I64();
    if (!offset.ok() || !sessions.ok() || *offset >= kBlockDays ||
        *sessions <= 0) {
      return errors::DataLoss("unreadable visitor activity block");
    }
    days[static_cast<DayNumber>(block * kBlockDays + *offset)] = *sessions;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<VisitorDays::Entry*> VisitorDays::Load(absl::string_view visitor,
                                                      DayNumber day) {
  const int64_t block = BlockOf(day);
  auto [it, inserted] =
      blocks_.try_emplace(std::make_pair(std::string(visitor), block));
  if (inserted) {
    ASSIGN_OR_RETURN(
        std::optional<std::string> value,
        view_.Get(ColumnFamily::kIndex, BlockKey(ws_, visitor, block)));
    if (value.has_value()) {
      absl::Status decoded = DecodeBlock(*value, block, it->second.days);
      if (!decoded.ok()) {
        blocks_.erase(it);
        return decoded;
      }
    }
  }
  return &it->second;
}

absl::StatusOr<std::optional<DayNumber>> VisitorDays::Neighbour(
    absl::string_view visitor, DayNumber day, int step) {
  const DayNumber lo = step < 0 ? day - (kMauWindowDays - 1) : day + 1;
  const DayNumber hi = step < 0 ? day - 1 : day + (kMauWindowDays - 1);
  std::optional<DayNumber> nearest;
  for (DayNumber edge : {lo, hi}) {
    ASSIGN_OR_RETURN(Entry * entry, Load(visitor, edge));
    for (auto it = entry->days.lower_bound(lo);
         it != entry->days.end() && it->first <= hi; ++it) {
      if (!nearest.has_value() ||
          (step < 0 ? it->first > *nearest : it->first < *nearest)) {
        nearest = it->first;
      }
    }
  }
  return nearest;
}

absl::Status VisitorDays::Change(absl::string_view visitor, DayNumber day,
                                 int sign, RollupDeltas& deltas) {
  ASSIGN_OR_RETURN(Entry * entry, Load(visitor, day));
  auto found = entry->days.find(day);
  const int64_t before = found == entry->days.end() ? 0 : found->second;
  const int64_t after = before + sign;
  if (after < 0) {
    return errors::DataLoss("the visitor activity index is out of step");
  }
  entry->changed = true;
  if (after == 0) {
    entry->days.erase(day);
  } else {
    entry->days[day] = after;
  }
  if ((before == 0) == (after == 0)) return absl::OkStatus();

  // The visitor-day comes (sign 1) or goes (sign -1): its DAU, and the
  // MAU of the days no other active day of the visitor covers.
  ASSIGN_OR_RETURN(std::optional<DayNumber> previous,
                   Neighbour(visitor, day, -1));
  ASSIGN_OR_RETURN(std::optional<DayNumber> next, Neighbour(visitor, day, 1));
  std::vector<int64_t> delta(kDailyCounters, 0);
  delta[kDau] = sign;
  deltas.Add(DailyKey(ws_, day), delta);
  const DayNumber from =
      previous ? std::max(day, *previous + kMauWindowDays) : day;
  const DayNumber to = next ? std::min(day + kMauWindowDays - 1, *next - 1)
                            : day + kMauWindowDays - 1;
  if (from <= to) {
    delta[kDau] = 0;
    delta[kRanges + static_cast<size_t>(to - from)] = sign;
    deltas.Add(DailyKey(ws_, from), delta);
  }
  return absl::OkStatus();
}

void VisitorDays::FlushTo(storage::WriteBatch& batch, bool touch_read) {
  for (const auto& [id, entry] : blocks_) {
    if (!entry.changed && !touch_read) continue;
    std::string key = BlockKey(ws_, id.first, id.second);
    if (entry.days.empty()) {
      batch.Delete(ColumnFamily::kIndex, std::move(key));
    } else {
      batch.Put(ColumnFamily::kIndex, std::move(key), EncodeBlock(entry.days));
    }
  }
}

std::vector<std::string> VisitorDays::BlockKeys() const {
  std::vector<std::string> out;
  out.reserve(blocks_.size());
  for (const auto& [id, entry] : blocks_) {
    out.push_back(BlockKey(ws_, id.first, id.second));
  }
  return out;
}

absl::StatusOr<DailyVisitors> ReadDailyVisitors(const storage::ReadView& view,
                                                absl::string_view ws,
                                                DayNumber first,
                                                DayNumber last) {
  DailyVisitors out;
  if (last < first) return out;
  const auto span = static_cast<size_t>(last - first) + 1;
  out.dau.assign(span, 0);
  // A range covers at most 30 days from its start: the ranges covering a
  // day of [first, last] start in [first - 29, last].
  std::vector<int64_t> mau_delta(span + 1, 0);
  const std::string prefix = DailyPrefix(ws).key();
  absl::Status status;
  RETURN_IF_ERROR(view.Scan(
      ColumnFamily::kRollups, DailyKey(ws, first - (kMauWindowDays - 1)),
      DailyKey(ws, last + 1),
      [&](absl::string_view key, absl::string_view value) {
        KeyDecoder in(key.substr(prefix.size()));
        absl::StatusOr<int64_t> day = in.I64();
        absl::StatusOr<storage::CounterVector> counters =
            storage::DecodeCounters(value);
        if (!day.ok() || !counters.ok() ||
            counters->values.size() != kDailyCounters) {
          status = errors::DataLoss("unreadable daily visitor rollup");
          return false;
        }
        out.overflowed = out.overflowed || counters->overflowed;
        const auto start = static_cast<DayNumber>(*day);
        if (start >= first) {
          out.dau[start - first] = counters->values[kDau];
        }
        for (DayNumber length = 1; length <= kMauWindowDays; ++length) {
          const int64_t ranges =
              counters->values[kRanges + static_cast<size_t>(length - 1)];
          const DayNumber lo = std::max(start, first);
          const DayNumber hi = std::min(start + length - 1, last);
          if (ranges == 0 || lo > hi) continue;
          storage::AddSaturating(mau_delta[lo - first], ranges);
          storage::SubtractSaturating(mau_delta[hi - first + 1], ranges);
        }
        return true;
      }));
  RETURN_IF_ERROR(status);
  out.mau.assign(span, 0);
  int64_t running = 0;
  for (size_t i = 0; i < span; ++i) {
    storage::AddSaturating(running, mau_delta[i]);
    out.mau[i] = running;
  }
  return out;
}

}  // namespace mittari::domain::kpi
