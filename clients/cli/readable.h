// What a person reads at a terminal: KPI values rounded as people read
// them (one decimal for rates and scores, money in major units with its
// currency, counts whole), bucket labels in the workspace's time zone
// (2026-W05, 2026-03, 2026-Q1, 2026-03-29), CIs as ±, n always shown and
// small samples marked; and a terminal chart of a series with its CI.
// `--output json` and `--output csv` never pass through here.
#ifndef MITTARI_CLIENTS_CLI_READABLE_H_
#define MITTARI_CLIENTS_CLI_READABLE_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "mittari/v1/kpi.pb.h"

namespace mittari::cli {

// How a metric's values read.
enum class Unit { kPercent, kScore, kCount, kMoney, kRatio, kSeconds };
Unit UnitOf(const std::string& metric);

// A value for people: "42.3", "1,234", "1,234.50 EUR", "0.25", "12.5 h".
std::string Readable(double value, Unit unit, const std::string& currency);

// A bucket's label in `zone`: day 2026-03-29, week 2026-W13, month 2026-03,
// quarter 2026-Q1, year 2026; "whole range" without a bucket.
std::string BucketLabel(std::optional<absl::Time> start, v1::Granularity g,
                        absl::TimeZone zone);

struct ReadableQuery {
  std::string metric;
  v1::Granularity granularity = v1::GRANULARITY_NONE;
  absl::TimeZone zone;
  std::string currency;
  int64_t min_n = 0;
};

// The rows (header first) of a KPI answer as a table for people.
std::vector<std::vector<std::string>> ReadableRows(
    const ReadableQuery& q, const v1::QueryMetricResponse& answer);

// A terminal chart: a sparkline of the series, then one line per bucket
// (per group) with its value, CI as ±, n, and a bar from the CI's low to
// high end with the value marked.
void PrintChart(std::ostream& out, const ReadableQuery& q,
                const v1::QueryMetricResponse& answer, int width = 40);

}  // namespace mittari::cli

#endif  // MITTARI_CLIENTS_CLI_READABLE_H_
