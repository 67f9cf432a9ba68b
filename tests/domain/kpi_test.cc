// The KPI engine: rollups agree exactly with the raw responses, over random
// data and random queries (ranges with unaligned edges, every granularity,
// filters and groups of up to two dimensions); the calendar and the
// statistics on known values.
#include <cstddef>
#include <limits>
#include <map>
#include <random>

#include "domain/kpi/comparison.h"
#include "domain/kpi/rollups.h"
#include "domain/kpi/survey_metrics.h"
#include "domain/responses.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace mittari::domain::kpi {
namespace {

using ::mittari::testing::IsOk;
using ::mittari::testing::StatusIs;

absl::Time Utc(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0),
                         absl::UTCTimeZone());
}

TEST(CalendarTest, BucketsAreLocalIsoWeeksMonthsQuartersYears) {
  absl::TimeZone helsinki;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Helsinki", &helsinki));
  Calendar cal(helsinki);
  // 2025-12-28 23:30 local is Sunday of ISO week 52; Monday starts week 1.
  absl::Time sunday_night = Utc(2025, 12, 28, 21, 30);
  EXPECT_EQ(cal.BucketOf(absl::ToCivilDay(sunday_night, helsinki),
                         Granularity::kWeek),
            absl::CivilDay(2025, 12, 22));
  EXPECT_EQ(cal.StartOf(absl::CivilDay(2025, 12, 29)), Utc(2025, 12, 28, 22));
  EXPECT_EQ(cal.BucketOf(absl::CivilDay(2026, 5, 17), Granularity::kQuarter),
            absl::CivilDay(2026, 4, 1));
  // Across the spring DST change the local midnight moves from 22:00 to
  // 21:00 UTC.
  std::vector<absl::CivilDay> months = cal.Buckets(
      Utc(2026, 2, 28, 22), Utc(2026, 4, 30, 21), Granularity::kMonth);
  ASSERT_EQ(months.size(), 2U);
  EXPECT_EQ(cal.StartOf(months[1]), Utc(2026, 3, 31, 21));
  EXPECT_EQ(cal.DayOf(Utc(2026, 1, 1, 21, 59)),
            cal.DayOf(Utc(2025, 12, 31, 22)));
}

TEST(StatisticsTest, MatchesMetricsMdOnKnownValues) {
  SurveyCounters c;
  c.n = 986;
  c.promoters = 308;
  c.detractors = 383;
  Estimate nps = Nps(c);
  EXPECT_NEAR(*nps.value, -7.606490872210953, 1e-9);
  EXPECT_NEAR(*nps.ci_low, -12.777141451288394, 1e-9);
  EXPECT_NEAR(*nps.ci_high, -2.389693735769243, 1e-9);
  Estimate share = Proportion(7, 14);
  EXPECT_NEAR(*share.ci_low, 26.798867919475278, 1e-9);
  EXPECT_FALSE(Mean(SurveyCounters{1, 1, 5, 25, 0, 0, 0}).ci_low.has_value());
  EXPECT_FALSE(Nps(SurveyCounters{}).value.has_value());
  // Two very different periods differ significantly; equal ones do not.
  SurveyCounters good{100, 100, 950, 9100, 0, 90, 5};
  SurveyCounters bad{100, 100, 500, 3000, 0, 10, 70};
  EXPECT_TRUE(CompareNps(good, bad)->significant);
  EXPECT_FALSE(CompareNps(good, good)->significant);
  EXPECT_TRUE(CompareProportions(80, 100, 50, 100)->significant);
  EXPECT_FALSE(CompareProportions(50, 100, 52, 100)->significant);
}

class KpiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(workspaces_.Create("w", "W", "Europe/Helsinki", "EUR"), IsOk());
    std::vector<std::pair<std::string, SurveyKind>> surveys = {
        {"nps-a", SurveyKind::kNps},
        {"nps-b", SurveyKind::kNps},
        {"csat", SurveyKind::kCsat},
        {"ces", SurveyKind::kCes},
        {"text", SurveyKind::kText}};
    for (const auto& [id, kind] : surveys) {
      records::Survey s;
      s.set_id(id);
      s.set_kind(static_cast<int>(kind));
      s.set_question("q");
      s.set_journey_stage(id == "csat" ? "service" : "loyalty");
      ASSERT_THAT(surveys_.Create("w", s), IsOk());
    }
    for (int i = 0; i < 20; ++i) {
      records::Customer c;
      c.set_id("c" + std::to_string(i));
      c.set_segment(i % 3 == 0 ? "smb" : "enterprise");
      c.set_region(i % 2 == 0 ? "fi" : "se");
      c.set_customer_type(i % 5 == 0 ? "b2c" : "b2b");
      ASSERT_THAT(customers_.Create("w", c), IsOk());
    }
    std::mt19937 rng(42);
    const std::vector<std::string> channels = {"web", "email", "chat"};
    const std::vector<std::string> tags = {"price", "speed", "ux"};
    absl::Time start = Utc(2025, 12, 20);
    std::vector<records::Response> batch;
    for (int i = 0; i < 3000; ++i) {
      records::Response r;
      r.set_id("r" + std::to_string(i));
      const auto& [survey, kind] = surveys[rng() % surveys.size()];
      r.set_survey_id(survey);
      if (rng() % 10 != 0) r.set_customer_id("c" + std::to_string(rng() % 20));
      r.set_submit_time_us(absl::ToUnixMicros(
          start +
          absl::Seconds(static_cast<int64_t>(rng() % (uint64_t{80} * 86400)))));
      if (kind == SurveyKind::kNps) r.set_score(static_cast<int>(rng() % 11));
      if (kind == SurveyKind::kCsat)
        r.set_score(1 + static_cast<int>(rng() % 5));
      if (kind == SurveyKind::kCes)
        r.set_score(1 + static_cast<int>(rng() % 7));
      r.set_channel(channels[rng() % channels.size()]);
      r.set_touchpoint((rng() % 2) != 0 ? "checkout" : "support");
      if (rng() % 4 == 0) r.set_event_id("ev-" + std::to_string(rng() % 2));
      for (const std::string& t : tags) {
        if (rng() % 5 == 0) r.add_tags(t);
      }
      batch.push_back(r);
      if (batch.size() == 500) {
        ASSERT_THAT(ledger_.SubmitAll("w", std::move(batch), "requests"),
                    IsOk());
        batch.clear();
      }
    }
    auto all = ledger_.List("w", {}, "", 1000000);
    ASSERT_THAT(all, IsOk());
    stored_ = all->items;
    ASSERT_EQ(stored_.size(), 3000U);
  }

  // The same query answered by brute force over the raw responses.
  std::map<std::pair<std::vector<std::string>, int64_t>, SurveyCounters>
  Reference(const MetricQuery& q, const Calendar& cal) {
    std::map<std::string, records::Survey> surveys;
    auto page = surveys_.List("w", "", 100, 0, true);
    for (const auto& s : page->items) surveys[s.id()] = s;
    std::optional<int> kind;
    if (q.metric == "nps") kind = static_cast<int>(SurveyKind::kNps);
    if (q.metric == "csat") kind = static_cast<int>(SurveyKind::kCsat);
    if (q.metric == "ces") kind = static_cast<int>(SurveyKind::kCes);
    std::vector<std::string> group_by = q.group_by;
    std::sort(group_by.begin(), group_by.end());
    bool tagged = q.filters.contains("tag") ||
                  std::count(group_by.begin(), group_by.end(), "tag") > 0;
    std::map<std::pair<std::vector<std::string>, int64_t>, SurveyCounters> out;
    for (const records::Response& r : stored_) {
      absl::Time t = absl::FromUnixMicros(r.submit_time_us());
      if (t < q.from || t >= q.to) continue;
      const records::Survey& s = surveys.at(r.survey_id());
      if (kind && s.kind() != *kind) continue;
      std::vector<std::string> tag_values = {""};
      if (tagged) tag_values.assign(r.tags().begin(), r.tags().end());
      for (const std::string& tag : tag_values) {
        auto value = [&](const std::string& dim) -> std::string {
          if (dim == "survey") return r.survey_id();
          if (dim == "journey_stage") return s.journey_stage();
          if (dim == "tag") return tag;
          return DimValue(r, *DimByName(dim));
        };
        bool pass = true;
        for (const auto& [dim, v] : q.filters) pass = pass && value(dim) == v;
        if (!pass) continue;
        std::vector<std::string> group;
        group.reserve(group_by.size());
        for (const std::string& dim : group_by) group.push_back(value(dim));
        int64_t bucket = 0;
        if (q.granularity != Granularity::kNone) {
          bucket = absl::ToUnixSeconds(cal.StartOf(
              cal.BucketOf(absl::ToCivilDay(t, cal.zone()), q.granularity)));
        }
        out[{group, bucket}] += CountersOf(r);
      }
    }
    return out;
  }

  storage::MemoryStore store_;
  testing::FakeClock clock_{Utc(2026, 6, 1)};
  KeyRing keys_{store_, clock_};
  WorkspaceDirectory workspaces_{store_, keys_, clock_};
  SurveyCatalog surveys_{store_, clock_};
  CustomerDirectory customers_{store_, workspaces_, clock_};
  ResponseLedger ledger_{store_, workspaces_, surveys_, customers_, clock_};
  SurveyMetrics metrics_{store_, workspaces_, surveys_};
  std::vector<records::Response> stored_;
};

