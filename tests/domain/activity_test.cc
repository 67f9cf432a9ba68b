// Customer activity: the fact rollups agree exactly with the raw records
// over random purchases, sessions, tickets and active intervals — some of
// them replaced by id — and random queries with unaligned range edges;
// validation; unary writes grouped by the committer are checked one by
// one; erasure keeps every KPI; event reports and comparison.
#include "domain/activity.h"

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/api_keys.h"
#include "domain/kpi/activity_metrics.h"
#include "domain/privacy.h"
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
using kpi::MetricPoint;
using kpi::MetricQuery;
using ::mittari::testing::IsOk;
using ::mittari::testing::StatusIs;

absl::Time Utc(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0),
                         absl::UTCTimeZone());
}

class ActivityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(world_.workspaces.Create("w", "W", "Europe/Helsinki", "EUR"),
                IsOk());
  }

  std::optional<double> Value(const std::string& metric, absl::Time from,
                              absl::Time to) const {
    MetricQuery q;
    q.metric = metric;
    q.from = from;
    q.to = to;
    auto points = world_.metrics.Query("w", q);
    EXPECT_THAT(points, IsOk());
    return points->at(0).estimate.value;
  }

  storage::MemoryStore store_;
  testing::DomainWorld world_{store_, Utc(2026, 7, 1)};
};

records::Customer Customer(const std::string& id, const std::string& segment,
                           absl::Time acquired) {
  records::Customer c;
  c.set_id(id);
  c.set_segment(segment);
  c.set_acquire_time_us(absl::ToUnixMicros(acquired));
  return c;
}

records::Purchase Purchase(const std::string& id, const std::string& customer,
                           absl::Time t, int64_t amount) {
  records::Purchase p;
  p.set_id(id);
  p.set_customer_id(customer);
  p.set_occur_time_us(absl::ToUnixMicros(t));
  p.set_amount(amount);
  return p;
}

TEST_F(ActivityTest, ValidatesAndStoresNothingOfABadBatch) {
  ASSERT_THAT(
      world_.customers.Create("w", Customer("c1", "smb", Utc(2025, 1, 1))),
      IsOk());
  records::Purchase other_currency = Purchase("p2", "c1", Utc(2026, 1, 1), 5);
  other_currency.set_currency("SEK");
  records::Purchase refund = Purchase("p3", "c1", Utc(2026, 1, 2), -5);
  records::Purchase future = Purchase("p4", "c1", Utc(2027, 1, 1), 5);
  records::Purchase stranger = Purchase("p5", "nobody", Utc(2026, 1, 1), 5);
  absl::Status s = world_.purchases
                       .Put("w",
                            {Purchase("p1", "c1", Utc(2026, 1, 1), 5),
                             other_currency, refund, future, stranger},
                            "requests")
                       .status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  std::set<std::string> fields;
  for (const auto& v : errors::FieldViolations(s)) fields.insert(v.field);
  EXPECT_EQ(fields,
            (std::set<std::string>{"requests[1].purchase.amount.currency_code",
                                   "requests[2].purchase.amount",
                                   "requests[3].purchase.purchase_time",
                                   "requests[4].purchase.customer_id"}));
  EXPECT_THAT(world_.purchases.Get("w", "p1"),
              StatusIs(absl::StatusCode::kNotFound));

  records::Ticket t;
  t.set_id("t1");
  t.set_customer_id("c1");
  t.set_open_time_us(absl::ToUnixMicros(Utc(2026, 1, 1, 12)));
  t.set_first_response_time_us(absl::ToUnixMicros(Utc(2026, 1, 1, 11)));
  EXPECT_EQ(errors::FieldViolations(world_.tickets.Put("w", {t}, "").status())
                .at(0)
                .field,
            "ticket.first_response_time");
}

