// Import jobs (domain/import_job.h) over RocksDB with a tiny memory bound,
// so that every job spills and commits by ingesting table files: a file
// imported in chunks gives exactly the KPIs of the same records written at
// once; a bad row in a late chunk stores nothing; a concurrent write of a
// staged record or an erasure aborts the commit, and running the job again
// stores it.
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "domain/activity.h"
#include "domain/api_keys.h"
#include "domain/kpi/activity_metrics.h"
#include "domain/kpi/survey_metrics.h"
#include "domain/privacy.h"
#include "domain/responses.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/rocksdb_store.h"
#include "tests/testing/domain_world.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace mittari::domain {
namespace {

using ::mittari::testing::IsOk;
using ::mittari::testing::StatusIs;

absl::Time Utc(int y, int m, int d, int hh = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0),
                         absl::UTCTimeZone());
}

std::unique_ptr<storage::RocksDbStore> OpenStore(const std::string& dir) {
  storage::RocksDbStore::Options options;
  options.import_memory_bytes = 4096;
  auto store = storage::RocksDbStore::Open(dir, options);
  EXPECT_THAT(store.status(), IsOk());
  return *std::move(store);
}

class ImportJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* ws : {"bulk", "once"}) {
      ASSERT_THAT(world_.workspaces.Create(ws, "W", "Europe/Helsinki", "EUR"),
                  IsOk());
      for (int c = 0; c < 40; ++c) {
        records::Customer customer;
        customer.set_id(absl::StrCat("c", c));
        customer.set_segment(c % 3 == 0 ? "smb" : "enterprise");
        customer.set_acquire_time_us(absl::ToUnixMicros(Utc(2025, 1, 1)));
        ASSERT_THAT(world_.customers.Create(ws, customer), IsOk());
      }
      records::Survey s;
      s.set_id("nps");
      s.set_kind(static_cast<int>(SurveyKind::kNps));
      s.set_question("q");
      ASSERT_THAT(world_.surveys.Create(ws, s), IsOk());
    }
  }

  double Value(const kpi::MetricEngine& engine, absl::string_view ws,
               const std::string& metric) {
    kpi::MetricQuery q;
    q.metric = metric;
    q.from = Utc(2026, 1, 1);
    q.to = Utc(2026, 4, 1);
    auto points = engine.Query(ws, q);
    EXPECT_THAT(points, IsOk());
    if (!points.ok() || points->empty()) return -1;
    return points->at(0).estimate.value.value_or(-1);
  }

  // Random purchases with refunds of earlier ones (some in earlier chunks)
  // and a few ids sent twice with other content (the later one counts).
  std::vector<records::Purchase> Purchases(int n) {
    std::mt19937 rng(7);
    std::vector<records::Purchase> out;
    for (int i = 0; i < n; ++i) {
      records::Purchase p;
      p.set_id(absl::StrCat("p", i % 10 == 9 ? i - 5 : i));
      p.set_customer_id(absl::StrCat("c", rng() % 40));
      p.set_occur_time_us(absl::ToUnixMicros(
          Utc(2026, 1, 1) + absl::Minutes(static_cast<int>(rng() % 120000))));
      p.set_amount(1000 + static_cast<int64_t>(rng() % 9000));
      p.set_channel(rng() % 2 == 0 ? "web" : "store");
      if (i % 10 == 7) {
        const records::Purchase& original = out[out.size() - 6];
        p.set_customer_id(original.customer_id());
        p.set_refund_of(original.id());
        p.set_amount(-100);
      }
      out.push_back(p);
    }
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::RocksDbStore> store_ = OpenStore(dir_.Sub("db"));
  testing::DomainWorld world_{*store_, Utc(2026, 7, 1)};
};

