#include "domain/kpi/survey_metrics.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/keys.h"
#include "domain/kpi/registry.h"
#include "domain/kpi/rollups.h"
#include "domain/validation.h"
#include "storage/counters.h"

namespace mittari::domain::kpi {
namespace {

using storage::ColumnFamily;

constexpr int kMaxBuckets = 5000;
constexpr absl::Duration kMaxRange = absl::Hours(24 * 366 * 20);

std::string KindWord(int kind) {
  static constexpr std::array<absl::string_view, 7> kWords = {
      "", "nps", "csat", "ces", "rating", "text", "choice"};
  return kind >= 0 && kind < 7 ? std::string(kWords[kind]) : "";
}

bool SurveyDerived(absl::string_view dim) {
  return dim == "survey" || dim == "survey_kind" || dim == "journey_stage";
}

// What one rollup entry or raw response says about its dimensions; absent
// where the projection does not keep one.
struct Row {
  std::optional<std::string> survey;
  std::array<std::optional<std::string>, 6> dims;
  std::optional<std::string> tag;
};

// How a query reads: which projection, and the filters it applies.
struct Plan {
  Projection projection = Projection::kBySurvey;
  std::optional<Dim> dim;
  bool tagged = false;
  bool by_survey = false;  // the projection is keyed by survey first
  // The surveys that count, by id.
  std::optional<std::map<std::string, records::Survey>> surveys;
  std::map<Dim, std::string> dim_filters;
  std::optional<std::string> tag_filter;
  std::vector<std::string> group_by;  // sorted by name
};

class Accumulator {
 public:
  Accumulator(const Calendar& calendar, Granularity g,
              const std::vector<absl::CivilDay>& buckets)
      : calendar_(calendar), granularity_(g) {
    for (size_t i = 0; i < buckets.size(); ++i) index_[buckets[i]] = i;
    size_ = std::max<size_t>(1, buckets.size());
  }

  void Add(const std::vector<std::string>& group, absl::CivilDay day,
           const SurveyCounters& c) {
    size_t i = 0;
    if (granularity_ != Granularity::kNone) {
      auto it = index_.find(calendar_.BucketOf(day, granularity_));
      if (it == index_.end()) return;  // outside the range's buckets
      i = it->second;
    }
    auto& series = groups_[group];
    if (series.empty()) series.resize(size_);
    series[i] += c;
  }

  const std::map<std::vector<std::string>, std::vector<SurveyCounters>>&
  groups() const {
    return groups_;
  }
  size_t size() const { return size_; }

 private:
  const Calendar& calendar_;
  Granularity granularity_;
  std::map<absl::CivilDay, size_t> index_;
  size_t size_ = 1;
  std::map<std::vector<std::string>, std::vector<SurveyCounters>> groups_;
};

class Reader {
 public:
  Reader(const storage::Store& store, absl::string_view ws, const Plan& plan,
         const Calendar& calendar, Accumulator& acc)
      : store_(store), ws_(ws), plan_(plan), calendar_(calendar), acc_(acc) {}

  // Whole local days [first, end) from the rollups.
  absl::Status Rollups(DayNumber first, DayNumber end) {
    if (first >= end) return absl::OkStatus();
    if (plan_.by_survey) {
      const std::string* only = OnlyValue();
      for (const auto& [id, survey] : *plan_.surveys) {
        if (only != nullptr) {
          RETURN_IF_ERROR(ValueRollups(id, *only, first, end));
          continue;
        }
        if (plan_.projection == Projection::kBySurveyDim &&
            EmptyValueDerived(*plan_.dim)) {
          RETURN_IF_ERROR(DimensionRollups(id, first, end));
          continue;
        }
        RETURN_IF_ERROR(
            ScanProjection(RollupPrefix(ws_, plan_.projection, plan_.dim, id),
                           first, end, id));
      }
      return absl::OkStatus();
    }
    return ScanProjection(RollupPrefix(ws_, plan_.projection, plan_.dim), first,
                          end, std::nullopt);
  }