TEST_F(ActivityTest, UnaryWritesOfOneGroupAreCheckedOneByOne) {
  ASSERT_THAT(
      world_.customers.Create("w", Customer("c1", "smb", Utc(2025, 1, 1))),
      IsOk());
  ASSERT_THAT(world_.purchases.Put(
                  "w", {Purchase("p1", "c1", Utc(2026, 1, 1), 100)}, ""),
              IsOk());
  // Five refunds of 30 of one purchase, queued together: three fit, in
  // whatever groups the committer takes them; a purchase of an unknown
  // customer among them fails alone.
  testing::AsyncResults<StoredFact<records::Purchase>> results;
  for (int i = 0; i < 5; ++i) {
    records::Purchase refund =
        Purchase(absl::StrCat("r", i), "c1", Utc(2026, 1, 2), -30);
    refund.set_refund_of("p1");
    world_.purchases.PutAsync("w", refund, WriteMode::kCreateOrReplace,
                              results.Done());
    if (i == 2) {
      world_.purchases.PutAsync("w",
                                Purchase("p9", "nobody", Utc(2026, 1, 2), 5),
                                WriteMode::kCreateOrReplace, results.Done());
    }
  }
  std::vector<absl::StatusOr<StoredFact<records::Purchase>>> got =
      results.Wait();
  ASSERT_EQ(got.size(), 6U);
  int refunded = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (i == 3) {
      EXPECT_THAT(got[i], StatusIs(absl::StatusCode::kInvalidArgument));
      EXPECT_EQ(errors::FieldViolations(got[i].status()).at(0).field,
                "purchase.customer_id");
      continue;
    }
    if (got[i].ok()) {
      EXPECT_EQ(got[i]->counts.created, 1);
      EXPECT_EQ(got[i]->record.dims().segment(), "smb");
      ++refunded;
    } else {
      EXPECT_THAT(got[i], StatusIs(absl::StatusCode::kInvalidArgument));
      EXPECT_EQ(errors::FieldViolations(got[i].status()).at(0).field,
                "purchase.amount");
    }
  }
  EXPECT_EQ(refunded, 3);
  auto stored =
      world_.purchases.OfCustomers("w", std::vector<std::string>{"c1"});
  ASSERT_THAT(stored, IsOk());
  EXPECT_EQ(stored->size(), 4U);
  EXPECT_THAT(world_.purchases.Get("w", "p9"),
              StatusIs(absl::StatusCode::kNotFound));

  // An add-only key: the same content again is unchanged, other content
  // ALREADY_EXISTS.
  world_.purchases.PutAsync("w", Purchase("p1", "c1", Utc(2026, 1, 1), 100),
                            WriteMode::kAddOnly, results.Done());
  world_.purchases.PutAsync("w", Purchase("p1", "c1", Utc(2026, 1, 1), 50),
                            WriteMode::kAddOnly, results.Done());
  got = results.Wait();
  ASSERT_THAT(got[0], IsOk());
  EXPECT_EQ(got[0]->counts.unchanged, 1);
  EXPECT_EQ(got[0]->record.amount(), 100);
  EXPECT_THAT(got[1], StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(ActivityTest, AReplacedRecordCountsOnlyInItsNewVersion) {
  ASSERT_THAT(
      world_.customers.Create("w", Customer("c1", "smb", Utc(2025, 1, 1))),
      IsOk());
  ASSERT_THAT(
      world_.customers.Create("w", Customer("c2", "smb", Utc(2025, 1, 1))),
      IsOk());
  absl::Time from = Utc(2026, 1, 1);
  absl::Time to = Utc(2026, 2, 1);
  ASSERT_THAT(
      world_.purchases.Put("w",
                           {Purchase("p1", "c1", Utc(2026, 1, 5), 1000),
                            Purchase("p2", "c1", Utc(2026, 1, 6), 3000)},
                           ""),
      IsOk());
  EXPECT_EQ(Value("aov", from, to), 2000.0);
  EXPECT_EQ(Value("repeat_purchase_rate", from, to), 100.0);
  // p2 moves to another customer, day and amount.
  auto counts = world_.purchases.Put(
      "w", {Purchase("p2", "c2", Utc(2026, 1, 20), 5000)}, "");
  ASSERT_THAT(counts, IsOk());
  EXPECT_EQ(counts->updated, 1);
  EXPECT_EQ(Value("aov", from, to), 3000.0);
  EXPECT_EQ(Value("purchase_frequency", from, to), 1.0);
  EXPECT_EQ(Value("repeat_purchase_rate", from, to), 0.0);
  auto again = world_.purchases.Put(
      "w", {Purchase("p2", "c2", Utc(2026, 1, 20), 5000)}, "");
  EXPECT_EQ(again->unchanged, 1);
}

// A random workspace, and every metric recomputed from the raw records.
TEST_F(ActivityTest, RollupsEqualRawRecomputationOverRandomQueries) {
  std::mt19937 rng(20261123);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const absl::Time start = Utc(2025, 10, 1);
  const int64_t span = absl::ToInt64Seconds(Utc(2026, 6, 1) - start);
  auto when = [&] { return start + absl::Seconds(uniform(0, span)); };
  const std::vector<std::string> segments = {"smb", "mid", "ent"};

  std::map<std::string, records::Customer> customers;
  for (int i = 0; i < 60; ++i) {
    records::Customer c =
        Customer(absl::StrCat("c", i), segments[uniform(0, 2)], when());
    if (uniform(0, 3) == 0) {
      c.set_churn_time_us(c.acquire_time_us() +
                          uniform(1, 90) * 86'400'000'000);
    }
    customers[c.id()] = c;
  }
  std::vector<records::Customer> list;
  list.reserve(customers.size());
  for (const auto& [id, c] : customers) list.push_back(c);
  ASSERT_THAT(world_.customers.Import("w", list), IsOk());

  std::map<std::string, records::Purchase> purchases;
  std::map<std::string, records::Session> sessions;
  std::map<std::string, records::Ticket> tickets;
  for (int round = 0; round < 2; ++round) {  // the second replaces some
    std::vector<records::Purchase> ps;
    std::vector<records::Session> ss;
    std::vector<records::Ticket> ts;
    for (int i = 0; i < 300; ++i) {
      if (round == 1 && uniform(0, 4) != 0) continue;
      std::string customer = absl::StrCat("c", uniform(0, 59));
      records::Purchase p =
          Purchase(absl::StrCat("p", i), customer, when(), uniform(1, 9000));
      p.set_currency("EUR");
      p.mutable_dims()->set_segment(customers[customer].segment());
      ps.push_back(p);
      purchases[p.id()] = p;
      records::Session s;
      s.set_id(absl::StrCat("s", i));
      s.set_visitor_id(absl::StrCat("v", uniform(0, 40)));
      if (uniform(0, 1) == 0) {
        s.set_customer_id(customer);
        s.mutable_dims()->set_segment(customers[customer].segment());
      }
      s.set_start_time_us(absl::ToUnixMicros(when()));
      s.set_page_views(uniform(1, 9));
      s.set_duration_seconds(uniform(5, 900));
      s.set_source(uniform(0, 1) != 0 ? "email" : "organic_search");
      s.set_converted(uniform(0, 5) == 0);
      ss.push_back(s);
      sessions[s.id()] = s;
      records::Ticket t;
      t.set_id(absl::StrCat("t", i));
      t.set_customer_id(customer);
      t.mutable_dims()->set_segment(customers[customer].segment());
      t.set_open_time_us(absl::ToUnixMicros(when()));
      if (uniform(0, 3) != 0) {
        t.set_first_response_time_us(t.open_time_us() +
                                     uniform(60, 86400) * 1'000'000);
      }
      if (uniform(0, 2) != 0) t.set_resolve_time_us(t.open_time_us() + 1);
      ts.push_back(t);
      tickets[t.id()] = t;
    }
    ASSERT_THAT(world_.purchases.Put("w", ps, ""), IsOk());
    ASSERT_THAT(world_.sessions.Put("w", ss, ""), IsOk());
    ASSERT_THAT(world_.tickets.Put("w", ts, ""), IsOk());
  }

  absl::TimeZone zone;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Helsinki", &zone));
  kpi::Calendar calendar(zone);
  const std::vector<std::string> metrics = {"aov",
                                            "purchase_frequency",
                                            "repeat_purchase_rate",
                                            "conversion_rate",
                                            "pages_per_session",
                                            "organic_clicks",
                                            "resolution_rate",
                                            "first_response_time",
                                            "churn_rate",
                                            "retention_rate"};
  for (int trial = 0; trial < 200; ++trial) {
    MetricQuery q;
    q.metric = metrics[trial % metrics.size()];
    absl::Time a = when();
    absl::Time b = when();
    q.from = std::min(a, b);
    q.to = std::max(a, b) + absl::Seconds(1);
    q.granularity = std::vector<Granularity>{
        Granularity::kNone, Granularity::kDay, Granularity::kWeek,
        Granularity::kMonth}[uniform(0, 3)];
    if (q.granularity == Granularity::kDay &&
        q.to - q.from > absl::Hours(24 * 60))
      q.granularity = Granularity::kMonth;
    bool grouped = uniform(0, 1) == 0;
    if (grouped) q.group_by = {"segment"};
    auto points = world_.metrics.Query("w", q);
    ASSERT_THAT(points, IsOk());
    for (const MetricPoint& p : *points) {
      // The point's bounds within the range.
      absl::Time lo = q.from;
      absl::Time hi = q.to;
      if (p.bucket_start) {
        absl::CivilDay d = absl::ToCivilDay(*p.bucket_start, zone);
        lo = std::max(lo, calendar.StartOf(d));
        hi = std::min(hi,
                      calendar.StartOf(calendar.NextBucket(d, q.granularity)));
      }
      std::string segment = grouped ? p.group.at(0).second : "";
      auto in = [&](int64_t us, const std::string& seg) {
        absl::Time t = absl::FromUnixMicros(us);
        return t >= lo && t < hi && (!grouped || seg == segment);
      };
      std::optional<double> want;
      int64_t n = 0;
      if (q.metric == "aov" || q.metric == "purchase_frequency" ||
          q.metric == "repeat_purchase_rate") {
        int64_t orders = 0;
        int64_t revenue = 0;
        std::map<std::string, int> per;
        for (const auto& [id, x] : purchases) {
          if (!in(x.occur_time_us(), x.dims().segment())) continue;
          ++orders;
          revenue += x.amount();
          ++per[x.customer_id()];
        }
        int64_t repeat = 0;
        for (const auto& [c, k] : per)
          if (k >= 2) ++repeat;
        auto customers_n = static_cast<int64_t>(per.size());
        if (q.metric == "aov") {
          n = orders;
          if (orders != 0)
            want = static_cast<double>(revenue) / static_cast<double>(orders);
        } else if (q.metric == "purchase_frequency") {
          n = customers_n;
          if (n != 0)
            want = static_cast<double>(orders) / static_cast<double>(n);
        } else {
          n = customers_n;
          if (n != 0)
            want = 100.0 * static_cast<double>(repeat) / static_cast<double>(n);
        }
      } else if (q.metric == "conversion_rate" ||
                 q.metric == "pages_per_session" ||
                 q.metric == "organic_clicks") {
        std::set<std::string> visitors;
        std::set<std::string> converted;
        int64_t count = 0;
        int64_t views = 0;
        int64_t organic = 0;
        for (const auto& [id, x] : sessions) {
          if (!in(x.start_time_us(), x.dims().segment())) continue;
          visitors.insert(x.visitor_id());
          if (x.converted()) converted.insert(x.visitor_id());
          ++count;
          views += x.page_views();
          if (x.source() == "organic_search") ++organic;
        }
        if (q.metric == "conversion_rate") {
          n = static_cast<int64_t>(visitors.size());
          if (n != 0)
            want = 100.0 * static_cast<double>(converted.size()) /
                   static_cast<double>(n);
        } else if (q.metric == "pages_per_session") {
          n = count;
          if (n != 0)
            want = static_cast<double>(views) / static_cast<double>(n);
        } else {
          n = organic;
          want = static_cast<double>(organic);
        }
      } else if (q.metric == "resolution_rate" ||
                 q.metric == "first_response_time") {
        int64_t created = 0;
        int64_t resolved = 0;
        int64_t responded = 0;
        double seconds = 0;
        for (const auto& [id, x] : tickets) {
          if (!in(x.open_time_us(), x.dims().segment())) continue;
          ++created;
          if (x.resolve_time_us() != 0) ++resolved;
          if (x.first_response_time_us() != 0) {
            ++responded;
            seconds += static_cast<double>(x.first_response_time_us() -
                                           x.open_time_us()) /
                       1e6;
          }
        }
        if (q.metric == "resolution_rate") {
          n = created;
          if (n != 0)
            want =
                100.0 * static_cast<double>(resolved) / static_cast<double>(n);
        } else {
          n = responded;
          if (n != 0) want = seconds / static_cast<double>(n);
        }
      } else {  // churn_rate, retention_rate
        int64_t s = 0;
        int64_t e = 0;
        int64_t added = 0;
        int64_t lost = 0;
        int64_t l = absl::ToUnixMicros(lo);
        int64_t h = absl::ToUnixMicros(hi);
        for (const auto& [id, c] : customers) {
          if (grouped && c.segment() != segment) continue;
          int64_t acq = c.acquire_time_us();
          int64_t ch = c.churn_time_us();
          auto active = [&](int64_t t) {
            return acq < t && (ch == 0 || ch >= t);
          };
          if (active(l)) ++s;
          if (active(h)) ++e;
          if (acq >= l && acq < h) ++added;
          if (ch != 0 && ch >= l && ch < h) ++lost;
        }
        n = s;
        if (s != 0)
          want =
              100.0 *
              static_cast<double>(q.metric == "churn_rate" ? lost : e - added) /
              static_cast<double>(s);
      }
      std::string where =
          absl::StrCat(q.metric, " trial ", trial, " ", absl::FormatTime(lo),
                       " segment ", segment);
      EXPECT_EQ(p.estimate.n, n) << where;
      ASSERT_EQ(p.estimate.value.has_value(), want.has_value()) << where;
      if (want) {
        EXPECT_NEAR(*p.estimate.value, *want, 1e-9) << where;
      }
    }
  }
}

TEST_F(ActivityTest, ErasureKeepsEveryKpiAndRemovesThePerson) {
  records::Customer c = Customer("c1", "smb", Utc(2025, 1, 1));
  c.set_display_name("Erkki Esimerkki");
  c.set_churn_time_us(absl::ToUnixMicros(Utc(2026, 3, 1)));
  ASSERT_THAT(world_.customers.Create("w", c), IsOk());
  ASSERT_THAT(
      world_.customers.Create("w", Customer("c2", "smb", Utc(2025, 1, 1))),
      IsOk());
  ASSERT_THAT(world_.purchases.Put("w",
                                   {Purchase("p1", "c1", Utc(2026, 1, 5), 1000),
                                    Purchase("p2", "c1", Utc(2026, 1, 6), 3000),
                                    Purchase("p3", "c2", Utc(2026, 1, 6), 500)},
                                   ""),
              IsOk());
  absl::Time from = Utc(2026, 1, 1);
  absl::Time to = Utc(2026, 4, 1);
  std::vector<std::string> metrics = {
      "aov",        "repeat_purchase_rate", "purchase_frequency",
      "churn_rate", "clv_historical",       "clv_predictive"};
  std::vector<std::optional<double>> before;
  before.reserve(metrics.size());
  for (const std::string& m : metrics) before.push_back(Value(m, from, to));

  auto data = world_.privacy.Export("w", "c1");
  ASSERT_THAT(data, IsOk());
  EXPECT_EQ(data->customer.display_name(), "Erkki Esimerkki");
  EXPECT_EQ(data->purchases.size(), 2U);
  auto erased = world_.privacy.Erase("w", "c1");
  ASSERT_THAT(erased, IsOk());
  EXPECT_EQ(erased->purchases, 2);
  EXPECT_THAT(world_.customers.Get("w", "c1"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_NE(world_.purchases.Get("w", "p1")->customer_id(), "c1");
  for (size_t i = 0; i < metrics.size(); ++i) {
    EXPECT_EQ(Value(metrics[i], from, to), before[i]) << metrics[i];
  }
  // Nothing of the key space names the customer any more: no key holds
  // "c1" as a whole string (key_codec.h ends each with "\0\1"), whatever
  // the random erasure token that replaces it happens to end with.
  auto names_c1 = [](absl::string_view key) {
    const std::string c1("c1\0\1", 4);
    for (size_t at = key.find(c1); at != absl::string_view::npos;
         at = key.find(c1, at + 1)) {
      if (at == 0 || !absl::ascii_isxdigit(key[at - 1])) return true;
    }
    return false;
  };
  bool named = false;
  for (auto cf :
       {storage::ColumnFamily::kCatalog, storage::ColumnFamily::kFacts,
        storage::ColumnFamily::kIndex, storage::ColumnFamily::kRollups}) {
    ASSERT_THAT(store_.ScanPrefix(
                    cf, "",
                    [&](absl::string_view key, absl::string_view value) {
                      named = named || absl::StrContains(value, "Erkki") ||
                              names_c1(key);
                      return true;
                    }),
                IsOk());
  }
  EXPECT_FALSE(named);
}

TEST_F(ActivityTest, ErasureTakesTheVisitorIdsOfThePersonsSessions) {
  ASSERT_THAT(
      world_.customers.Create("w", Customer("c1", "smb", Utc(2025, 1, 1))),
      IsOk());
  ASSERT_THAT(
      world_.customers.Create("w", Customer("c2", "smb", Utc(2025, 1, 1))),
      IsOk());
  auto session = [](const std::string& id, const std::string& visitor,
                    const std::string& customer, absl::Time t) {
    records::Session s;
    s.set_id(id);
    s.set_visitor_id(visitor);
    s.set_customer_id(customer);
    s.set_start_time_us(absl::ToUnixMicros(t));
    s.set_page_views(2);
    return s;
  };
  // c1 on two devices (visitor ids), one of them also anonymous before
  // signing in; c2 and a stranger elsewhere.
  ASSERT_THAT(
      world_.sessions.Put("w",
                          {session("s1", "phone-of-c1", "c1", Utc(2026, 3, 2)),
                           session("s2", "laptop-of-c1", "c1", Utc(2026, 3, 2)),
                           session("s3", "phone-of-c1", "", Utc(2026, 3, 1)),
                           session("s4", "phone-of-c2", "c2", Utc(2026, 3, 2)),
                           session("s5", "stranger", "", Utc(2026, 3, 2))},
                          ""),
      IsOk());
  const absl::Time from = Utc(2026, 3, 1);
  const absl::Time to = Utc(2026, 3, 3);
  std::vector<std::string> metrics = {"dau", "mau", "conversion_rate",
                                      "pages_per_session", "engagement_rate"};
  std::vector<std::optional<double>> before;
  before.reserve(metrics.size());
  for (const std::string& m : metrics) before.push_back(Value(m, from, to));

  auto erased = world_.privacy.Erase("w", "c1");
  ASSERT_THAT(erased, IsOk());
  EXPECT_EQ(erased->sessions, 2);
  for (size_t i = 0; i < metrics.size(); ++i) {
    EXPECT_EQ(Value(metrics[i], from, to), before[i]) << metrics[i];
  }
  // Two devices keep two pseudonyms, and the anonymous session takes the
  // pseudonym of its device; nothing else changes.
  auto s1 = world_.sessions.Get("w", "s1");
  auto s2 = world_.sessions.Get("w", "s2");
  auto s3 = world_.sessions.Get("w", "s3");
  ASSERT_THAT(s1, IsOk());
  ASSERT_THAT(s2, IsOk());
  ASSERT_THAT(s3, IsOk());
  EXPECT_NE(s1->visitor_id(), "phone-of-c1");
  EXPECT_NE(s2->visitor_id(), "laptop-of-c1");
  EXPECT_NE(s1->visitor_id(), s2->visitor_id());
  EXPECT_EQ(s3->visitor_id(), s1->visitor_id());
  EXPECT_EQ(s3->customer_id(), "");
  EXPECT_EQ(world_.sessions.Get("w", "s4")->visitor_id(), "phone-of-c2");
  EXPECT_EQ(world_.sessions.Get("w", "s5")->visitor_id(), "stranger");
  bool named = false;
  for (auto cf :
       {storage::ColumnFamily::kCatalog, storage::ColumnFamily::kFacts,
        storage::ColumnFamily::kIndex, storage::ColumnFamily::kRollups}) {
    ASSERT_THAT(
        store_.ScanPrefix(cf, "",
                          [&](absl::string_view key, absl::string_view value) {
                            named = named || absl::StrContains(key, "of-c1") ||
                                    absl::StrContains(value, "of-c1");
                            return true;
                          }),
        IsOk());
  }
  EXPECT_FALSE(named);
}

TEST_F(ActivityTest, DistinctDimensionValuesAreCappedPerWorkspace) {
  world_.workspaces.dimension_caps().SetLimits({3, 10});
  ASSERT_THAT(world_.workspaces.Create("v", "V", "UTC", "EUR"), IsOk());
  ASSERT_THAT(
      world_.customers.Create("w", Customer("c1", "smb", Utc(2025, 1, 1))),
      IsOk());
  ASSERT_THAT(
      world_.customers.Create("v", Customer("c1", "smb", Utc(2025, 1, 1))),
      IsOk());
  auto bought = [&](const std::string& ws, const std::string& id,
                    const std::string& channel) {
    records::Purchase p = Purchase(id, "c1", Utc(2026, 1, 5), 100);
    p.set_channel(channel);
    return world_.purchases.Put(ws, {p}, "").status();
  };
  EXPECT_THAT(bought("w", "p1", "web"), IsOk());
  EXPECT_THAT(bought("w", "p2", "store"), IsOk());
  EXPECT_THAT(bought("w", "p3", ""), IsOk());  // no value counts nothing
  EXPECT_THAT(bought("w", "p4", "phone"), IsOk());
  absl::Status refused = bought("w", "p5", "kiosk");
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(refused.message()), ::testing::HasSubstr("channel"));
  EXPECT_THAT(world_.purchases.Get("w", "p5"),
              StatusIs(absl::StatusCode::kNotFound));
  // Known values still pass; another workspace has caps of its own.
  EXPECT_THAT(bought("w", "p6", "web"), IsOk());
  EXPECT_THAT(bought("v", "p1", "kiosk"), IsOk());
  // The values taken are stored: a new server (caps loaded anew) refuses
  // the same.
  WorkspaceDirectory again(store_, world_.keys, world_.clock);
  again.dimension_caps().SetLimits({3, 10});
  auto admitted = again.dimension_caps().Admit("w", {{"channel", "kiosk"}});
  EXPECT_THAT(admitted.status(),
              StatusIs(absl::StatusCode::kResourceExhausted));
  admitted = again.dimension_caps().Admit("w", {{"channel", "store"}});
  ASSERT_THAT(admitted, IsOk());
  EXPECT_TRUE(admitted->empty());
}

// Responses and purchases naming a customer keep arriving while the customer
// is erased: whatever was checked before the erasure and stored after it
// must not name the customer.
TEST_F(ActivityTest, NothingNamingACustomerIsStoredAfterItsErasure) {
  records::Survey survey;
  survey.set_id("nps");
  survey.set_kind(static_cast<int>(SurveyKind::kNps));
  survey.set_question("q");
  ASSERT_THAT(world_.surveys.Create("w", survey), IsOk());
  for (int round = 0; round < 20; ++round) {
    const std::string customer = absl::StrCat("erase-me-", round);
    ASSERT_THAT(world_.customers.Create(
                    "w", Customer(customer, "smb", Utc(2025, 1, 1))),
                IsOk());
    std::atomic<bool> erased{false};
    std::atomic<int> pending{0};
    std::thread writer([&] {
      // Keeps writing until a while after the erasure; the refused writes
      // name the customer as missing.
      for (int n = 0, after = 0; after < 200; ++n) {
        if (erased.load()) ++after;
        const std::string id = absl::StrCat("r", round, "-", n);
        records::Response r;
        r.set_id(id);
        r.set_survey_id("nps");
        r.set_customer_id(customer);
        r.set_score(n % 11);
        r.set_submit_time_us(absl::ToUnixMicros(Utc(2026, 6, 1)));
        ++pending;
        world_.responses.SubmitAsync(
            "w", r, [&](const absl::StatusOr<Submitted>&) { --pending; });
        (void)world_.purchases.Put(
            "w", {Purchase(id, customer, Utc(2026, 6, 1), 100)}, "");
      }
    });
    absl::SleepFor(absl::Milliseconds(2));
    ASSERT_THAT(world_.privacy.Erase("w", customer), IsOk());
    erased = true;
    writer.join();
    while (pending.load() > 0) absl::SleepFor(absl::Milliseconds(1));
    for (auto cf :
         {storage::ColumnFamily::kFacts, storage::ColumnFamily::kIndex}) {
      ASSERT_THAT(store_.ScanPrefix(
                      cf, "",
                      [&](absl::string_view key, absl::string_view value) {
                        EXPECT_FALSE(absl::StrContains(key, customer) ||
                                     absl::StrContains(value, customer))
                            << "round " << round << " key "
                            << absl::CEscape(key) << " value "
                            << absl::CEscape(value);
                        return !absl::StrContains(key, customer) &&
                               !absl::StrContains(value, customer);
                      }),
                  IsOk());
    }
  }
}

}  // namespace
}  // namespace mittari::domain

namespace mittari::domain {
namespace {

class EventsTest : public ActivityTest {};

records::Event Event(const std::string& id, const std::string& series,
                     absl::Time start) {
  records::Event e;
  e.set_id(id);
  e.set_display_name("Event " + id);
  e.set_kind("seminar");
  e.set_series(series);
  e.set_start_time_us(absl::ToUnixMicros(start));
  e.set_end_time_us(absl::ToUnixMicros(start + absl::Hours(3)));
  e.set_budget(100000);
  return e;
}

records::Registration Registration(const std::string& event,
                                   const std::string& customer, bool attended,
                                   bool converted, int minutes) {
  records::Registration r;
  r.set_event_id(event);
  r.set_customer_id(customer);
  r.set_attended(attended);
  r.set_converted(converted);
  r.set_minutes_attended(minutes);
  return r;
}

TEST_F(EventsTest, ReportsTheKpisOfMetricsMd) {
  for (const char* c : {"c1", "c2", "c3", "c4"}) {
    ASSERT_THAT(
        world_.customers.Create("w", Customer(c, "smb", Utc(2025, 1, 1))),
        IsOk());
  }
  records::Event e = Event("e1", "s", Utc(2026, 3, 1, 9));
  e.mutable_goals()->set_attendance_rate(75);
  e.mutable_goals()->set_conversions(2);
  ASSERT_THAT(world_.events.Create("w", e), IsOk());
  // An empty event: ratios are absent, counts are 0.
  auto empty = world_.events.Report("w", "e1", 0);
  ASSERT_THAT(empty, IsOk());
  EXPECT_EQ(empty->registrations, 0);
  EXPECT_FALSE(empty->attendance_rate.has_value());
  EXPECT_FALSE(empty->roi.has_value());

  records::EventLine venue;
  venue.set_id("venue");
  venue.set_event_id("e1");
  venue.set_category("venue");
  venue.set_amount(15000);
  records::EventLine tickets = venue;
  tickets.set_id("tickets");
  tickets.set_revenue(true);
  tickets.set_category("tickets");
  tickets.set_amount(20000);
  ASSERT_THAT(world_.events.RecordLines("w", {venue, tickets}, "lines"),
              IsOk());
  ASSERT_THAT(world_.events.RecordRegistrations(
                  "w",
                  {Registration("e1", "c1", true, true, 60),
                   Registration("e1", "c2", true, false, 30),
                   Registration("e1", "c3", true, false, 90),
                   Registration("e1", "c4", false, false, 0)},
                  "registrations"),
              IsOk());
  auto r = world_.events.Report("w", "e1", 0);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->attendees, 3);
  EXPECT_EQ(*r->attendance_rate, 75.0);
  EXPECT_NEAR(*r->roi, 33.333333333333336, 1e-9);  // metrics.md's example
  EXPECT_EQ(*r->cost_per_conversion, 15000.0);
  EXPECT_EQ(*r->avg_minutes_attended, 60.0);
  EXPECT_EQ(*r->attendance_goal_met, true);
  ASSERT_EQ(r->goals.size(), 2U);
  EXPECT_EQ(r->goals[1].goal, "conversions");
  EXPECT_EQ(*r->goals[1].pct, 50.0);
  EXPECT_FALSE(r->goals[1].met);

  // A check-in before the event opens, a conversion without attendance and
  // an unknown category are refused, naming their fields; nothing is kept.
  records::Registration early = Registration("e1", "c4", true, false, 0);
  early.set_check_in_time_us(absl::ToUnixMicros(Utc(2026, 3, 1, 8)));
  records::EventLine odd = venue;
  odd.set_id("odd");
  odd.set_category("catering");
  absl::Status s =
      world_.events
          .RecordRegistrations(
              "w", {early, Registration("e1", "c4", false, true, 0)},
              "registrations")
          .status();
  std::set<std::string> fields;
  for (const auto& v : errors::FieldViolations(s)) fields.insert(v.field);
  EXPECT_EQ(fields, (std::set<std::string>{"registrations[0].check_in_time",
                                           "registrations[1].converted"}));
  EXPECT_EQ(errors::FieldViolations(
                world_.events.RecordLines("w", {odd}, "lines").status())
                .at(0)
                .field,
            "lines[0].category");
  EXPECT_EQ(world_.events.Report("w", "e1", 0)->attendees, 3);
}

TEST_F(EventsTest, UnaryRegistrationsOfOneGroupAreCheckedOneByOne) {
  ASSERT_THAT(
      world_.customers.Create("w", Customer("c1", "smb", Utc(2025, 1, 1))),
      IsOk());
  ASSERT_THAT(world_.events.Create("w", Event("e1", "s", Utc(2026, 3, 1, 9))),
              IsOk());
  // The same registration twice (the second sees the first), a check-in
  // of it, and one of an unknown customer, which fails alone.
  testing::AsyncResults<ImportCounts> results;
  records::Registration checked_in = Registration("e1", "c1", true, false, 30);
  checked_in.set_check_in_time_us(absl::ToUnixMicros(Utc(2026, 3, 1, 9, 5)));
  for (const records::Registration& r :
       {Registration("e1", "c1", false, false, 0),
        Registration("e1", "c1", false, false, 0),
        Registration("e1", "nobody", false, false, 0), checked_in}) {
    world_.events.RecordRegistrationAsync("w", r, WriteMode::kAddOnly,
                                          results.Done());
  }
  std::vector<absl::StatusOr<ImportCounts>> got = results.Wait();
  ASSERT_EQ(got.size(), 4U);
  ASSERT_THAT(got[0], IsOk());
  EXPECT_EQ(got[0]->created, 1);
  ASSERT_THAT(got[1], IsOk());
  EXPECT_EQ(got[1]->unchanged, 1);
  EXPECT_THAT(got[2], StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(errors::FieldViolations(got[2].status()).at(0).field,
            "customer_id");
  ASSERT_THAT(got[3], IsOk());
  EXPECT_EQ(got[3]->updated, 1);
  auto stored = world_.events.Registrations("w", "e1");
  ASSERT_THAT(stored, IsOk());
  ASSERT_EQ(stored->size(), 1U);
  EXPECT_TRUE(stored->at(0).attended());

  // Add-only: un-attending is another change, ALREADY_EXISTS.
  world_.events.RecordRegistrationAsync(
      "w", Registration("e1", "c1", false, false, 0), WriteMode::kAddOnly,
      results.Done());
  got = results.Wait();
  EXPECT_THAT(got[0], StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(EventsTest, ComparesAgainstEarlierEventsOfTheSeries) {
  ASSERT_THAT(
      world_.customers.Create("w", Customer("c1", "smb", Utc(2025, 1, 1))),
      IsOk());
  ASSERT_THAT(world_.events.Import("w", {Event("a", "s", Utc(2026, 1, 1)),
                                         Event("b", "s", Utc(2026, 2, 1)),
                                         Event("c", "other", Utc(2026, 3, 1))}),
              IsOk());
  ASSERT_THAT(world_.events.RecordRegistrations(
                  "w", {Registration("b", "c1", true, false, 10)}, ""),
              IsOk());
  auto rows = world_.events.Compare("w", {}, "attendees", true);
  ASSERT_THAT(rows, IsOk());
  ASSERT_EQ(rows->size(), 3U);
  EXPECT_EQ((*rows)[0].report.event.id(), "b");
  EXPECT_EQ((*rows)[0].series_mean.at("attendees"), 0.0);
  EXPECT_EQ((*rows)[0].vs_series.at("attendees"), 1.0);
  EXPECT_TRUE((*rows)[1].series_mean.empty());  // the first of its series
  EXPECT_THAT(world_.events.Compare("w", {}, "colour", false),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mittari::domain