TEST_F(KpiTest, RollupsAgreeExactlyWithTheRawResponses) {
  absl::TimeZone helsinki;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Helsinki", &helsinki));
  Calendar cal(helsinki);
  std::mt19937 rng(7);
  const std::vector<std::string> metrics = {"nps", "csat", "ces",
                                            "response_count"};
  const std::vector<std::string> dims = {
      "survey", "channel",       "touchpoint", "event",        "segment",
      "region", "customer_type", "tag",        "journey_stage"};
  const std::map<std::string, std::vector<std::string>> values = {
      {"survey", {"nps-a", "nps-b", "csat", "ces"}},
      {"channel", {"web", "email", "chat"}},
      {"touchpoint", {"checkout", "support"}},
      {"event", {"", "ev-0", "ev-1"}},
      {"segment", {"smb", "enterprise", ""}},
      {"region", {"fi", "se"}},
      {"customer_type", {"b2b", "b2c"}},
      {"tag", {"price", "speed", "ux"}},
      {"journey_stage", {"loyalty", "service"}}};
  const std::vector<Granularity> granularities = {
      Granularity::kNone, Granularity::kDay, Granularity::kWeek,
      Granularity::kMonth, Granularity::kQuarter};
  int compared = 0;
  for (int i = 0; i < 300; ++i) {
    MetricQuery q;
    q.metric = metrics[rng() % metrics.size()];
    absl::Time base = Utc(2025, 12, 18);
    q.from = base +
             absl::Minutes(static_cast<int64_t>(rng() % (uint64_t{40} * 1440)));
    q.to =
        q.from +
        absl::Minutes(1 + static_cast<int64_t>(rng() % (uint64_t{50} * 1440)));
    if (i % 3 == 0) {  // aligned to local midnight
      q.from = cal.DayStart(cal.DayOf(q.from));
      q.to = cal.DayStart(cal.DayOf(q.to) + 1);
    }
    q.granularity = granularities[rng() % granularities.size()];
    int n_filters = static_cast<int>(rng() % 3);
    for (int f = 0; f < n_filters; ++f) {
      const std::string& dim = dims[rng() % dims.size()];
      const auto& vs = values.at(dim);
      q.filters[dim] = vs[rng() % vs.size()];
    }
    int n_groups = static_cast<int>(rng() % 3);
    for (int g = 0; g < n_groups; ++g) {
      const std::string& dim = dims[rng() % dims.size()];
      if (std::count(q.group_by.begin(), q.group_by.end(), dim) == 0) {
        q.group_by.push_back(dim);
      }
    }
    auto points = metrics_.Query("w", q);
    ASSERT_THAT(points, IsOk()) << i;
    auto expected = Reference(q, cal);
    std::map<std::pair<std::vector<std::string>, int64_t>, SurveyCounters> got;
    for (const MetricPoint& p : *points) {
      std::vector<std::string> group;
      for (const auto& [dim, v] : p.group) group.push_back(v);
      int64_t bucket =
          p.bucket_start ? absl::ToUnixSeconds(*p.bucket_start) : 0;
      if (p.counters.count > 0) got[{group, bucket}] = p.counters;
      if (q.metric == "nps" && p.counters.n > 0) {
        EXPECT_NEAR(*p.estimate.value,
                    100.0 *
                        static_cast<double>(p.counters.promoters -
                                            p.counters.detractors) /
                        static_cast<double>(p.counters.n),
                    1e-9);
      }
    }
    ASSERT_EQ(got, expected)
        << "query " << i << " " << q.metric << " " << absl::FormatTime(q.from)
        << " " << absl::FormatTime(q.to);
    compared += static_cast<int>(expected.size());
  }
  EXPECT_GT(compared, 1000);
}

