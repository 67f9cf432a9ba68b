// `mittari kpi query|compare|values`, `mittari forecast` and
// `mittari value-report`.
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/cli/commands.h"
#include "clients/cli/readable.h"
#include "clients/cli/watch.h"
#include "google/protobuf/util/time_util.h"
#include "mittari/v1/kpi.grpc.pb.h"

namespace mittari::cli {
namespace {

using v1::KpiService;

std::unique_ptr<KpiService::Stub> Stub(const Invocation& inv) {
  return KpiService::NewStub(inv.client.channel());
}

// The keys a metric's points carry besides bucket_start, group, value, n.
std::vector<std::string> ExtraKeys(const std::string& metric) {
  if (metric == "nps") {
    return {"ci_low", "ci_high", "promoters", "passives", "detractors"};
  }
  if (metric == "csat") return {"ci_low", "ci_high", "positives", "mean"};
  if (metric == "ces" || metric == "rating") return {"ci_low", "ci_high"};
  if (metric == "churn_rate" || metric == "retention_rate") {
    return {"ci_low", "ci_high", "start", "end", "new", "lost"};
  }
  if (metric == "conversion_rate") return {"ci_low", "ci_high", "conversions"};
  if (metric == "repeat_purchase_rate" || metric == "resolution_rate" ||
      metric == "engagement_rate") {
    return {"ci_low", "ci_high"};
  }
  return {};
}

Json PointJson(const std::string& metric, const v1::MetricPoint& p) {
  Json j = Json::object();
  j["bucket_start"] = p.has_bucket_start()
                          ? Json(FormatTimestamp(p.bucket_start().seconds(),
                                                 p.bucket_start().nanos()))
                          : Json();
  Json group = Json::object();
  std::map<std::string, std::string> sorted(p.group().begin(), p.group().end());
  for (const auto& [k, v] : sorted) group[k] = v;
  j["group"] = group;
  j["value"] = p.has_value() ? Json(p.value()) : Json();
  j["n"] = p.n();
  Json all = ToJson(p);
  for (const std::string& key : ExtraKeys(metric)) j[key] = all[key];
  // Only on the rare point whose sums passed the int64 limits, so that the
  // shape scripts read stays as it is.
  if (p.overflowed()) j["overflowed"] = true;
  return j;
}

// The workspace, --from, --to and --filter of a request with a parent, a
// range and filters.
template <typename Request>
grpc::Status FillRange(Invocation& inv, Request* request) {
  grpc::Status status = inv.Workspace(request->mutable_parent());
  if (!status.ok()) return status;
  std::vector<std::string> times;
  for (const char* flag : {"from", "to"}) {
    auto v = inv.args.Get(flag);
    if (!v) {
      return {grpc::StatusCode::INVALID_ARGUMENT,
              absl::StrCat("--", flag, " is required")};
    }
    times.push_back(*v);
  }
  absl::TimeZone zone;
  status = inv.ZoneFor(times, &zone);
  if (!status.ok()) return status;
  for (size_t i = 0; i < 2; ++i) {
    absl::StatusOr<absl::Time> t = ParseTimeText(times[i], zone);
    if (!t.ok()) {
      return {
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat(i == 0 ? "--from: " : "--to: ", t.status().message())};
    }
    *(i == 0 ? request->mutable_range()->mutable_start_time()
             : request->mutable_range()->mutable_end_time()) =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
            absl::ToUnixMicros(*t));
  }
  if (std::string problem =
          ParsePairs(inv, "filter", "DIMENSION", request->mutable_filters());
      !problem.empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, problem};
  }
  return grpc::Status::OK;
}

// The query flags shared by `kpi query`, `kpi compare` and `forecast`.
template <typename Request>
grpc::Status FillQuery(Invocation& inv, const std::string& metric,
                       Request* request) {
  grpc::Status status = FillRange(inv, request);
  if (!status.ok()) return status;
  request->set_metric(metric);
  if constexpr (requires { request->add_group_by(); }) {
    for (const std::string& dim : inv.args.GetAll("group-by")) {
      request->add_group_by(dim);
    }
  }
  if (auto tag = inv.args.Get("tag"))
    (*request->mutable_params())["tag"] = *tag;
  return grpc::Status::OK;
}