  // Raw facts in [from, to): responses, or invitation batches.
  absl::Status Raw(absl::Time from, absl::Time to) {
    if (from >= to) return absl::OkStatus();
    if (plan_.projection == Projection::kInvitations) {
      return RawInvitations(from, to);
    }
    auto [begin, end] = keys::NewestFirstRange(
        keys::InWorkspace(ws_, keys::WorkspaceTag::kResponse).key(),
        absl::ToUnixMicros(from), absl::ToUnixMicros(to));
    absl::Status status;
    RETURN_IF_ERROR(store_.Scan(
        ColumnFamily::kFacts, begin, end,
        [&](absl::string_view, absl::string_view value) {
          records::Response r;
          if (!r.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            status = errors::DataLoss("unreadable response record");
            return false;
          }
          absl::Time t = absl::FromUnixMicros(r.submit_time_us());
          if (t < from || t >= to) return true;
          Row row;
          row.survey = r.survey_id();
          for (Dim d : kDims) {
            row.dims[static_cast<size_t>(d) - 1] = DimValue(r, d);
          }
          absl::CivilDay day = absl::ToCivilDay(t, calendar_.zone());
          SurveyCounters c = CountersOf(r);
          if (plan_.tagged) {
            for (const std::string& tag : r.tags()) {
              row.tag = tag;
              Take(row, day, c);
            }
          } else {
            Take(row, day, c);
          }
          return true;
        }));
    return status;
  }

 private:
  // The one value of the projection's dimension that the filters keep,
  // when its entries are stored (not derived): null otherwise.
  const std::string* OnlyValue() const {
    if (plan_.projection != Projection::kBySurveyDim) return nullptr;
    auto it = plan_.dim_filters.find(*plan_.dim);
    if (it == plan_.dim_filters.end()) return nullptr;
    if (it->second.empty() && EmptyValueDerived(*plan_.dim)) return nullptr;
    return &it->second;
  }

  // One value's entries of [first, end): a point read a day, in batches,
  // instead of a scan over every value's entries (an event's NPS among a
  // year of every event's).
  absl::Status ValueRollups(const std::string& survey, const std::string& value,
                            DayNumber first, DayNumber end) {
    constexpr DayNumber kDaysABatch = 1024;
    const std::string prefix =
        RollupPrefix(ws_, Projection::kBySurveyDim, plan_.dim, survey);
    RollupKeyParts k;
    k.projection = Projection::kBySurveyDim;
    k.dim = plan_.dim;
    k.survey = survey;
    k.value = value;
    for (DayNumber from = first; from < end; from += kDaysABatch) {
      std::vector<std::string> keys;
      for (DayNumber d = from; d < end && d < from + kDaysABatch; ++d) {
        k.day = d;
        keys.push_back(EncodeRollupKey(ws_, k));
      }
      ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> values,
                       store_.MultiGet(ColumnFamily::kRollups, keys));
      for (size_t i = 0; i < keys.size(); ++i) {
        if (!values[i].has_value()) continue;
        RETURN_IF_ERROR(Entry(absl::string_view(keys[i]).substr(prefix.size()),
                              *values[i], survey, nullptr));
      }
    }
    return absl::OkStatus();
  }

  // One survey's entries of the plan's dimension, and that dimension's
  // empty value, which has no entries (rollups.h): per day, the survey's
  // total less the values that have them.
  absl::Status DimensionRollups(const std::string& survey, DayNumber first,
                                DayNumber end) {
    std::map<DayNumber, SurveyCounters> named;
    RETURN_IF_ERROR(ScanProjection(
        RollupPrefix(ws_, Projection::kBySurveyDim, plan_.dim, survey), first,
        end, survey, &named));
    absl::Status status;
    std::string prefix =
        RollupPrefix(ws_, Projection::kBySurvey, std::nullopt, survey);
    RETURN_IF_ERROR(store_.Scan(
        ColumnFamily::kRollups, WithDay(prefix, first), WithDay(prefix, end),
        [&](absl::string_view key, absl::string_view value) {
          absl::StatusOr<std::pair<DayNumber, SurveyCounters>> total =
              DayCounters(survey, key.substr(prefix.size()), value);
          if (!total.ok()) {
            status = total.status();
            return false;
          }
          auto [day, rest] = *std::move(total);
          if (auto it = named.find(day); it != named.end()) rest -= it->second;
          if (rest.count == 0) return true;
          Row row;
          row.survey = survey;
          row.dims[static_cast<size_t>(*plan_.dim) - 1] = "";
          Take(row, calendar_.CivilOf(day), rest);
          return true;
        }));
    return status;
  }

