#include "domain/responses.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace mittari::domain {
namespace {

using ::mittari::testing::IsOk;
using ::mittari::testing::StatusIs;
using ::testing::ElementsAre;

constexpr absl::string_view kWs = "w";

class ResponsesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(workspaces_.Create(kWs, "W", "Europe/Helsinki", "EUR"), IsOk());
    for (auto [id, kind] : {std::pair{"nps", SurveyKind::kNps},
                            {"csat", SurveyKind::kCsat},
                            {"ces", SurveyKind::kCes},
                            {"text", SurveyKind::kText}}) {
      records::Survey s;
      s.set_id(id);
      s.set_kind(static_cast<int>(kind));
      s.set_question("q");
      s.set_touchpoint("checkout");
      ASSERT_THAT(surveys_.Create(kWs, s), IsOk());
    }
    records::Survey tagged;
    tagged.set_id("tagged");
    tagged.set_kind(static_cast<int>(SurveyKind::kNps));
    tagged.set_question("q");
    tagged.add_tag_vocabulary("price");
    ASSERT_THAT(surveys_.Create(kWs, tagged), IsOk());
    records::Customer c;
    c.set_id("c1");
    c.set_display_name("Ada");
    c.set_email("ada@example.com");
    c.set_segment("enterprise");
    c.set_region("fi");
    ASSERT_THAT(customers_.Create(kWs, c), IsOk());
  }

  records::Response R(const std::string& id, const std::string& survey,
                      std::optional<int> score, absl::Duration ago) {
    records::Response r;
    r.set_id(id);
    r.set_survey_id(survey);
    r.set_customer_id("c1");
    if (score) r.set_score(*score);
    r.set_submit_time_us(absl::ToUnixMicros(clock_.Now() - ago));
    r.set_channel("web");
    return r;
  }

  std::vector<std::string> Fields(const absl::Status& s) {
    std::vector<std::string> out;
    for (const auto& v : errors::FieldViolations(s)) out.push_back(v.field);
    return out;
  }

  storage::MemoryStore store_;
  testing::FakeClock clock_;
  KeyRing keys_{store_, clock_};
  WorkspaceDirectory workspaces_{store_, keys_, clock_};
  SurveyCatalog surveys_{store_, clock_};
  CustomerDirectory customers_{store_, workspaces_, clock_};
  ResponseLedger ledger_{store_, workspaces_, surveys_, customers_, clock_};
};

TEST_F(ResponsesTest, AChangeInOneWorkspaceHoldsUpNoOther) {
  // Another workspace with the same survey.
  ASSERT_THAT(workspaces_.Create("other", "O", "UTC", "EUR"), IsOk());
  records::Survey s;
  s.set_id("nps");
  s.set_kind(static_cast<int>(SurveyKind::kNps));
  s.set_question("q");
  ASSERT_THAT(surveys_.Create("other", s), IsOk());
  records::Response r = R("r-other", "nps", 9, absl::Hours(1));
  r.clear_customer_id();
  // An erasure and a scale change under way in workspace w hold its gates
  // exclusively; the other workspace's submits, batch and unary, complete.
  absl::WriterMutexLock erasure(&customers_.erasure_gate(kWs).mutex());
  absl::WriterMutexLock scale(&surveys_.scale_gate(kWs).mutex());
  EXPECT_THAT(ledger_.SubmitAll("other", {r}, "requests"), IsOk());
  absl::Notification done;
  r.set_id("r-other-2");
  ledger_.SubmitAsync("other", r, [&](const absl::StatusOr<Submitted>& got) {
    EXPECT_THAT(got, IsOk());
    done.Notify();
  });
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(60)));
}