// --granularity (default none) and --min-n into `request`; a usage error's
// text, or empty.
template <typename Request>
std::string FillGranularity(Invocation& inv, Request* request) {
  std::string g = absl::AsciiStrToUpper(inv.args.GetOr("granularity", "none"));
  v1::Granularity granularity;
  if (!v1::Granularity_Parse("GRANULARITY_" + g, &granularity) ||
      granularity == v1::GRANULARITY_UNSPECIFIED) {
    return "--granularity must be none, day, week, month, quarter or year";
  }
  request->set_granularity(granularity);
  if (auto m = inv.args.Get("min-n")) {
    int64_t min_n = 0;
    if (!absl::SimpleAtoi(*m, &min_n)) return "--min-n takes a whole number";
    request->set_min_n(min_n);
  }
  return "";
}

grpc::Status ToGrpc(const absl::Status& status) {
  return {static_cast<grpc::StatusCode>(status.code()),
          std::string(status.message())};
}

// How the answer to `request` reads for people: the workspace's zone and
// currency, the granularity, and --min-n.
absl::StatusOr<ReadableQuery> ReadableFor(
    Invocation& inv, const v1::QueryMetricRequest& request) {
  v1::Workspace workspace;
  grpc::Status status = inv.WorkspaceInfo(&workspace);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  ReadableQuery q;
  q.metric = request.metric();
  q.granularity = request.granularity();
  q.currency = workspace.currency_code();
  q.min_n = request.min_n();
  if (!absl::LoadTimeZone(workspace.time_zone(), &q.zone)) {
    return absl::InternalError("unknown time zone " + workspace.time_zone());
  }
  return q;
}

int Query(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the metric, e.g. nps");
  const std::string& metric = inv.operands[0];
  v1::QueryMetricRequest request;
  if (std::string usage = FillGranularity(inv, &request); !usage.empty()) {
    return inv.Usage(usage);
  }
  grpc::Status status = FillQuery(inv, metric, &request);
  v1::QueryMetricResponse response;
  if (status.ok()) {
    status =
        Stub(inv)->QueryMetric(inv.client.Context().get(), request, &response);
  }
  if (status.ok() && inv.format == Format::kTable) {
    absl::StatusOr<ReadableQuery> readable = ReadableFor(inv, request);
    if (!readable.ok()) return inv.Finish(ToGrpc(readable.status()), Json());
    PrintRows(inv.out, ReadableRows(*readable, response));
    return kExitOk;
  }
  Json points = Json::array();
  for (const v1::MetricPoint& p : response.points()) {
    points.push_back(PointJson(metric, p));
  }
  return inv.Finish(status, Json{{"points", points}});
}

// `kpi chart METRIC`: the series of `kpi query` drawn on the terminal.
int Chart(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the metric, e.g. nps");
  v1::QueryMetricRequest request;
  if (std::string usage = FillGranularity(inv, &request); !usage.empty()) {
    return inv.Usage(usage);
  }
  if (!inv.args.Get("granularity"))
    request.set_granularity(v1::GRANULARITY_WEEK);
  grpc::Status status = FillQuery(inv, inv.operands[0], &request);
  v1::QueryMetricResponse response;
  if (status.ok()) {
    status =
        Stub(inv)->QueryMetric(inv.client.Context().get(), request, &response);
  }
  if (!status.ok()) return inv.Finish(status, Json());
  absl::StatusOr<ReadableQuery> readable = ReadableFor(inv, request);
  if (!readable.ok()) return inv.Finish(ToGrpc(readable.status()), Json());
  PrintChart(inv.out, *readable, response);
  return kExitOk;
}

// `kpi watch METRIC`: with --from and --to, the whole series; without,
// the bucket holding now at --granularity (default day). Prints each
// answer as one JSON line ({"points": [...]} as `kpi query` prints them)
// until Ctrl-C.
int Watch(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the metric, e.g. nps");
  const std::string& metric = inv.operands[0];
  v1::WatchMetricRequest request;
  v1::QueryMetricRequest* query = request.mutable_query();
  const bool ranged = inv.args.Get("from") || inv.args.Get("to");
  if (std::string usage = FillGranularity(inv, query); !usage.empty()) {
    return inv.Usage(usage);
  }
  grpc::Status status;
  if (ranged) {
    status = FillQuery(inv, metric, query);
  } else {
    request.set_current_bucket_only(true);
    if (!inv.args.Get("granularity")) {
      query->set_granularity(v1::GRANULARITY_DAY);
    }
    query->set_metric(metric);
    status = inv.Workspace(query->mutable_parent());
    if (std::string problem =
            ParsePairs(inv, "filter", "DIMENSION", query->mutable_filters());
        !problem.empty()) {
      return inv.Usage(problem);
    }
    if (auto tag = inv.args.Get("tag"))
      (*query->mutable_params())["tag"] = *tag;
  }
  if (!status.ok()) return inv.Finish(status, Json());
  return RunWatch<v1::QueryMetricResponse>(
      inv,
      [&](grpc::ClientContext* context) {
        return Stub(inv)->WatchMetric(context, request);
      },
      [&](const v1::QueryMetricResponse& answer) {
        Json points = Json::array();
        for (const v1::MetricPoint& p : answer.points()) {
          points.push_back(PointJson(metric, p));
        }
        return Json{{"points", points}};
      });
}