// A filter to one value of a dimension reads that value's entry of each
// day, in batches of days: over years, across a batch's end, and for the
// derived empty value, the answers are those of the raw responses.
TEST_F(KpiTest, OneValueOfADimensionOverYearsMatchesTheRawResponses) {
  absl::TimeZone helsinki;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Helsinki", &helsinki));
  Calendar cal(helsinki);
  int compared = 0;
  for (const char* metric : {"nps", "response_count"}) {
    for (const auto& [dim, value] :
         std::vector<std::pair<std::string, std::string>>{{"event", "ev-1"},
                                                          {"event", ""},
                                                          {"channel", "web"},
                                                          {"segment", "smb"}}) {
      MetricQuery q;
      q.metric = metric;
      // 1,024 days from the first end on 2026-01-07, amid the responses.
      q.from = cal.DayStart(cal.DayOf(Utc(2023, 3, 20)));
      q.to = Utc(2026, 9, 1);
      q.granularity = Granularity::kMonth;
      q.filters[dim] = value;
      auto points = metrics_.Query("w", q);
      ASSERT_THAT(points, IsOk()) << dim << "=" << value;
      std::map<std::pair<std::vector<std::string>, int64_t>, SurveyCounters>
          got;
      for (const MetricPoint& p : *points) {
        if (p.counters.count > 0) {
          got[{{}, absl::ToUnixSeconds(*p.bucket_start)}] = p.counters;
        }
      }
      auto expected = Reference(q, cal);
      EXPECT_EQ(got, expected) << metric << " " << dim << "=" << value;
      EXPECT_GE(expected.size(), 3U) << metric << " " << dim << "=" << value;
      compared += static_cast<int>(expected.size());
    }
  }
  EXPECT_GE(compared, 24);
}

