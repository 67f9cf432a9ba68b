// `mittari report --from F --to T --out review.html`: the quarterly review
// a team brings to its meeting, as one self-contained HTML file (inline
// SVG charts and print CSS, no scripts): NPS with its 95 % band and split,
// CSAT by channel, CES by touchpoint, responses, churn and retention,
// DAU/MAU, conversion by source, tickets, the events, the scorecard and
// the latest alerts, with the numbers beside every chart as the CLI's
// tables print them (readable.h).
#include <fstream>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "clients/cli/commands.h"
#include "clients/cli/readable.h"
#include "google/protobuf/util/time_util.h"
#include "mittari/v1/event.grpc.pb.h"
#include "mittari/v1/kpi.grpc.pb.h"

namespace mittari::cli {
namespace {

using google::protobuf::util::TimeUtil;

std::string Escape(absl::string_view text) {
  return absl::StrReplaceAll(
      text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}});
}

std::string Table(const std::string& label,
                  const std::vector<std::vector<std::string>>& rows) {
  if (rows.empty()) return "";
  std::string html =
      absl::StrCat("<table aria-label=\"", Escape(label), "\"><thead><tr>");
  for (const std::string& h : rows[0])
    absl::StrAppend(&html, "<th scope=\"col\">", Escape(h), "</th>");
  html += "</tr></thead><tbody>";
  for (size_t i = 1; i < rows.size(); ++i) {
    html += "<tr>";
    for (size_t j = 0; j < rows[i].size(); ++j) {
      absl::StrAppend(&html, j == 0 ? "<th scope=\"row\">" : "<td>",
                      Escape(rows[i][j]), j == 0 ? "</th>" : "</td>");
    }
    html += "</tr>";
  }
  if (rows.size() == 1) {
    absl::StrAppend(&html, "<tr><td colspan=\"", rows[0].size(),
                    "\">No data in this range.</td></tr>");
  }
  return html + "</tbody></table>";
}

struct Series {
  std::string name;
  std::vector<std::optional<double>> values;
  std::vector<std::optional<double>> low;  // the 95 % band, when given
  std::vector<std::optional<double>> high;
};

constexpr std::array<const char*, 6> kColors = {
    "#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#b45309", "#0e7490"};