int Compare(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the metric, e.g. nps");
  const std::string& metric = inv.operands[0];
  v1::ComparePeriodsRequest request;
  grpc::Status status = FillQuery(inv, metric, &request);
  v1::ComparePeriodsResponse response;
  if (status.ok()) {
    status = Stub(inv)->ComparePeriods(inv.client.Context().get(), request,
                                       &response);
  }
  Json comparisons = Json::array();
  for (const v1::PeriodComparison& c : response.comparisons()) {
    Json j = Json::object();
    Json group = Json::object();
    std::map<std::string, std::string> sorted(c.group().begin(),
                                              c.group().end());
    for (const auto& [k, v] : sorted) group[k] = v;
    j["group"] = group;
    j["current"] = PointJson(metric, c.current());
    j["previous"] = PointJson(metric, c.previous());
    j["change"] = c.has_change() ? Json(c.change()) : Json();
    j["z"] = c.has_z() ? Json(c.z()) : Json();
    j["significant"] = c.significant();
    comparisons.push_back(j);
  }
  Json out = Json::object();
  out["previous_range"] = ToJson(response.previous_range());
  out["comparisons"] = comparisons;
  return inv.Finish(status, out);
}

int Values(Invocation& inv) {
  if (inv.operands.size() != 1)
    return inv.Usage("name the dimension, e.g. channel");
  v1::ListDimensionValuesRequest request;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  request.set_dimension(inv.operands[0]);
  request.set_metric(inv.args.GetOr("metric", ""));
  std::vector<std::string> times;
  for (const char* flag : {"from", "to"}) {
    if (auto v = inv.args.Get(flag)) times.push_back(*v);
  }
  absl::TimeZone zone;
  if (status.ok()) status = inv.ZoneFor(times, &zone);
  for (const char* flag : {"from", "to"}) {
    auto v = inv.args.Get(flag);
    if (!v || !status.ok()) continue;
    absl::StatusOr<absl::Time> t = ParseTimeText(*v, zone);
    if (!t.ok())
      return inv.Usage(absl::StrCat("--", flag, ": ", t.status().message()));
    *(std::string(flag) == "from"
          ? request.mutable_range()->mutable_start_time()
          : request.mutable_range()->mutable_end_time()) =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
            absl::ToUnixMicros(*t));
  }
  // Every page, as one list.
  Json values = Json::array();
  v1::ListDimensionValuesResponse response;
  while (status.ok()) {
    status = Stub(inv)->ListDimensionValues(inv.client.Context().get(), request,
                                            &response);
    for (const std::string& v : response.values()) values.push_back(v);
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  return inv.Finish(status, Json{{"values", values}});
}

