// The visitor-day index (domain/kpi/visitor_days.h): the workspace's DAU,
// MAU and stickiness read from it equal a count over the stored sessions,
// day by day, after random sessions sent in batches, replaced with other
// visitors and days, imported in chunks, and erased with their customers,
// in both layouts; so do DAU and MAU per dimension value, and distinct and
// converted visitors per day, week, month, quarter and year, filtered or
// grouped by one dimension; concurrent writers of one visitor keep it
// exact, and so do unary writes grouped by the ledger's committer; an
// import that read a visitor's activity which another call then changed
// is aborted.
#include "domain/kpi/visitor_days.h"

#include <array>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "domain/activity.h"
#include "domain/api_keys.h"
#include "domain/keys.h"
#include "domain/kpi/activity_metrics.h"
#include "domain/kpi/survey_metrics.h"
#include "domain/privacy.h"
#include "domain/responses.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"
#include "tests/testing/async_results.h"
#include "tests/testing/domain_world.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace mittari::domain {
namespace {

using kpi::Granularity;
using kpi::MetricQuery;
using ::mittari::testing::IsOk;
using ::mittari::testing::StatusIs;

absl::Time Utc(int y, int m, int d, int hh = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0),
                         absl::UTCTimeZone());
}

records::Session Session(const std::string& id, const std::string& visitor,
                         absl::Time start, const std::string& customer = "") {
  records::Session s;
  s.set_id(id);
  s.set_visitor_id(visitor);
  s.set_customer_id(customer);
  s.set_start_time_us(absl::ToUnixMicros(start));
  s.set_page_views(1);
  s.set_source("web");
  s.set_device("desktop");
  return s;
}

class VisitorDaysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(world_.workspaces.Create("w", "W", "Europe/Helsinki", "EUR"),
                IsOk());
    ASSERT_TRUE(absl::LoadTimeZone("Europe/Helsinki", &zone_));
    for (int c = 0; c < 10; ++c) {
      records::Customer customer;
      customer.set_id(absl::StrCat("c", c));
      customer.set_acquire_time_us(absl::ToUnixMicros(Utc(2025, 1, 1)));
      ASSERT_THAT(world_.customers.Create("w", customer), IsOk());
    }
  }

  // The metric's daily points over [from, to), read from the index (no
  // filter) or from the entity scan (filters on two dimensions, which
  // every session passes).
  std::vector<kpi::MetricPoint> Daily(const std::string& metric,
                                      absl::Time from, absl::Time to,
                                      bool scan = false) const {
    MetricQuery q;
    q.metric = metric;
    q.from = from;
    q.to = to;
    q.granularity = Granularity::kDay;
    if (scan) q.filters = {{"source", "web"}, {"device", "desktop"}};
    auto points = world_.metrics.Query("w", q);
    EXPECT_THAT(points, IsOk());
    return points.ok() ? *points : std::vector<kpi::MetricPoint>{};
  }

  // DAU and MAU of each local day of [first, first + days), counted from
  // the stored sessions.
  std::pair<std::vector<int64_t>, std::vector<int64_t>> Count(
      absl::CivilDay first, int days) {
    std::map<std::string, std::set<absl::CivilDay>> active;
    std::string after;
    for (;;) {
      auto page = world_.sessions.List("w", "", after, 1000);
      EXPECT_THAT(page, IsOk());
      for (const records::Session& s : page->items) {
        active[s.visitor_id()].insert(
            absl::ToCivilDay(absl::FromUnixMicros(s.start_time_us()), zone_));
      }
      if (page->next_after.empty()) break;
      after = page->next_after;
    }
    std::vector<int64_t> dau(days, 0);
    std::vector<int64_t> mau(days, 0);
    for (const auto& [visitor, set] : active) {
      for (int i = 0; i < days; ++i) {
        const absl::CivilDay d = first + i;
        if (set.contains(d)) ++dau[i];
        auto it = set.lower_bound(d - 29);
        if (it != set.end() && *it <= d) ++mau[i];
      }
    }
    return {dau, mau};
  }

  // Checks the index against the count and the entity scan over [from,
  // from + days) local days.
  void ExpectExact(absl::CivilDay first, int days, const std::string& when) {
    const absl::Time from = absl::FromCivil(first, zone_);
    const absl::Time to = absl::FromCivil(first + days, zone_);
    auto [dau, mau] = Count(first, days);
    for (const std::string metric : {"dau", "mau", "stickiness"}) {
      std::vector<kpi::MetricPoint> index = Daily(metric, from, to);
      std::vector<kpi::MetricPoint> scan = Daily(metric, from, to, true);
      ASSERT_EQ(index.size(), static_cast<size_t>(days)) << metric;
      ASSERT_EQ(scan.size(), index.size()) << metric;
      for (int i = 0; i < days; ++i) {
        const std::string where = absl::StrCat(
            when, " ", metric, " day ", absl::FormatCivilTime(first + i));
        std::optional<double> want;
        if (metric == "dau") want = static_cast<double>(dau[i]);
        if (metric == "mau") want = static_cast<double>(mau[i]);
        if (metric == "stickiness" && mau[i] > 0) {
          want = static_cast<double>(dau[i]) / static_cast<double>(mau[i]);
        }
        EXPECT_EQ(index[i].estimate.value, want) << where;
        EXPECT_EQ(index[i].estimate.n, scan[i].estimate.n) << where;
        EXPECT_EQ(index[i].estimate.value, scan[i].estimate.value) << where;
      }
    }
  }

  // Every stored session.
  std::vector<records::Session> Stored() const {
    std::vector<records::Session> out;
    std::string after;
    for (;;) {
      auto page = world_.sessions.List("w", "", after, 1000);
      EXPECT_THAT(page, IsOk());
      if (!page.ok()) return out;
      out.insert(out.end(), page->items.begin(), page->items.end());
      if (page->next_after.empty()) break;
      after = page->next_after;
    }
    return out;
  }

  // Turns the workspace into one created before the index kept scopes.
  void UseTheFirstLayout() {
    auto got = world_.workspaces.Get("w");
    ASSERT_THAT(got, IsOk());
    records::Workspace w = *got;
    w.set_visitor_scopes(false);
    storage::WriteBatch batch;
    batch.Put(storage::ColumnFamily::kMeta, keys::Workspace("w"),
              w.SerializeAsString());
    ASSERT_THAT(store_.Write(batch), IsOk());
  }

  // Random sessions in batches, replacements, an import and erasures; the
  // series stay exact after each step.
  void RandomSessionsStayExact() {
    std::mt19937 rng(20261126);
    auto uniform = [&](int64_t lo, int64_t hi) {
      return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
    };
    const absl::Time start = Utc(2026, 1, 1);
    auto session = [&](int64_t i) {
      // Visitors come back at random gaps, some within and some beyond a
      // MAU window; times fall near local midnight too.
      const std::string customer =
          uniform(0, 2) == 0 ? absl::StrCat("c", uniform(0, 9)) : "";
      return Session(absl::StrCat("s", i), absl::StrCat("v", uniform(0, 24)),
                     start + absl::Seconds(uniform(0, int64_t{150} * 86400)),
                     customer);
    };
    const absl::CivilDay first(2025, 12, 20);
    for (int round = 0; round < 3; ++round) {
      // Batches of sessions: new ids, and ids sent before with another
      // visitor or day (replacements).
      for (int batch = 0; batch < 6; ++batch) {
        std::vector<records::Session> sessions;
        sessions.reserve(40);
        for (int k = 0; k < 40; ++k) {
          sessions.push_back(session(uniform(0, 399)));
        }
        ASSERT_THAT(world_.sessions.Put("w", sessions, ""), IsOk());
      }
      ExpectExact(first, 200, absl::StrCat("round ", round));
    }

    // An import in chunks, replacing some sessions, with new ones.
    auto job = world_.sessions.StartImport("w", "requests",
                                           WriteMode::kCreateOrReplace);
    ASSERT_THAT(job, IsOk());
    for (int chunk = 0; chunk < 4; ++chunk) {
      std::vector<records::Session> sessions;
      sessions.reserve(50);
      for (int k = 0; k < 50; ++k) sessions.push_back(session(uniform(0, 599)));
      ASSERT_THAT((*job)->Add(sessions), IsOk());
    }
    ASSERT_THAT((*job)->Commit(), IsOk());
    ExpectExact(first, 200, "after the import");

    // Erasures move the persons' sessions to pseudonymous visitors.
    ASSERT_THAT(world_.privacy.Erase("w", "c1"), IsOk());
    ASSERT_THAT(world_.privacy.Erase("w", "c2"), IsOk());
    ExpectExact(first, 200, "after the erasures");
  }

  storage::MemoryStore store_;
  absl::TimeZone zone_;
  testing::DomainWorld world_{store_, Utc(2026, 7, 1)};
};