  // The day and counters of a kBySurvey entry.
  static absl::StatusOr<std::pair<DayNumber, SurveyCounters>> DayCounters(
      absl::string_view survey, absl::string_view suffix,
      absl::string_view value) {
    ASSIGN_OR_RETURN(
        RollupKeyParts k,
        ParseRollupKey(Projection::kBySurvey, std::nullopt, survey, suffix));
    ASSIGN_OR_RETURN(SurveyCounters c, ParseCounters(value));
    return std::pair{k.day, c};
  }

  static absl::StatusOr<SurveyCounters> ParseCounters(absl::string_view value) {
    ASSIGN_OR_RETURN(storage::CounterVector counters,
                     storage::DecodeCounters(value));
    std::optional<SurveyCounters> c =
        SurveyCounters::FromVector(counters.values);
    if (!c.has_value()) return errors::DataLoss("rollup of the wrong shape");
    c->overflowed = counters.overflowed;
    return *c;
  }

  absl::Status RawInvitations(absl::Time from, absl::Time to) {
    absl::Status status;
    RETURN_IF_ERROR(store_.ScanPrefix(
        ColumnFamily::kFacts,
        keys::InWorkspace(ws_, keys::WorkspaceTag::kInvitationBatch).key(),
        [&](absl::string_view, absl::string_view value) {
          records::InvitationBatch b;
          if (!b.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            status = errors::DataLoss("unreadable invitation batch");
            return false;
          }
          absl::Time t = absl::FromUnixMicros(b.send_time_us());
          if (t < from || t >= to) return true;
          Row row;
          row.survey = b.survey_id();
          row.dims[static_cast<size_t>(Dim::kChannel) - 1] = b.channel();
          SurveyCounters c;
          c.count = b.count();
          Take(row, absl::ToCivilDay(t, calendar_.zone()), c);
          return true;
        }));
    return status;
  }

  // Takes every entry under `prefix` on days [first, end); adds each to its
  // day in `sums` too, when given.
  absl::Status ScanProjection(
      const std::string& prefix, DayNumber first, DayNumber end,
      const std::optional<std::string>& survey,
      std::map<DayNumber, SurveyCounters>* sums = nullptr) {
    absl::Status status;
    RETURN_IF_ERROR(store_.Scan(
        ColumnFamily::kRollups, WithDay(prefix, first), WithDay(prefix, end),
        [&](absl::string_view key, absl::string_view value) {
          status = Entry(key.substr(prefix.size()), value, survey, sums);
          return status.ok();
        }));
    return status;
  }

  absl::Status Entry(absl::string_view suffix, absl::string_view value,
                     const std::optional<std::string>& survey,
                     std::map<DayNumber, SurveyCounters>* sums) {
    const Projection p = plan_.projection;
    ASSIGN_OR_RETURN(RollupKeyParts k,
                     ParseRollupKey(p, plan_.dim, survey, suffix));
    Row row;
    row.survey = std::move(k.survey);
    if (p == Projection::kFull || p == Projection::kFullTag) {
      for (size_t i = 0; i < kDims.size(); ++i) {
        row.dims[i] = std::move(k.dims[i]);
      }
    }
    if (p == Projection::kInvitations) {
      row.dims[static_cast<size_t>(Dim::kChannel) - 1] = std::move(k.value);
      ASSIGN_OR_RETURN(storage::CounterVector invited,
                       storage::DecodeCounters(value));
      SurveyCounters c;
      c.count = invited.values.at(0);
      c.overflowed = invited.overflowed;
      Take(row, calendar_.CivilOf(k.day), c);
      return absl::OkStatus();
    }
    if (p == Projection::kBySurveyDim) {
      row.dims[static_cast<size_t>(*plan_.dim) - 1] = std::move(k.value);
    }
    if (plan_.tagged) row.tag = std::move(k.value);
    ASSIGN_OR_RETURN(SurveyCounters c, ParseCounters(value));
    if (sums != nullptr) (*sums)[k.day] += c;
    Take(row, calendar_.CivilOf(k.day), c);
    return absl::OkStatus();
  }