TEST_F(ImportJobTest, ChunkedImportEqualsOneWrite) {
  const std::vector<records::Purchase> purchases = Purchases(2000);
  auto once = world_.purchases.Put("once", purchases, "requests");
  ASSERT_THAT(once, IsOk());

  auto job = world_.purchases.StartImport("bulk", "requests",
                                          WriteMode::kCreateOrReplace);
  ASSERT_THAT(job, IsOk());
  for (size_t i = 0; i < purchases.size(); i += 150) {
    std::vector<records::Purchase> chunk(
        purchases.begin() + static_cast<std::ptrdiff_t>(i),
        purchases.begin() +
            static_cast<std::ptrdiff_t>(std::min(purchases.size(), i + 150)));
    ASSERT_THAT((*job)->Add(std::move(chunk)), IsOk());
  }
  // Nothing is visible before the commit.
  EXPECT_THAT(world_.purchases.Get("bulk", "p0"),
              StatusIs(absl::StatusCode::kNotFound));
  auto bulk = (*job)->Commit();
  ASSERT_THAT(bulk, IsOk());
  EXPECT_EQ(bulk->received, once->received);
  EXPECT_EQ(bulk->created, once->created);
  EXPECT_EQ(bulk->updated, once->updated);
  for (const char* metric : {"aov", "purchase_frequency",
                             "repeat_purchase_rate", "clv_historical"}) {
    EXPECT_EQ(Value(world_.metrics, "bulk", metric),
              Value(world_.metrics, "once", metric))
        << metric;
  }
  EXPECT_GT(Value(world_.metrics, "bulk", "aov"), 0);

  // Sessions (distinct visitors) and responses the same way.
  std::vector<records::Session> sessions;
  std::vector<records::Response> responses;
  for (int i = 0; i < 1500; ++i) {
    records::Session s;
    s.set_id(absl::StrCat("s", i));
    s.set_visitor_id(absl::StrCat("v", i % 170));
    s.set_start_time_us(
        absl::ToUnixMicros(Utc(2026, 1, 1) + absl::Hours(i % 1900)));
    s.set_page_views(1 + i % 4);
    s.set_converted(i % 9 == 0);
    sessions.push_back(s);
    records::Response r;
    r.set_id(absl::StrCat("r", i % 1400));  // the last 100 sent again
    r.set_survey_id("nps");
    r.set_score(static_cast<int>((i % 1400) % 11));
    r.set_submit_time_us(
        absl::ToUnixMicros(Utc(2026, 1, 1) + absl::Hours((i % 1400) % 2000)));
    responses.push_back(r);
  }
  ASSERT_THAT(world_.sessions.Put("once", sessions, "requests"), IsOk());
  ASSERT_THAT(world_.responses.SubmitAll("once", responses, "requests"),
              IsOk());
  auto session_job = world_.sessions.StartImport("bulk", "requests",
                                                 WriteMode::kCreateOrReplace);
  auto response_job = world_.responses.StartImport("bulk", "requests");
  ASSERT_THAT(session_job, IsOk());
  ASSERT_THAT(response_job, IsOk());
  for (size_t i = 0; i < 1500; i += 200) {
    const auto from = static_cast<std::ptrdiff_t>(i);
    const auto to =
        static_cast<std::ptrdiff_t>(std::min<size_t>(1500, i + 200));
    ASSERT_THAT(
        (*session_job)->Add({sessions.begin() + from, sessions.begin() + to}),
        IsOk());
    ASSERT_THAT((*response_job)
                    ->Add({responses.begin() + from, responses.begin() + to}),
                IsOk());
  }
  ASSERT_THAT((*session_job)->Commit(), IsOk());
  auto counts = (*response_job)->Commit();
  ASSERT_THAT(counts, IsOk());
  EXPECT_EQ(counts->stored, 1400);
  EXPECT_EQ(counts->duplicates, 100);
  for (const char* metric :
       {"dau", "mau", "stickiness", "conversion_rate", "pages_per_session"}) {
    EXPECT_EQ(Value(world_.metrics, "bulk", metric),
              Value(world_.metrics, "once", metric))
        << metric;
  }
  EXPECT_EQ(Value(world_.survey_metrics, "bulk", "nps"),
            Value(world_.survey_metrics, "once", "nps"));
  EXPECT_EQ(Value(world_.survey_metrics, "bulk", "response_count"), 1400);
}

