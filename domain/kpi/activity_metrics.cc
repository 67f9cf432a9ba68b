#include "domain/kpi/activity_metrics.h"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/kpi/registry.h"
#include "domain/kpi/visitor_days.h"
#include "domain/validation.h"
#include "storage/counters.h"

namespace mittari::domain::kpi {
namespace {

using GroupKey = std::vector<std::string>;

// How a metric is computed.
enum class Family {
  kTotals,         // sums and counts per bucket
  kDistinct,       // distinct customers or visitors per bucket
  kDaily,          // DAU, MAU, stickiness per local day
  kLifecycle,      // churn, retention
  kEngagement,     // sessions' customers over active customers
  kClvHistorical,  // revenue before the bucket's end per acquired customer
  kClvPredictive,  // AOV x annual frequency x expected lifetime
};

Family FamilyOf(Metric metric) {
  switch (metric) {
    case Metric::kChurnRate:
    case Metric::kRetentionRate:
      return Family::kLifecycle;
    case Metric::kPurchaseFrequency:
    case Metric::kRepeatPurchaseRate:
    case Metric::kConversionRate:
      return Family::kDistinct;
    case Metric::kClvHistorical:
      return Family::kClvHistorical;
    case Metric::kClvPredictive:
      return Family::kClvPredictive;
    case Metric::kEngagementRate:
      return Family::kEngagement;
    case Metric::kDau:
    case Metric::kMau:
    case Metric::kStickiness:
      return Family::kDaily;
    default:  // aov, per-session means, organic clicks, the ticket metrics
      return Family::kTotals;
  }
}

// What the engine needs of a metric: its registry entry, its family, and
// the facts it reads.
struct ActivityDef {
  Metric metric;
  absl::string_view name;
  Family family;
  FactKind kind;
};

std::optional<ActivityDef> ActivityDefOf(absl::string_view id) {
  const MetricDef* def = FindMetric(id);
  if (def == nullptr || def->engine != Engine::kActivity ||
      !def->facts.has_value()) {
    return std::nullopt;
  }
  return ActivityDef{def->metric, def->id, FamilyOf(def->metric), *def->facts};
}

bool JoinsLifecycle(Family f) {
  return f == Family::kLifecycle || f == Family::kEngagement ||
         f == Family::kClvHistorical || f == Family::kClvPredictive;
}

// The dimensions a metric filters and groups by.
std::vector<std::string> DimensionsOf(const ActivityDef& def) {
  return JoinsLifecycle(def.family) ? SchemaOf(FactKind::kLifecycle).dims
                                    : SchemaOf(def.kind).dims;
}

double Ratio(int64_t a, int64_t b) {
  return static_cast<double>(a) / static_cast<double>(b);
}

// A percentage with the Wilson interval where it is a proportion.
Estimate Percent(int64_t k, int64_t n) {
  if (n <= 0) return Estimate{};
  if (k >= 0 && k <= n) return Proportion(k, n);
  Estimate e;
  e.n = n;
  e.value = 100.0 * Ratio(k, n);
  return e;
}

Estimate Count(int64_t count) {
  Estimate e;
  e.n = count;
  e.value = static_cast<double>(count);
  return e;
}

// The filters and group-by of a query, resolved against one kind's
// dimension positions.
class Selection {
 public:
  Selection(const FactSchema& schema, const MetricQuery& q,
            const std::vector<std::string>& group_by,
            const std::vector<std::pair<std::string, std::string>>& extra) {
    auto position = [&](const std::string& dim) {
      auto it = std::find(schema.dims.begin(), schema.dims.end(), dim);
      return static_cast<size_t>(it - schema.dims.begin());
    };
    for (const auto& [dim, value] : q.filters) {
      filters_.emplace_back(position(dim), value);
    }
    for (const auto& [dim, value] : extra) {
      filters_.emplace_back(position(dim), value);
    }
    for (const std::string& dim : group_by) groups_.push_back(position(dim));
  }

  // False when the row fails a filter; otherwise its group in `key`.
  bool Match(const FactRow& row, GroupKey& key) const {
    for (const auto& [pos, value] : filters_) {
      if (row.dims[pos] != value) return false;
    }
    key.clear();
    for (size_t pos : groups_) key.push_back(row.dims[pos]);
    return true;
  }

 private:
  std::vector<std::pair<size_t, std::string>> filters_;
  std::vector<size_t> groups_;
};

// The buckets of a query: their bounds within the range, and the bucket of
// a local day.
class Buckets {
 public:
  Buckets(const Calendar& calendar, const MetricQuery& q,
          const std::vector<absl::CivilDay>& starts)
      : calendar_(calendar), granularity_(q.granularity) {
    if (starts.empty()) {
      begins_.push_back(q.from);
      ends_.push_back(q.to);
      return;
    }
    whole_ = granularity_ != Granularity::kNone;
    for (const absl::CivilDay& s : starts) {
      absl::Time start = calendar.StartOf(s);
      absl::Time next = calendar.StartOf(calendar.NextBucket(s, granularity_));
      starts_.push_back(start);
      begins_.push_back(std::max(start, q.from));
      ends_.push_back(std::min(next, q.to));
      whole_ = whole_ && begins_.back() == start && ends_.back() == next;
      index_[s] = starts_.size() - 1;
    }
  }

