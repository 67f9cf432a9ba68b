#include "domain/kpi/visitor_days.h"

#include <algorithm>
#include <optional>

#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/keys.h"
#include "domain/kpi/facts.h"
#include "storage/counters.h"
#include "storage/key_codec.h"

namespace mittari::domain::kpi {
namespace {

using storage::ColumnFamily;
using storage::KeyDecoder;
using storage::KeyEncoder;

// Local days per index block: a MAU window (59 days around a day) spans
// at most two blocks, a year at most seven.
constexpr int kBlockShift = 6;
constexpr DayNumber kBlockDays = DayNumber{1} << kBlockShift;
static_assert(2 * kMauWindowDays - 1 <= kBlockDays);

// The first layout's daily counters: the day's DAU, then per length L in
// 1..30 the number of MAU ranges of that length starting on the day.
constexpr size_t kDau = 0;
constexpr size_t kRanges = 1;
constexpr size_t kDailyCounters = kRanges + kMauWindowDays;
// The scoped layout keeps two kinds of entry per scope and day, told
// apart by a last key byte: 0, the day's counters below; L in 1..30, one
// counter, the MAU ranges of length L starting on the day (so that a
// range costs one small operand, not thirty counters).
// The day's counters: its DAU, converted visitor-days, conversions
// (converted sessions), and the firsts of the week, month, quarter and
// year, of visitors and of converted visitors.
constexpr uint8_t kDayEntry = 0;
constexpr size_t kConvertedDays = 1;
constexpr size_t kConversions = 2;
constexpr size_t kFirsts = 3;
constexpr size_t kBucketKinds = 4;  // week, month, quarter, year
constexpr size_t kConvertedFirsts = kFirsts + kBucketKinds;
constexpr size_t kScopedCounters = kConvertedFirsts + kBucketKinds;
constexpr std::array<Granularity, kBucketKinds> kBucketGranularities = {
    Granularity::kWeek, Granularity::kMonth, Granularity::kQuarter,
    Granularity::kYear};

int64_t BlockOf(DayNumber day) { return day >> kBlockShift; }

// The local days [first, last] of the bucket of granularity `g` holding
// `day` (civil arithmetic: no time zone involved).
std::pair<DayNumber, DayNumber> BucketDays(DayNumber day, Granularity g) {
  static const Calendar civil(absl::UTCTimeZone());
  static const absl::CivilDay kEpoch(1970, 1, 1);
  const absl::CivilDay start = civil.BucketOf(civil.CivilOf(day), g);
  const absl::CivilDay next = civil.NextBucket(start, g);
  return {static_cast<DayNumber>(start - kEpoch),
          static_cast<DayNumber>(next - kEpoch) - 1};
}

KeyEncoder DailyPrefix(absl::string_view ws) {
  return keys::InWorkspace(ws, keys::WorkspaceTag::kRollup)
      .U8(static_cast<uint8_t>(Projection::kVisitorDays));
}

KeyEncoder ScopePrefix(absl::string_view ws, uint8_t dim) {
  return keys::InWorkspace(ws, keys::WorkspaceTag::kRollup)
      .U8(static_cast<uint8_t>(Projection::kVisitorScopes))
      .U8(dim);
}

// Small counts in a block's value: LEB128 varints.
void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::optional<uint64_t> GetVarint(absl::string_view& in) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return v;
  }
  return std::nullopt;
}

absl::Status Unreadable() {
  return errors::DataLoss("unreadable visitor activity block");
}

// The first layout's block: (day within the block, sessions) per day.
std::string EncodeDaysBlock(
    const VisitorScope& all,
    const std::map<VisitorScope, std::map<DayNumber, std::array<int64_t, 2>>>&
        scopes) {
  KeyEncoder out;
  auto it = scopes.find(all);
  if (it == scopes.end()) return "";
  for (const auto& [day, counts] : it->second) {
    out.U8(static_cast<uint8_t>(day & (kBlockDays - 1))).I64(counts[0]);
  }
  return std::move(out).key();
}