// `forecast`: {"points": [history as `kpi query` prints it], "forecast":
// [{"bucket_start", "value", "pi80_low", "pi80_high", "pi95_low",
// "pi95_high"}], "model": {"method", "season_length", "alpha", "beta",
// "gamma", "sigma"}}.
int Forecast(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the metric, e.g. nps");
  const std::string& metric = inv.operands[0];
  v1::ForecastMetricRequest request;
  if (std::string usage = FillGranularity(inv, &request); !usage.empty()) {
    return inv.Usage(usage);
  }
  int horizon = 0;
  if (!absl::SimpleAtoi(inv.args.GetOr("horizon", ""), &horizon)) {
    return inv.Usage("--horizon takes the number of buckets to forecast");
  }
  request.set_horizon(horizon);
  grpc::Status status = FillQuery(inv, metric, &request);
  v1::ForecastMetricResponse response;
  if (status.ok()) {
    status = Stub(inv)->ForecastMetric(inv.client.Context().get(), request,
                                       &response);
  }
  Json points = Json::array();
  for (const v1::MetricPoint& p : response.points()) {
    points.push_back(PointJson(metric, p));
  }
  Json forecast = Json::array();
  for (const v1::ForecastPoint& f : response.forecast()) {
    forecast.push_back(
        {{"bucket_start", FormatTimestamp(f.bucket_start().seconds(),
                                          f.bucket_start().nanos())},
         {"value", f.value()},
         {"pi80_low", f.pi80_low()},
         {"pi80_high", f.pi80_high()},
         {"pi95_low", f.pi95_low()},
         {"pi95_high", f.pi95_high()}});
  }
  Json model = {{"method", response.method()},
                {"season_length", response.season_length()},
                {"alpha", response.alpha()},
                {"beta", response.beta()},
                {"gamma", response.gamma()},
                {"sigma", response.sigma()}};
  if (inv.format == Format::kTable) {
    // People read the forecast; the history is what `kpi query` shows.
    return inv.Finish(status, forecast);
  }
  return inv.Finish(
      status,
      Json{{"points", points}, {"forecast", forecast}, {"model", model}});
}

// `value-report`: what a better experience is worth. The JSON holds kind,
// from, to, groups and headline, with null for every absent value.
int ValueReport(Invocation& inv) {
  if (!inv.operands.empty()) return inv.Usage("takes no operands");
  const std::string kind = inv.args.GetOr("kind", "");
  v1::ExperienceKind k = v1::EXPERIENCE_KIND_UNSPECIFIED;
  if (!v1::ExperienceKind_Parse(
          "EXPERIENCE_KIND_" + absl::AsciiStrToUpper(kind), &k) ||
      k == v1::EXPERIENCE_KIND_UNSPECIFIED) {
    return inv.Usage("--kind must be nps or csat");
  }
  v1::GetValueReportRequest request;
  request.set_kind(k);
  grpc::Status status = FillRange(inv, &request);
  v1::ValueReport response;
  if (status.ok()) {
    status = Stub(inv)->GetValueReport(inv.client.Context().get(), request,
                                       &response);
  }
  Json groups = Json::array();
  for (const v1::ValueGroup& g : response.groups()) groups.push_back(ToJson(g));
  Json out = Json::object();
  out["kind"] = absl::AsciiStrToLower(kind);
  out["from"] = ToJson(request.range().start_time());
  out["to"] = ToJson(request.range().end_time());
  if (status.ok() && inv.format == Format::kTable) {
    // People read the groups as a table, the headline below it.
    Print(inv.out, Json{{"groups", groups}}, inv.format);
    return inv.Finish(status, ToJson(response.headline()));
  }
  out["groups"] = groups;
  out["headline"] = ToJson(response.headline());
  return inv.Finish(status, out);
}

// `touchpoints …`: the journey's touchpoints and their baselines.

// The touchpoint named by the one operand (an id or a full name).
grpc::Status TouchpointName(Invocation& inv, std::string* name) {
  if (inv.operands.size() != 1) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "name the touchpoint"};
  }
  std::string workspace;
  grpc::Status status = inv.Workspace(&workspace);
  if (status.ok()) *name = ChildOf(workspace, "touchpoints", inv.operands[0]);
  return status;
}

// --display-name, --stage and --order into `t`; the paths set go to
// `paths`. A usage error's text, or empty.
std::string FillTouchpoint(Invocation& inv, v1::Touchpoint* t,
                           std::vector<std::string>* paths) {
  if (auto v = inv.args.Get("display-name")) {
    t->set_display_name(*v);
    paths->push_back("display_name");
  }
  if (auto v = inv.args.Get("stage")) {
    t->set_journey_stage(*v);
    paths->push_back("journey_stage");
  }
  if (auto v = inv.args.Get("order")) {
    int order = 0;
    if (!absl::SimpleAtoi(*v, &order)) return "--order takes a whole number";
    t->set_order(order);
    paths->push_back("order");
  }
  return "";
}

int TouchpointCreate(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the touchpoint's id");
  v1::CreateTouchpointRequest request;
  request.set_touchpoint_id(inv.operands[0]);
  std::vector<std::string> paths;
  if (std::string usage =
          FillTouchpoint(inv, request.mutable_touchpoint(), &paths);
      !usage.empty()) {
    return inv.Usage(usage);
  }
  grpc::Status status = inv.Workspace(request.mutable_parent());
  v1::Touchpoint t;
  if (status.ok()) {
    status =
        Stub(inv)->CreateTouchpoint(inv.client.Context().get(), request, &t);
  }
  return inv.Finish(status, ToJson(t));
}