TEST_F(VisitorDaysTest, DailySeriesEqualACountOfTheStoredSessions) {
  RandomSessionsStayExact();
}

TEST_F(VisitorDaysTest, AWorkspaceOfTheFirstLayoutStaysExact) {
  UseTheFirstLayout();
  RandomSessionsStayExact();
}

TEST_F(VisitorDaysTest, ConcurrentWritersOfOneVisitorStayExact) {
  // Four writers send sessions of the same few visitors on neighbouring
  // days, some replacing each other's sessions with other visitors.
  std::vector<std::thread> writers;
  writers.reserve(4);
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([this, w] {
      std::mt19937 rng(w);
      auto uniform = [&](int64_t lo, int64_t hi) {
        return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
      };
      for (int i = 0; i < 60; ++i) {
        std::vector<records::Session> batch;
        batch.reserve(3);
        for (int k = 0; k < 3; ++k) {
          batch.push_back(Session(
              absl::StrCat("s", uniform(0, 99)),
              absl::StrCat("v", uniform(0, 2)),
              Utc(2026, 3, 1) + absl::Hours(uniform(0, int64_t{24} * 70))));
        }
        // Another batch may hold one of the ids: their orders differ.
        std::sort(batch.begin(), batch.end(),
                  [](const auto& a, const auto& b) { return a.id() < b.id(); });
        batch.erase(std::unique(batch.begin(), batch.end(),
                                [](const auto& a, const auto& b) {
                                  return a.id() == b.id();
                                }),
                    batch.end());
        ASSERT_THAT(world_.sessions.Put("w", batch, ""), IsOk());
      }
    });
  }
  for (std::thread& t : writers) t.join();
  ExpectExact(absl::CivilDay(2026, 2, 20), 100, "after the writers");
}

TEST_F(VisitorDaysTest, UnaryWritesGroupedByTheCommitterStayExact) {
  // Unary writes of a few visitors, queued faster than the committer
  // stores them: a group holds several sessions of one visitor, and
  // replacements that move a session to another visitor; batches of the
  // same visitors are written beside them.
  std::thread batches([this] {
    std::mt19937 rng(99);
    auto uniform = [&](int64_t lo, int64_t hi) {
      return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
    };
    for (int i = 0; i < 30; ++i) {
      std::vector<records::Session> batch;
      batch.reserve(3);
      for (int k = 0; k < 3; ++k) {
        batch.push_back(Session(
            absl::StrCat("b", i, "-", k), absl::StrCat("v", uniform(0, 5)),
            Utc(2026, 3, 1) + absl::Hours(uniform(0, int64_t{24} * 70))));
      }
      ASSERT_THAT(world_.sessions.Put("w", batch, ""), IsOk());
    }
  });
  std::mt19937 rng(7);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  testing::AsyncResults<StoredFact<records::Session>> results;
  std::vector<records::Session> sent;
  for (int i = 0; i < 600; ++i) {
    sent.push_back(Session(
        absl::StrCat("s", uniform(0, 149)), absl::StrCat("v", uniform(0, 5)),
        Utc(2026, 3, 1) + absl::Hours(uniform(0, int64_t{24} * 70))));
    world_.sessions.PutAsync("w", sent.back(), WriteMode::kCreateOrReplace,
                             results.Done());
  }
  batches.join();
  std::vector<absl::StatusOr<StoredFact<records::Session>>> got =
      results.Wait();
  ASSERT_EQ(got.size(), sent.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_THAT(got[i], IsOk()) << i;
    EXPECT_EQ(got[i]->record.id(), sent[i].id());
    EXPECT_EQ(got[i]->record.visitor_id(), sent[i].visitor_id());
    EXPECT_EQ(got[i]->record.start_time_us(), sent[i].start_time_us());
    EXPECT_EQ(got[i]->counts.created + got[i]->counts.updated +
                  got[i]->counts.unchanged,
              1);
  }
  ExpectExact(absl::CivilDay(2026, 2, 20), 100, "after the unary writes");

  // A write alone in its group that moves a session to another visitor:
  // the old visitor is not the group's, so it is stored after the group,
  // holding that visitor's lock too. Sent again unchanged, it is
  // unchanged.
  world_.sessions.PutAsync("w", Session("s1", "v9", Utc(2026, 3, 5, 12)),
                           WriteMode::kCreateOrReplace, results.Done());
  got = results.Wait();
  ASSERT_THAT(got[0], IsOk());
  EXPECT_EQ(got[0]->counts.updated, 1);
  EXPECT_EQ(got[0]->record.visitor_id(), "v9");
  EXPECT_NE(got[0]->record.create_time_us(), 0);
  world_.sessions.PutAsync("w", Session("s1", "v9", Utc(2026, 3, 5, 12)),
                           WriteMode::kCreateOrReplace, results.Done());
  got = results.Wait();
  ASSERT_THAT(got[0], IsOk());
  EXPECT_EQ(got[0]->counts.unchanged, 1);
  ExpectExact(absl::CivilDay(2026, 2, 20), 100, "after the move");
}

