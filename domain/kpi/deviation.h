// How far a bucket's value lies from its own trailing baseline, in robust
// standard deviations (metrics.md "Targets and alerts": median and MAD of
// the window's qualifying buckets).
#ifndef MITTARI_DOMAIN_KPI_DEVIATION_H_
#define MITTARI_DOMAIN_KPI_DEVIATION_H_

#include <optional>
#include <vector>

namespace mittari::domain::kpi {

struct Deviation {
  double z;
  double median;
  double scale;  // the robust standard deviation s
};

// The deviation of `x` from `baseline` (the values of the qualifying
// buckets among the `window` before it); nullopt when none is defined
// (fewer than max(3, ⌈window/2⌉) values, or no spread at all).
std::optional<Deviation> DeviationOf(double x,
                                     const std::vector<double>& baseline,
                                     int window);

}  // namespace mittari::domain::kpi

#endif  // MITTARI_DOMAIN_KPI_DEVIATION_H_