// The scoped layout's block: per scope, its dim (U8), its value (a key
// string), its number of days (varint), then per day its place in the
// block (U8), sessions and converted sessions (varints).
std::string EncodeScopesBlock(
    const std::map<VisitorScope, std::map<DayNumber, std::array<int64_t, 2>>>&
        scopes) {
  std::string out;
  for (const auto& [scope, days] : scopes) {
    KeyEncoder head;
    head.U8(scope.dim).Str(scope.value);
    out.append(head.key());
    PutVarint(out, days.size());
    for (const auto& [day, counts] : days) {
      out.push_back(static_cast<char>(day & (kBlockDays - 1)));
      PutVarint(out, static_cast<uint64_t>(counts[0]));
      PutVarint(out, static_cast<uint64_t>(counts[1]));
    }
  }
  return out;
}

}  // namespace

std::optional<uint8_t> SessionScopeDim(absl::string_view dimension) {
  const std::vector<std::string>& dims = SchemaOf(FactKind::kSession).dims;
  auto it = std::find(dims.begin(), dims.end(), dimension);
  if (it == dims.end()) return std::nullopt;
  return static_cast<uint8_t>(it - dims.begin() + 1);
}

std::string VisitorDays::BlockKey(absl::string_view visitor,
                                  int64_t block) const {
  return keys::InWorkspace(ws_, scoped_ ? keys::WorkspaceTag::kVisitorScopes
                                        : keys::WorkspaceTag::kVisitorDays)
      .Str(visitor)
      .I64(block)
      .key();
}

std::string VisitorDays::DailyKey(const VisitorScope& scope, DayNumber day,
                                  uint8_t entry) const {
  if (!scoped_) return DailyPrefix(ws_).I64(day).key();
  return ScopePrefix(ws_, scope.dim).Str(scope.value).I64(day).U8(entry).key();
}

absl::StatusOr<VisitorDays::Entry*> VisitorDays::Load(absl::string_view visitor,
                                                      DayNumber day) {
  const int64_t block = BlockOf(day);
  auto emplaced =
      blocks_.try_emplace(std::make_pair(std::string(visitor), block));
  auto it = emplaced.first;
  if (!emplaced.second) return &it->second;
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   view_.Get(ColumnFamily::kIndex, BlockKey(visitor, block)));
  if (!value.has_value()) return &it->second;
  auto& scopes = it->second.scopes;
  auto fail = [&] {
    blocks_.erase(it);
    return Unreadable();
  };
  const auto base = static_cast<DayNumber>(block * kBlockDays);
  if (!scoped_) {
    Days& days = scopes[VisitorScope{}];
    KeyDecoder in(*value);
    while (!in.done()) {
      absl::StatusOr<uint8_t> offset = in.U8();
      absl::StatusOr<int64_t> sessions = in.I64();
      if (!offset.ok() || !sessions.ok() || *offset >= kBlockDays ||
          *sessions <= 0) {
        return fail();
      }
      days[base + *offset] = {*sessions, 0};
    }
    return &it->second;
  }
  absl::string_view rest = *value;
  while (!rest.empty()) {
    KeyDecoder head(rest);
    absl::StatusOr<uint8_t> dim = head.U8();
    absl::StatusOr<std::string> scope_value = head.Str();
    if (!dim.ok() || !scope_value.ok()) return fail();
    rest = head.rest();
    Days& days = scopes[VisitorScope{*dim, *std::move(scope_value)}];
    std::optional<uint64_t> n = GetVarint(rest);
    if (!n.has_value() || *n == 0 || *n > kBlockDays) return fail();
    for (uint64_t i = 0; i < *n; ++i) {
      if (rest.empty()) return fail();
      const auto offset = static_cast<uint8_t>(rest.front());
      rest.remove_prefix(1);
      std::optional<uint64_t> sessions = GetVarint(rest);
      std::optional<uint64_t> converted = GetVarint(rest);
      if (offset >= kBlockDays || !sessions.has_value() || *sessions == 0 ||
          !converted.has_value() || *converted > *sessions) {
        return fail();
      }
      days[base + offset] = {static_cast<int64_t>(*sessions),
                             static_cast<int64_t>(*converted)};
    }
  }
  return &it->second;
}