int TouchpointUpdate(Invocation& inv) {
  v1::UpdateTouchpointRequest request;
  grpc::Status status =
      TouchpointName(inv, request.mutable_touchpoint()->mutable_name());
  std::vector<std::string> paths;
  if (std::string usage =
          FillTouchpoint(inv, request.mutable_touchpoint(), &paths);
      !usage.empty()) {
    return inv.Usage(usage);
  }
  if (paths.empty())
    return inv.Usage("give --display-name, --stage or --order");
  for (const std::string& p : paths)
    request.mutable_update_mask()->add_paths(p);
  v1::Touchpoint t;
  if (status.ok()) {
    status =
        Stub(inv)->UpdateTouchpoint(inv.client.Context().get(), request, &t);
  }
  return inv.Finish(status, ToJson(t));
}

int TouchpointList(Invocation& inv) {
  v1::ListTouchpointsRequest request;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  request.set_page_size(1000);
  Json list = Json::array();
  while (status.ok()) {
    v1::ListTouchpointsResponse page;
    status =
        Stub(inv)->ListTouchpoints(inv.client.Context().get(), request, &page);
    for (const v1::Touchpoint& t : page.touchpoints())
      list.push_back(ToJson(t));
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  return inv.Finish(status, Json{{"touchpoints", list}});
}

// `touchpoints baseline ID --metric M (--value V | --from F --to T)
// [--filter D=V]... [--tag T]`.
int TouchpointBaseline(Invocation& inv) {
  v1::SetBaselineRequest request;
  grpc::Status status = TouchpointName(inv, request.mutable_name());
  auto metric = inv.args.Get("metric");
  if (!metric) return inv.Usage("--metric is required");
  request.set_metric(*metric);
  if (auto v = inv.args.Get("value")) {
    double value = 0;
    if (!absl::SimpleAtod(*v, &value))
      return inv.Usage("--value takes a number");
    request.set_value(value);
  } else if (status.ok()) {
    // The period, its filters and the touchpoint's workspace, as `kpi
    // query` reads them.
    v1::QueryMetricRequest range;
    status = FillRange(inv, &range);
    *request.mutable_period() = range.range();
    request.mutable_filters()->insert(range.filters().begin(),
                                      range.filters().end());
    if (auto tag = inv.args.Get("tag"))
      (*request.mutable_params())["tag"] = *tag;
  }
  v1::Touchpoint t;
  if (status.ok()) {
    status = Stub(inv)->SetBaseline(inv.client.Context().get(), request, &t);
  }
  return inv.Finish(status, ToJson(t));
}

// `targets …` and `scorecard`.

grpc::Status TargetName(Invocation& inv, std::string* name) {
  if (inv.operands.size() != 1) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "name the target"};
  }
  std::string workspace;
  grpc::Status status = inv.Workspace(&workspace);
  if (status.ok()) *name = ChildOf(workspace, "targets", inv.operands[0]);
  return status;
}