TEST_F(ImportJobTest, ABadRowInALateChunkStoresNothing) {
  std::vector<records::Purchase> purchases = Purchases(1000);
  purchases[905].set_amount(-5);  // negative, and not a refund
  purchases[905].clear_refund_of();
  auto job = world_.purchases.StartImport("bulk", "requests",
                                          WriteMode::kCreateOrReplace);
  ASSERT_THAT(job, IsOk());
  absl::Status failed;
  for (size_t i = 0; i < purchases.size() && failed.ok(); i += 100) {
    failed =
        (*job)->Add({purchases.begin() + static_cast<std::ptrdiff_t>(i),
                     purchases.begin() + static_cast<std::ptrdiff_t>(i) + 100});
  }
  EXPECT_THAT(failed, StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_EQ(errors::FieldViolations(failed).size(), 1U);
  EXPECT_EQ(errors::FieldViolations(failed)[0].field,
            "requests[905].purchase.amount");
  job->reset();  // the stream ends with the error: the job is dropped
  EXPECT_THAT(world_.purchases.Get("bulk", "p0"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(Value(world_.metrics, "bulk", "aov"), -1);
  EXPECT_TRUE(std::filesystem::is_empty(dir_.Sub("db.imports")));
}

TEST_F(ImportJobTest, OneJobOfAKindPerWorkspaceAtATime) {
  auto first = world_.purchases.StartImport("bulk", "requests",
                                            WriteMode::kCreateOrReplace);
  ASSERT_THAT(first, IsOk());
  // A second purchase import of the workspace waits for the first to end;
  // other kinds and other workspaces do not.
  EXPECT_THAT(world_.purchases
                  .StartImport("bulk", "requests", WriteMode::kCreateOrReplace)
                  .status(),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(world_.sessions.StartImport("bulk", "requests",
                                          WriteMode::kCreateOrReplace),
              IsOk());
  EXPECT_THAT(world_.purchases.StartImport("once", "requests",
                                           WriteMode::kCreateOrReplace),
              IsOk());
  ASSERT_THAT((*first)->Add(Purchases(10)), IsOk());
  ASSERT_THAT((*first)->Commit(), IsOk());
  EXPECT_THAT(world_.purchases.StartImport("bulk", "requests",
                                           WriteMode::kCreateOrReplace),
              IsOk());
}

TEST_F(ImportJobTest, AConcurrentWriteOfAStagedRecordAbortsTheCommit) {
  const std::vector<records::Purchase> purchases = Purchases(300);
  auto job = world_.purchases.StartImport("bulk", "requests",
                                          WriteMode::kCreateOrReplace);
  ASSERT_THAT(job, IsOk());
  ASSERT_THAT((*job)->Add(purchases), IsOk());
  // Another call writes p3 while the job runs; a record the job does not
  // hold is no conflict.
  records::Purchase other = purchases[3];
  other.set_amount(777);
  ASSERT_THAT(world_.purchases.Put("bulk", {other}, ""), IsOk());
  records::Purchase unrelated = purchases[0];
  unrelated.set_id("elsewhere");
  ASSERT_THAT(world_.purchases.Put("bulk", {unrelated}, ""), IsOk());
  EXPECT_THAT((*job)->Commit(), StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(world_.purchases.Get("bulk", "p0"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(world_.purchases.Get("bulk", "p3")->amount(), 777);

  // Run again, it stores the file (p3 as the file has it).
  auto again = world_.purchases.StartImport("bulk", "requests",
                                            WriteMode::kCreateOrReplace);
  ASSERT_THAT((*again)->Add(purchases), IsOk());
  auto counts = (*again)->Commit();
  ASSERT_THAT(counts, IsOk());
  EXPECT_EQ(counts->updated, 1 + 30);  // p3, and the ids sent twice
  EXPECT_EQ(world_.purchases.Get("bulk", "p3")->amount(),
            purchases[3].amount());

  // The same file once more creates nothing and leaves every KPI as it
  // was; only the ids it sends twice are replaced (twice each) on the way.
  const double aov = Value(world_.metrics, "bulk", "aov");
  auto third = world_.purchases.StartImport("bulk", "requests",
                                            WriteMode::kCreateOrReplace);
  ASSERT_THAT((*third)->Add(purchases), IsOk());
  auto rerun = (*third)->Commit();
  ASSERT_THAT(rerun, IsOk());
  EXPECT_EQ(rerun->created, 0);
  EXPECT_EQ(rerun->updated, 60);
  EXPECT_EQ(Value(world_.metrics, "bulk", "aov"), aov);
}

TEST_F(ImportJobTest, AnErasureDuringTheImportAbortsTheCommit) {
  auto job = world_.responses.StartImport("bulk", "requests");
  ASSERT_THAT(job, IsOk());
  records::Response r;
  r.set_id("r1");
  r.set_survey_id("nps");
  r.set_customer_id("c1");
  r.set_score(9);
  r.set_submit_time_us(absl::ToUnixMicros(Utc(2026, 2, 1)));
  ASSERT_THAT((*job)->Add({r}), IsOk());
  ASSERT_THAT(world_.privacy.Erase("bulk", "c1"), IsOk());
  EXPECT_THAT((*job)->Commit(), StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(world_.responses.Get("bulk", "r1"),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace mittari::domain
