#include "domain/kpi/statistics.h"

#include <array>
#include <cmath>
#include <utility>

#include "absl/numeric/int128.h"
#include "storage/counters.h"

namespace mittari::domain::kpi {
namespace {

// The counters of `a` paired with those of `b`, for element-wise sums.
std::array<std::pair<int64_t*, const int64_t*>, 7> Fields(
    SurveyCounters& a, const SurveyCounters& b) {
  return {{{&a.count, &b.count},
           {&a.n, &b.n},
           {&a.sum, &b.sum},
           {&a.sum_sq, &b.sum_sq},
           {&a.positive, &b.positive},
           {&a.promoters, &b.promoters},
           {&a.detractors, &b.detractors}}};
}

constexpr double kZ = 1.96;

double SampleVariance(const SurveyCounters& c) {
  // (n Σx² − (Σx)²) / (n (n − 1)), the numerator exact in integers.
  absl::int128 num = absl::int128(c.n) * c.sum_sq - absl::int128(c.sum) * c.sum;
  auto n = static_cast<double>(c.n);
  return std::max(0.0, static_cast<double>(num) / (n * (n - 1)));
}

Significance FromZ(double z) { return {z, std::fabs(z) >= kZ}; }

}  // namespace

SurveyCounters& SurveyCounters::operator+=(const SurveyCounters& o) {
  bool exact = true;
  for (auto [a, b] : Fields(*this, o)) {
    exact = storage::AddSaturating(*a, *b) && exact;
  }
  overflowed = overflowed || o.overflowed || !exact;
  return *this;
}

SurveyCounters& SurveyCounters::operator-=(const SurveyCounters& o) {
  bool exact = true;
  for (auto [a, b] : Fields(*this, o)) {
    exact = storage::SubtractSaturating(*a, *b) && exact;
  }
  overflowed = overflowed || o.overflowed || !exact;
  return *this;
}

std::vector<int64_t> SurveyCounters::ToVector() const {
  return {count, n, sum, sum_sq, positive, promoters, detractors};
}

std::optional<SurveyCounters> SurveyCounters::FromVector(
    const std::vector<int64_t>& v) {
  if (v.size() != 7) return std::nullopt;
  return SurveyCounters{v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
}

Estimate Nps(const SurveyCounters& c) {
  Estimate e;
  e.n = c.n;
  if (c.n == 0) return e;
  auto n = static_cast<double>(c.n);
  e.value = 100.0 * static_cast<double>(c.promoters - c.detractors) / n;
  double na = n + 3;
  double pa = (static_cast<double>(c.promoters) + 0.75) / na;
  double da = (static_cast<double>(c.detractors) + 0.75) / na;
  double center = 100 * (pa - da);
  double margin = 196 * std::sqrt((pa + da - (pa - da) * (pa - da)) / na);
  e.ci_low = center - margin;
  e.ci_high = center + margin;
  return e;
}

Estimate Proportion(int64_t k, int64_t n_int) {
  Estimate e;
  e.n = n_int;
  if (n_int == 0) return e;
  auto n = static_cast<double>(n_int);
  double p = static_cast<double>(k) / n;
  e.value = 100 * p;
  double den = 1 + kZ * kZ / n;
  double center = (p + kZ * kZ / (2 * n)) / den;
  double half = kZ * std::sqrt(p * (1 - p) / n + kZ * kZ / (4 * n * n)) / den;
  e.ci_low = 100 * (center - half);
  e.ci_high = 100 * (center + half);
  return e;
}

Estimate Csat(const SurveyCounters& c) { return Proportion(c.positive, c.n); }

Estimate Mean(const SurveyCounters& c) {
  Estimate e;
  e.n = c.n;
  if (c.n == 0) return e;
  double mean = static_cast<double>(c.sum) / static_cast<double>(c.n);
  e.value = mean;
  if (c.n < 2) return e;
  double half =
      kZ * std::sqrt(SampleVariance(c)) / std::sqrt(static_cast<double>(c.n));
  e.ci_low = mean - half;
  e.ci_high = mean + half;
  return e;
}

std::optional<Significance> CompareNps(const SurveyCounters& a,
                                       const SurveyCounters& b) {
  if (a.n == 0 || b.n == 0) return std::nullopt;
  auto se = [](const SurveyCounters& c) {
    auto n = static_cast<double>(c.n);
    double p = static_cast<double>(c.promoters) / n;
    double d = static_cast<double>(c.detractors) / n;
    return 100 * std::sqrt((p + d - (p - d) * (p - d)) / n);
  };
  double diff = *Nps(a).value - *Nps(b).value;
  double den = std::sqrt(se(a) * se(a) + se(b) * se(b));
  if (den == 0) return Significance{0, diff != 0};
  return FromZ(diff / den);
}

std::optional<Significance> CompareProportions(int64_t k1, int64_t n1,
                                               int64_t k2, int64_t n2) {
  if (n1 == 0 || n2 == 0) return std::nullopt;
  double p1 = static_cast<double>(k1) / static_cast<double>(n1);
  double p2 = static_cast<double>(k2) / static_cast<double>(n2);
  double pooled = static_cast<double>(k1 + k2) / static_cast<double>(n1 + n2);
  double den = std::sqrt(
      pooled * (1 - pooled) *
      (1.0 / static_cast<double>(n1) + 1.0 / static_cast<double>(n2)));
  if (den == 0) return Significance{0, p1 != p2};
  return FromZ((p1 - p2) / den);
}

std::optional<Significance> CompareMeans(const SurveyCounters& a,
                                         const SurveyCounters& b) {
  if (a.n < 2 || b.n < 2) return std::nullopt;
  double diff = *Mean(a).value - *Mean(b).value;
  double den = std::sqrt(SampleVariance(a) / static_cast<double>(a.n) +
                         SampleVariance(b) / static_cast<double>(b.n));
  if (den == 0) return Significance{0, diff != 0};
  return FromZ(diff / den);
}

}  // namespace mittari::domain::kpi