  void Take(const Row& row, absl::CivilDay day, const SurveyCounters& c) {
    const records::Survey* survey = nullptr;
    if (plan_.surveys.has_value()) {
      auto it = plan_.surveys->find(*row.survey);
      if (it == plan_.surveys->end()) return;
      survey = &it->second;
    }
    for (const auto& [dim, value] : plan_.dim_filters) {
      if (row.dims[static_cast<size_t>(dim) - 1] != value) return;
    }
    if (plan_.tag_filter && row.tag != plan_.tag_filter) return;
    std::vector<std::string> group;
    for (const std::string& name : plan_.group_by) {
      if (name == "survey") {
        group.push_back(*row.survey);
      } else if (name == "survey_kind") {
        group.push_back(KindWord(survey->kind()));
      } else if (name == "journey_stage") {
        group.push_back(survey->journey_stage());
      } else if (name == "tag") {
        group.push_back(*row.tag);
      } else {
        group.push_back(*row.dims[static_cast<size_t>(*DimByName(name)) - 1]);
      }
    }
    acc_.Add(group, day, c);
  }

  const storage::Store& store_;
  std::string ws_;
  const Plan& plan_;
  const Calendar& calendar_;
  Accumulator& acc_;
};

absl::Status ValidateDimensions(Metric metric, const MetricQuery& q) {
  Violations v;
  const std::vector<std::string>& dims = SurveyDimensions();
  auto known = [&](const std::string& d) {
    return std::find(dims.begin(), dims.end(), d) != dims.end();
  };
  for (const auto& [dim, value] : q.filters) {
    if (!known(dim)) {
      v.Add(absl::StrCat("filters[", dim, "]"),
            absl::StrCat("'", dim, "' is not a dimension of ", q.metric));
    }
  }
  std::set<std::string> seen;
  for (const std::string& dim : q.group_by) {
    if (!known(dim)) {
      v.Add("group_by",
            absl::StrCat("'", dim, "' is not a dimension of ", q.metric));
    } else if (!seen.insert(dim).second) {
      v.Add("group_by", absl::StrCat("'", dim, "' is repeated"));
    }
  }
  for (const auto& [name, value] : q.params) {
    if (!(metric == Metric::kTagShare && name == "tag")) {
      v.Add(absl::StrCat("params[", name, "]"),
            absl::StrCat("is not a parameter of ", q.metric));
    }
  }
  if (metric == Metric::kTagShare) {
    auto it = q.params.find("tag");
    if (it == q.params.end() || it->second.empty()) {
      v.Add("params[tag]", "tag_share needs the tag to measure (--tag T)");
    }
    if (seen.contains("tag"))
      v.Add("group_by", "tag_share is not grouped by tag");
  }
  if (metric == Metric::kResponseRate) {
    for (const auto& [dim, value] : q.filters) {
      if (!SurveyDerived(dim) && dim != "channel") {
        v.Add(absl::StrCat("filters[", dim, "]"),
              "response_rate is cut by survey and channel only");
      }
    }
    for (const std::string& dim : q.group_by) {
      if (!SurveyDerived(dim) && dim != "channel") {
        v.Add("group_by", "response_rate is cut by survey and channel only");
      }
    }
  }
  return v.ToStatus();
}

// A survey metric's value from its counters, and from those of the second
// reading it divides by or into (tag_share, response_rate).
Estimate SurveyEstimate(Metric metric, const SurveyCounters& c,
                        const SurveyCounters& other) {
  Estimate e;
  switch (metric) {
    case Metric::kNps:
      return Nps(c);
    case Metric::kCsat:
      return Csat(c);
    case Metric::kCes:
    case Metric::kRating:
      return Mean(c);
    case Metric::kResponseCount:
      e.n = c.count;
      e.value = static_cast<double>(c.count);
      return e;
    case Metric::kTagShare:
      e.n = c.count;
      if (c.count > 0) {
        e.value = 100.0 * static_cast<double>(other.count) /
                  static_cast<double>(c.count);
      }
      return e;
    case Metric::kResponseRate:
      e.n = other.count;
      if (other.count > 0) {
        e.value = 100.0 * static_cast<double>(c.count) /
                  static_cast<double>(other.count);
      }
      return e;
    default:
      return e;
  }
}

// Counts one more reading of the query: rollups for whole days, raw rows
// for the partial days at the edges.
absl::Status Read(const storage::Store& store, absl::string_view ws,
                  const Plan& plan, const Calendar& calendar,
                  const MetricQuery& q, Accumulator& acc) {
  Reader reader(store, ws, plan, calendar, acc);
  DayNumber first = calendar.DayOf(q.from);
  if (calendar.DayStart(first) < q.from) ++first;
  DayNumber end = calendar.DayOf(q.to);
  if (first >= end) return reader.Raw(q.from, q.to);
  RETURN_IF_ERROR(reader.Rollups(first, end));
  RETURN_IF_ERROR(reader.Raw(q.from, calendar.DayStart(first)));
  return reader.Raw(calendar.DayStart(end), q.to);
}

}  // namespace