  size_t size() const { return begins_.size(); }
  std::optional<absl::Time> start(size_t i) const {
    if (starts_.empty()) return std::nullopt;
    return starts_[i];
  }
  absl::Time begin(size_t i) const { return begins_[i]; }
  absl::Time end(size_t i) const { return ends_[i]; }
  // Whether every bucket is a whole calendar bucket (day to year): the
  // range starts and ends on bucket edges.
  bool whole() const { return whole_; }
  Granularity granularity() const { return granularity_; }

  // The bucket of a day of the range; -1 outside it.
  int Of(DayNumber day) const {
    if (starts_.empty()) return 0;
    auto it =
        index_.find(calendar_.BucketOf(calendar_.CivilOf(day), granularity_));
    return it == index_.end() ? -1 : static_cast<int>(it->second);
  }

 private:
  const Calendar& calendar_;
  Granularity granularity_;
  std::vector<absl::Time> starts_;
  std::vector<absl::Time> begins_;
  std::vector<absl::Time> ends_;
  std::map<absl::CivilDay, size_t> index_;
  bool whole_ = false;
};

using SelectedVisitor = absl::FunctionRef<void(
    DayNumber day, const FactRow& row, const GroupKey& group)>;

// Per-group active-interval events: (time, acquired, churned), sorted.
class Lifecycles {
 public:
  void Add(const GroupKey& group, int64_t time_us, int64_t acquired,
           int64_t churned) {
    events_[group].push_back({time_us, acquired, churned});
  }

  // Sorts the events and sums them up; call once, before the counts.
  void Finish() {
    for (auto& [group, events] : events_) {
      std::sort(events.begin(), events.end());
      auto& sums = sums_[group];
      sums.assign(events.size() + 1, {0, 0});
      for (size_t i = 0; i < events.size(); ++i) {
        sums[i + 1] = {sums[i][0] + events[i][1], sums[i][1] + events[i][2]};
      }
    }
  }

  struct Counts {
    int64_t start = 0;
    int64_t end = 0;
    int64_t added = 0;
    int64_t lost = 0;
  };

  // S, E, N and L of metrics.md for [from, to).
  Counts For(const GroupKey& group, absl::Time from, absl::Time to) const {
    Counts c;
    auto it = sums_.find(group);
    if (it == sums_.end()) return c;
    auto before = [&](absl::Time t) {
      const auto& events = events_.at(group);
      int64_t us = absl::ToUnixMicros(t);
      size_t i =
          std::lower_bound(events.begin(), events.end(),
                           std::array<int64_t, 3>{us, INT64_MIN, INT64_MIN}) -
          events.begin();
      return it->second[i];
    };
    std::array<int64_t, 2> at_from = before(from);
    std::array<int64_t, 2> at_to = before(to);
    c.start = at_from[0] - at_from[1];
    c.end = at_to[0] - at_to[1];
    c.added = at_to[0] - at_from[0];
    c.lost = at_to[1] - at_from[1];
    return c;
  }

  std::set<GroupKey> groups() const {
    std::set<GroupKey> out;
    for (const auto& [group, events] : events_) out.insert(group);
    return out;
  }

 private:
  std::map<GroupKey, std::vector<std::array<int64_t, 3>>> events_;
  std::map<GroupKey, std::vector<std::array<int64_t, 2>>> sums_;
};

class QueryRun {
 public:
  QueryRun(const storage::ReadView& view, const records::Workspace& workspace,
           const Calendar& calendar, const MetricQuery& q,
           const ActivityDef& def, const Buckets& buckets)
      : view_(view),
        ws_(workspace.id()),
        visitor_days_(workspace.visitor_days()),
        visitor_scopes_(workspace.visitor_scopes()),
        calendar_(calendar),
        q_(q),
        def_(def),
        buckets_(buckets),
        group_by_(q.group_by) {
    std::sort(group_by_.begin(), group_by_.end());
  }

  absl::StatusOr<std::vector<MetricPoint>> Run() {
    switch (def_.family) {
      case Family::kTotals:
        return Totals();
      case Family::kDistinct:
        return Distinct();
      case Family::kDaily:
        return Daily();
      case Family::kLifecycle:
        return LifecycleRates();
      case Family::kEngagement:
        return Engagement();
      case Family::kClvHistorical:
        return ClvHistorical();
      case Family::kClvPredictive:
        return ClvPredictive();
    }
    return errors::Internal("unknown metric family");
  }

