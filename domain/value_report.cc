#include "domain/value_report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <utility>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/kpi/statistics.h"

namespace mittari::domain {
namespace {

constexpr double kZ95 = 1.96;
constexpr double kDaysPerYear = 365.25;
constexpr int kPage = 4096;

// The filters a report takes, each read from a stored response.
const std::map<std::string, std::string (*)(const records::Response&)>&
Filters() {
  static const auto* filters =
      new std::map<std::string, std::string (*)(const records::Response&)>{
          {"survey", [](const records::Response& r) { return r.survey_id(); }},
          {"channel", [](const records::Response& r) { return r.channel(); }},
          {"touchpoint",
           [](const records::Response& r) { return r.touchpoint(); }},
          {"event", [](const records::Response& r) { return r.event_id(); }},
          {"segment", [](const records::Response& r) { return r.segment(); }},
          {"region", [](const records::Response& r) { return r.region(); }},
          {"customer_type",
           [](const records::Response& r) { return r.customer_type(); }},
          {"journey_stage",
           [](const records::Response& r) { return r.journey_stage(); }},
      };
  return *filters;
}

bool Passes(const ValueReportQuery& q, const records::Response& r) {
  return std::all_of(q.filters.begin(), q.filters.end(), [&](const auto& f) {
    if (f.first == "tag") {
      return std::find(r.tags().begin(), r.tags().end(), f.second) !=
             r.tags().end();
    }
    return Filters().at(f.first)(r) == f.second;
  });
}

absl::Status Validate(const ValueReportQuery& q) {
  Violations v;
  if (q.from == absl::InfinitePast() || q.to == absl::InfiniteFuture()) {
    v.Add("range", "needs a start_time and an end_time");
  } else if (q.from >= q.to) {
    v.Add("range", "end_time must be after start_time");
  }
  for (const auto& [dim, value] : q.filters) {
    if (dim != "tag" && !Filters().contains(dim)) {
      std::vector<std::string> names = {"tag"};
      for (const auto& [name, get] : Filters()) names.push_back(name);
      std::sort(names.begin(), names.end());
      v.Add("filters", absl::StrCat("'", dim, "' is not one of ",
                                    absl::StrJoin(names, ", ")));
    }
  }
  return v.ToStatus();
}

// The classes of a kind, best first.
std::array<std::string, 3> ClassNames(ExperienceKind kind) {
  if (kind == ExperienceKind::kNps) return {"promoter", "passive", "detractor"};
  return {"positive", "neutral", "negative"};
}

// The index in ClassNames of a response's class.
size_t ClassOf(ExperienceKind kind, const records::Response& r) {
  if (kind == ExperienceKind::kNps) {
    if (r.score() >= 9) return 0;
    return r.score() >= 7 ? 1 : 2;
  }
  if (r.positive()) return 0;
  return r.low() ? 2 : 1;
}

int SurveyKindOf(ExperienceKind kind) {
  return static_cast<int>(kind == ExperienceKind::kNps ? SurveyKind::kNps
                                                       : SurveyKind::kCsat);
}

// The mean and sample standard deviation of a group's spends.
struct Spread {
  int64_t n = 0;
  std::optional<double> mean;
  std::optional<double> sd;  // n >= 2
};

Spread SpreadOf(const std::vector<double>& values) {
  Spread s;
  s.n = static_cast<int64_t>(values.size());
  if (values.empty()) return s;
  double sum = 0;
  for (double v : values) sum += v;
  const double mean = sum / static_cast<double>(s.n);
  s.mean = mean;
  if (s.n >= 2) {
    double sq = 0;
    for (double v : values) sq += (v - mean) * (v - mean);
    s.sd = std::sqrt(sq / static_cast<double>(s.n - 1));
  }
  return s;
}

// Whether the customer was active at `t0`, and if so whether the same
// active interval still held at `t1`.
struct Stay {
  bool active_at_start = false;
  bool kept = false;
};

Stay StayOf(const records::Customer& c, int64_t t0, int64_t t1) {
  Stay stay;
  auto look = [&](int64_t acquire, int64_t churn) {
    if (acquire == 0 || acquire >= t0) return;
    if (churn != 0 && churn < t0) return;
    stay.active_at_start = true;
    stay.kept = churn == 0 || churn >= t1;
  };
  for (const records::Interval& i : c.past_intervals()) {
    look(i.acquire_time_us(), i.churn_time_us());
  }
  look(c.acquire_time_us(), c.churn_time_us());
  return stay;
}

ValueHeadline HeadlineOf(const Spread& best, const Spread& worst, int64_t k1,
                         int64_t r1, int64_t k2, int64_t r2) {
  ValueHeadline h;
  if (best.mean.has_value() && worst.mean.has_value() && *worst.mean > 0) {
    h.spend_uplift_pct = 100 * (*best.mean / *worst.mean - 1);
  }
  if (best.sd.has_value() && worst.sd.has_value() &&
      (*best.sd > 0 || *worst.sd > 0)) {
    const double se =
        std::sqrt(*best.sd * *best.sd / static_cast<double>(best.n) +
                  *worst.sd * *worst.sd / static_cast<double>(worst.n));
    h.spend_z = (*best.mean - *worst.mean) / se;
    h.spend_significant = std::abs(*h.spend_z) >= kZ95;
  }
  h.retention_best = kpi::Proportion(k1, r1).value;
  h.retention_worst = kpi::Proportion(k2, r2).value;
  // No test when every customer of both groups stayed, or none did.
  const bool spread = k1 + k2 > 0 && k1 + k2 < r1 + r2;
  if (std::optional<kpi::Significance> s =
          kpi::CompareProportions(k1, r1, k2, r2);
      s.has_value() && spread) {
    h.retention_z = s->z;
    h.retention_significant = s->significant;
  }
  return h;
}

}  // namespace

absl::StatusOr<ValueReport> ValueReports::Report(
    absl::string_view ws, const ValueReportQuery& query) const {
  RETURN_IF_ERROR(Validate(query));
  const int64_t t0 = absl::ToUnixMicros(query.from);
  const int64_t t1 = absl::ToUnixMicros(query.to);

  // Each customer's latest response of the kind in the range: the latest
  // submit time, then the greater id.
  std::map<std::string, records::Response> latest;
  ResponseFilter filter;
  filter.from_us = t0;
  filter.to_us = t1;
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(Page<records::Response> page,
                     responses_.List(ws, filter, after, kPage));
    for (records::Response& r : page.items) {
      if (r.customer_id().empty() || !r.has_score() ||
          r.survey_kind() != SurveyKindOf(query.kind) || !Passes(query, r)) {
        continue;
      }
      auto it = latest.find(r.customer_id());
      if (it == latest.end()) {
        latest.emplace(r.customer_id(), std::move(r));
      } else if (std::pair(r.submit_time_us(), r.id()) >
                 std::pair(it->second.submit_time_us(), it->second.id())) {
        it->second = std::move(r);
      }
    }
    if (static_cast<int>(page.items.size()) < kPage) break;
    after = page.next_after;
  }