// A target's flags into `t`, the API paths set into `paths`; a usage
// error's text, or empty.
std::string FillTarget(Invocation& inv, v1::Target* t,
                       std::vector<std::string>* paths) {
  auto word = [&](const char* flag, const std::string& prefix,
                  auto parse) -> std::string {
    auto v = inv.args.Get(flag);
    if (!v) return "";
    if (!parse(prefix + absl::AsciiStrToUpper(*v))) {
      return absl::StrCat("--", flag, ": '", *v, "' is not a choice");
    }
    return "";
  };
  if (auto v = inv.args.Get("display-name")) {
    t->set_display_name(*v);
    paths->push_back("display_name");
  }
  if (auto v = inv.args.Get("metric")) {
    t->set_metric(*v);
    paths->push_back("metric");
  }
  for (const char* flag : {"goal", "benchmark"}) {
    if (auto v = inv.args.Get(flag)) {
      double x = 0;
      if (!absl::SimpleAtod(*v, &x)) {
        return absl::StrCat("--", flag, " takes a number");
      }
      if (std::string(flag) == "goal") {
        t->set_goal(x);
      } else {
        t->set_benchmark(x);
      }
      paths->push_back(flag);
    }
  }
  std::string problem =
      word("direction", "TARGET_DIRECTION_", [&](const std::string& name) {
        v1::TargetDirection d;
        if (!v1::TargetDirection_Parse(name, &d)) {
          return false;
        }
        t->set_direction(d);
        paths->push_back("direction");
        return true;
      });
  if (problem.empty()) {
    problem = word("period", "GRANULARITY_", [&](const std::string& name) {
      v1::Granularity g;
      if (!v1::Granularity_Parse(name, &g)) return false;
      t->set_period(g);
      paths->push_back("period");
      return true;
    });
  }
  if (problem.empty()) {
    problem = word("kpi-class", "KPI_CLASS_", [&](const std::string& name) {
      v1::KpiClass c;
      if (!v1::KpiClass_Parse(name, &c)) return false;
      t->set_kpi_class(c);
      paths->push_back("kpi_class");
      return true;
    });
  }
  if (!problem.empty()) return problem;
  if (auto v = inv.args.Get("min-n")) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(*v, &n)) return "--min-n takes a whole number";
    t->set_min_n(n);
    paths->push_back("min_n");
  }
  if (auto v = inv.args.Get("benchmark-source")) {
    t->set_benchmark_source(*v);
    paths->push_back("benchmark_source");
  }
  if (auto v = inv.args.Get("owner")) {
    t->set_owner(*v);
    paths->push_back("owner");
  }
  for (const auto& [flag, map] : {std::pair{"filter", t->mutable_filters()},
                                  std::pair{"param", t->mutable_params()}}) {
    problem = ParsePairs(inv, flag, "NAME", map);
    if (!problem.empty()) return problem;
    if (!inv.args.GetAll(flag).empty()) {
      paths->push_back(std::string(flag) == "filter" ? "filters" : "params");
    }
  }
  return "";
}

int TargetCreate(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the target's id");
  v1::CreateTargetRequest request;
  request.set_target_id(inv.operands[0]);
  std::vector<std::string> paths;
  if (std::string usage = FillTarget(inv, request.mutable_target(), &paths);
      !usage.empty()) {
    return inv.Usage(usage);
  }
  grpc::Status status = inv.Workspace(request.mutable_parent());
  v1::Target t;
  if (status.ok()) {
    status = Stub(inv)->CreateTarget(inv.client.Context().get(), request, &t);
  }
  return inv.Finish(status, ToJson(t));
}

int TargetUpdate(Invocation& inv) {
  v1::UpdateTargetRequest request;
  grpc::Status status =
      TargetName(inv, request.mutable_target()->mutable_name());
  std::vector<std::string> paths;
  if (std::string usage = FillTarget(inv, request.mutable_target(), &paths);
      !usage.empty()) {
    return inv.Usage(usage);
  }
  if (paths.empty()) return inv.Usage("give a field to change");
  for (const std::string& p : paths)
    request.mutable_update_mask()->add_paths(p);
  v1::Target t;
  if (status.ok()) {
    status = Stub(inv)->UpdateTarget(inv.client.Context().get(), request, &t);
  }
  return inv.Finish(status, ToJson(t));
}

std::string StatusWord(v1::TargetStatus s) {
  switch (s) {
    case v1::TARGET_STATUS_MET:
      return "met";
    case v1::TARGET_STATUS_AT_RISK:
      return "at_risk";
    case v1::TARGET_STATUS_MISSED:
      return "missed";
    default:
      return "no_data";
  }
}