 private:
  // Visits the rows of `kind` in [from, to) that pass the filters. A row
  // whose counters saturated is not visited: it marks the points it would
  // have counted in as overflowed.
  absl::Status Each(
      FactKind kind, bool entities, absl::Time from, absl::Time to,
      SelectedVisitor visit,
      const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    Selection selection(SchemaOf(kind), q_, group_by_, extra);
    GroupKey key;
    return ScanRows(view_, ws_, calendar_, kind, entities, from, to,
                    [&](DayNumber day, const FactRow& row) {
                      if (!selection.Match(row, key)) return;
                      if (row.overflowed) {
                        Overflowed(key, buckets_.Of(day));
                      } else {
                        visit(day, row, key);
                      }
                    });
  }

  // Marks the points of `group` that a saturated row or sum in bucket `b`
  // (-1: before the range) reaches: that bucket's for sums and distinct
  // counts, that bucket's and every later one's for what accumulates over
  // time (lifecycles, CLV, MAU windows).
  void Overflowed(const GroupKey& group, int b) {
    const bool per_bucket =
        def_.family == Family::kTotals || def_.family == Family::kDistinct;
    if (per_bucket && b >= 0) {
      overflowed_.emplace(group, b);
      return;
    }
    for (auto i = static_cast<size_t>(std::max(b, 0)); i < buckets_.size();
         ++i) {
      overflowed_.emplace(group, i);
    }
  }

  // Reads the active intervals' starts and ends before `to`.
  absl::StatusOr<Lifecycles> ReadLifecycles() {
    Lifecycles out;
    auto add = [&](DayNumber, const FactRow& row, const GroupKey& group) {
      out.Add(group, row.time_us, row.counters[lifecycle::kAcquired],
              row.counters[lifecycle::kChurned]);
    };
    // Two readings, so that a range start inside a local day is exact.
    RETURN_IF_ERROR(
        Each(FactKind::kLifecycle, false, absl::InfinitePast(), q_.from, add));
    RETURN_IF_ERROR(Each(FactKind::kLifecycle, false, q_.from, q_.to, add));
    out.Finish();
    return out;
  }

  // Every bucket of every group, with `fill` setting a point's values.
  absl::StatusOr<std::vector<MetricPoint>> Points(
      std::set<GroupKey> groups,
      const std::function<void(const GroupKey&, size_t, MetricPoint&)>& fill)
      const {
    // A group whose only rows saturated still shows, flagged.
    for (const auto& [group, b] : overflowed_) groups.insert(group);
    if (groups.empty() && group_by_.empty()) groups.emplace();
    RETURN_IF_ERROR(CheckPointCount(groups.size(), buckets_.size()));
    std::vector<MetricPoint> points;
    for (const GroupKey& group : groups) {
      for (size_t b = 0; b < buckets_.size(); ++b) {
        MetricPoint p;
        p.bucket_start = buckets_.start(b);
        for (size_t g = 0; g < group.size(); ++g) {
          p.group.emplace_back(group_by_[g], group[g]);
        }
        fill(group, b, p);
        if (overflowed_.contains({group, b})) MarkOverflowed(p);
        ApplyMinN(q_, p);
        points.push_back(std::move(p));
      }
    }
    return points;
  }

  template <typename Value>
  static std::set<GroupKey> KeysOf(const std::map<GroupKey, Value>& m) {
    std::set<GroupKey> out;
    for (const auto& [group, value] : m) out.insert(group);
    return out;
  }

  absl::StatusOr<std::vector<MetricPoint>> Totals() {
    const size_t width = SchemaOf(def_.kind).counters;
    std::map<GroupKey, std::vector<std::vector<int64_t>>> sums;
    std::vector<std::pair<std::string, std::string>> extra;
    if (def_.metric == Metric::kOrganicClicks)
      extra.emplace_back("source", "organic_search");
    RETURN_IF_ERROR(Each(
        def_.kind, false, q_.from, q_.to,
        [&](DayNumber day, const FactRow& row, const GroupKey& group) {
          int b = buckets_.Of(day);
          if (b < 0) return;
          auto& series = sums[group];
          if (series.empty()) {
            series.assign(buckets_.size(), std::vector<int64_t>(width, 0));
          }
          for (size_t i = 0; i < width; ++i) {
            if (!storage::AddSaturating(series[b][i], row.counters[i])) {
              Overflowed(group, b);
            }
          }
        },
        extra));
    const std::vector<int64_t> zeros(width, 0);
    const Metric m = def_.metric;
    return Points(KeysOf(sums), [&](const GroupKey& group, size_t b,
                                    MetricPoint& p) {
      auto it = sums.find(group);
      const std::vector<int64_t>& s = it == sums.end() ? zeros : it->second[b];
      Estimate& e = p.estimate;
      if (m == Metric::kAov) {
        e.n = s[purchase::kOrders];
        if (e.n > 0) e.value = Ratio(s[purchase::kRevenue], e.n);
      } else if (m == Metric::kPagesPerSession ||
                 m == Metric::kAvgSessionDuration) {
        e.n = s[session::kSessions];
        int64_t total = m == Metric::kPagesPerSession ? s[session::kPageViews]
                                                      : s[session::kSeconds];
        if (e.n > 0) e.value = Ratio(total, e.n);
      } else if (m == Metric::kOrganicClicks) {
        e = Count(s[session::kSessions]);
      } else if (m == Metric::kTicketVolume) {
        e = Count(s[ticket::kCreated]);
      } else if (m == Metric::kFirstResponseTime) {
        e.n = s[ticket::kResponded];
        if (e.n > 0) e.value = Ratio(s[ticket::kResponseMicros], e.n) / 1e6;
      } else if (m == Metric::kResolutionRate) {
        e = Percent(s[ticket::kResolved], s[ticket::kCreated]);
      } else if (m == Metric::kFollowupClosedRate) {
        e = Percent(s[followup::kClosed],
                    s[followup::kItems] - s[followup::kDismissed]);
      } else if (m == Metric::kFollowupTimeToContact) {
        e.n = s[followup::kContacted];
        if (e.n > 0) e.value = Ratio(s[followup::kContactMicros], e.n) / 1e6;
      }
    });
  }