// A line chart over `labels` with each series' CI band.
std::string LineSvg(const std::string& title,
                    const std::vector<std::string>& labels,
                    const std::vector<Series>& series) {
  constexpr double kW = 640;
  constexpr double kH = 220;
  constexpr double kLeft = 48;
  constexpr double kBottom = 28;
  constexpr double kTop = 12;
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const Series& s : series) {
    for (const auto* list : {&s.values, &s.low, &s.high}) {
      for (const auto& v : *list) {
        if (!v) continue;
        lo = std::min(lo, *v);
        hi = std::max(hi, *v);
      }
    }
  }
  if (!std::isfinite(lo)) return "<p>No values in this range.</p>";
  if (hi == lo) hi = lo + 1;
  const double pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const size_t n = labels.size();
  auto x = [&](size_t i) {
    return kLeft + (n <= 1
                        ? 0.5
                        : static_cast<double>(i) / static_cast<double>(n - 1)) *
                       (kW - kLeft - 40);
  };
  auto y = [&](double v) {
    return kTop + (hi - v) / (hi - lo) * (kH - kTop - kBottom);
  };
  std::string svg = absl::StrFormat(
      "<svg role=\"img\" aria-label=\"%s\" viewBox=\"0 0 %.0f %.0f\" "
      "xmlns=\"http://www.w3.org/2000/svg\">",
      Escape(title), kW, kH);
  // Axis: the extremes and zero.
  for (double v : {lo + pad, hi - pad}) {
    absl::StrAppend(&svg,
                    absl::StrFormat("<text x=\"4\" y=\"%.1f\" class=\"axis\">"
                                    "%.1f</text>",
                                    y(v) + 4, v));
  }
  if (lo < 0 && hi > 0) {
    absl::StrAppend(&svg, absl::StrFormat("<line x1=\"%.1f\" x2=\"%.1f\" "
                                          "y1=\"%.1f\" y2=\"%.1f\" "
                                          "class=\"zero\"/>",
                                          kLeft, kW - 12, y(0), y(0)));
  }
  const size_t step = std::max<size_t>(1, n / 8);
  for (size_t i = 0; i < n; i += step) {
    absl::StrAppend(&svg,
                    absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" "
                                    "class=\"axis\" text-anchor=\"middle\">"
                                    "%s</text>",
                                    x(i), kH - 8, Escape(labels[i])));
  }
  for (size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    const char* color = kColors[k % kColors.size()];
    // The band: one polygon per run of buckets that have both ends.
    if (!s.low.empty()) {
      size_t i = 0;
      while (i < n) {
        size_t j = i;
        while (j < n && s.low[j] && s.high[j]) ++j;
        if (j > i) {
          std::vector<std::string> points;
          for (size_t t = i; t < j; ++t)
            points.push_back(absl::StrFormat("%.1f,%.1f", x(t), y(*s.high[t])));
          for (size_t t = j; t-- > i;)
            points.push_back(absl::StrFormat("%.1f,%.1f", x(t), y(*s.low[t])));
          absl::StrAppend(&svg, R"(<polygon class="band" fill=")", color,
                          R"(" points=")", absl::StrJoin(points, " "),
                          R"("/>)");
        }
        i = j + 1;
      }
    }
    std::string path;
    bool pen = false;
    for (size_t i = 0; i < n; ++i) {
      if (!s.values[i]) {
        pen = false;
        continue;
      }
      absl::StrAppend(&path, pen ? " L" : " M",
                      absl::StrFormat("%.1f %.1f", x(i), y(*s.values[i])));
      pen = true;
    }
    absl::StrAppend(&svg, R"(<path class="line" stroke=")", color, R"(" d=")",
                    path, R"("/>)");
  }
  svg += "</svg>";
  if (series.size() > 1) {
    svg += "<p class=\"legend\">";
    for (size_t k = 0; k < series.size(); ++k) {
      absl::StrAppend(&svg, "<span style=\"color:", kColors[k % kColors.size()],
                      "\">■</span> ", Escape(series[k].name), " ");
    }
    svg += "</p>";
  }
  return svg;
}

// Horizontal bars with CI whiskers, one per group.
std::string BarSvg(const std::string& title,
                   const std::vector<std::string>& labels,
                   const std::vector<std::optional<double>>& values,
                   const std::vector<std::optional<double>>& low,
                   const std::vector<std::optional<double>>& high) {
  constexpr double kW = 640;
  constexpr double kRow = 22;
  constexpr double kLeft = 130;
  double hi = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i]) hi = std::max(hi, *values[i]);
    if (i < high.size() && high[i]) hi = std::max(hi, *high[i]);
  }
  if (hi <= 0) hi = 1;
  auto x = [&](double v) { return kLeft + v / hi * (kW - kLeft - 60); };
  std::string svg = absl::StrFormat(
      "<svg role=\"img\" aria-label=\"%s\" viewBox=\"0 0 %.0f %.0f\" "
      "xmlns=\"http://www.w3.org/2000/svg\">",
      Escape(title), kW, kRow * static_cast<double>(labels.size()) + 8);
  for (size_t i = 0; i < labels.size(); ++i) {
    const double top = 4 + kRow * static_cast<double>(i);
    absl::StrAppend(&svg,
                    absl::StrFormat("<text x=\"4\" y=\"%.1f\" class=\"axis\">"
                                    "%s</text>",
                                    top + 14, Escape(labels[i])));
    if (!values[i]) continue;
    absl::StrAppend(&svg,
                    absl::StrFormat("<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
                                    "width=\"%.1f\" height=\"14\"/>",
                                    kLeft, top + 3, x(*values[i]) - kLeft));
    if (i < low.size() && low[i] && high[i]) {
      absl::StrAppend(&svg,
                      absl::StrFormat("<line class=\"whisker\" x1=\"%.1f\" "
                                      "x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
                                      x(std::max(0.0, *low[i])), x(*high[i]),
                                      top + 10, top + 10));
    }
    absl::StrAppend(&svg,
                    absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" "
                                    "class=\"axis\">%.1f</text>",
                                    x(*values[i]) + 6, top + 14, *values[i]));
  }
  return svg + "</svg>";
}