const std::vector<std::string>& SurveyDimensions() {
  static const auto* d = new std::vector<std::string>{
      "survey", "survey_kind", "channel", "touchpoint",    "event",
      "tag",    "segment",     "region",  "customer_type", "journey_stage"};
  return *d;
}

bool SurveyMetrics::HasDimension(absl::string_view dimension) {
  const std::vector<std::string>& dims = SurveyDimensions();
  return std::find(dims.begin(), dims.end(), dimension) != dims.end();
}

bool SurveyMetrics::Handles(absl::string_view metric) {
  const MetricDef* def = FindMetric(metric);
  return def != nullptr && def->engine == Engine::kSurvey;
}

absl::StatusOr<std::vector<absl::CivilDay>> QueryBuckets(
    const Calendar& calendar, const MetricQuery& q) {
  if (q.granularity == Granularity::kNone) return std::vector<absl::CivilDay>{};
  std::vector<absl::CivilDay> buckets =
      calendar.Buckets(q.from, q.to, q.granularity);
  if (buckets.size() > kMaxBuckets) {
    return errors::InvalidArgument(
        "granularity", absl::StrCat("the range has ", buckets.size(),
                                    " buckets; at most ", kMaxBuckets));
  }
  return buckets;
}

namespace {

void ClearValue(Estimate& e) {
  e.value.reset();
  e.ci_low.reset();
  e.ci_high.reset();
}

}  // namespace

absl::Status CheckPointCount(size_t groups, size_t buckets) {
  if (groups * buckets <= kMaxPoints) return absl::OkStatus();
  return errors::ResourceExhausted(absl::StrCat(
      "the answer would hold ", groups, " groups x ", buckets,
      " buckets; at most ", kMaxPoints,
      " points: narrow the range, the granularity or the group_by"));
}

void MarkOverflowed(MetricPoint& p) {
  p.overflowed = true;
  ClearValue(p.estimate);
}

void ApplyMinN(const MetricQuery& q, MetricPoint& p) {
  if (p.estimate.n >= q.min_n) return;
  p.suppressed = true;
  ClearValue(p.estimate);
}

absl::Status ValidateQueryShape(const MetricQuery& q) {
  Violations v;
  if (q.to <= q.from) {
    v.Add("range.end_time", "must be after range.start_time");
  } else if (q.to - q.from > kMaxRange) {
    v.Add("range", "spans more than 20 years");
  }
  if (q.group_by.size() > 2) v.Add("group_by", "at most two dimensions");
  if (q.min_n < 0) v.Add("min_n", "must not be negative");
  return v.ToStatus();
}