TEST_F(VisitorDaysTest, AnImportIsAbortedWhenAVisitorItReadChanges) {
  ASSERT_THAT(
      world_.sessions.Put("w", {Session("s1", "v1", Utc(2026, 3, 1, 12))}, ""),
      IsOk());
  auto job =
      world_.sessions.StartImport("w", "requests", WriteMode::kCreateOrReplace);
  ASSERT_THAT(job, IsOk());
  // The job adds v1's 10 March; meanwhile a call adds v1's 20 March, which
  // changes how much of the MAU the job's day covers.
  ASSERT_THAT((*job)->Add({Session("s2", "v1", Utc(2026, 3, 10, 12))}), IsOk());
  ASSERT_THAT(
      world_.sessions.Put("w", {Session("s3", "v1", Utc(2026, 3, 20, 12))}, ""),
      IsOk());
  EXPECT_THAT((*job)->Commit(), StatusIs(absl::StatusCode::kAborted));
  ExpectExact(absl::CivilDay(2026, 2, 20), 60, "after the abort");

  // Run again, it is stored.
  job =
      world_.sessions.StartImport("w", "requests", WriteMode::kCreateOrReplace);
  ASSERT_THAT(job, IsOk());
  ASSERT_THAT((*job)->Add({Session("s2", "v1", Utc(2026, 3, 10, 12))}), IsOk());
  ASSERT_THAT((*job)->Commit(), IsOk());
  ExpectExact(absl::CivilDay(2026, 2, 20), 60, "after the rerun");
  EXPECT_EQ(Daily("dau", Utc(2026, 3, 10), Utc(2026, 3, 11))[0].estimate.value,
            1.0);

  // A visitor the job never read may change meanwhile.
  job =
      world_.sessions.StartImport("w", "requests", WriteMode::kCreateOrReplace);
  ASSERT_THAT(job, IsOk());
  ASSERT_THAT((*job)->Add({Session("s4", "v2", Utc(2026, 3, 10, 12))}), IsOk());
  ASSERT_THAT(
      world_.sessions.Put("w", {Session("s5", "v3", Utc(2026, 3, 10, 13))}, ""),
      IsOk());
  EXPECT_THAT((*job)->Commit(), IsOk());
  ExpectExact(absl::CivilDay(2026, 2, 20), 60, "after the last import");
}

// The scoped layout: per dimension value, DAU and MAU, and distinct and
// converted visitors per whole calendar bucket, against a count over the
// stored sessions.
class ScopedVisitorsTest : public VisitorDaysTest {
 protected:
  struct Query {
    std::string metric;
    Granularity granularity;
    absl::CivilDay from;
    absl::CivilDay to;
    std::map<std::string, std::string> filters;
    std::string group_by;  // empty: none
  };

  static const std::string& DimOf(const records::Session& s,
                                  const std::string& dim) {
    return dim == "source" ? s.source() : s.device();
  }