// Data written before empty dimension values were derived has entries for
// them too: the derived remainder then comes out zero and the answers stay.
TEST_F(KpiTest, EmptyValuesStoredByEarlierVersionsCountOnce) {
  absl::TimeZone helsinki;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Helsinki", &helsinki));
  Calendar cal(helsinki);
  std::vector<MetricQuery> queries;
  for (const char* dim : {"event", "segment", "region"}) {
    MetricQuery q;
    q.metric = "response_count";
    q.from = Utc(2025, 12, 1);
    q.to = Utc(2026, 4, 1);
    q.granularity = Granularity::kWeek;
    q.group_by = {dim};
    queries.push_back(q);
    q.group_by.clear();
    q.filters[dim] = "";
    queries.push_back(q);
  }
  auto check = [&](const char* when) {
    for (const MetricQuery& q : queries) {
      auto points = metrics_.Query("w", q);
      ASSERT_THAT(points, IsOk());
      std::map<std::pair<std::vector<std::string>, int64_t>, SurveyCounters>
          got;
      for (const MetricPoint& p : *points) {
        std::vector<std::string> group;
        for (const auto& [dim, v] : p.group) group.push_back(v);
        if (p.counters.count > 0) {
          got[{group, absl::ToUnixSeconds(*p.bucket_start)}] = p.counters;
        }
      }
      std::map<std::pair<std::vector<std::string>, int64_t>, SurveyCounters>
          expected = Reference(q, cal);
      ASSERT_FALSE(expected.empty());
      EXPECT_EQ(got, expected) << when;
    }
  };
  check("as written now");

  storage::WriteBatch earlier;
  RollupDeltas deltas;
  for (const records::Response& r : stored_) {
    for (Dim d : {Dim::kEvent, Dim::kSegment, Dim::kRegion}) {
      if (!DimValue(r, d).empty()) continue;
      deltas.Add(
          absl::StrCat(
              WithDay(
                  RollupPrefix("w", Projection::kBySurveyDim, d, r.survey_id()),
                  cal.DayOf(absl::FromUnixMicros(r.submit_time_us()))),
              storage::KeyEncoder().Str("").key()),
          CountersOf(r).ToVector());
    }
  }
  deltas.FlushTo(earlier);
  ASSERT_FALSE(earlier.empty());
  ASSERT_THAT(store_.Write(earlier), IsOk());
  check("with the entries earlier versions wrote");
}

TEST_F(KpiTest, EveryBucketOfAGroupIsPresentAndSmallOnesAreSuppressed) {
  MetricQuery q;
  q.metric = "nps";
  q.from = Utc(2025, 12, 31, 22);
  q.to = Utc(2026, 3, 31, 21);
  q.granularity = Granularity::kMonth;
  q.group_by = {"channel"};
  q.min_n = 40;
  auto points = metrics_.Query("w", q);
  ASSERT_THAT(points, IsOk());
  ASSERT_EQ(points->size(), 9U);  // 3 channels x 3 months
  for (const MetricPoint& p : *points) {
    EXPECT_EQ(p.suppressed, p.estimate.n < 40);
    EXPECT_EQ(p.estimate.value.has_value(), p.estimate.n >= 40);
  }
  EXPECT_EQ((*points)[0].group[0].second, "chat");
  EXPECT_EQ(*(*points)[1].bucket_start, Utc(2026, 1, 31, 22));
}

