// The alert evaluator's parts below the server: the robust deviation of
// metrics.md; a matching response's inbox entry, written in the
// response's own batch, which a later evaluator drains after a crash of
// the first; and webhook endpoints and retries.
#include "domain/alerts.h"

#include <memory>
#include <string>

#include "common/errors.h"
#include "domain/keys.h"
#include "domain/kpi/deviation.h"
#include "domain/scorecard.h"
#include "domain/targets.h"
#include "domain/touchpoints.h"
#include "domain/webhooks.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"
#include "storage/observed_store.h"
#include "tests/testing/domain_world.h"
#include "tests/testing/status_matchers.h"

namespace mittari::domain {
namespace {

using ::mittari::testing::DomainWorld;
using ::mittari::testing::IsOk;
using ::testing::Optional;

TEST(DeviationTest, MedianAndMadOfTheWindow) {
  // m = 40, |y - m| = 2 0 2 4 1 3 2 -> MAD 2, s = 2.9652.
  std::optional<kpi::Deviation> d =
      kpi::DeviationOf(10, {38, 40, 42, 44, 39, 37, 42}, 7);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->median, 40);
  EXPECT_NEAR(d->scale, 1.4826 * 2, 1e-12);
  EXPECT_NEAR(d->z, -30 / (1.4826 * 2), 1e-12);
}

TEST(DeviationTest, AZeroMadFallsBackToTheMeanAbsoluteDeviation) {
  // m = 5, MAD 0; mean |y - m| = 6/5 -> s = 1.2533 * 1.2.
  std::optional<kpi::Deviation> d = kpi::DeviationOf(8, {5, 5, 5, 2, 8}, 5);
  ASSERT_TRUE(d.has_value());
  EXPECT_NEAR(d->scale, 1.2533 * 1.2, 1e-12);
  EXPECT_NEAR(d->z, 3 / (1.2533 * 1.2), 1e-12);
}

TEST(DeviationTest, UndefinedWithoutEnoughBucketsOrAnySpread) {
  // A window of 10 needs 5 qualifying buckets; any window needs 3.
  EXPECT_FALSE(kpi::DeviationOf(1, {1, 2, 3, 4}, 10).has_value());
  EXPECT_TRUE(kpi::DeviationOf(1, {1, 2, 3, 4, 5}, 10).has_value());
  EXPECT_FALSE(kpi::DeviationOf(1, {1, 2}, 3).has_value());
  EXPECT_FALSE(kpi::DeviationOf(1, {4, 4, 4, 4}, 4).has_value());
}

absl::Time Now() {
  return absl::FromCivil(absl::CivilDay(2026, 7, 1), absl::UTCTimeZone()) +
         absl::Hours(12);
}

// An evaluator over the world, as the server wires it.
struct Evaluator {
  Evaluator(storage::Store& store, DomainWorld& world, AlertRules& rules)
      : targets(store, world.clock),
        touchpoints(store, world.clock),
        engines(world.survey_metrics, world.metrics),
        scorecards(targets, touchpoints, world.workspaces, engines,
                   world.clock),
        webhooks(store, world.clock, {}),
        alerts(store,
               Alerts::Sources{rules, targets, scorecards, world.events,
                               world.workspaces, engines, webhooks},
               world.clock, {}) {}
  Targets targets;
  Touchpoints touchpoints;
  kpi::Engines engines;
  Scorecards scorecards;
  Webhooks webhooks;
  Alerts alerts;
};

TEST(AlertInboxTest, AResponseStoredBeforeACrashIsJudgedAfterIt) {
  auto memory = std::make_unique<storage::MemoryStore>();
  storage::MemoryStore& raw = *memory;
  storage::ObservedStore store(std::move(memory));
  DomainWorld world(store, Now());
  AlertRules rules(store, world.clock);
  ASSERT_THAT(world.workspaces.Create("w", "W", "UTC", "EUR"), IsOk());
  records::Survey survey;
  survey.set_id("nps");
  survey.set_kind(static_cast<int>(SurveyKind::kNps));
  survey.set_question("Recommend us?");
  ASSERT_THAT(world.surveys.Create("w", survey), IsOk());
  records::AlertRule rule;
  rule.set_id("detractors");
  rule.set_kind(static_cast<int>(RuleKind::kResponse));
  rule.set_score_max(6);
  ASSERT_THAT(rules.Create("w", rule), IsOk());

  auto first = std::make_unique<Evaluator>(store, world, rules);
  ASSERT_THAT(first->alerts.Load(), IsOk());
  store.AddObserver(&first->alerts);
  records::Response r;
  r.set_id("r-1");
  r.set_survey_id("nps");
  r.set_score(2);
  r.set_submit_time_us(absl::ToUnixMicros(Now()));
  ASSERT_THAT(world.responses.Submit("w", r), IsOk());
  // The entry came with the response, in its write.
  EXPECT_THAT(
      raw.Get(storage::ColumnFamily::kIndex, keys::AlertInbox("w", "r-1")),
      ::mittari::testing::IsOkAndHolds(Optional(::testing::_)));

  // The evaluator "crashes" before judging; the next one finds the entry.
  Evaluator second(raw, world, rules);
  ASSERT_THAT(second.alerts.Load(), IsOk());
  ASSERT_THAT(second.alerts.Evaluate("w"), IsOk());
  absl::StatusOr<Page<records::Alert>> alerts =
      second.alerts.List("w", {}, "", 10);
  ASSERT_THAT(alerts, IsOk());
  ASSERT_EQ(alerts->items.size(), 1U);
  EXPECT_EQ(alerts->items[0].trigger().at("response"),
            "workspaces/w/responses/r-1");
  EXPECT_FALSE(alerts->items[0].trigger().contains("customer"));
  // Drained: judging again raises nothing more.
  ASSERT_THAT(second.alerts.Evaluate("w"), IsOk());
  EXPECT_EQ(second.alerts.List("w", {}, "", 10)->items.size(), 1U);
  EXPECT_THAT(
      raw.Get(storage::ColumnFamily::kIndex, keys::AlertInbox("w", "r-1")),
      ::mittari::testing::IsOkAndHolds(std::nullopt));
}

TEST(WebhooksTest, EndpointsAreCheckedAndRetriesBackOffThenGiveUp) {
  google::protobuf::RepeatedPtrField<std::string> urls;
  for (const char* url :
       {"https://hooks.example.com/a", "http://10.0.0.1:8080",
        "ftp://example.com", "https:///nohost", "http://a b.example"}) {
    urls.Add(url);
  }
  Violations v;
  Webhooks::Check(urls, v);
  std::vector<std::string> fields;
  for (const auto& f : errors::FieldViolations(v.ToStatus())) {
    fields.push_back(f.field);
  }
  EXPECT_THAT(fields, ::testing::ElementsAre("alert_rule.webhooks[2]",
                                             "alert_rule.webhooks[3]",
                                             "alert_rule.webhooks[4]"));

  storage::MemoryStore store;
  testing::FakeClock clock(Now());
  Webhooks::Options options;
  options.first_backoff = absl::Seconds(1);
  options.max_backoff = absl::Seconds(5);
  options.give_up_after = absl::Minutes(1);
  Webhooks webhooks(store, clock, options);
  records::Alert alert;
  alert.set_id("000000000001");
  alert.set_sequence(1);
  storage::WriteBatch batch;
  google::protobuf::RepeatedPtrField<std::string> one;
  one.Add("http://127.0.0.1:9/x");
  webhooks.AddDeliveries(batch, "w", one, alert);
  ASSERT_THAT(store.Write(batch), IsOk());

  // Due now; each failure doubles the wait, up to the most.
  std::vector<absl::Duration> waits;
  for (int i = 0; i < 5; ++i) {
    absl::Time next;
    absl::StatusOr<std::vector<Webhooks::Pending>> due =
        webhooks.Due(10, &next);
    ASSERT_THAT(due, IsOk());
    ASSERT_EQ(due->size(), 1U);
    ASSERT_THAT(webhooks.Failed(due->front()), IsOk());
    ASSERT_THAT(webhooks.Due(10, &next), IsOk());
    waits.push_back(next - clock.Now());
    clock.Advance(next - clock.Now());
  }
  EXPECT_THAT(waits, ::testing::ElementsAre(absl::Seconds(1), absl::Seconds(2),
                                            absl::Seconds(4), absl::Seconds(5),
                                            absl::Seconds(5)));
  // Past give_up_after, a failure drops it.
  clock.Advance(absl::Minutes(1));
  absl::Time next;
  absl::StatusOr<std::vector<Webhooks::Pending>> due = webhooks.Due(10, &next);
  ASSERT_EQ(due->size(), 1U);
  EXPECT_THAT(webhooks.Failed(due->front()),
              ::mittari::testing::IsOkAndHolds(true));
  EXPECT_TRUE(webhooks.Due(10, &next)->empty());
  EXPECT_EQ(next, absl::InfiniteFuture());
}

}  // namespace
}  // namespace mittari::domain