  // Checks one query's points against a count of the stored sessions.
  void ExpectQueryExact(const Query& query,
                        const std::vector<records::Session>& stored,
                        const std::string& when) {
    MetricQuery q;
    q.metric = query.metric;
    q.granularity = query.granularity;
    q.from = absl::FromCivil(query.from, zone_);
    q.to = absl::FromCivil(query.to, zone_);
    q.filters = query.filters;
    if (!query.group_by.empty()) q.group_by = {query.group_by};
    auto points = world_.metrics.Query("w", q);
    ASSERT_THAT(points, IsOk());
    const kpi::Calendar calendar(zone_);
    // (group, bucket start) -> the oracle's visitors, converted visitors
    // and conversions.
    struct Want {
      std::set<std::string> visitors;
      std::set<std::string> converted;
      int64_t conversions = 0;
    };
    std::map<std::pair<std::string, absl::CivilDay>, Want> want;
    for (const records::Session& s : stored) {
      const absl::CivilDay day =
          absl::ToCivilDay(absl::FromUnixMicros(s.start_time_us()), zone_);
      bool pass = day >= query.from && day < query.to;
      for (const auto& [dim, value] : query.filters) {
        pass = pass && DimOf(s, dim) == value;
      }
      if (!pass) continue;
      const std::string group =
          query.group_by.empty() ? "" : DimOf(s, query.group_by);
      Want& w = want[{group, calendar.BucketOf(day, query.granularity)}];
      w.visitors.insert(s.visitor_id());
      if (s.converted()) {
        w.converted.insert(s.visitor_id());
        ++w.conversions;
      }
    }
    size_t matched = 0;
    for (const kpi::MetricPoint& p : *points) {
      ASSERT_TRUE(p.bucket_start.has_value());
      const absl::CivilDay bucket = absl::ToCivilDay(*p.bucket_start, zone_);
      const std::string group = p.group.empty() ? "" : p.group[0].second;
      const std::string where =
          absl::StrCat(when, " ", query.metric, " ", query.group_by, " ", group,
                       " ", absl::FormatCivilTime(bucket));
      auto it = want.find({group, bucket});
      const Want none;
      const Want& w = it == want.end() ? none : it->second;
      if (it != want.end()) ++matched;
      const auto n = static_cast<int64_t>(w.visitors.size());
      ASSERT_EQ(p.estimate.n, n) << where;
      if (n > 0) {
        EXPECT_EQ(p.estimate.value,
                  100 * (static_cast<double>(w.converted.size()) /
                         static_cast<double>(n)))
            << where;
      }
      ASSERT_EQ(p.components.size(), 1U) << where;
      EXPECT_EQ(p.components[0].second, w.conversions) << where;
    }
    EXPECT_EQ(matched, want.size()) << when << " " << query.group_by;
  }

  // DAU and MAU by device, day by day, against a count.
  void ExpectDailyByDeviceExact(absl::CivilDay first, int days,
                                const std::vector<records::Session>& stored,
                                const std::string& when) {
    std::map<std::string, std::map<std::string, std::set<absl::CivilDay>>>
        active;  // device -> visitor -> days
    for (const records::Session& s : stored) {
      active[s.device()][s.visitor_id()].insert(
          absl::ToCivilDay(absl::FromUnixMicros(s.start_time_us()), zone_));
    }
    for (const std::string metric : {"dau", "mau"}) {
      MetricQuery q;
      q.metric = metric;
      q.from = absl::FromCivil(first, zone_);
      q.to = absl::FromCivil(first + days, zone_);
      q.granularity = Granularity::kDay;
      q.group_by = {"device"};
      auto points = world_.metrics.Query("w", q);
      ASSERT_THAT(points, IsOk());
      for (const kpi::MetricPoint& p : *points) {
        const absl::CivilDay d = absl::ToCivilDay(*p.bucket_start, zone_);
        int64_t count = 0;
        for (const auto& [visitor, set] : active[p.group[0].second]) {
          auto it = set.lower_bound(metric == "dau" ? d : d - 29);
          if (it != set.end() && *it <= d) ++count;
        }
        EXPECT_EQ(p.estimate.value, static_cast<double>(count))
            << when << " " << metric << " " << p.group[0].second << " "
            << absl::FormatCivilTime(d);
      }
    }
  }