  // The scopes of the visitor-day index a session query reads instead of
  // the entity entries (visitor_days.h): the whole workspace, or one
  // dimension's value (a filter) or values (a group-by); nullopt when the
  // workspace keeps no scopes or the query names two dimensions.
  struct ScopeChoice {
    uint8_t dim = 0;
    std::optional<std::string> value;
    bool grouped = false;
  };
  std::optional<ScopeChoice> ScopeOfQuery() const {
    if (!visitor_scopes_ || q_.filters.size() > 1 || group_by_.size() > 1) {
      return std::nullopt;
    }
    ScopeChoice choice;
    choice.grouped = !group_by_.empty();
    if (q_.filters.empty() && !choice.grouped) {
      choice.value = "";  // dim 0: the whole workspace
      return choice;
    }
    const std::string& dim =
        choice.grouped ? group_by_[0] : q_.filters.begin()->first;
    if (!q_.filters.empty()) {
      if (q_.filters.begin()->first != dim) return std::nullopt;
      choice.value = q_.filters.begin()->second;
    }
    std::optional<uint8_t> scope_dim = SessionScopeDim(dim);
    if (!scope_dim.has_value()) return std::nullopt;
    choice.dim = *scope_dim;
    return choice;
  }

  // The scopes' daily series over [first, last] by group; a saturated
  // series marks its group's points.
  using ScopeSeries = std::map<GroupKey, DailyVisitors>;
  absl::StatusOr<ScopeSeries> ReadScopes(const ScopeChoice& choice,
                                         DayNumber first, DayNumber last) {
    ASSIGN_OR_RETURN(
        auto by_value,
        ReadVisitorScopes(view_, ws_, choice.dim, choice.value, first, last));
    ScopeSeries out;
    for (auto& [value, series] : by_value) {
      GroupKey group = choice.grouped ? GroupKey{value} : GroupKey{};
      if (series.overflowed) Overflowed(group, -1);
      out.emplace(std::move(group), std::move(series));
    }
    return out;
  }

  // The first and last local day of bucket `b`.
  std::pair<DayNumber, DayNumber> DaysOf(size_t b) const {
    return {calendar_.DayOf(buckets_.begin(b)),
            calendar_.DayOf(buckets_.end(b) - absl::Nanoseconds(1))};
  }

  // conversion_rate from the scoped index: per whole bucket, its distinct
  // visitors and converted visitors are the sums of its days' firsts, and
  // its conversions the sum of its days'.
  absl::StatusOr<std::vector<MetricPoint>> ConversionFromScopes(
      const ScopeChoice& choice) {
    const DayNumber first = DaysOf(0).first;
    const DayNumber last = DaysOf(buckets_.size() - 1).second;
    ASSIGN_OR_RETURN(ScopeSeries scopes, ReadScopes(choice, first, last));
    // Which counters count a visitor once per bucket: the visitor-days
    // for daily buckets, otherwise the firsts of the granularity.
    const Granularity g = buckets_.granularity();
    auto firsts = [&](const DailyVisitors& s, bool converted) {
      if (g == Granularity::kDay) return converted ? &s.converted : &s.dau;
      const size_t i = g == Granularity::kWeek      ? 0
                       : g == Granularity::kMonth   ? 1
                       : g == Granularity::kQuarter ? 2
                                                    : 3;
      return converted ? &s.converted_firsts[i] : &s.firsts[i];
    };
    auto nonzero = [](const std::vector<int64_t>& v) {
      return std::any_of(v.begin(), v.end(), [](int64_t x) { return x != 0; });
    };
    std::set<GroupKey> groups;
    for (const auto& [group, series] : scopes) {
      if (nonzero(series.dau) || nonzero(series.conversions)) {
        groups.insert(group);
      }
    }
    return Points(groups, [&](const GroupKey& group, size_t b, MetricPoint& p) {
      int64_t visitors = 0;
      int64_t converted = 0;
      int64_t total = 0;
      if (auto it = scopes.find(group); it != scopes.end()) {
        const auto [lo, hi] = DaysOf(b);
        const std::vector<int64_t>& all = *firsts(it->second, false);
        const std::vector<int64_t>& conv = *firsts(it->second, true);
        for (DayNumber d = lo; d <= hi; ++d) {
          visitors += all[d - first];
          converted += conv[d - first];
          total += it->second.conversions[d - first];
        }
      }
      p.estimate = Percent(converted, visitors);
      p.components.emplace_back("conversions", total);
    });
  }