// `scorecard [--as-of T]` → {"targets": [{"target", "metric", "kpi_class",
// "touchpoint", "journey_stage", "status", "value", "n", "ci_low",
// "ci_high", "goal", "direction", "benchmark", "period_start", "baseline",
// "previous_value", "previous_n", "change", "significant", "forecast"}]}
// with null where absent.
int Scorecard(Invocation& inv) {
  v1::GetScorecardRequest request;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  if (auto v = inv.args.Get("as-of"); v && status.ok()) {
    absl::TimeZone zone;
    status = inv.ZoneFor({*v}, &zone);
    absl::StatusOr<absl::Time> t = ParseTimeText(*v, zone);
    if (!t.ok())
      return inv.Usage(absl::StrCat("--as-of: ", t.status().message()));
    *request.mutable_as_of() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
            absl::ToUnixMicros(*t));
  }
  v1::Scorecard card;
  if (status.ok()) {
    status =
        Stub(inv)->GetScorecard(inv.client.Context().get(), request, &card);
  }
  auto optional = [](bool has, double v) { return has ? Json(v) : Json(); };
  auto text = [](const std::string& s) { return s.empty() ? Json() : Json(s); };
  Json targets = Json::array();
  for (const v1::ScorecardEntry& e : card.entries()) {
    const v1::Target& t = e.target();
    const v1::MetricPoint& now = e.current();
    const v1::MetricPoint& before = e.previous();
    Json j = Json::object();
    j["target"] = t.name();
    j["metric"] = t.metric();
    j["kpi_class"] = absl::AsciiStrToLower(
        absl::StripPrefix(v1::KpiClass_Name(t.kpi_class()), "KPI_CLASS_"));
    j["touchpoint"] = text(e.touchpoint());
    j["journey_stage"] = text(e.journey_stage());
    j["status"] = StatusWord(e.status());
    j["value"] = optional(now.has_value(), now.value());
    j["n"] = now.n();
    j["ci_low"] = optional(now.has_ci_low(), now.ci_low());
    j["ci_high"] = optional(now.has_ci_high(), now.ci_high());
    j["goal"] = t.goal();
    j["direction"] = absl::AsciiStrToLower(absl::StripPrefix(
        v1::TargetDirection_Name(t.direction()), "TARGET_DIRECTION_"));
    j["benchmark"] = optional(t.has_benchmark(), t.benchmark());
    j["period_start"] =
        FormatTimestamp(e.period_start().seconds(), e.period_start().nanos());
    j["baseline"] = optional(e.has_baseline(), e.baseline());
    j["previous_value"] = optional(before.has_value(), before.value());
    j["previous_n"] = before.n();
    j["change"] = optional(e.has_change(), e.change());
    j["significant"] = e.has_significant() ? Json(e.significant()) : Json();
    if (e.has_forecast()) {
      const v1::BucketForecast& f = e.forecast();
      j["forecast"] = {{"value", f.value()},
                       {"pi80_low", f.pi80_low()},
                       {"pi80_high", f.pi80_high()},
                       {"pi95_low", f.pi95_low()},
                       {"pi95_high", f.pi95_high()}};
    } else {
      j["forecast"] = Json();
    }
    targets.push_back(j);
  }
  return inv.Finish(status, Json{{"targets", targets}});
}

}  // namespace