  const std::array<std::string, 3> names = ClassNames(query.kind);
  std::array<std::vector<double>, 3> spend;
  std::array<std::vector<double>, 3> lifetime;
  std::array<int64_t, 3> at_start{};
  std::array<int64_t, 3> kept{};
  const double days = absl::ToDoubleSeconds(query.to - query.from) / 86400;
  for (const auto& [customer_id, response] : latest) {
    ASSIGN_OR_RETURN(std::optional<records::Customer> customer,
                     customers_.Find(store_, ws, customer_id));
    if (!customer.has_value()) continue;  // names no known customer
    ASSIGN_OR_RETURN(std::vector<records::Purchase> purchases,
                     purchases_.OfCustomers(ws, {customer_id}));
    // In 128 bits: no count of purchases can make these wrap.
    absl::int128 in_range = 0;
    absl::int128 before_end = 0;
    for (const records::Purchase& p : purchases) {
      if (p.occur_time_us() >= t1) continue;
      before_end += p.amount();
      if (p.occur_time_us() >= t0) in_range += p.amount();
    }
    const size_t c = ClassOf(query.kind, response);
    spend[c].push_back(static_cast<double>(in_range) * kDaysPerYear / days);
    lifetime[c].push_back(static_cast<double>(before_end));
    Stay stay = StayOf(*customer, t0, t1);
    if (stay.active_at_start) {
      ++at_start[c];
      if (stay.kept) ++kept[c];
    }
  }

  ValueReport report;
  std::array<Spread, 3> spreads;
  for (size_t c = 0; c < names.size(); ++c) {
    ValueGroup g;
    g.group = names[c];
    spreads[c] = SpreadOf(spend[c]);
    const Spread& s = spreads[c];
    g.customers = s.n;
    g.annual_spend = s.mean;
    if (s.sd.has_value()) {
      const double half = kZ95 * *s.sd / std::sqrt(static_cast<double>(s.n));
      g.annual_spend_ci_low = *s.mean - half;
      g.annual_spend_ci_high = *s.mean + half;
    }
    g.retention_n = at_start[c];
    kpi::Estimate retention = kpi::Proportion(kept[c], at_start[c]);
    g.retention = retention.value;
    g.retention_ci_low = retention.ci_low;
    g.retention_ci_high = retention.ci_high;
    g.clv_historical = SpreadOf(lifetime[c]).mean;
    report.groups.push_back(std::move(g));
  }
  report.headline = HeadlineOf(spreads[0], spreads[2], kept[0], at_start[0],
                               kept[2], at_start[2]);
  return report;
}

}  // namespace mittari::domain
