#include "domain/kpi/deviation.h"

#include <algorithm>
#include <cmath>

namespace mittari::domain::kpi {
namespace {

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

std::optional<Deviation> DeviationOf(double x,
                                     const std::vector<double>& baseline,
                                     int window) {
  const size_t needed =
      std::max<size_t>(3, static_cast<size_t>((window + 1) / 2));
  if (baseline.size() < needed) return std::nullopt;
  const double m = Median(baseline);
  std::vector<double> abs_dev;
  abs_dev.reserve(baseline.size());
  double sum = 0;
  for (double y : baseline) {
    abs_dev.push_back(std::fabs(y - m));
    sum += abs_dev.back();
  }
  double s = 1.4826 * Median(abs_dev);
  if (s == 0) s = 1.2533 * sum / static_cast<double>(abs_dev.size());
  if (s == 0) return std::nullopt;
  return Deviation{(x - m) / s, m, s};
}

}  // namespace mittari::domain::kpi
