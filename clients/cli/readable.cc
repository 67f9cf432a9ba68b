#include "clients/cli/readable.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "clients/cli/output.h"
#include "google/protobuf/util/time_util.h"

namespace mittari::cli {
namespace {

// "1234567" -> "1,234,567".
std::string Grouped(int64_t whole) {
  std::string digits = absl::StrCat(whole < 0 ? -whole : whole);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return whole < 0 ? "-" + out : out;
}

int CurrencyDigits(const std::string& currency) {
  static constexpr std::array<absl::string_view, 9> kNone = {
      "JPY", "KRW", "ISK", "CLP", "VND", "XOF", "XAF", "UGX", "PYG"};
  return std::find(kNone.begin(), kNone.end(), currency) == kNone.end() ? 2 : 0;
}

std::optional<absl::Time> StartOf(const v1::MetricPoint& p) {
  if (!p.has_bucket_start()) return std::nullopt;
  return absl::FromUnixSeconds(p.bucket_start().seconds());
}

std::string GroupOf(const v1::MetricPoint& p) {
  std::map<std::string, std::string> sorted(p.group().begin(), p.group().end());
  std::vector<std::string> parts;
  parts.reserve(sorted.size());
  for (const auto& [k, v] : sorted) parts.push_back(v);
  return absl::StrJoin(parts, " · ");
}

bool Small(const ReadableQuery& q, const v1::MetricPoint& p) {
  return p.suppressed() || (q.min_n > 0 && p.n() < q.min_n);
}

std::string N(const ReadableQuery& q, const v1::MetricPoint& p) {
  return absl::StrCat(Grouped(p.n()), Small(q, p) ? " small sample" : "");
}

std::string Ci(const ReadableQuery& q, const v1::MetricPoint& p) {
  if (!p.has_value() || !p.has_ci_low() || !p.has_ci_high()) return "";
  const double half = (p.ci_high() - p.ci_low()) / 2;
  const Unit unit = UnitOf(q.metric);
  // A narrow interval of a mean score keeps two decimals, not "± 0.0".
  if ((unit == Unit::kScore || unit == Unit::kPercent) && half > 0 &&
      half < 0.05) {
    return absl::StrFormat("± %.2f", half);
  }
  return absl::StrCat("± ", Readable(half, unit, q.currency));
}

}  // namespace

Unit UnitOf(const std::string& metric) {
  if (metric == "nps" || metric == "ces" || metric == "rating") {
    return Unit::kScore;
  }
  if (metric == "aov" || metric == "clv_historical" ||
      metric == "clv_predictive") {
    return Unit::kMoney;
  }
  if (metric == "dau" || metric == "mau" || metric == "response_count" ||
      metric == "ticket_volume" || metric == "organic_clicks") {
    return Unit::kCount;
  }
  if (metric == "stickiness" || metric == "purchase_frequency" ||
      metric == "pages_per_session") {
    return Unit::kRatio;
  }
  if (metric == "first_response_time" || metric == "avg_session_duration" ||
      metric == "followup_time_to_contact") {
    return Unit::kSeconds;
  }
  return Unit::kPercent;
}

std::string Readable(double value, Unit unit, const std::string& currency) {
  switch (unit) {
    case Unit::kPercent:
    case Unit::kScore:
      return absl::StrFormat("%.1f", value);
    case Unit::kCount:
      return std::abs(value - std::round(value)) < 1e-9
                 ? Grouped(static_cast<int64_t>(std::llround(value)))
                 : absl::StrFormat("%.1f", value);
    case Unit::kRatio:
      return absl::StrFormat("%.2f", value);
    case Unit::kMoney: {
      const int digits = CurrencyDigits(currency);
      const double major = value / std::pow(10.0, digits);
      const double whole = std::trunc(major);
      std::string text = Grouped(static_cast<int64_t>(whole));
      if (major < 0 && whole == 0) text = "-0";
      if (digits > 0) {
        absl::StrAppend(
            &text, ".",
            absl::StrFormat("%02d", static_cast<int>(std::llround(
                                        std::abs(major - whole) * 100)) %
                                        100));
      }
      return absl::StrCat(text, " ", currency);
    }
    case Unit::kSeconds:
      if (std::abs(value) >= 3600)
        return absl::StrFormat("%.1f h", value / 3600);
      if (std::abs(value) >= 60) return absl::StrFormat("%.1f min", value / 60);
      return absl::StrFormat("%.1f s", value);
  }
  return absl::StrCat(value);
}

std::string BucketLabel(std::optional<absl::Time> start, v1::Granularity g,
                        absl::TimeZone zone) {
  if (!start || g == v1::GRANULARITY_NONE) return "whole range";
  const absl::CivilDay day = absl::ToCivilDay(*start, zone);
  switch (g) {
    case v1::GRANULARITY_DAY:
      return absl::FormatCivilTime(day);
    case v1::GRANULARITY_WEEK: {
      // ISO 8601: the week belongs to the year of its Thursday.
      const int monday_based =
          (static_cast<int>(absl::GetWeekday(day)) + 7) % 7;  // Monday 0
      const absl::CivilDay thursday = day - monday_based + 3;
      const absl::CivilDay jan1(thursday.year(), 1, 1);
      const int64_t week = (thursday - jan1) / 7 + 1;
      return absl::StrFormat("%04d-W%02d", thursday.year(), week);
    }
    case v1::GRANULARITY_MONTH:
      return absl::StrFormat("%04d-%02d", day.year(), day.month());
    case v1::GRANULARITY_QUARTER:
      return absl::StrFormat("%04d-Q%d", day.year(), (day.month() - 1) / 3 + 1);
    case v1::GRANULARITY_YEAR:
      return absl::StrFormat("%04d", day.year());
    default:
      return absl::FormatCivilTime(day);
  }
}

std::vector<std::vector<std::string>> ReadableRows(
    const ReadableQuery& q, const v1::QueryMetricResponse& answer) {
  const bool bucketed = q.granularity != v1::GRANULARITY_NONE;
  bool grouped = false;
  for (const auto& p : answer.points()) grouped = grouped || !p.group().empty();
  const bool nps = q.metric == "nps";
  const bool lifecycle =
      q.metric == "churn_rate" || q.metric == "retention_rate";
  std::vector<std::string> header;
  if (bucketed) header.emplace_back("PERIOD");
  if (grouped) header.emplace_back("GROUP");
  for (const char* h : {"VALUE", "95% CI", "N"}) header.emplace_back(h);
  if (nps) {
    for (const char* h : {"PROMOTERS", "PASSIVES", "DETRACTORS"})
      header.emplace_back(h);
  }
  if (lifecycle) {
    for (const char* h : {"START", "NEW", "LOST", "END"})
      header.emplace_back(h);
  }
  if (q.metric == "conversion_rate") header.emplace_back("CONVERSIONS");
  std::vector<std::vector<std::string>> rows = {header};
  const Unit unit = UnitOf(q.metric);
  for (const v1::MetricPoint& p : answer.points()) {
    std::vector<std::string> row;
    if (bucketed) row.push_back(BucketLabel(StartOf(p), q.granularity, q.zone));
    if (grouped) row.push_back(GroupOf(p));
    row.push_back(p.has_value() ? Readable(p.value(), unit, q.currency) : "—");
    row.push_back(Ci(q, p));
    row.push_back(N(q, p));
    if (nps) {
      for (auto [has, v] : {std::pair{p.has_promoters(), p.promoters()},
                            {p.has_passives(), p.passives()},
                            {p.has_detractors(), p.detractors()}}) {
        row.push_back(has ? Grouped(v) : "—");
      }
    }
    if (lifecycle) {
      for (auto [has, v] : {std::pair{p.has_start(), p.start()},
                            {p.has_new_(), p.new_()},
                            {p.has_lost(), p.lost()},
                            {p.has_end(), p.end()}}) {
        row.push_back(has ? Grouped(v) : "—");
      }
    }
    if (q.metric == "conversion_rate") {
      row.push_back(p.has_conversions() ? Grouped(p.conversions()) : "—");
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void PrintChart(std::ostream& out, const ReadableQuery& q,
                const v1::QueryMetricResponse& answer, int width) {
  const Unit unit = UnitOf(q.metric);
  // The scale: every value and CI end, and zero when it is near.
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  for (const auto& p : answer.points()) {
    if (!p.has_value()) continue;
    lo = std::min({lo, p.value(), p.has_ci_low() ? p.ci_low() : p.value()});
    hi = std::max({hi, p.value(), p.has_ci_high() ? p.ci_high() : p.value()});
  }
  if (!std::isfinite(lo)) {
    out << "no values in this range\n";
    return;
  }
  if (lo > 0 && lo < (hi - lo)) lo = 0;
  if (hi == lo) hi = lo + 1;
  auto column = [&](double v) {
    return std::clamp(
        static_cast<int>(std::lround((v - lo) / (hi - lo) * (width - 1))), 0,
        width - 1);
  };
  // The sparkline, per group.
  static constexpr std::array<absl::string_view, 8> kBlocks = {
      "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  std::map<std::string, std::string> sparks;
  std::vector<std::string> order;
  for (const auto& p : answer.points()) {
    const std::string g = GroupOf(p);
    if (!sparks.contains(g)) order.push_back(g);
    if (p.has_value()) {
      const int level = std::clamp(
          static_cast<int>((p.value() - lo) / (hi - lo) * 7.999), 0, 7);
      absl::StrAppend(&sparks[g], kBlocks[static_cast<size_t>(level)]);
    } else {
      sparks[g] += " ";
    }
  }
  for (const std::string& g : order) {
    out << (g.empty() ? q.metric : g) << "  " << sparks[g] << "\n";
  }
  out << "\n";
  std::vector<std::vector<std::string>> rows;
  const bool bucketed = q.granularity != v1::GRANULARITY_NONE;
  for (const auto& p : answer.points()) {
    std::vector<std::string> row;
    if (bucketed) row.push_back(BucketLabel(StartOf(p), q.granularity, q.zone));
    if (!p.group().empty()) row.push_back(GroupOf(p));
    row.push_back(p.has_value() ? Readable(p.value(), unit, q.currency) : "—");
    row.push_back(Ci(q, p));
    row.push_back(absl::StrCat("n ", N(q, p)));
    // The bar: ├──●──┤ across the CI, or a plain ● without one.
    std::vector<std::string> bar(static_cast<size_t>(width), " ");
    if (lo < 0 && hi > 0) bar[static_cast<size_t>(column(0))] = "┊";
    if (p.has_value()) {
      if (p.has_ci_low() && p.has_ci_high()) {
        const int a = column(p.ci_low());
        const int b = column(p.ci_high());
        for (int i = a; i <= b; ++i) bar[static_cast<size_t>(i)] = "─";
        bar[static_cast<size_t>(a)] = "├";
        bar[static_cast<size_t>(b)] = "┤";
      }
      bar[static_cast<size_t>(column(p.value()))] = "●";
    }
    row.push_back(absl::StrCat("|", absl::StrJoin(bar, ""), "|"));
    rows.push_back(std::move(row));
  }
  PrintRows(out, rows);
  out << absl::StrFormat("scale %s … %s%s\n", Readable(lo, unit, q.currency),
                         Readable(hi, unit, q.currency),
                         lo < 0 && hi > 0 ? "; ┊ marks 0" : "");
}

}  // namespace mittari::cli
