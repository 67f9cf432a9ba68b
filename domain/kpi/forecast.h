// Forecasts of a metric series (metrics.md "Forecasts"): additive
// Holt-Winters where the series has at least two seasons of buckets with
// data, Holt's linear trend otherwise, no forecast under four buckets with
// data. Smoothing parameters minimise the sum of squared one-step errors;
// prediction intervals widen with the horizon as metrics.md gives them.
#ifndef MITTARI_DOMAIN_KPI_FORECAST_H_
#define MITTARI_DOMAIN_KPI_FORECAST_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "domain/kpi/calendar.h"
#include "domain/kpi/metric_query.h"

namespace mittari::domain::kpi {

enum class ForecastMethod { kNone, kHolt, kHoltWinters };

struct ForecastStep {
  double value = 0;
  double pi80_low = 0;
  double pi80_high = 0;
  double pi95_low = 0;
  double pi95_high = 0;
};

struct SeriesForecast {
  ForecastMethod method = ForecastMethod::kNone;
  int season_length = 0;  // 0 without a season
  double alpha = 0;
  double beta = 0;
  double gamma = 0;
  double sigma = 0;                 // root mean squared one-step error
  std::vector<ForecastStep> steps;  // h = 1..horizon; empty for kNone
};

// Forecasts `horizon` steps after a series of equally long buckets
// (nullopt: a bucket without data). `season_length` is the season's
// length in buckets (0: none). Values and interval ends are clipped to
// `bounds` where given.
SeriesForecast ForecastSeries(const std::vector<std::optional<double>>& ys,
                              int season_length, int horizon,
                              std::optional<std::pair<double, double>> bounds);

// The season of a granularity: 7 days, 52 weeks, 12 months, 4 quarters;
// 0 for years.
int SeasonLength(Granularity g);

// The most steps a forecast may reach ahead.
inline constexpr int kMaxHorizon = 104;

struct MetricForecast {
  std::vector<MetricPoint> history;
  SeriesForecast forecast;
  std::vector<absl::Time> bucket_starts;  // of the forecast steps
};

// Runs `query` (one series: a granularity, no group_by) on `engine` and
// forecasts `horizon` buckets after its range.
absl::StatusOr<MetricForecast> ForecastMetric(const MetricEngine& engine,
                                              const Calendar& calendar,
                                              absl::string_view workspace_id,
                                              const MetricQuery& query,
                                              int horizon);

}  // namespace mittari::domain::kpi

#endif  // MITTARI_DOMAIN_KPI_FORECAST_H_