TEST(RollupKeyTest, EveryLayoutRoundTrips) {
  std::mt19937 rng(7);
  // Values with the codec's escapes in them, and empty ones.
  const std::vector<std::string> texts = {"", "web", std::string("a\0b", 3),
                                          "\xff\x01", "checkout"};
  auto text = [&] { return texts[rng() % texts.size()]; };
  for (Projection p : {Projection::kBySurvey, Projection::kBySurveyDim,
                       Projection::kBySurveyTag, Projection::kInvitations,
                       Projection::kFull, Projection::kFullTag}) {
    for (int i = 0; i < 50; ++i) {
      RollupKeyParts k;
      k.projection = p;
      k.survey = text();
      k.day = static_cast<DayNumber>(rng() % 40000) - 20000;
      if (p == Projection::kBySurveyDim) k.dim = kDims[rng() % kDims.size()];
      if (p == Projection::kFull || p == Projection::kFullTag) {
        for (std::string& d : k.dims) d = text();
      }
      if (p != Projection::kBySurvey && p != Projection::kFull) {
        k.value = text();
      }
      const bool by_survey_first =
          p != Projection::kFull && p != Projection::kFullTag;
      const std::string prefix = by_survey_first
                                     ? RollupPrefix("w", p, k.dim, k.survey)
                                     : RollupPrefix("w", p);
      const std::string key = EncodeRollupKey("w", k);
      ASSERT_EQ(key.substr(0, prefix.size()), prefix);
      auto parsed = ParseRollupKey(
          p, k.dim,
          by_survey_first ? std::optional<absl::string_view>(k.survey)
                          : std::nullopt,
          absl::string_view(key).substr(prefix.size()));
      ASSERT_THAT(parsed, IsOk());
      EXPECT_EQ(*parsed, k);
    }
  }
  // Trailing bytes are corruption.
  std::string key = EncodeRollupKey("w", RollupKeyParts{}) + "x";
  std::string prefix =
      RollupPrefix("w", Projection::kBySurvey, std::nullopt, "");
  EXPECT_THAT(ParseRollupKey(Projection::kBySurvey, std::nullopt, "",
                             absl::string_view(key).substr(prefix.size())),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(RollupKeyTest, AResponsesEntriesParseBackToItsValues) {
  records::Response r;
  r.set_survey_id("nps");
  r.set_channel("web");
  r.set_touchpoint("checkout");
  r.set_segment("smb");
  r.add_tags("price");
  r.set_score(9);
  RollupDeltas deltas;
  AddResponseRollups(deltas, "w", r, 100);
  storage::WriteBatch batch;
  deltas.FlushTo(batch);
  int full = 0;
  for (const auto& op : batch.ops()) {
    const std::string prefix = RollupPrefix("w", Projection::kFull);
    if (op.key.rfind(prefix, 0) != 0) continue;
    auto k = ParseRollupKey(Projection::kFull, std::nullopt, std::nullopt,
                            absl::string_view(op.key).substr(prefix.size()));
    ASSERT_THAT(k, IsOk());
    ++full;
    EXPECT_EQ(k->survey, "nps");
    EXPECT_EQ(k->day, 100);
    for (Dim d : kDims) {
      EXPECT_EQ(k->dims[static_cast<size_t>(d) - 1], DimValue(r, d));
    }
  }
  EXPECT_EQ(full, 1);
}

TEST(StatisticsTest, CounterSumsSaturateAndSaySo) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  SurveyCounters big{1, 1, 10, kMax, 1, 1, 0};
  SurveyCounters one{1, 1, 10, 100, 1, 1, 0};
  SurveyCounters sum = big;
  sum += one;
  EXPECT_TRUE(sum.overflowed);
  EXPECT_EQ(sum.sum_sq, kMax);
  EXPECT_EQ(sum.n, 2);
  SurveyCounters less = one;
  less -= big;
  less -= big;
  EXPECT_TRUE(less.overflowed);
  SurveyCounters exact = one;
  exact += one;
  EXPECT_FALSE(exact.overflowed);
  // A flagged operand flags the sum.
  SurveyCounters flagged;
  flagged.overflowed = true;
  exact += flagged;
  EXPECT_TRUE(exact.overflowed);
}

TEST_F(KpiTest, ASaturatedRollupFlagsItsPointsOnly) {
  // A survey's day entry past the int64 limit (what ~10^13 answers would
  // do): the points that read it are flagged, with no value; every other
  // point stays exact, and nothing fails.
  absl::TimeZone helsinki;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Helsinki", &helsinki));
  Calendar cal(helsinki);
  MetricQuery q;
  q.metric = "nps";
  q.from = Utc(2025, 12, 31, 22);
  q.to = Utc(2026, 3, 31, 21);
  q.granularity = Granularity::kMonth;
  auto before = metrics_.Query("w", q);
  ASSERT_THAT(before, IsOk());
  const DayNumber day = cal.DayOf(Utc(2026, 2, 10, 12));
  storage::WriteBatch batch;
  SurveyCounters huge{std::numeric_limits<int64_t>::max() / 2,
                      std::numeric_limits<int64_t>::max() / 2,
                      0,
                      0,
                      0,
                      0,
                      0};
  for (int i = 0; i < 3; ++i) {
    batch.AddCounters(
        storage::ColumnFamily::kRollups,
        WithDay(RollupPrefix("w", Projection::kBySurvey, std::nullopt, "nps-a"),
                day),
        huge.ToVector());
  }
  ASSERT_THAT(store_.Write(batch), IsOk());
  auto after = metrics_.Query("w", q);
  ASSERT_THAT(after, IsOk());
  ASSERT_EQ(after->size(), 3U);
  for (size_t b = 0; b < after->size(); ++b) {
    const MetricPoint& p = (*after)[b];
    if (b == 1) {  // February
      EXPECT_TRUE(p.overflowed);
      EXPECT_FALSE(p.estimate.value.has_value());
    } else {
      EXPECT_FALSE(p.overflowed);
      EXPECT_EQ(p.estimate.value, (*before)[b].estimate.value);
    }
  }
  // The other NPS survey alone is untouched.
  q.filters["survey"] = "nps-b";
  auto other = metrics_.Query("w", q);
  ASSERT_THAT(other, IsOk());
  for (const MetricPoint& p : *other) EXPECT_FALSE(p.overflowed);
}

TEST_F(KpiTest, ValidatesQueries) {
  MetricQuery q;
  q.metric = "nps";
  q.from = Utc(2026, 2, 1);
  q.to = Utc(2026, 1, 1);
  EXPECT_THAT(metrics_.Query("w", q),
              StatusIs(absl::StatusCode::kInvalidArgument));
  q.to = Utc(2026, 3, 1);
  q.group_by = {"colour"};
  EXPECT_THAT(metrics_.Query("w", q),
              StatusIs(absl::StatusCode::kInvalidArgument));
  q.group_by = {};
  q.metric = "tag_share";
  EXPECT_THAT(metrics_.Query("w", q),
              StatusIs(absl::StatusCode::kInvalidArgument));
  q.params["tag"] = "price";
  EXPECT_THAT(metrics_.Query("w", q), IsOk());
}

TEST_F(KpiTest, TheTimeZoneIsLockedOnceDataIsStored) {
  WorkspaceUpdate update;
  update.time_zone = "UTC";
  EXPECT_THAT(workspaces_.Update("w", update),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(KpiTest, ComparesWithThePreviousCalendarUnit) {
  absl::TimeZone helsinki;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Helsinki", &helsinki));
  Calendar cal(helsinki);
  auto [from, to] =
      PreviousRange(cal, Utc(2026, 1, 31, 22), Utc(2026, 2, 28, 22));
  EXPECT_EQ(from, Utc(2025, 12, 31, 22));  // January, local
  EXPECT_EQ(to, Utc(2026, 1, 31, 22));
  auto [f2, t2] = PreviousRange(cal, Utc(2026, 2, 3), Utc(2026, 2, 13));
  EXPECT_EQ(f2, Utc(2026, 1, 24));
  EXPECT_EQ(t2, Utc(2026, 2, 3));
  MetricQuery q;
  q.metric = "nps";
  q.from = Utc(2026, 1, 31, 22);
  q.to = Utc(2026, 2, 28, 22);
  q.group_by = {"channel"};
  auto c = ComparePeriods(metrics_, cal, "w", q);
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->groups.size(), 3U);
  for (const auto& g : c->groups) {
    ASSERT_TRUE(g.change.has_value());
    EXPECT_NEAR(*g.change,
                *g.current.estimate.value - *g.previous.estimate.value, 1e-12);
    EXPECT_TRUE(g.significance.has_value());
  }
}

}  // namespace
}  // namespace mittari::domain::kpi
