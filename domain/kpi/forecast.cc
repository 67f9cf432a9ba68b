#include "domain/kpi/forecast.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/kpi/registry.h"

namespace mittari::domain::kpi {
namespace {

using Series = std::vector<std::optional<double>>;

struct Params {
  double alpha = 0;
  double beta = 0;
  double gamma = 0;
};

// The states the filter starts from, at bucket `start` (the first bucket
// it updates on).
struct Init {
  double level = 0;
  double trend = 0;
  std::vector<double> season;  // by bucket index mod m; empty without
  size_t start = 0;
};

// The filter's states after the last bucket, and its one-step errors.
struct Run {
  double level = 0;
  double trend = 0;
  std::vector<double> season;
  double sse = 0;
  int errors = 0;
};

Run Filter(const Series& ys, const Init& init, Params p) {
  Run r{init.level, init.trend, init.season, 0, 0};
  const size_t m = r.season.size();
  for (size_t t = init.start; t < ys.size(); ++t) {
    const double s = m > 0 ? r.season[t % m] : 0;
    if (!ys[t].has_value()) {
      // A missing observation: no update; the season index advances.
      r.level += r.trend;
      continue;
    }
    const double y = *ys[t];
    const double e = y - (r.level + r.trend + s);
    r.sse += e * e;
    ++r.errors;
    const double level =
        p.alpha * (y - s) + (1 - p.alpha) * (r.level + r.trend);
    if (m > 0) {
      r.season[t % m] = p.gamma * (y - r.level - r.trend) + (1 - p.gamma) * s;
    }
    r.trend = p.beta * (level - r.level) + (1 - p.beta) * r.trend;
    r.level = level;
  }
  return r;
}

std::optional<double> MeanOf(const Series& ys, size_t from, size_t to) {
  double sum = 0;
  int n = 0;
  for (size_t t = from; t < to && t < ys.size(); ++t) {
    if (ys[t]) {
      sum += *ys[t];
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

// Level and trend from the means of the first two seasons (from the first
// bucket with data), the season from the first season's deviations from
// that line.
std::optional<Init> SeasonalInit(const Series& ys, size_t m) {
  size_t t0 = 0;
  while (t0 < ys.size() && !ys[t0]) ++t0;
  if (t0 + 2 * m > ys.size()) return std::nullopt;
  std::optional<double> first = MeanOf(ys, t0, t0 + m);
  std::optional<double> second = MeanOf(ys, t0 + m, t0 + 2 * m);
  if (!first || !second) return std::nullopt;
  Init init;
  const double half = (static_cast<double>(m) - 1) / 2;
  init.trend = (*second - *first) / static_cast<double>(m);
  init.level = *first + init.trend * half;
  init.season.assign(m, 0);
  for (size_t i = 0; i < m; ++i) {
    if (const auto& y = ys[t0 + i]) {
      init.season[(t0 + i) % m] =
          *y - (*first + init.trend * (static_cast<double>(i) - half));
    }
  }
  init.start = t0 + m;
  return init;
}

// Level and trend from the first two buckets with data.
std::optional<Init> LinearInit(const Series& ys) {
  std::vector<size_t> present;
  for (size_t t = 0; t < ys.size() && present.size() < 2; ++t) {
    if (ys[t]) present.push_back(t);
  }
  if (present.size() < 2) return std::nullopt;
  Init init;
  init.level = *ys[present[1]];
  init.trend = (*ys[present[1]] - *ys[present[0]]) /
               static_cast<double>(present[1] - present[0]);
  init.start = present[1] + 1;
  return init;
}

// The parameters in [0, 1] that minimise the sum of squared one-step
// errors: a grid, then a pattern search around its best point.
Params Fit(const Series& ys, const Init& init, bool seasonal) {
  auto sse = [&](const Params& p) { return Filter(ys, init, p).sse; };
  Params best;
  double best_sse = std::numeric_limits<double>::infinity();
  constexpr int kGrid = 10;
  for (int a = 0; a <= kGrid; ++a) {
    for (int b = 0; b <= kGrid; ++b) {
      for (int g = 0; g <= (seasonal ? kGrid : 0); ++g) {
        Params p{a / double{kGrid}, b / double{kGrid}, g / double{kGrid}};
        const double e = sse(p);
        if (e < best_sse) {
          best_sse = e;
          best = p;
        }
      }
    }
  }
  for (double step : {0.05, 0.02, 0.01, 0.005, 0.001}) {
    bool improved = true;
    for (int round = 0; improved && round < 200; ++round) {
      improved = false;
      for (int which = 0; which < (seasonal ? 3 : 2); ++which) {
        for (double sign : {-1.0, 1.0}) {
          Params p = best;
          double& x = which == 0 ? p.alpha : which == 1 ? p.beta : p.gamma;
          x = std::clamp(x + sign * step, 0.0, 1.0);
          const double e = sse(p);
          if (e < best_sse - 1e-12) {
            best_sse = e;
            best = p;
            improved = true;
          }
        }
      }
    }
  }
  return best;
}

}  // namespace

int SeasonLength(Granularity g) {
  switch (g) {
    case Granularity::kDay:
      return 7;
    case Granularity::kWeek:
      return 52;
    case Granularity::kMonth:
      return 12;
    case Granularity::kQuarter:
      return 4;
    default:
      return 0;
  }
}

SeriesForecast ForecastSeries(const Series& ys, int season_length, int horizon,
                              std::optional<std::pair<double, double>> bounds) {
  SeriesForecast out;
  const auto with_data = std::count_if(
      ys.begin(), ys.end(), [](const auto& y) { return y.has_value(); });
  if (with_data < 4 || horizon < 1) return out;
  const size_t m = season_length > 0 ? static_cast<size_t>(season_length) : 0;
  std::optional<Init> init;
  if (m > 0 && with_data >= static_cast<std::ptrdiff_t>(2 * m)) {
    init = SeasonalInit(ys, m);
  }
  const bool seasonal = init.has_value();
  if (!seasonal) init = LinearInit(ys);
  if (!init) return out;
  const Params p = Fit(ys, *init, seasonal);
  const Run run = Filter(ys, *init, p);
  if (run.errors == 0) return out;
  out.method = seasonal ? ForecastMethod::kHoltWinters : ForecastMethod::kHolt;
  out.season_length = seasonal ? static_cast<int>(m) : 0;
  out.alpha = p.alpha;
  out.beta = p.beta;
  out.gamma = seasonal ? p.gamma : 0;
  out.sigma = std::sqrt(run.sse / run.errors);
  auto clip = [&](double v) {
    return bounds ? std::clamp(v, bounds->first, bounds->second) : v;
  };
  double spread = 0;  // Σ c_j² for j < h
  const size_t last = ys.size() - 1;
  for (int h = 1; h <= horizon; ++h) {
    if (h > 1) {
      const int j = h - 1;
      const double c =
          out.alpha * (1 + j * out.beta) +
          (seasonal && j % static_cast<int>(m) == 0 ? out.gamma : 0);
      spread += c * c;
    }
    const double s =
        seasonal ? run.season[(last + static_cast<size_t>(h)) % m] : 0;
    const double y = run.level + h * run.trend + s;
    const double width = out.sigma * std::sqrt(1 + spread);
    ForecastStep step;
    step.value = clip(y);
    step.pi80_low = clip(y - 1.2816 * width);
    step.pi80_high = clip(y + 1.2816 * width);
    step.pi95_low = clip(y - 1.96 * width);
    step.pi95_high = clip(y + 1.96 * width);
    out.steps.push_back(step);
  }
  return out;
}

absl::StatusOr<MetricForecast> ForecastMetric(const MetricEngine& engine,
                                              const Calendar& calendar,
                                              absl::string_view workspace_id,
                                              const MetricQuery& query,
                                              int horizon) {
  if (query.granularity == Granularity::kNone) {
    return errors::InvalidArgument("granularity",
                                   "a forecast needs a granularity");
  }
  if (!query.group_by.empty()) {
    return errors::InvalidArgument("group_by",
                                   "a forecast is of one series: filter "
                                   "instead of grouping");
  }
  if (horizon < 1 || horizon > kMaxHorizon) {
    return errors::InvalidArgument(
        "horizon", absl::StrCat("must be 1 to ", kMaxHorizon, " buckets"));
  }
  const MetricDef* def = FindMetric(query.metric);
  if (def == nullptr) {
    return errors::InvalidArgument("metric", "is not a metric id");
  }
  MetricForecast out;
  ASSIGN_OR_RETURN(out.history, engine.Query(workspace_id, query));
  Series ys;
  ys.reserve(out.history.size());
  for (const MetricPoint& p : out.history) {
    ys.push_back(p.suppressed || p.overflowed ? std::nullopt
                                              : p.estimate.value);
  }
  out.forecast = ForecastSeries(ys, SeasonLength(query.granularity), horizon,
                                BoundsOf(def->unit));
  const std::vector<absl::CivilDay> buckets =
      calendar.Buckets(query.from, query.to, query.granularity);
  if (!out.forecast.steps.empty() && !buckets.empty()) {
    absl::CivilDay next = buckets.back();
    for (int h = 1; h <= horizon; ++h) {
      next = calendar.NextBucket(next, query.granularity);
      out.bucket_starts.push_back(calendar.StartOf(next));
    }
  }
  return out;
}

}  // namespace mittari::domain::kpi
