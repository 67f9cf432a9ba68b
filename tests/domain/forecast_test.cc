// Forecasts recover what a series is made of: a trend alone (Holt), a
// trend with a season (Holt-Winters), with buckets missing; they decline
// on too little data, widen with the horizon and stay within a KPI's
// bounds.
#include "domain/kpi/forecast.h"

#include <cmath>
#include <numbers>
#include <optional>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mittari::domain::kpi {
namespace {

using Series = std::vector<std::optional<double>>;

// Noise in [-0.5, 0.5], the same on every run.
double Noise(int t) {
  std::mt19937 rng(static_cast<uint32_t>(t) * 2654435761U + 17);
  return std::uniform_real_distribution<double>(-0.5, 0.5)(rng);
}

double Seasonal(int t) {
  return 50 + 0.5 * t + 10 * std::sin(2 * std::numbers::pi * t / 12);
}

TEST(ForecastTest, ALinearTrendIsContinued) {
  Series ys;
  for (int t = 0; t < 20; ++t) ys.emplace_back(10 + 2.0 * t);
  SeriesForecast f = ForecastSeries(ys, 12, 5, std::nullopt);
  EXPECT_EQ(f.method, ForecastMethod::kHolt);  // under two seasons
  ASSERT_EQ(f.steps.size(), 5U);
  for (int h = 1; h <= 5; ++h) {
    EXPECT_NEAR(f.steps[h - 1].value, 10 + 2.0 * (19 + h), 1e-6) << h;
  }
  EXPECT_NEAR(f.sigma, 0, 1e-6);
}

TEST(ForecastTest, ATrendAndASeasonAreRecovered) {
  Series ys;
  for (int t = 0; t < 48; ++t) ys.emplace_back(Seasonal(t) + Noise(t));
  SeriesForecast f = ForecastSeries(ys, 12, 12, std::nullopt);
  ASSERT_EQ(f.method, ForecastMethod::kHoltWinters);
  EXPECT_EQ(f.season_length, 12);
  ASSERT_EQ(f.steps.size(), 12U);
  for (int h = 1; h <= 12; ++h) {
    const double truth = Seasonal(47 + h);
    const ForecastStep& s = f.steps[h - 1];
    EXPECT_NEAR(s.value, truth, 2.0) << h;
    EXPECT_LE(s.pi95_low, truth) << h;
    EXPECT_GE(s.pi95_high, truth) << h;
    EXPECT_LE(s.pi95_low, s.pi80_low);
    EXPECT_LE(s.pi80_low, s.value);
    EXPECT_LE(s.value, s.pi80_high);
    EXPECT_LE(s.pi80_high, s.pi95_high);
  }
  // Without the season the same data forecasts far worse: the season is
  // what was recovered.
  SeriesForecast flat = ForecastSeries(ys, 0, 12, std::nullopt);
  EXPECT_EQ(flat.method, ForecastMethod::kHolt);
  double seasonal_error = 0;
  double flat_error = 0;
  for (int h = 1; h <= 12; ++h) {
    seasonal_error += std::abs(f.steps[h - 1].value - Seasonal(47 + h));
    flat_error += std::abs(flat.steps[h - 1].value - Seasonal(47 + h));
  }
  EXPECT_LT(seasonal_error * 3, flat_error);
}

TEST(ForecastTest, MissingBucketsAreSkippedAndTheSeasonStillAdvances) {
  Series ys;
  for (int t = 0; t < 48; ++t) {
    if (t % 7 == 3) {
      ys.emplace_back(std::nullopt);
    } else {
      ys.emplace_back(Seasonal(t) + Noise(t));
    }
  }
  SeriesForecast f = ForecastSeries(ys, 12, 6, std::nullopt);
  ASSERT_EQ(f.method, ForecastMethod::kHoltWinters);
  for (int h = 1; h <= 6; ++h) {
    EXPECT_NEAR(f.steps[h - 1].value, Seasonal(47 + h), 2.5) << h;
  }
}

TEST(ForecastTest, TooLittleDataGivesNoForecast) {
  Series ys = {1.0, std::nullopt, 2.0, 3.0, std::nullopt};
  SeriesForecast f = ForecastSeries(ys, 12, 3, std::nullopt);
  EXPECT_EQ(f.method, ForecastMethod::kNone);
  EXPECT_TRUE(f.steps.empty());
}

TEST(ForecastTest, IntervalsWidenWithTheHorizonAndStayInBounds) {
  Series ys;
  for (int t = 0; t < 16; ++t) ys.emplace_back(60 + 3.0 * t + Noise(t) * 4);
  SeriesForecast f = ForecastSeries(ys, 0, 8, std::make_pair(-100.0, 100.0));
  ASSERT_EQ(f.method, ForecastMethod::kHolt);
  for (int h = 2; h <= 8; ++h) {
    const ForecastStep& now = f.steps[h - 1];
    const ForecastStep& before = f.steps[h - 2];
    EXPECT_GE(now.pi95_high - now.pi95_low + 1e-9,
              std::min(before.pi95_high - before.pi95_low, 200.0));
    EXPECT_LE(now.value, 100);
    EXPECT_LE(now.pi95_high, 100);
    EXPECT_GE(now.pi95_low, -100);
  }
  EXPECT_EQ(f.steps.back().value, 100);  // 60 + 3·23 would be 129
}

}  // namespace
}  // namespace mittari::domain::kpi