  absl::StatusOr<std::vector<MetricPoint>> Distinct() {
    if (def_.metric == Metric::kConversionRate && buckets_.whole()) {
      if (std::optional<ScopeChoice> choice = ScopeOfQuery()) {
        return ConversionFromScopes(*choice);
      }
    }
    // Per group and bucket: entity -> {orders or sessions, conversions}.
    using PerEntity = absl::flat_hash_map<std::string, std::array<int64_t, 2>>;
    std::map<GroupKey, std::vector<PerEntity>> acc;
    const bool sessions = def_.kind == FactKind::kSession;
    RETURN_IF_ERROR(
        Each(def_.kind, true, q_.from, q_.to,
             [&](DayNumber day, const FactRow& row, const GroupKey& group) {
               int b = buckets_.Of(day);
               if (b < 0) return;
               auto& series = acc[group];
               if (series.empty()) series.resize(buckets_.size());
               auto& counts = series[b][row.entities[0]];
               if (sessions) {
                 counts[0] += row.counters[session::kSessions];
                 counts[1] += row.counters[session::kConversions];
               } else {
                 counts[0] += row.counters[purchase::kOrders];
               }
             }));
    const Metric m = def_.metric;
    return Points(KeysOf(acc),
                  [&](const GroupKey& group, size_t b, MetricPoint& p) {
                    int64_t entities = 0;  // with an order (or a session)
                    int64_t repeat = 0;    // with two orders (or converted)
                    int64_t total = 0;     // orders (or conversions)
                    if (auto it = acc.find(group); it != acc.end()) {
                      for (const auto& [entity, c] : it->second[b]) {
                        if (c[0] <= 0) continue;
                        ++entities;
                        if (sessions) {
                          repeat += c[1] > 0 ? 1 : 0;
                          total += c[1];
                        } else {
                          repeat += c[0] >= 2 ? 1 : 0;
                          total += c[0];
                        }
                      }
                    }
                    if (m == Metric::kPurchaseFrequency) {
                      p.estimate.n = entities;
                      if (entities > 0)
                        p.estimate.value = Ratio(total, entities);
                    } else if (m == Metric::kRepeatPurchaseRate) {
                      p.estimate = Percent(repeat, entities);
                    } else {  // conversion_rate
                      p.estimate = Percent(repeat, entities);
                      p.components.emplace_back("conversions", total);
                    }
                  });
  }

  // Per group: the DAU and the MAU of each day of the range.
  using DailyCounts =
      std::map<GroupKey, std::pair<std::vector<int64_t>, std::vector<int64_t>>>;