absl::StatusOr<std::optional<DayNumber>> VisitorDays::Nearest(
    absl::string_view visitor, const VisitorScope& scope, Kind kind,
    DayNumber lo, DayNumber hi, DayNumber skip, int step) {
  const int64_t first = BlockOf(step > 0 ? lo : hi);
  const int64_t last = BlockOf(step > 0 ? hi : lo);
  for (int64_t block = first;; block += step) {
    ASSIGN_OR_RETURN(Entry * entry,
                     Load(visitor, static_cast<DayNumber>(block * kBlockDays)));
    auto found = entry->scopes.find(scope);
    if (found != entry->scopes.end()) {
      const Days& days = found->second;
      if (step > 0) {
        for (auto it = days.lower_bound(lo);
             it != days.end() && it->first <= hi; ++it) {
          if (it->first != skip && it->second[kind] > 0) return it->first;
        }
      } else {
        for (auto it = days.upper_bound(hi); it != days.begin();) {
          --it;
          if (it->first < lo) break;
          if (it->first != skip && it->second[kind] > 0) return it->first;
        }
      }
    }
    if (block == last) break;
  }
  return std::nullopt;
}

absl::Status VisitorDays::Change(const records::Session& s, DayNumber day,
                                 int sign, RollupDeltas& deltas) {
  std::vector<VisitorScope> scopes = {VisitorScope{}};
  if (scoped_) {
    std::vector<FactRow> rows = RowsOf(s);
    for (size_t i = 0; i < rows[0].dims.size(); ++i) {
      scopes.push_back(
          {static_cast<uint8_t>(i + 1), std::move(rows[0].dims[i])});
    }
  }
  const int64_t converted = scoped_ && s.converted() ? sign : 0;
  ASSIGN_OR_RETURN(Entry * entry, Load(s.visitor_id(), day));
  entry->changed = true;
  std::vector<int64_t> conversions(kScopedCounters, 0);
  conversions[kConversions] = converted;
  for (const VisitorScope& scope : scopes) {
    if (converted != 0) deltas.Add(DailyKey(scope, day), conversions);
    Days& days = entry->scopes[scope];
    Counts& counts = days[day];
    const Counts before = counts;
    counts[kVisited] += sign;
    counts[kConverted] += converted;
    const Counts after = counts;
    if (after[kVisited] < 0 || after[kConverted] < 0 ||
        after[kConverted] > after[kVisited]) {
      return errors::DataLoss("the visitor activity index is out of step");
    }
    if (after[kVisited] == 0) days.erase(day);
    if (days.empty()) entry->scopes.erase(scope);
    for (Kind kind : {kVisited, kConverted}) {
      if ((before[kind] == 0) != (after[kind] == 0)) {
        RETURN_IF_ERROR(Moved(s.visitor_id(), scope, kind, day, sign, deltas));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status VisitorDays::Moved(absl::string_view visitor,
                                const VisitorScope& scope, Kind kind,
                                DayNumber day, int sign, RollupDeltas& deltas) {
  const size_t width = scoped_ ? kScopedCounters : kDailyCounters;
  std::vector<int64_t> delta(width, 0);
  delta[kind == kVisited ? kDau : kConvertedDays] = sign;
  if (scoped_) {
    // The day becomes (or stops being) the visitor's first of a bucket
    // when no other day of theirs in the bucket comes before it.
    const size_t firsts = kind == kVisited ? kFirsts : kConvertedFirsts;
    for (size_t g = 0; g < kBucketKinds; ++g) {
      const auto [lo, hi] = BucketDays(day, kBucketGranularities[g]);
      ASSIGN_OR_RETURN(std::optional<DayNumber> other,
                       Nearest(visitor, scope, kind, lo, hi, day, 1));
      if (other.has_value() && *other < day) continue;
      delta[firsts + g] = sign;
      if (other.has_value()) {
        std::vector<int64_t> moved(width, 0);
        moved[firsts + g] = -sign;
        deltas.Add(DailyKey(scope, *other), moved);
      }
    }
  }
  deltas.Add(DailyKey(scope, day), delta);
  if (kind != kVisited) return absl::OkStatus();

  // The MAU of the days no other active day of the visitor covers.
  ASSIGN_OR_RETURN(std::optional<DayNumber> previous,
                   Nearest(visitor, scope, kind, day - (kMauWindowDays - 1),
                           day - 1, day, -1));
  ASSIGN_OR_RETURN(std::optional<DayNumber> next,
                   Nearest(visitor, scope, kind, day + 1,
                           day + (kMauWindowDays - 1), day, 1));
  const DayNumber from =
      previous ? std::max(day, *previous + kMauWindowDays) : day;
  const DayNumber to = next ? std::min(day + kMauWindowDays - 1, *next - 1)
                            : day + kMauWindowDays - 1;
  if (from <= to && scoped_) {
    deltas.Add(DailyKey(scope, from, static_cast<uint8_t>(to - from + 1)),
               {sign});
  } else if (from <= to) {
    std::vector<int64_t> ranges(width, 0);
    ranges[kRanges + static_cast<size_t>(to - from)] = sign;
    deltas.Add(DailyKey(scope, from), ranges);
  }
  return absl::OkStatus();
}

void VisitorDays::FlushTo(storage::WriteBatch& batch, bool touch_read) {
  for (const auto& [id, entry] : blocks_) {
    if (!entry.changed && !touch_read) continue;
    std::string key = BlockKey(id.first, id.second);
    std::string value = scoped_ ? EncodeScopesBlock(entry.scopes)
                                : EncodeDaysBlock(VisitorScope{}, entry.scopes);
    if (value.empty()) {
      batch.Delete(ColumnFamily::kIndex, std::move(key));
    } else {
      batch.Put(ColumnFamily::kIndex, std::move(key), std::move(value));
    }
  }
}

std::vector<std::string> VisitorDays::BlockKeys() const {
  std::vector<std::string> out;
  out.reserve(blocks_.size());
  for (const auto& [id, entry] : blocks_) {
    out.push_back(BlockKey(id.first, id.second));
  }
  return out;
}

namespace {

// Adds one daily rollup entry, of local day `start`, to `out` (covering
// [first, last]), with MAU range deltas in `mau_delta`: in the first
// layout (`entry` nullopt) a vector of kDailyCounters; in the scoped one
// the day's counters (entry kDayEntry) or its ranges of one length.
absl::Status AddDaily(absl::string_view value, DayNumber start,
                      std::optional<uint8_t> entry, DayNumber first,
                      DayNumber last, DailyVisitors& out,
                      std::vector<int64_t>& mau_delta) {
  size_t width = kDailyCounters;
  if (entry.has_value()) {
    width = *entry == kDayEntry        ? kScopedCounters
            : *entry <= kMauWindowDays ? 1
                                       : 0;
  }
  absl::StatusOr<storage::CounterVector> counters =
      storage::DecodeCounters(value);
  if (!counters.ok() || width == 0 || counters->values.size() != width) {
    return errors::DataLoss("unreadable daily visitor rollup");
  }
  const std::vector<int64_t>& c = counters->values;
  out.overflowed = out.overflowed || counters->overflowed;
  auto add_ranges = [&](DayNumber length, int64_t ranges) {
    const DayNumber lo = std::max(start, first);
    const DayNumber hi = std::min(start + length - 1, last);
    if (ranges == 0 || lo > hi) return;
    storage::AddSaturating(mau_delta[lo - first], ranges);
    storage::SubtractSaturating(mau_delta[hi - first + 1], ranges);
  };
  if (entry.has_value() && *entry != kDayEntry) {
    add_ranges(*entry, c[0]);
    return absl::OkStatus();
  }
  if (start >= first) {
    const auto i = static_cast<size_t>(start - first);
    out.dau[i] = c[kDau];
    if (entry.has_value()) {
      out.converted[i] = c[kConvertedDays];
      out.conversions[i] = c[kConversions];
      for (size_t g = 0; g < kBucketKinds; ++g) {
        out.firsts[g][i] = c[kFirsts + g];
        out.converted_firsts[g][i] = c[kConvertedFirsts + g];
      }
    }
  }
  if (!entry.has_value()) {
    for (DayNumber length = 1; length <= kMauWindowDays; ++length) {
      add_ranges(length, c[kRanges + static_cast<size_t>(length - 1)]);
    }
  }
  return absl::OkStatus();
}

// Reads the daily entries under `prefix` (followed by their day) for
// [first, last] and the 29 days before: a range covers at most 30 days
// from its start, so the ranges covering a day of [first, last] start in
// [first - 29, last].
absl::StatusOr<DailyVisitors> ReadDaily(const storage::ReadView& view,
                                        const std::string& prefix,
                                        DayNumber first, DayNumber last,
                                        bool scoped) {
  DailyVisitors out;
  const auto span = static_cast<size_t>(last - first) + 1;
  out.dau.assign(span, 0);
  out.converted.assign(span, 0);
  out.conversions.assign(span, 0);
  for (size_t g = 0; g < kBucketKinds; ++g) {
    out.firsts[g].assign(span, 0);
    out.converted_firsts[g].assign(span, 0);
  }
  std::vector<int64_t> mau_delta(span + 1, 0);
  auto key = [&](DayNumber day) {
    KeyEncoder k;
    k.I64(day);
    return prefix + k.key();
  };
  absl::Status status;
  RETURN_IF_ERROR(view.Scan(
      ColumnFamily::kRollups, key(first - (kMauWindowDays - 1)), key(last + 1),
      [&](absl::string_view k, absl::string_view value) {
        KeyDecoder in(k.substr(prefix.size()));
        absl::StatusOr<int64_t> day = in.I64();
        std::optional<uint8_t> entry;
        if (scoped && day.ok()) {
          absl::StatusOr<uint8_t> e = in.U8();
          if (e.ok()) {
            entry = *e;
          } else {
            day = e.status();
          }
        }
        status = day.ok() ? AddDaily(value, static_cast<DayNumber>(*day), entry,
                                     first, last, out, mau_delta)
                          : errors::DataLoss("unreadable daily visitor rollup");
        return status.ok();
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

}  // namespace

absl::StatusOr<DailyVisitors> ReadDailyVisitors(const storage::ReadView& view,
                                                absl::string_view ws,
                                                DayNumber first,
                                                DayNumber last) {
  if (last < first) return DailyVisitors{};
  return ReadDaily(view, DailyPrefix(ws).key(), first, last, false);
}

absl::StatusOr<std::map<std::string, DailyVisitors>> ReadVisitorScopes(
    const storage::ReadView& view, absl::string_view ws, uint8_t dim,
    std::optional<absl::string_view> value, DayNumber first, DayNumber last) {
  std::map<std::string, DailyVisitors> out;
  if (last < first) return out;
  const std::string dim_prefix = ScopePrefix(ws, dim).key();
  auto read = [&](absl::string_view v) -> absl::Status {
    const std::string prefix = ScopePrefix(ws, dim).Str(v).key();
    ASSIGN_OR_RETURN(DailyVisitors series,
                     ReadDaily(view, prefix, first, last, true));
    out.emplace(std::string(v), std::move(series));
    return absl::OkStatus();
  };
  if (value.has_value()) {
    RETURN_IF_ERROR(read(*value));
    return out;
  }
  // Every value: seek to the next one, read its window, skip the rest.
  std::string from = dim_prefix;
  const std::string end = storage::PrefixEnd(dim_prefix);
  for (;;) {
    std::optional<std::string> next;
    absl::Status status;
    RETURN_IF_ERROR(view.Scan(ColumnFamily::kRollups, from, end,
                              [&](absl::string_view k, absl::string_view) {
                                KeyDecoder in(k.substr(dim_prefix.size()));
                                absl::StatusOr<std::string> v = in.Str();
                                if (v.ok()) {
                                  next = *std::move(v);
                                } else {
                                  status = errors::DataLoss(
                                      "unreadable daily visitor rollup");
                                }
                                return false;
                              }));
    RETURN_IF_ERROR(status);
    if (!next.has_value()) break;
    RETURN_IF_ERROR(read(*next));
    from = storage::PrefixEnd(ScopePrefix(ws, dim).Str(*next).key());
    if (from.empty()) break;
  }
  return out;
}

}  // namespace mittari::domain::kpi
