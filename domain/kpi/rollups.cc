#include "domain/kpi/rollups.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/keys.h"
#include "domain/surveys.h"
#include "storage/counters.h"

namespace mittari::domain::kpi {
namespace {

using storage::ColumnFamily;
using storage::KeyEncoder;

constexpr std::array<absl::string_view, 6> kDimNames = {
    "channel", "touchpoint", "event", "segment", "region", "customer_type"};

KeyEncoder Prefix(absl::string_view ws, Projection p) {
  return keys::InWorkspace(ws, keys::WorkspaceTag::kRollup)
      .U8(static_cast<uint8_t>(p));
}

// The key prefix of RollupPrefix, still open for more parts.
KeyEncoder PrefixKey(absl::string_view ws, Projection p, std::optional<Dim> dim,
                     std::optional<absl::string_view> survey) {
  KeyEncoder key = Prefix(ws, p);
  if (dim) key.U8(static_cast<uint8_t>(*dim));
  if (survey) key.Str(*survey);
  return key;
}

// A survey-keyed entry in one pass: RollupPrefix's layout, WithDay's, then
// the value where the projection has one.
std::string DayKey(absl::string_view ws, Projection p, std::optional<Dim> dim,
                   absl::string_view survey, DayNumber day,
                   std::optional<absl::string_view> value) {
  KeyEncoder key = PrefixKey(ws, p, dim, survey);
  key.I64(day);
  if (value) key.Str(*value);
  return std::move(key).key();
}

// A kFull entry (kFullTag with a tag): the day, the survey, then every
// dimension.
template <typename Dims>
std::string FullKey(absl::string_view ws, absl::string_view survey,
                    const Dims& dims, DayNumber day,
                    std::optional<absl::string_view> tag) {
  KeyEncoder key = Prefix(ws, tag ? Projection::kFullTag : Projection::kFull);
  key.I64(day).Str(survey);
  for (const auto& value : dims) key.Str(value);
  if (tag) key.Str(*tag);
  return std::move(key).key();
}

// A response's values of every dimension, in kDims order.
std::array<absl::string_view, kDims.size()> DimValues(
    const records::Response& r) {
  std::array<absl::string_view, kDims.size()> out;
  for (size_t i = 0; i < kDims.size(); ++i) out[i] = DimValue(r, kDims[i]);
  return out;
}

bool KeyedBySurveyFirst(Projection p) {
  return p == Projection::kBySurvey || p == Projection::kBySurveyDim ||
         p == Projection::kBySurveyTag || p == Projection::kInvitations;
}

}  // namespace

absl::string_view DimName(Dim dim) {
  return kDimNames[static_cast<size_t>(dim) - 1];
}

std::optional<Dim> DimByName(absl::string_view name) {
  for (Dim d : kDims) {
    if (DimName(d) == name) return d;
  }
  return std::nullopt;
}

const std::string& DimValue(const records::Response& r, Dim dim) {
  switch (dim) {
    case Dim::kChannel:
      return r.channel();
    case Dim::kTouchpoint:
      return r.touchpoint();
    case Dim::kEvent:
      return r.event_id();
    case Dim::kSegment:
      return r.segment();
    case Dim::kRegion:
      return r.region();
    case Dim::kCustomerType:
      return r.customer_type();
  }
  return r.channel();
}

SurveyCounters CountersOf(const records::Response& r) {
  SurveyCounters c;
  c.count = 1;
  if (!r.has_score()) return c;
  int64_t score = r.score();
  c.n = 1;
  c.sum = score;
  c.sum_sq = score * score;
  c.positive = r.positive() ? 1 : 0;
  if (r.survey_kind() == static_cast<int>(SurveyKind::kNps)) {
    c.promoters = score >= 9 ? 1 : 0;
    c.detractors = score <= 6 ? 1 : 0;
  }
  return c;
}

std::string RollupPrefix(absl::string_view ws, Projection p,
                         std::optional<Dim> dim,
                         std::optional<absl::string_view> survey) {
  return PrefixKey(ws, p, dim, survey).key();
}

std::string EncodeRollupKey(absl::string_view ws, const RollupKeyParts& k) {
  switch (k.projection) {
    case Projection::kBySurvey:
      return DayKey(ws, k.projection, std::nullopt, k.survey, k.day,
                    std::nullopt);
    case Projection::kBySurveyDim:
      return DayKey(ws, k.projection, k.dim, k.survey, k.day, k.value);
    case Projection::kBySurveyTag:
    case Projection::kInvitations:
      return DayKey(ws, k.projection, std::nullopt, k.survey, k.day, k.value);
    case Projection::kFull:
      return FullKey(ws, k.survey, k.dims, k.day, std::nullopt);
    case Projection::kFullTag:
      return FullKey(ws, k.survey, k.dims, k.day, k.value);
    default:  // the fact projections have layouts of their own (facts.h)
      return "";
  }
}

absl::StatusOr<RollupKeyParts> ParseRollupKey(
    Projection p, std::optional<Dim> dim,
    std::optional<absl::string_view> survey, absl::string_view rest) {
  RollupKeyParts k;
  k.projection = p;
  k.dim = dim;
  storage::KeyDecoder d(rest);
  ASSIGN_OR_RETURN(int64_t day, d.I64());
  k.day = static_cast<DayNumber>(day);
  if (KeyedBySurveyFirst(p)) {
    if (!survey.has_value()) {
      return errors::Internal("a survey-keyed rollup needs its survey");
    }
    k.survey = std::string(*survey);
    if (p != Projection::kBySurvey) {
      ASSIGN_OR_RETURN(k.value, d.Str());
    }
  } else if (p == Projection::kFull || p == Projection::kFullTag) {
    ASSIGN_OR_RETURN(k.survey, d.Str());
    for (std::string& value : k.dims) {
      ASSIGN_OR_RETURN(value, d.Str());
    }
    if (p == Projection::kFullTag) {
      ASSIGN_OR_RETURN(k.value, d.Str());
    }
  } else {
    return errors::Internal("not a survey rollup projection");
  }
  if (!d.done()) return errors::DataLoss("a rollup key with trailing bytes");
  return k;
}

std::string WithDay(absl::string_view prefix, DayNumber day) {
  return absl::StrCat(prefix, KeyEncoder().I64(day).key());
}

absl::StatusOr<bool> SurveyHasResponses(const storage::ReadView& view,
                                        absl::string_view workspace_id,
                                        absl::string_view survey_id) {
  bool any = false;
  absl::Status status =
      view.ScanPrefix(ColumnFamily::kRollups,
                      RollupPrefix(workspace_id, Projection::kBySurvey,
                                   std::nullopt, survey_id),
                      [&](absl::string_view, absl::string_view) {
                        any = true;
                        return false;
                      });
  if (!status.ok()) return status;
  return any;
}

void RollupDeltas::Add(std::string key, const std::vector<int64_t>& delta) {
  auto [it, inserted] = deltas_.try_emplace(std::move(key), Delta{delta});
  if (!inserted) {
    Delta& sum = it->second;
    for (size_t i = 0; i < delta.size(); ++i) {
      if (!storage::AddSaturating(sum.counters[i], delta[i])) {
        sum.overflowed = true;
      }
    }
  }
}

void RollupDeltas::Merge(RollupDeltas&& other) {
  if (deltas_.empty()) {
    deltas_.swap(other.deltas_);
    return;
  }
  for (auto& [key, delta] : other.deltas_) {
    auto [it, inserted] = deltas_.try_emplace(key, std::move(delta));
    if (inserted) continue;
    Delta& sum = it->second;
    for (size_t i = 0; i < delta.counters.size(); ++i) {
      if (!storage::AddSaturating(sum.counters[i], delta.counters[i])) {
        sum.overflowed = true;
      }
    }
    sum.overflowed = sum.overflowed || delta.overflowed;
  }
}

void RollupDeltas::FlushTo(storage::WriteBatch& batch) {
  for (auto& [key, delta] : deltas_) {
    if (storage::ChangesNothing(delta.counters, delta.overflowed)) continue;
    batch.AddCounters(ColumnFamily::kRollups, key, delta.counters,
                      delta.overflowed);
  }
  deltas_.clear();
}

void AddResponseRollups(RollupDeltas& deltas, absl::string_view ws,
                        const records::Response& r, DayNumber day) {
  std::vector<int64_t> delta = CountersOf(r).ToVector();
  const std::string& survey = r.survey_id();
  deltas.Add(DayKey(ws, Projection::kBySurvey, std::nullopt, survey, day,
                    std::nullopt),
             delta);
  for (Dim d : kDims) {
    if (EmptyValueDerived(d) && DimValue(r, d).empty()) continue;
    deltas.Add(
        DayKey(ws, Projection::kBySurveyDim, d, survey, day, DimValue(r, d)),
        delta);
  }
  const auto dims = DimValues(r);
  deltas.Add(FullKey(ws, survey, dims, day, std::nullopt), delta);
  for (const std::string& tag : r.tags()) {
    deltas.Add(
        DayKey(ws, Projection::kBySurveyTag, std::nullopt, survey, day, tag),
        delta);
    deltas.Add(FullKey(ws, survey, dims, day, tag), delta);
  }
}

void AddInvitationRollup(storage::WriteBatch& batch, absl::string_view ws,
                         const records::InvitationBatch& b, DayNumber day) {
  batch.AddCounters(ColumnFamily::kRollups,
                    DayKey(ws, Projection::kInvitations, std::nullopt,
                           b.survey_id(), day, b.channel()),
                    {b.count()});
}

}  // namespace mittari::domain::kpi