absl::StatusOr<std::vector<MetricPoint>> SurveyMetrics::Query(
    absl::string_view ws, const MetricQuery& q) const {
  const MetricDef* def = FindMetric(q.metric);
  if (def == nullptr || def->engine != Engine::kSurvey) {
    return errors::InvalidArgument(
        "metric", absl::StrCat("'", q.metric, "' is not a survey metric"));
  }
  const Metric metric = def->metric;
  RETURN_IF_ERROR(ValidateQueryShape(q));
  RETURN_IF_ERROR(ValidateDimensions(metric, q));
  ASSIGN_OR_RETURN(absl::TimeZone zone, workspaces_.TimeZoneOf(ws));
  Calendar calendar(zone);
  ASSIGN_OR_RETURN(std::vector<absl::CivilDay> buckets,
                   QueryBuckets(calendar, q));

  // The plan: which surveys count, which projection answers.
  Plan plan;
  plan.group_by = q.group_by;
  std::sort(plan.group_by.begin(), plan.group_by.end());
  const std::optional<SurveyKind> kind = def->survey_kind;
  std::set<Dim> fact_dims;
  bool tagged = false;
  auto note = [&](const std::string& dim) {
    if (dim == "tag") tagged = true;
    if (auto d = DimByName(dim)) fact_dims.insert(*d);
  };
  for (const auto& [dim, value] : q.filters) {
    note(dim);
    if (auto d = DimByName(dim)) plan.dim_filters[*d] = value;
    if (dim == "tag") plan.tag_filter = value;
  }
  for (const std::string& dim : q.group_by) note(dim);
  // The surveys that count: every projection is keyed by survey, so a query
  // that names none reads all of them.
  ASSIGN_OR_RETURN(
      Page<records::Survey> all,
      surveys_.List(ws, "", std::numeric_limits<int>::max(), 0, true));
  plan.surveys.emplace();
  for (records::Survey& s : all.items) {
    auto filter = [&](const char* dim, const std::string& value) {
      auto it = q.filters.find(dim);
      return it == q.filters.end() || it->second == value;
    };
    if (kind && s.kind() != static_cast<int>(*kind)) continue;
    if (!filter("survey", s.id()) ||
        !filter("survey_kind", KindWord(s.kind())) ||
        !filter("journey_stage", s.journey_stage())) {
      continue;
    }
    plan.surveys->emplace(s.id(), std::move(s));
  }
  // The narrowest projection holding every dimension the query names.
  auto with_projection = [&](bool with_tag) {
    Plan p = plan;
    p.tagged = with_tag;
    p.dim.reset();
    p.by_survey = fact_dims.size() <= 1 && !(with_tag && !fact_dims.empty());
    if (fact_dims.size() > 1 || (with_tag && !fact_dims.empty())) {
      p.projection = with_tag ? Projection::kFullTag : Projection::kFull;
    } else if (with_tag) {
      p.projection = Projection::kBySurveyTag;
    } else if (fact_dims.empty()) {
      p.projection = Projection::kBySurvey;
    } else {
      p.dim = *fact_dims.begin();
      p.projection = Projection::kBySurveyDim;
    }
    return p;
  };
  plan = with_projection(tagged);

  Accumulator main(calendar, q.granularity, buckets);
  RETURN_IF_ERROR(Read(store_, ws, plan, calendar, q, main));

  // The second reading some metrics divide by (or into).
  std::optional<Accumulator> other;
  if (metric == Metric::kTagShare) {
    other.emplace(calendar, q.granularity, buckets);
    Plan tags = with_projection(true);
    tags.tag_filter = q.params.at("tag");
    RETURN_IF_ERROR(Read(store_, ws, tags, calendar, q, *other));
  }
  if (metric == Metric::kResponseRate) {
    other.emplace(calendar, q.granularity, buckets);
    Plan invitations = plan;
    invitations.projection = Projection::kInvitations;
    invitations.by_survey = true;
    invitations.dim.reset();
    RETURN_IF_ERROR(Read(store_, ws, invitations, calendar, q, *other));
  }

  // Points: every bucket of every group with data, ordered by group.
  std::vector<std::vector<std::string>> groups;
  for (const auto& [group, series] : main.groups()) {
    for (const SurveyCounters& c : series) {
      if (c.count > 0) {
        groups.push_back(group);
        break;
      }
    }
  }
  if (metric == Metric::kResponseRate && other.has_value()) {
    for (const auto& [group, series] : other->groups()) {
      if (std::find(groups.begin(), groups.end(), group) == groups.end()) {
        groups.push_back(group);
      }
    }
    std::sort(groups.begin(), groups.end());
  }
  if (groups.empty() && q.group_by.empty()) groups.emplace_back();
  RETURN_IF_ERROR(CheckPointCount(groups.size(), main.size()));

  std::vector<MetricPoint> points;
  std::vector<SurveyCounters> zeros(main.size());
  for (const std::vector<std::string>& group : groups) {
    auto it = main.groups().find(group);
    const std::vector<SurveyCounters>& series =
        it == main.groups().end() ? zeros : it->second;
    const std::vector<SurveyCounters>* other_series = &zeros;
    if (other.has_value()) {
      auto o = other->groups().find(group);
      if (o != other->groups().end()) other_series = &o->second;
    }
    for (size_t b = 0; b < main.size(); ++b) {
      MetricPoint p;
      if (q.granularity != Granularity::kNone) {
        p.bucket_start = calendar.StartOf(buckets[b]);
      }
      for (size_t g = 0; g < group.size(); ++g) {
        p.group.emplace_back(plan.group_by[g], group[g]);
      }
      const SurveyCounters& c = series[b];
      p.counters = c;
      p.estimate = SurveyEstimate(metric, c, (*other_series)[b]);
      if (c.overflowed || (*other_series)[b].overflowed) MarkOverflowed(p);
      ApplyMinN(q, p);
      points.push_back(std::move(p));
    }
  }
  return points;
}