std::optional<double> ValueOf(const v1::MetricPoint& p) {
  return p.has_value() ? std::optional<double>(p.value()) : std::nullopt;
}

class Review {
 public:
  Review(Invocation& inv, v1::QueryMetricRequest base, ReadableQuery people)
      : inv_(inv),
        base_(std::move(base)),
        people_(std::move(people)),
        kpi_(v1::KpiService::NewStub(inv.client.channel())) {}

  // One KPI query on the report's range; the failure is kept for the end.
  v1::QueryMetricResponse Query(
      const std::string& metric, v1::Granularity g,
      const std::vector<std::string>& group_by = {},
      const std::map<std::string, std::string>& filters = {}) {
    v1::QueryMetricRequest request = base_;
    request.set_metric(metric);
    request.set_granularity(g);
    for (const std::string& d : group_by) request.add_group_by(d);
    for (const auto& [k, v] : filters) (*request.mutable_filters())[k] = v;
    v1::QueryMetricResponse response;
    Keep(kpi_->QueryMetric(inv_.client.Context().get(), request, &response));
    return response;
  }

  ReadableQuery People(const std::string& metric, v1::Granularity g) const {
    ReadableQuery q = people_;
    q.metric = metric;
    q.granularity = g;
    return q;
  }

  std::vector<std::string> Labels(const v1::QueryMetricResponse& r,
                                  v1::Granularity g) const {
    std::vector<std::string> labels;
    for (const auto& p : r.points()) {
      labels.push_back(BucketLabel(
          p.has_bucket_start()
              ? std::optional(absl::FromUnixSeconds(p.bucket_start().seconds()))
              : std::nullopt,
          g, people_.zone));
    }
    return labels;
  }

  void Keep(const grpc::Status& status) {
    if (!status.ok() && status_.ok()) status_ = status;
  }
  const grpc::Status& status() const { return status_; }
  v1::KpiService::Stub& kpi() { return *kpi_; }

 private:
  Invocation& inv_;
  v1::QueryMetricRequest base_;
  ReadableQuery people_;
  std::unique_ptr<v1::KpiService::Stub> kpi_;
  grpc::Status status_;
};

std::string Section(const std::string& title, const std::string& body) {
  return absl::StrCat("<section><h2>", Escape(title), "</h2>", body,
                      "</section>\n");
}

// Bars by group of a metric over the whole range, with the table beside.
std::string ByGroup(Review& review, const std::string& title,
                    const std::string& metric, const std::string& dimension,
                    const std::map<std::string, std::string>& filters = {}) {
  v1::QueryMetricResponse r =
      review.Query(metric, v1::GRANULARITY_NONE, {dimension}, filters);
  std::vector<std::string> labels;
  std::vector<std::optional<double>> values;
  std::vector<std::optional<double>> low;
  std::vector<std::optional<double>> high;
  // Durations are drawn in hours, as the table reads them.
  const double scale = UnitOf(metric) == Unit::kSeconds ? 1.0 / 3600 : 1.0;
  auto scaled = [scale](bool has, double v) {
    return has ? std::optional(v * scale) : std::nullopt;
  };
  for (const auto& p : r.points()) {
    auto it = p.group().find(dimension);
    labels.push_back(it == p.group().end() ? "" : it->second);
    values.push_back(scaled(p.has_value(), p.value()));
    low.push_back(scaled(p.has_ci_low(), p.ci_low()));
    high.push_back(scaled(p.has_ci_high(), p.ci_high()));
  }
  return Section(
      title,
      BarSvg(title, labels, values, low, high) +
          Table(title,
                ReadableRows(review.People(metric, v1::GRANULARITY_NONE), r)));
}