TEST_F(ResponsesTest, StoresAndCapturesSegmentDimensions) {
  auto stored = ledger_.Submit(kWs, R("r1", "nps", 9, absl::Hours(1)));
  ASSERT_THAT(stored, IsOk());
  EXPECT_EQ(stored->segment(), "enterprise");
  EXPECT_EQ(stored->region(), "fi");
  EXPECT_EQ(stored->touchpoint(), "checkout");  // the survey's default
  EXPECT_EQ(stored->survey_kind(), static_cast<int>(SurveyKind::kNps));

  // A later change of the customer does not rewrite stored responses.
  records::Customer values;
  values.set_segment("smb");
  ASSERT_THAT(customers_.Update(kWs, "c1", values, {"segment"}), IsOk());
  auto again = ledger_.Get(kWs, "r1");
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->segment(), "enterprise");
}

TEST_F(ResponsesTest, ASurveysScaleLocksWithItsFirstResponse) {
  // "nps" and "npsx" share a key prefix: one's responses must not lock the
  // other.
  records::Survey npsx;
  npsx.set_id("npsx");
  npsx.set_kind(static_cast<int>(SurveyKind::kNps));
  npsx.set_question("q");
  ASSERT_THAT(surveys_.Create(kWs, npsx), IsOk());
  records::Survey scale;
  scale.set_kind(static_cast<int>(SurveyKind::kCsat));
  ASSERT_THAT(surveys_.Update(kWs, "nps", scale, {"kind"}), IsOk());
  scale.set_kind(static_cast<int>(SurveyKind::kNps));
  ASSERT_THAT(surveys_.Update(kWs, "nps", scale, {"kind"}), IsOk());

  ASSERT_THAT(ledger_.Submit(kWs, R("r1", "nps", 9, absl::Hours(1))), IsOk());
  scale.set_kind(static_cast<int>(SurveyKind::kCsat));
  absl::StatusOr<records::Survey> refused =
      surveys_.Update(kWs, "nps", scale, {"kind"});
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Fields(refused.status()), ElementsAre("survey.kind"));
  records::Survey question;
  question.set_question("How likely?");
  EXPECT_THAT(surveys_.Update(kWs, "nps", question, {"question"}), IsOk());
  EXPECT_THAT(surveys_.Update(kWs, "npsx", scale, {"kind"}), IsOk());

  // Through an import too.
  records::Survey imported = *surveys_.Get(kWs, "nps");
  imported.set_kind(static_cast<int>(SurveyKind::kCes));
  auto import = surveys_.Import(kWs, {imported});
  EXPECT_THAT(import, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Fields(import.status()), ElementsAre("surveys[0].survey.kind"));
}

TEST_F(ResponsesTest, NoResponseIsStoredAgainstAScaleThatChangedAfterIt) {
  // Responses arrive while a survey's kind keeps changing. A change is
  // allowed only while the survey has no responses, so every response
  // stored must have been checked against the survey's last kind.
  for (int round = 0; round < 30; ++round) {
    const std::string survey = absl::StrCat("flip", round);
    records::Survey s;
    s.set_id(survey);
    s.set_kind(static_cast<int>(SurveyKind::kCsat));
    s.set_question("q");
    ASSERT_THAT(surveys_.Create(kWs, s), IsOk());
    std::atomic<bool> locked{false};
    std::atomic<int> pending{0};
    std::thread writer([&] {
      for (int n = 0; n < 50 || !locked.load(); ++n) {
        records::Response r =
            R(absl::StrCat(survey, "-", n), survey, 5, absl::Hours(1));
        if (n % 4 == 3) {  // the synchronous path too
          (void)ledger_.Submit(kWs, r);
          continue;
        }
        ++pending;
        ledger_.SubmitAsync(
            kWs, r, [&](const absl::StatusOr<Submitted>&) { --pending; });
      }
    });
    for (int flip = 0; !locked.load(); ++flip) {
      if (flip == 10000) {
        ADD_FAILURE() << "round " << round << ": the scale never locked";
        locked = true;
        break;
      }
      records::Survey kind;
      kind.set_kind(static_cast<int>(flip % 2 == 0 ? SurveyKind::kCes
                                                   : SurveyKind::kCsat));
      locked = !surveys_.Update(kWs, survey, kind, {"kind"}).ok();
      absl::SleepFor(absl::Microseconds(50));
    }
    writer.join();
    while (pending.load() > 0) absl::SleepFor(absl::Milliseconds(1));
    ASSERT_THAT(surveys_.Get(kWs, survey), IsOk());
    const int kind = surveys_.Get(kWs, survey)->kind();
    ResponseFilter filter;
    filter.survey_id = survey;
    auto page = ledger_.List(kWs, filter, "", 1000);
    ASSERT_THAT(page, IsOk());
    ASSERT_FALSE(page->items.empty());
    for (const records::Response& r : page->items) {
      ASSERT_EQ(r.survey_kind(), kind) << "round " << round << ": " << r.id();
    }
  }
}