std::vector<Command> KpiCommands() {
  std::set<std::string> query_flags = {"from", "to", "group-by", "filter",
                                       "tag"};
  std::set<std::string> with_granularity = query_flags;
  with_granularity.insert({"granularity", "min-n"});
  std::set<std::string> forecast_flags = {
      "from", "to", "filter", "tag", "granularity", "min-n", "horizon"};
  const std::set<std::string> target_flags = {
      "display-name",     "metric", "goal",  "direction", "period",
      "filter",           "param",  "min-n", "kpi-class", "benchmark",
      "benchmark-source", "owner"};
  return {
      {{"targets", "create"},
       "ID",
       "a target: --metric M --goal G --direction at_least|at_most --period "
       "week|month|quarter|year [--filter D=V]... [--param K=V]... [--min-n "
       "N] [--kpi-class tactical|operational] [--benchmark V "
       "--benchmark-source S] [--owner O] [--display-name N]",
       target_flags,
       TargetCreate},
      {{"targets", "get"},
       "ID",
       "a target",
       {},
       [](Invocation& inv) {
         v1::GetTargetRequest request;
         grpc::Status status = TargetName(inv, request.mutable_name());
         v1::Target t;
         if (status.ok()) {
           status =
               Stub(inv)->GetTarget(inv.client.Context().get(), request, &t);
         }
         return inv.Finish(status, ToJson(t));
       }},
      {{"targets", "list"},
       "",
       "the targets, by id",
       {},
       [](Invocation& inv) {
         v1::ListTargetsRequest request;
         grpc::Status status = inv.Workspace(request.mutable_parent());
         request.set_page_size(1000);
         Json list = Json::array();
         while (status.ok()) {
           v1::ListTargetsResponse page;
           status = Stub(inv)->ListTargets(inv.client.Context().get(), request,
                                           &page);
           for (const v1::Target& t : page.targets()) list.push_back(ToJson(t));
           if (page.next_page_token().empty()) break;
           request.set_page_token(page.next_page_token());
         }
         return inv.Finish(status, Json{{"targets", list}});
       }},
      {{"targets", "update"},
       "ID",
       "change a target: any of the create flags (a --filter or --param "
       "replaces them all)",
       target_flags,
       TargetUpdate},
      {{"targets", "delete"},
       "ID",
       "delete a target",
       {},
       [](Invocation& inv) {
         v1::DeleteTargetRequest request;
         grpc::Status status = TargetName(inv, request.mutable_name());
         v1::DeleteTargetResponse response;
         if (status.ok()) {
           status = Stub(inv)->DeleteTarget(inv.client.Context().get(), request,
                                            &response);
         }
         return inv.Finish(status, Json::object());
       }},
      {{"scorecard"},
       "",
       "every target for the period holding --as-of (default now) and the "
       "one before: status, value, n, CI, baseline, change, forecast",
       {"as-of"},
       Scorecard},
      {{"touchpoints", "create"},
       "ID",
       "a touchpoint of the customer journey (ID: the value responses carry "
       "in touchpoint): --display-name N --stage S [--order N]",
       {"display-name", "stage", "order"},
       TouchpointCreate},
      {{"touchpoints", "get"},
       "ID",
       "a touchpoint with its baselines",
       {},
       [](Invocation& inv) {
         v1::GetTouchpointRequest request;
         grpc::Status status = TouchpointName(inv, request.mutable_name());
         v1::Touchpoint t;
         if (status.ok()) {
           status = Stub(inv)->GetTouchpoint(inv.client.Context().get(),
                                             request, &t);
         }
         return inv.Finish(status, ToJson(t));
       }},
      {{"touchpoints", "list"},
       "",
       "the touchpoints, by id",
       {},
       TouchpointList},
      {{"touchpoints", "update"},
       "ID",
       "change a touchpoint: [--display-name N] [--stage S] [--order N]",
       {"display-name", "stage", "order"},
       TouchpointUpdate},
      {{"touchpoints", "delete"},
       "ID",
       "delete a touchpoint (its responses stay)",
       {},
       [](Invocation& inv) {
         v1::DeleteTouchpointRequest request;
         grpc::Status status = TouchpointName(inv, request.mutable_name());
         v1::DeleteTouchpointResponse response;
         if (status.ok()) {
           status = Stub(inv)->DeleteTouchpoint(inv.client.Context().get(),
                                                request, &response);
         }
         return inv.Finish(status, Json::object());
       }},
      {{"touchpoints", "baseline"},
       "ID",
       "set a touchpoint's baseline of a metric: --metric M and --value V, "
       "or --from F --to T [--filter D=V]... [--tag T] to compute it",
       {"metric", "value", "from", "to", "filter", "tag"},
       TouchpointBaseline},
      {{"forecast"},
       "METRIC",
       "a metric's series and its next buckets with 80/95 % prediction "
       "intervals: --from --to --granularity G --horizon H [--filter D=V]... "
       "[--tag T] [--min-n N]",
       forecast_flags,
       Forecast},
      {{"kpi", "query"},
       "METRIC",
       "a metric over a range: --from --to [--granularity] [--group-by D]... "
       "[--filter D=V]... [--tag T] [--min-n N]",
       with_granularity,
       Query},
      {{"kpi", "chart"},
       "METRIC",
       "a metric's series drawn on the terminal: a sparkline, then each "
       "bucket's value with its 95 % CI as a bar: --from --to "
       "[--granularity G (week)] [--group-by D] [--filter D=V]... [--min-n N]",
       with_granularity,
       Chart},
      {{"kpi", "watch"},
       "METRIC",
       "a metric kept up to date, one JSON line per change (at most one a "
       "second) until Ctrl-C: the bucket holding now at --granularity "
       "(default day), or the series of --from --to",
       with_granularity,
       Watch},
      {{"kpi", "compare"},
       "METRIC",
       "a range against the previous period, with a significance test",
       query_flags,
       Compare},
      {{"kpi", "values"},
       "DIMENSION",
       "the values a dimension takes [--metric M: in the facts M reads]",
       {"from", "to", "metric"},
       Values},
      {{"value-report"},
       "",
       "customers grouped by the experience they reported, with their spend "
       "and retention: --kind nps|csat --from --to [--filter D=V]...",
       {"kind", "from", "to", "filter"},
       ValueReport},
  };
}

}  // namespace mittari::cli