int Report(Invocation& inv) {
  auto out_path = inv.args.Get("out");
  auto from = inv.args.Get("from");
  auto to = inv.args.Get("to");
  if (!out_path || !from || !to || !inv.operands.empty()) {
    return inv.Usage("give --from, --to and --out FILE.html");
  }
  v1::Workspace workspace;
  grpc::Status status = inv.WorkspaceInfo(&workspace);
  if (!status.ok()) return inv.Finish(status, Json());
  ReadableQuery people;
  people.currency = workspace.currency_code();
  if (!absl::LoadTimeZone(workspace.time_zone(), &people.zone)) {
    return inv.Finish({grpc::StatusCode::INTERNAL,
                       "unknown time zone " + workspace.time_zone()},
                      Json());
  }
  v1::QueryMetricRequest base;
  base.set_parent(workspace.name());
  std::vector<absl::Time> range;
  for (const std::string* text : {&*from, &*to}) {
    absl::StatusOr<absl::Time> t = ParseTimeText(*text, people.zone);
    if (!t.ok()) {
      return inv.Usage(absl::StrCat(text == &*from ? "--from: " : "--to: ",
                                    t.status().message()));
    }
    range.push_back(*t);
  }
  *base.mutable_range()->mutable_start_time() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(range[0]));
  *base.mutable_range()->mutable_end_time() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(range[1]));
  if (auto m = inv.args.Get("min-n")) {
    int64_t min_n = 0;
    if (!absl::SimpleAtoi(*m, &min_n))
      return inv.Usage("--min-n takes a number");
    base.set_min_n(min_n);
    people.min_n = min_n;
  }
  std::map<std::string, std::string> nps_filter;
  if (auto s = inv.args.Get("survey")) nps_filter["survey"] = *s;
  const std::string g_text = inv.args.GetOr("granularity", "month");
  v1::Granularity g = v1::GRANULARITY_MONTH;
  if (!v1::Granularity_Parse("GRANULARITY_" + absl::AsciiStrToUpper(g_text),
                             &g) ||
      g == v1::GRANULARITY_NONE || g == v1::GRANULARITY_UNSPECIFIED) {
    return inv.Usage("--granularity: day, week, month or quarter");
  }
  Review review(inv, base, people);
  std::string body;

  // NPS: the trend with its band, and the split.
  {
    v1::QueryMetricResponse r = review.Query("nps", g, {}, nps_filter);
    Series nps{"NPS", {}, {}, {}};
    Series promoters{"promoters %", {}, {}, {}};
    Series detractors{"detractors %", {}, {}, {}};
    for (const auto& p : r.points()) {
      nps.values.push_back(ValueOf(p));
      nps.low.push_back(p.has_ci_low() ? std::optional(p.ci_low())
                                       : std::nullopt);
      nps.high.push_back(p.has_ci_high() ? std::optional(p.ci_high())
                                         : std::nullopt);
      const auto n = static_cast<double>(p.n());
      promoters.values.push_back(
          p.has_promoters() && n > 0
              ? std::optional(100.0 * static_cast<double>(p.promoters()) / n)
              : std::nullopt);
      detractors.values.push_back(
          p.has_detractors() && n > 0
              ? std::optional(100.0 * static_cast<double>(p.detractors()) / n)
              : std::nullopt);
    }
    const std::vector<std::string> labels = review.Labels(r, g);
    body +=
        Section("NPS trend",
                LineSvg("NPS with its 95 % confidence band", labels, {nps}) +
                    LineSvg("Promoters and detractors, % of answers", labels,
                            {promoters, detractors}) +
                    Table("NPS", ReadableRows(review.People("nps", g), r)));
  }
  body += ByGroup(review, "CSAT by channel", "csat", "channel");
  body += ByGroup(review, "CES by touchpoint", "ces", "touchpoint");
  {
    v1::QueryMetricResponse r = review.Query("response_count", g);
    Series s{"responses", {}, {}, {}};
    for (const auto& p : r.points()) s.values.push_back(ValueOf(p));
    body +=
        Section("Responses",
                LineSvg("Responses", review.Labels(r, g), {s}) +
                    Table("Responses",
                          ReadableRows(review.People("response_count", g), r)));
  }
  {
    v1::QueryMetricResponse churn =
        review.Query("churn_rate", v1::GRANULARITY_MONTH);
    v1::QueryMetricResponse retention =
        review.Query("retention_rate", v1::GRANULARITY_MONTH);
    Series c{"churn %", {}, {}, {}};
    Series r{"retention %", {}, {}, {}};
    for (const auto& p : churn.points()) c.values.push_back(ValueOf(p));
    for (const auto& p : retention.points()) r.values.push_back(ValueOf(p));
    const auto labels = review.Labels(churn, v1::GRANULARITY_MONTH);
    body += Section("Churn and retention by month",
                    LineSvg("Churn rate by month", labels, {c}) +
                        LineSvg("Retention rate by month", labels, {r}) +
                        Table("Churn by month",
                              ReadableRows(review.People("churn_rate",
                                                         v1::GRANULARITY_MONTH),
                                           churn)));
  }
  {
    v1::QueryMetricResponse dau = review.Query("dau", g);
    v1::QueryMetricResponse mau = review.Query("mau", g);
    v1::QueryMetricResponse stick = review.Query("stickiness", g);
    Series d{"DAU (mean)", {}, {}, {}};
    Series m{"MAU", {}, {}, {}};
    for (const auto& p : dau.points()) d.values.push_back(ValueOf(p));
    for (const auto& p : mau.points()) m.values.push_back(ValueOf(p));
    body +=
        Section("Active visitors",
                LineSvg("DAU and MAU", review.Labels(dau, g), {d, m}) +
                    Table("Stickiness (DAU / MAU)",
                          ReadableRows(review.People("stickiness", g), stick)));
  }
  body += ByGroup(review, "Conversion by source", "conversion_rate", "source");
  body += ByGroup(review, "Tickets by channel", "ticket_volume", "channel");
  body += ByGroup(review, "First response time by channel (hours)",
                  "first_response_time", "channel");

  // Events, the scorecard and the alerts of the range.
  {
    v1::CompareEventsRequest request;
    request.set_parent(workspace.name());
    *request.mutable_range() = base.range();
    v1::CompareEventsResponse events;
    review.Keep(
        v1::EventService::NewStub(inv.client.channel())
            ->CompareEvents(inv.client.Context().get(), request, &events));
    std::vector<std::vector<std::string>> rows = {
        {"EVENT", "KIND", "REGISTRATIONS", "ATTENDANCE", "CONVERSION", "COST",
         "REVENUE", "ROI", "NPS", "GOALS MET"}};
    auto pct = [](bool has, double v) {
      return has ? absl::StrFormat("%.1f %%", v) : std::string("—");
    };
    for (const auto& e : events.events()) {
      const v1::EventReport& r = e.report();
      int met = 0;
      for (const auto& goal : r.goals()) met += goal.met() ? 1 : 0;
      rows.push_back({r.display_name(), r.kind(),
                      absl::StrCat(r.registrations()),
                      pct(r.has_attendance_rate(), r.attendance_rate()),
                      pct(r.has_conversion_rate(), r.conversion_rate()),
                      Readable(static_cast<double>(r.cost()), Unit::kMoney,
                               people.currency),
                      Readable(static_cast<double>(r.revenue()), Unit::kMoney,
                               people.currency),
                      pct(r.has_roi(), r.roi()),
                      r.has_nps() ? absl::StrFormat("%.1f", r.nps()) : "—",
                      absl::StrCat(met, " of ", r.goals_size())});
    }
    body += Section("Events", Table("Events", rows));
  }
  {
    v1::GetScorecardRequest request;
    request.set_parent(workspace.name());
    *request.mutable_as_of() = base.range().end_time();
    v1::Scorecard card;
    review.Keep(
        review.kpi().GetScorecard(inv.client.Context().get(), request, &card));
    std::vector<std::vector<std::string>> rows = {
        {"TARGET", "METRIC", "GOAL", "VALUE", "N", "STATUS"}};
    for (const auto& e : card.entries()) {
      const Unit unit = UnitOf(e.target().metric());
      rows.push_back(
          {e.target().display_name().empty() ? e.target().name()
                                             : e.target().display_name(),
           e.target().metric(),
           Readable(e.target().goal(), unit, people.currency),
           e.current().has_value()
               ? Readable(e.current().value(), unit, people.currency)
               : "—",
           absl::StrCat(e.current().n()),
           absl::AsciiStrToLower(absl::StripPrefix(
               v1::TargetStatus_Name(e.status()), "TARGET_STATUS_"))});
    }
    body += Section("Scorecard", Table("Scorecard", rows));
  }
  {
    v1::ListAlertsRequest request;
    request.set_parent(workspace.name());
    *request.mutable_fire_time_from() = base.range().start_time();
    *request.mutable_fire_time_to() = base.range().end_time();
    request.set_page_size(50);
    v1::ListAlertsResponse alerts;
    review.Keep(
        review.kpi().ListAlerts(inv.client.Context().get(), request, &alerts));
    std::vector<std::vector<std::string>> rows = {{"FIRED", "STATE", "ALERT"}};
    for (const auto& a : alerts.alerts()) {
      rows.push_back(
          {absl::FormatTime("%Y-%m-%d %H:%M",
                            absl::FromUnixSeconds(a.fire_time().seconds()),
                            people.zone),
           absl::AsciiStrToLower(absl::StripPrefix(
               v1::AlertState_Name(a.state()), "ALERT_STATE_")),
           a.summary()});
    }
    body += Section("Alerts", Table("Alerts", rows));
  }
  if (!review.status().ok()) return inv.Finish(review.status(), Json());

  const std::string title =
      absl::StrCat(workspace.display_name().empty() ? workspace.name()
                                                    : workspace.display_name(),
                   ": review of ", *from, " to ", *to);
  std::ofstream file(*out_path);
  file << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       << "<title>" << Escape(title) << "</title><style>"
       << "body{font-family:system-ui,sans-serif;color:#1a1a1a;margin:2rem;"
          "max-width:60rem}h1{color:#1f5fa8;font-size:1.5rem}"
          "h2{font-size:1.1rem;margin:1.5rem 0 .5rem}"
          "section{break-inside:avoid}svg{width:100%;height:auto}"
          ".axis{font-size:11px;fill:#4a4a4a}.zero{stroke:#999;"
          "stroke-dasharray:3 3}.band{opacity:.18}.line{fill:none;"
          "stroke-width:2}.bar{fill:#1f5fa8}.whisker{stroke:#1a1a1a;"
          "stroke-width:1.5}table{border-collapse:collapse;font-size:.85rem;"
          "font-variant-numeric:tabular-nums;margin-top:.5rem}"
          "th,td{padding:.15rem .6rem;border-bottom:1px solid #e6e8eb;"
          "text-align:right}th:first-child{text-align:left}"
          ".legend{font-size:.8rem}@media print{body{margin:0}"
          "@page{size:A4;margin:12mm}}"
       << "</style></head><body><h1>" << Escape(title) << "</h1><p>"
       << Escape(absl::StrCat(
              "Buckets in ", workspace.time_zone(), "; the range ends before ",
              *to, ". n is shown for every value",
              people.min_n > 0
                  ? absl::StrCat("; values with n below ", people.min_n,
                                 " are hidden (small sample)")
                  : "",
              "."))
       << "</p>\n"
       << body << "</body></html>\n";
  file.close();
  if (!file) {
    return inv.Finish({grpc::StatusCode::INVALID_ARGUMENT,
                       absl::StrCat("--out: cannot write ", *out_path)},
                      Json());
  }
  return inv.Finish(grpc::Status::OK, Json{{"out", *out_path}});
}

}  // namespace

std::vector<Command> ReportCommands() {
  return {
      {{"report"},
       "",
       "the review a team brings to its meeting, as one HTML file with "
       "charts and tables (printable): --from F --to T --out review.html "
       "[--survey NPS-SURVEY] [--granularity month] [--min-n N]",
       {"from", "to", "out", "survey", "granularity", "min-n"},
       Report},
  };
}

}  // namespace mittari::cli