TEST_F(ResponsesTest, ValidatesEveryFieldAndNamesIt) {
  records::Response r = R("bad id!", "nps", 11, -absl::Hours(1));
  r.set_customer_id("nobody");
  r.set_comment(std::string(5000, 'x'));
  absl::Status s = ledger_.Submit(kWs, r).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Fields(s),
              ::testing::UnorderedElementsAre(
                  "response_id", "response.submit_time", "response.comment",
                  "response.score", "response.customer_id"));

  EXPECT_THAT(
      Fields(ledger_.Submit(kWs, R("a", "missing", 5, absl::ZeroDuration()))
                 .status()),
      ElementsAre("response.survey_id"));
  EXPECT_THAT(
      Fields(ledger_.Submit(kWs, R("b", "text", 5, absl::ZeroDuration()))
                 .status()),
      ElementsAre("response.score"));
  EXPECT_THAT(
      Fields(
          ledger_.Submit(kWs, R("c", "nps", std::nullopt, absl::ZeroDuration()))
              .status()),
      ElementsAre("response.score"));
  records::Response tagged = R("d", "tagged", 5, absl::ZeroDuration());
  tagged.add_tags("speakers");
  EXPECT_THAT(Fields(ledger_.Submit(kWs, tagged).status()),
              ElementsAre("response.tags"));
  // A little clock skew is accepted; anonymous responses too.
  records::Response skewed = R("e", "nps", 5, -absl::Minutes(4));
  skewed.clear_customer_id();
  EXPECT_THAT(ledger_.Submit(kWs, skewed), IsOk());

  ASSERT_THAT(surveys_.Archive(kWs, "csat"), IsOk());
  EXPECT_THAT(
      Fields(ledger_.Submit(kWs, R("f", "csat", 5, absl::ZeroDuration()))
                 .status()),
      ElementsAre("response.survey_id"));
}

TEST_F(ResponsesTest, SubmitsAreIdempotentById) {
  records::Response r = R("r1", "nps", 3, absl::Hours(1));
  ASSERT_THAT(ledger_.Submit(kWs, r), IsOk());
  auto counts = ledger_.SubmitAll(kWs, {r, r}, "requests");
  ASSERT_THAT(counts, IsOk());
  EXPECT_EQ(counts->stored, 0);
  EXPECT_EQ(counts->duplicates, 2);
  r.set_score(4);
  EXPECT_THAT(ledger_.Submit(kWs, r),
              StatusIs(absl::StatusCode::kAlreadyExists));
  auto stored = ledger_.Get(kWs, "r1");
  ASSERT_THAT(stored, IsOk());
  EXPECT_EQ(stored->score(), 3);
}

TEST_F(ResponsesTest, ABatchWithOneBadResponseStoresNone) {
  std::vector<records::Response> batch = {R("a", "nps", 5, absl::Hours(1)),
                                          R("b", "nps", 12, absl::Hours(1)),
                                          R("c", "csat", 5, absl::Hours(1))};
  absl::Status s = ledger_.SubmitAll(kWs, batch, "requests").status();
  EXPECT_THAT(Fields(s), ElementsAre("requests[1].response.score"));
  for (const char* id : {"a", "b", "c"}) {
    EXPECT_THAT(ledger_.Get(kWs, id), StatusIs(absl::StatusCode::kNotFound));
  }
  batch[1].set_score(10);
  auto counts = ledger_.SubmitAll(kWs, batch, "requests");
  ASSERT_THAT(counts, IsOk());
  EXPECT_EQ(counts->stored, 3);
}