absl::StatusOr<std::vector<std::string>> SurveyMetrics::DimensionValues(
    absl::string_view ws, absl::string_view dimension,
    std::optional<absl::Time> from, std::optional<absl::Time> to) const {
  const std::vector<std::string>& dims = SurveyDimensions();
  if (std::find(dims.begin(), dims.end(), dimension) == dims.end()) {
    return errors::InvalidArgument(
        "dimension", absl::StrCat("'", dimension, "' is not a dimension"));
  }
  std::set<std::string> values;
  if (SurveyDerived(dimension)) {
    ASSIGN_OR_RETURN(
        Page<records::Survey> all,
        surveys_.List(ws, "", std::numeric_limits<int>::max(), 0, true));
    for (const records::Survey& s : all.items) {
      values.insert(dimension == "survey"        ? s.id()
                    : dimension == "survey_kind" ? KindWord(s.kind())
                                                 : s.journey_stage());
    }
    values.erase("");
    return std::vector<std::string>(values.begin(), values.end());
  }
  ASSIGN_OR_RETURN(absl::TimeZone zone, workspaces_.TimeZoneOf(ws));
  Calendar calendar(zone);
  std::optional<Dim> dim = DimByName(dimension);
  ASSIGN_OR_RETURN(
      Page<records::Survey> all,
      surveys_.List(ws, "", std::numeric_limits<int>::max(), 0, true));
  absl::Status status;
  for (const records::Survey& s : all.items) {
    const Projection p =
        dim ? Projection::kBySurveyDim : Projection::kBySurveyTag;
    std::string prefix = RollupPrefix(ws, p, dim, s.id());
    // Whole days touched by the range: a value seen on them is offered.
    std::string begin = from ? WithDay(prefix, calendar.DayOf(*from)) : prefix;
    std::string end =
        to ? WithDay(prefix, calendar.DayOf(*to - absl::Nanoseconds(1)) + 1)
           : storage::PrefixEnd(prefix);
    RETURN_IF_ERROR(store_.Scan(ColumnFamily::kRollups, begin, end,
                                [&](absl::string_view key, absl::string_view) {
                                  absl::StatusOr<RollupKeyParts> k =
                                      ParseRollupKey(p, dim, s.id(),
                                                     key.substr(prefix.size()));
                                  if (!k.ok()) {
                                    status = k.status();
                                    return false;
                                  }
                                  values.insert(std::move(k->value));
                                  return true;
                                }));
    RETURN_IF_ERROR(status);
  }
  RETURN_IF_ERROR(status);
  values.erase("");
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace mittari::domain::kpi