  void ExpectScopesExact(const std::string& when) {
    const std::vector<records::Session> stored = Stored();
    using absl::CivilDay;
    // Whole buckets of each granularity over the sessions' 16 months.
    const std::vector<std::tuple<Granularity, CivilDay, CivilDay>> ranges = {
        {Granularity::kDay, CivilDay(2025, 3, 1), CivilDay(2025, 4, 1)},
        {Granularity::kWeek, CivilDay(2024, 12, 30), CivilDay(2025, 12, 29)},
        {Granularity::kMonth, CivilDay(2024, 11, 1), CivilDay(2026, 3, 1)},
        {Granularity::kQuarter, CivilDay(2024, 10, 1), CivilDay(2026, 4, 1)},
        {Granularity::kYear, CivilDay(2024, 1, 1), CivilDay(2027, 1, 1)},
    };
    for (const auto& [granularity, from, to] : ranges) {
      Query query{"conversion_rate", granularity, from, to, {}, ""};
      ExpectQueryExact(query, stored, when);
      query.group_by = "source";
      ExpectQueryExact(query, stored, when);
      query.filters = {{"source", "email"}};
      ExpectQueryExact(query, stored, when);
      query.group_by.clear();
      query.filters = {{"device", "mobile"}};
      ExpectQueryExact(query, stored, when);
      // Two dimensions: the entity scan, which must agree.
      query.filters = {{"device", "mobile"}, {"source", "ads"}};
      ExpectQueryExact(query, stored, when);
    }
    ExpectDailyByDeviceExact(CivilDay(2025, 2, 1), 90, stored, when);

    // The index itself: monthly distinct visitors by source are the sums
    // of the days' firsts.
    const kpi::Calendar calendar(zone_);
    const kpi::DayNumber first =
        calendar.DayOf(absl::FromCivil(CivilDay(2025, 1, 1), zone_));
    const kpi::DayNumber last =
        calendar.DayOf(absl::FromCivil(CivilDay(2025, 12, 31), zone_));
    auto scopes =
        kpi::ReadVisitorScopes(store_, "w", *kpi::SessionScopeDim("source"),
                               std::nullopt, first, last);
    ASSERT_THAT(scopes, IsOk());
    std::map<std::pair<std::string, int>, std::set<std::string>> monthly;
    for (const records::Session& s : stored) {
      const CivilDay day =
          absl::ToCivilDay(absl::FromUnixMicros(s.start_time_us()), zone_);
      if (day.year() == 2025) {
        monthly[{s.source(), day.month()}].insert(s.visitor_id());
      }
    }
    for (const std::string source : {"web", "email", "ads"}) {
      for (int month = 1; month <= 12; ++month) {
        int64_t sum = 0;
        if (scopes->contains(source)) {
          for (kpi::DayNumber d = first; d <= last; ++d) {
            if (calendar.CivilOf(d).month() == month) {
              sum += scopes->at(source).firsts[1][d - first];
            }
          }
        }
        EXPECT_EQ(sum, static_cast<int64_t>(monthly[{source, month}].size()))
            << when << " " << source << " month " << month;
      }
    }
  }
};

TEST_F(ScopedVisitorsTest, SeriesPerScopeEqualACountOfTheStoredSessions) {
  std::mt19937 rng(1126);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const std::array<std::string, 3> sources = {"web", "email", "ads"};
  const std::array<std::string, 2> devices = {"mobile", "desktop"};
  // Sessions over 16 months (three calendar years), replaced at random.
  auto session = [&](int64_t i) {
    const std::string customer =
        uniform(0, 2) == 0 ? absl::StrCat("c", uniform(0, 9)) : "";
    records::Session s = Session(
        absl::StrCat("s", i), absl::StrCat("v", uniform(0, 29)),
        Utc(2024, 11, 1) + absl::Seconds(uniform(0, int64_t{480} * 86400)),
        customer);
    s.set_source(sources[uniform(0, 2)]);
    s.set_device(devices[uniform(0, 1)]);
    s.set_converted(uniform(0, 4) == 0);
    return s;
  };
  for (int round = 0; round < 3; ++round) {
    for (int batch = 0; batch < 5; ++batch) {
      std::vector<records::Session> sessions;
      sessions.reserve(40);
      for (int k = 0; k < 40; ++k) sessions.push_back(session(uniform(0, 499)));
      ASSERT_THAT(world_.sessions.Put("w", sessions, ""), IsOk());
    }
    if (round != 1) ExpectScopesExact(absl::StrCat("round ", round));
  }
  auto job =
      world_.sessions.StartImport("w", "requests", WriteMode::kCreateOrReplace);
  ASSERT_THAT(job, IsOk());
  for (int chunk = 0; chunk < 3; ++chunk) {
    std::vector<records::Session> sessions;
    sessions.reserve(50);
    for (int k = 0; k < 50; ++k) sessions.push_back(session(uniform(0, 699)));
    ASSERT_THAT((*job)->Add(sessions), IsOk());
  }
  ASSERT_THAT((*job)->Commit(), IsOk());
  ExpectScopesExact("after the import");
  ASSERT_THAT(world_.privacy.Erase("w", "c3"), IsOk());
  ExpectScopesExact("after the erasure");
}

}  // namespace
}  // namespace mittari::domain