TEST_F(ResponsesTest, ListsNewestFirstWithFilters) {
  records::Response a = R("a", "nps", 9, absl::Hours(3));
  a.set_comment("Great SERVICE");
  a.add_tags("price");
  records::Response b = R("b", "csat", 2, absl::Hours(2));
  records::Response c = R("c", "nps", 1, absl::Hours(1));
  c.set_channel("email");
  ASSERT_THAT(ledger_.SubmitAll(kWs, {a, b, c}, "requests"), IsOk());
  auto ids = [&](const ResponseFilter& f, int limit = 10) {
    std::vector<std::string> out;
    std::string after;
    do {
      auto page = ledger_.List(kWs, f, after, limit);
      EXPECT_THAT(page, IsOk());
      for (const auto& r : page->items) out.push_back(r.id());
      after = page->next_after;
    } while (!after.empty());
    return out;
  };
  EXPECT_THAT(ids({}), ElementsAre("c", "b", "a"));
  EXPECT_THAT(ids({}, 1), ElementsAre("c", "b", "a"));
  ResponseFilter f;
  f.survey_id = "nps";
  EXPECT_THAT(ids(f), ElementsAre("c", "a"));
  f = {};
  f.text = "great service";
  EXPECT_THAT(ids(f), ElementsAre("a"));
  f = {};
  f.tag = "price";
  EXPECT_THAT(ids(f), ElementsAre("a"));
  f = {};
  f.channel = "email";
  EXPECT_THAT(ids(f), ElementsAre("c"));
  f = {};
  f.from_us = absl::ToUnixMicros(clock_.Now() - absl::Hours(2));
  f.to_us = absl::ToUnixMicros(clock_.Now() - absl::Hours(1));
  EXPECT_THAT(ids(f), ElementsAre("b"));  // half-open: c is at `to`
}

TEST_F(ResponsesTest, FollowUpsAreLowScoresNewestFirstWithTheCustomer) {
  ASSERT_THAT(ledger_.SubmitAll(kWs,
                                {R("promoter", "nps", 10, absl::Hours(5)),
                                 R("detractor", "nps", 6, absl::Hours(4)),
                                 R("unhappy", "csat", 2, absl::Hours(3)),
                                 R("content", "csat", 3, absl::Hours(2)),
                                 R("effort", "ces", 1, absl::Hours(1))},
                                "requests"),
              IsOk());
  auto page = ledger_.FollowUps(kWs, {}, "", 10);
  ASSERT_THAT(page, IsOk());
  std::vector<std::string> ids;
  for (const auto& item : page->items) {
    ids.push_back(item.response.id());
    ASSERT_TRUE(item.customer.has_value());
    EXPECT_EQ(item.customer->email(), "ada@example.com");
  }
  EXPECT_THAT(ids, ElementsAre("unhappy", "detractor"));
}

TEST_F(ResponsesTest, InvitationsAreIdempotent) {
  records::InvitationBatch b;
  b.set_id("mail-1");
  b.set_survey_id("nps");
  b.set_channel("email");
  b.set_count(100);
  ASSERT_THAT(ledger_.RecordInvitations(kWs, b), IsOk());
  ASSERT_THAT(ledger_.RecordInvitations(kWs, b), IsOk());
  b.set_count(99);
  EXPECT_THAT(ledger_.RecordInvitations(kWs, b),
              StatusIs(absl::StatusCode::kAlreadyExists));
  b.set_count(0);
  b.set_id("mail-2");
  EXPECT_THAT(ledger_.RecordInvitations(kWs, b),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mittari::domain