  // DAU and MAU from the sessions' entity entries: what a filter or a
  // group-by needs, at a cost that grows with the distinct visitors of
  // the range and the 29 days before it.
  absl::Status ScanDaily(DayNumber first, DayNumber last, DailyCounts& daily,
                         std::set<GroupKey>& groups) {
    const DayNumber window = first - (kMauWindowDays - 1);
    std::map<GroupKey, absl::flat_hash_map<std::string, std::vector<DayNumber>>>
        days_of;
    RETURN_IF_ERROR(
        Each(FactKind::kSession, true, calendar_.DayStart(window),
             calendar_.DayStart(last + 1),
             [&](DayNumber day, const FactRow& row, const GroupKey& group) {
               if (row.counters[session::kSessions] <= 0) return;
               std::vector<DayNumber>& days = days_of[group][row.entities[0]];
               if (days.empty() || days.back() != day) days.push_back(day);
               if (day >= first) groups.insert(group);
             }));
    const auto span = static_cast<size_t>(last - first) + 1;
    for (auto& [group, visitors] : days_of) {
      std::vector<int64_t> dau(span, 0);
      std::vector<int64_t> mau_delta(span + 1, 0);
      for (auto& [visitor, days] : visitors) {
        std::sort(days.begin(), days.end());
        days.erase(std::unique(days.begin(), days.end()), days.end());
        // The days whose 30-day window holds one of the visitor's days,
        // as a union of intervals clipped to the range.
        DayNumber covered_to = window - 1;  // inclusive end so far
        for (DayNumber d : days) {
          if (d >= first && d <= last) ++dau[d - first];
          DayNumber lo = std::max({d, covered_to + 1, first});
          DayNumber hi = std::min(d + kMauWindowDays - 1, last);
          if (lo <= hi) {
            ++mau_delta[lo - first];
            --mau_delta[hi - first + 1];
          }
          covered_to = std::max(covered_to, d + kMauWindowDays - 1);
        }
      }
      std::vector<int64_t> mau(span, 0);
      int64_t running = 0;
      for (size_t i = 0; i < span; ++i) {
        running += mau_delta[i];
        mau[i] = running;
      }
      daily.emplace(group, std::make_pair(std::move(dau), std::move(mau)));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<MetricPoint>> Daily() {
    // Whole local days: the range's days (and for MAU the 29 before).
    DayNumber first = calendar_.DayOf(q_.from);
    DayNumber last = calendar_.DayOf(q_.to - absl::Nanoseconds(1));
    DailyCounts daily;
    std::set<GroupKey> groups;
    if (std::optional<ScopeChoice> choice = ScopeOfQuery()) {
      // The scopes of the index (visitor_days.h).
      ASSIGN_OR_RETURN(ScopeSeries scopes, ReadScopes(*choice, first, last));
      for (auto& [group, counts] : scopes) {
        if (std::any_of(counts.dau.begin(), counts.dau.end(),
                        [](int64_t x) { return x != 0; })) {
          groups.insert(group);
        }
        daily.emplace(group, std::make_pair(std::move(counts.dau),
                                            std::move(counts.mau)));
      }
    } else if (visitor_days_ && q_.filters.empty() && group_by_.empty()) {
      // The whole workspace: its daily visitor rollup (visitor_days.h).
      ASSIGN_OR_RETURN(DailyVisitors counts,
                       ReadDailyVisitors(view_, ws_, first, last));
      if (counts.overflowed) Overflowed({}, 0);
      daily.emplace(GroupKey{}, std::make_pair(std::move(counts.dau),
                                               std::move(counts.mau)));
    } else {
      RETURN_IF_ERROR(ScanDaily(first, last, daily, groups));
    }
    const Metric m = def_.metric;
    return Points(groups, [&](const GroupKey& group, size_t b, MetricPoint& p) {
      DayNumber from = std::max(first, calendar_.DayOf(buckets_.begin(b)));
      DayNumber to = std::min(
          last, calendar_.DayOf(buckets_.end(b) - absl::Nanoseconds(1)));
      auto it = daily.find(group);
      auto dau = [&](DayNumber d) {
        return it == daily.end() ? 0 : it->second.first[d - first];
      };
      auto mau = [&](DayNumber d) {
        return it == daily.end() ? 0 : it->second.second[d - first];
      };
      if (m == Metric::kDau) {
        int64_t visitor_days = 0;
        for (DayNumber d = from; d <= to; ++d) visitor_days += dau(d);
        p.estimate.n = visitor_days;
        p.estimate.value = to >= from ? Ratio(visitor_days, to - from + 1) : 0;
      } else if (m == Metric::kMau) {
        p.estimate = Count(to >= from ? mau(to) : 0);
      } else {  // stickiness: the mean DAU / MAU of the days with visitors
        double sum = 0;
        int64_t n = 0;
        for (DayNumber d = from; d <= to; ++d) {
          if (mau(d) == 0) continue;
          sum += Ratio(dau(d), mau(d));
          ++n;
        }
        p.estimate.n = n;
        if (n > 0) p.estimate.value = sum / static_cast<double>(n);
      }
    });
  }

  absl::StatusOr<std::vector<MetricPoint>> LifecycleRates() {
    ASSIGN_OR_RETURN(Lifecycles lifecycles, ReadLifecycles());
    const bool churn = def_.metric == Metric::kChurnRate;
    return Points(lifecycles.groups(),
                  [&](const GroupKey& group, size_t b, MetricPoint& p) {
                    Lifecycles::Counts c = lifecycles.For(
                        group, buckets_.begin(b), buckets_.end(b));
                    p.estimate = churn ? Percent(c.lost, c.start)
                                       : Percent(c.end - c.added, c.start);
                    p.estimate.n = c.start;
                    p.components = {{"start", c.start},
                                    {"end", c.end},
                                    {"new", c.added},
                                    {"lost", c.lost}};
                  });
  }

  absl::StatusOr<std::vector<MetricPoint>> Engagement() {
    ASSIGN_OR_RETURN(Lifecycles lifecycles, ReadLifecycles());
    std::map<GroupKey, std::vector<absl::flat_hash_set<std::string>>> engaged;
    RETURN_IF_ERROR(
        Each(FactKind::kSession, true, q_.from, q_.to,
             [&](DayNumber day, const FactRow& row, const GroupKey& group) {
               int b = buckets_.Of(day);
               if (b < 0 || row.entities[1].empty()) return;
               auto& series = engaged[group];
               if (series.empty()) series.resize(buckets_.size());
               series[b].insert(row.entities[1]);
             }));
    std::set<GroupKey> groups = lifecycles.groups();
    for (const auto& [group, series] : engaged) groups.insert(group);
    return Points(groups, [&](const GroupKey& group, size_t b, MetricPoint& p) {
      int64_t active =
          lifecycles.For(group, buckets_.begin(b), buckets_.end(b)).end;
      int64_t with_sessions = 0;
      if (auto it = engaged.find(group); it != engaged.end()) {
        with_sessions = static_cast<int64_t>(it->second[b].size());
      }
      p.estimate = Percent(with_sessions, active);
      p.estimate.n = active;
    });
  }

  absl::StatusOr<std::vector<MetricPoint>> ClvHistorical() {
    // Each customer's group and first acquisition, and their purchases.
    struct Customer {
      GroupKey group;
      int64_t first_acquired_us = 0;
      std::vector<std::pair<int64_t, int64_t>> revenue;  // (time, amount)
      // The first saturated purchase row: no exact revenue from then on.
      int64_t overflowed_from_us = std::numeric_limits<int64_t>::max();
    };
    absl::flat_hash_map<std::string, Customer> customers;
    RETURN_IF_ERROR(
        Each(FactKind::kLifecycle, true, absl::InfinitePast(), q_.to,
             [&](DayNumber, const FactRow& row, const GroupKey& group) {
               if (row.counters[lifecycle::kFirstAcquired] <= 0) return;
               Customer& c = customers[row.entities[0]];
               c.group = group;
               c.first_acquired_us = row.time_us;
             }));
    // Purchases join their customer; the filters hold on the customer.
    RETURN_IF_ERROR(ScanRows(
        view_, ws_, calendar_, FactKind::kPurchase, true, absl::InfinitePast(),
        q_.to, [&](DayNumber, const FactRow& row) {
          auto it = customers.find(row.entities[0]);
          if (it == customers.end()) return;
          if (row.overflowed) {
            it->second.overflowed_from_us =
                std::min(it->second.overflowed_from_us, row.time_us);
            return;
          }
          it->second.revenue.emplace_back(row.time_us,
                                          row.counters[purchase::kRevenue]);
        }));
    std::map<GroupKey, std::vector<const Customer*>> by_group;
    for (const auto& [id, c] : customers) by_group[c.group].push_back(&c);
    return Points(
        KeysOf(by_group), [&](const GroupKey& group, size_t b, MetricPoint& p) {
          int64_t end_us = absl::ToUnixMicros(buckets_.end(b));
          int64_t count = 0;
          int64_t revenue = 0;
          bool exact = true;
          if (auto it = by_group.find(group); it != by_group.end()) {
            for (const Customer* c : it->second) {
              if (c->first_acquired_us >= end_us) continue;
              ++count;
              exact = exact && c->overflowed_from_us >= end_us;
              for (const auto& [t, amount] : c->revenue) {
                if (t < end_us) {
                  exact = storage::AddSaturating(revenue, amount) && exact;
                }
              }
            }
          }
          p.estimate.n = count;
          if (count > 0) p.estimate.value = Ratio(revenue, count);
          if (!exact) MarkOverflowed(p);
        });
  }

  absl::StatusOr<std::vector<MetricPoint>> ClvPredictive() {
    ASSIGN_OR_RETURN(Lifecycles lifecycles, ReadLifecycles());
    struct Sums {
      int64_t orders = 0;
      int64_t revenue = 0;
      absl::flat_hash_set<std::string> customers;
    };
    std::map<GroupKey, std::vector<Sums>> acc;
    RETURN_IF_ERROR(
        Each(FactKind::kPurchase, true, q_.from, q_.to,
             [&](DayNumber day, const FactRow& row, const GroupKey& group) {
               int b = buckets_.Of(day);
               if (b < 0) return;
               auto& series = acc[group];
               if (series.empty()) series.resize(buckets_.size());
               Sums& s = series[b];
               s.orders += row.counters[purchase::kOrders];
               if (!storage::AddSaturating(s.revenue,
                                           row.counters[purchase::kRevenue])) {
                 Overflowed(group, b);
               }
               if (row.counters[purchase::kOrders] > 0) {
                 s.customers.insert(row.entities[0]);
               }
             }));
    return Points(
        KeysOf(acc), [&](const GroupKey& group, size_t b, MetricPoint& p) {
          const Sums& s = acc.at(group)[b];
          auto customers = static_cast<int64_t>(s.customers.size());
          p.estimate.n = customers;
          Lifecycles::Counts c =
              lifecycles.For(group, buckets_.begin(b), buckets_.end(b));
          if (s.orders <= 0 || c.start <= 0) return;
          double days =
              absl::ToDoubleHours(buckets_.end(b) - buckets_.begin(b)) / 24.0;
          double aov = Ratio(s.revenue, s.orders);
          double annual_frequency = Ratio(s.orders, customers) * 365.25 / days;
          double annual_churn = Ratio(c.lost, c.start) * 365.25 / days;
          double lifetime =
              annual_churn > 0 ? std::min(10.0, 1.0 / annual_churn) : 10.0;
          p.estimate.value = aov * annual_frequency * lifetime;
        });
  }

  const storage::ReadView& view_;
  absl::string_view ws_;
  // Whether the workspace keeps the visitor-day index, and in its scoped
  // layout (visitor_days.h).
  const bool visitor_days_;
  const bool visitor_scopes_;
  const Calendar& calendar_;
  const MetricQuery& q_;
  const ActivityDef& def_;
  const Buckets& buckets_;
  std::vector<std::string> group_by_;  // sorted
  // (group, bucket) of the points a saturated counter reaches.
  std::set<std::pair<GroupKey, size_t>> overflowed_;
};

}  // namespace

bool ActivityMetrics::Handles(absl::string_view metric) {
  return ActivityDefOf(metric).has_value();
}

bool ActivityMetrics::HasDimension(absl::string_view dimension) {
  const std::array<FactKind, 4> kinds = {FactKind::kPurchase,
                                         FactKind::kSession, FactKind::kTicket,
                                         FactKind::kFollowUp};
  return std::any_of(kinds.begin(), kinds.end(), [&](FactKind k) {
    const auto& dims = SchemaOf(k).dims;
    return std::find(dims.begin(), dims.end(), dimension) != dims.end();
  });
}

absl::StatusOr<std::vector<MetricPoint>> ActivityMetrics::Query(
    absl::string_view ws, const MetricQuery& q) const {
  const std::optional<ActivityDef> def = ActivityDefOf(q.metric);
  if (!def.has_value()) {
    return errors::InvalidArgument(
        "metric", absl::StrCat("'", q.metric, "' is not a metric id"));
  }
  RETURN_IF_ERROR(ValidateQueryShape(q));
  const std::vector<std::string> dims = DimensionsOf(*def);
  auto known = [&](const std::string& dim) {
    return std::find(dims.begin(), dims.end(), dim) != dims.end();
  };
  Violations v;
  for (const auto& [dim, value] : q.filters) {
    if (!known(dim)) {
      v.Add(absl::StrCat("filters[", dim, "]"),
            absl::StrCat("is not a dimension of ", q.metric, " (",
                         absl::StrJoin(dims, ", "), ")"));
    }
  }
  for (size_t i = 0; i < q.group_by.size(); ++i) {
    if (!known(q.group_by[i])) {
      v.Add(absl::StrCat("group_by[", i, "]"),
            absl::StrCat("'", q.group_by[i], "' is not a dimension of ",
                         q.metric, " (", absl::StrJoin(dims, ", "), ")"));
    }
  }
  if (q.group_by.size() == 2 && q.group_by[0] == q.group_by[1]) {
    v.Add("group_by[1]", "repeats group_by[0]");
  }
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(absl::TimeZone zone, workspaces_.TimeZoneOf(ws));
  Calendar calendar(zone);
  ASSIGN_OR_RETURN(std::vector<absl::CivilDay> starts,
                   QueryBuckets(calendar, q));
  Buckets buckets(calendar, q, starts);
  ASSIGN_OR_RETURN(records::Workspace workspace, workspaces_.Get(ws));
  std::unique_ptr<storage::ReadView> snapshot = store_.NewSnapshot();
  return QueryRun(*snapshot, workspace, calendar, q, *def, buckets).Run();
}

absl::StatusOr<std::vector<std::string>> ActivityMetrics::DimensionValues(
    absl::string_view ws, absl::string_view dimension,
    std::optional<absl::Time> from, std::optional<absl::Time> to) const {
  ASSIGN_OR_RETURN(absl::TimeZone zone, workspaces_.TimeZoneOf(ws));
  Calendar calendar(zone);
  std::set<std::string> values;
  absl::Time begin = from.value_or(absl::InfinitePast());
  absl::Time end = to.value_or(absl::Now() + absl::Hours(24));
  for (FactKind k :
       {FactKind::kLifecycle, FactKind::kPurchase, FactKind::kSession,
        FactKind::kTicket, FactKind::kFollowUp}) {
    const auto& dims = SchemaOf(k).dims;
    auto it = std::find(dims.begin(), dims.end(), dimension);
    if (it == dims.end()) continue;
    size_t pos = it - dims.begin();
    RETURN_IF_ERROR(ScanRows(
        store_, ws, calendar, k, false, begin, end,
        [&](DayNumber, const FactRow& row) { values.insert(row.dims[pos]); }));
  }
  values.erase("");
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace mittari::domain::kpi
