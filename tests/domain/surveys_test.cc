#include "domain/surveys.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace mittari::domain {
namespace {

using ::mittari::testing::IsOk;
using ::mittari::testing::StatusIs;

records::Survey Make(SurveyKind kind, std::optional<int> lo = std::nullopt,
                     std::optional<int> hi = std::nullopt) {
  records::Survey s;
  s.set_id("s");
  s.set_kind(static_cast<int>(kind));
  s.set_question("How was it?");
  if (lo) s.set_scale_min(*lo);
  if (hi) s.set_scale_max(*hi);
  return s;
}

records::Survey Normalized(records::Survey s) {
  Violations v;
  SurveyCatalog::Normalize(s, v);
  EXPECT_TRUE(v.empty()) << v.ToStatus();
  return s;
}

TEST(SurveyDefaultsTest, ScalesAndThresholdsFollowMetricsMd) {
  records::Survey nps = Normalized(Make(SurveyKind::kNps));
  EXPECT_EQ(nps.scale_min(), 0);
  EXPECT_EQ(nps.scale_max(), 10);
  EXPECT_EQ(nps.positive_threshold(), 9);
  EXPECT_EQ(nps.low_threshold(), 6);
  EXPECT_TRUE(IsLow(nps, 6));
  EXPECT_FALSE(IsLow(nps, 7));

  records::Survey csat = Normalized(Make(SurveyKind::kCsat));
  EXPECT_EQ(csat.scale_min(), 1);
  EXPECT_EQ(csat.scale_max(), 5);
  EXPECT_EQ(csat.positive_threshold(), 4);  // top 2 boxes of 1-5
  EXPECT_EQ(csat.low_threshold(), 2);       // 1-2 are followed up
  EXPECT_TRUE(IsPositive(csat, 4));
  EXPECT_FALSE(IsPositive(csat, 3));

  EXPECT_EQ(Normalized(Make(SurveyKind::kCsat, 1, 3)).positive_threshold(), 3);
  EXPECT_EQ(Normalized(Make(SurveyKind::kCsat, 1, 7)).positive_threshold(), 6);
  EXPECT_EQ(Normalized(Make(SurveyKind::kCsat, 1, 10)).positive_threshold(), 8);

  records::Survey ces = Normalized(Make(SurveyKind::kCes));
  EXPECT_EQ(ces.scale_max(), 7);
  EXPECT_FALSE(ces.has_low_threshold());  // no follow-up unless set
  EXPECT_FALSE(IsLow(ces, 1));

  records::Survey effort = Make(SurveyKind::kCes, 1, 7);
  effort.set_direction(static_cast<int>(Direction::kLowerIsBetter));
  effort = Normalized(effort);
  EXPECT_EQ(effort.positive_threshold(), 2);
  EXPECT_TRUE(IsPositive(effort, 1));
  EXPECT_FALSE(IsPositive(effort, 3));
}

TEST(SurveyDefaultsTest, RejectsBadDefinitions) {
  for (records::Survey s :
       {Make(SurveyKind::kNps, 1, 10), Make(SurveyKind::kRating, 5, 5),
        Make(static_cast<SurveyKind>(0))}) {
    Violations v;
    SurveyCatalog::Normalize(s, v);
    EXPECT_FALSE(v.empty()) << s.DebugString();
  }
  records::Survey text = Make(SurveyKind::kText, 1, 5);
  Violations v;
  SurveyCatalog::Normalize(text, v);
  EXPECT_FALSE(v.empty());
}

TEST(SurveyCatalogTest, CreateUpdateArchiveImport) {
  storage::MemoryStore store;
  testing::FakeClock clock;
  SurveyCatalog surveys(store, clock);
  ASSERT_THAT(surveys.Create("w", Make(SurveyKind::kNps)), IsOk());
  EXPECT_THAT(surveys.Create("w", Make(SurveyKind::kNps)),
              StatusIs(absl::StatusCode::kAlreadyExists));
  records::Survey values;
  values.set_question("Would you recommend us?");
  auto updated = surveys.Update("w", "s", values, {"question"});
  ASSERT_THAT(updated, IsOk());
  EXPECT_EQ(updated->question(), "Would you recommend us?");
  EXPECT_EQ(updated->scale_max(), 10);
  EXPECT_THAT(surveys.Update("w", "s", values, {"create_time_us"}),
              StatusIs(absl::StatusCode::kInvalidArgument));

  auto archived = surveys.Archive("w", "s");
  ASSERT_THAT(archived, IsOk());
  EXPECT_EQ(archived->state(), static_cast<int>(SurveyState::kClosed));
  auto listed = surveys.List("w", "", 10, 0, false);
  ASSERT_THAT(listed, IsOk());
  EXPECT_TRUE(listed->items.empty());
  listed = surveys.List("w", "", 10, 0, true);
  ASSERT_THAT(listed, IsOk());
  EXPECT_EQ(listed->items.size(), 1U);

  std::vector<records::Survey> batch = {Make(SurveyKind::kCsat)};
  batch[0].set_id("c");
  auto counts = surveys.Import("w", batch);
  ASSERT_THAT(counts, IsOk());
  EXPECT_EQ(counts->created, 1);
  counts = surveys.Import("w", batch);
  ASSERT_THAT(counts, IsOk());
  EXPECT_EQ(counts->unchanged, 1);
  batch.push_back(Make(SurveyKind::kNps, 0, 5));
  batch[1].set_id("bad");
  absl::Status bad = surveys.Import("w", batch).status();
  EXPECT_THAT(bad, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(errors::FieldViolations(bad).at(0).field,
            "surveys[1].survey.scale_min");
  EXPECT_THAT(surveys.Get("w", "bad"), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace mittari::domain
