// The survey statistics of metrics.md, from counters: NPS with the adjusted
// Wald interval, CSAT with the Wilson interval, means with the normal
// interval, and the significance tests of a difference between two periods.
#ifndef MITTARI_DOMAIN_KPI_STATISTICS_H_
#define MITTARI_DOMAIN_KPI_STATISTICS_H_

#include <cstdint>
#include <optional>
#include <vector>

namespace mittari::domain::kpi {

// What a set of responses adds up to; the value of a rollup entry.
struct SurveyCounters {
  int64_t count = 0;       // responses, scored or not
  int64_t n = 0;           // responses with a score
  int64_t sum = 0;         // of scores
  int64_t sum_sq = 0;      // of squared scores
  int64_t positive = 0;    // at or beyond the survey's positive threshold
  int64_t promoters = 0;   // NPS 9-10
  int64_t detractors = 0;  // NPS 0-6
  // A sum saturated (storage/counters.h): the counters are not exact and
  // the point reports so instead of a value.
  bool overflowed = false;

  SurveyCounters& operator+=(const SurveyCounters& o);
  SurveyCounters& operator-=(const SurveyCounters& o);
  bool operator==(const SurveyCounters&) const = default;
  std::vector<int64_t> ToVector() const;
  static std::optional<SurveyCounters> FromVector(
      const std::vector<int64_t>& v);
};

struct Estimate {
  std::optional<double> value;  // absent for an empty population
  int64_t n = 0;
  std::optional<double> ci_low;
  std::optional<double> ci_high;
};

// NPS = 100 (P - D) / n; CI: adjusted Wald (n' = n + 3, p' = (P + 3/4)/n').
Estimate Nps(const SurveyCounters& c);
// CSAT% = 100 positive / n; CI: Wilson score interval.
Estimate Csat(const SurveyCounters& c);
// Mean score; CI mean ± 1.96 s / sqrt(n), absent when n < 2.
Estimate Mean(const SurveyCounters& c);
// 100 k / n with the Wilson interval; absent when n is 0.
Estimate Proportion(int64_t k, int64_t n);

struct Significance {
  double z = 0;
  bool significant = false;  // |z| >= 1.96
};

// z = (NPS1 - NPS2) / sqrt(se1² + se2²), se = 100 sqrt(var / n) with the
// unadjusted shares. Absent when either side is empty.
std::optional<Significance> CompareNps(const SurveyCounters& a,
                                       const SurveyCounters& b);
// The pooled two-proportion z-test.
std::optional<Significance> CompareProportions(int64_t k1, int64_t n1,
                                               int64_t k2, int64_t n2);
// z = (m1 - m2) / sqrt(s1²/n1 + s2²/n2); absent when either n < 2.
std::optional<Significance> CompareMeans(const SurveyCounters& a,
                                         const SurveyCounters& b);

}  // namespace mittari::domain::kpi

#endif  // MITTARI_DOMAIN_KPI_STATISTICS_H_
