// The follow-up workflow through a real server: low scores become open
// items; UpdateFollowUp moves them (open -> contacted -> closed, or
// dismissed) and refuses other moves; ListFollowUps filters by state and
// assignee; followup_closed_rate and followup_time_to_contact follow
// metrics.md, with group-by; an erasure takes the notes with the person.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "mittari/v1/customer.grpc.pb.h"
#include "mittari/v1/kpi.grpc.pb.h"
#include "mittari/v1/survey.grpc.pb.h"
#include "tests/testing/test_server.h"

namespace mittari::service {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::mittari::testing::TestServer;
using ::testing::HasSubstr;

class FollowUpsTest : public ::testing::Test {
 protected:
  const std::string kWs = "workspaces/default";
  const absl::Time kSubmitted = absl::FromCivil(
      absl::CivilSecond(2026, 6, 15, 9, 0, 0), absl::UTCTimeZone());

  void SetUp() override {
    server_.clock().Set(kSubmitted + absl::Minutes(1));
    kpi_ = v1::KpiService::NewStub(server_.channel());
    surveys_ = v1::SurveyService::NewStub(server_.channel());
    customers_ = v1::CustomerService::NewStub(server_.channel());
    ASSERT_TRUE(server_.CreateNpsSurvey().ok());
    v1::CreateCustomerRequest customer;
    customer.set_parent(kWs);
    customer.set_customer_id("c1");
    customer.mutable_customer()->set_display_name("Ada");
    v1::Customer c;
    ASSERT_TRUE(customers_->CreateCustomer(Ctx().get(), customer, &c).ok());
    // Three detractors (one of c1) and a promoter, all at 09:00.
    for (auto [id, score] : std::vector<std::pair<std::string, int>>{
             {"r-1", 2}, {"r-2", 5}, {"r-3", 0}, {"r-4", 10}}) {
      v1::SubmitResponseRequest r;
      r.set_parent(kWs);
      r.set_response_id(id);
      r.mutable_response()->set_survey_id("nps");
      r.mutable_response()->set_score(score);
      r.mutable_response()->set_channel("email");
      if (id == "r-1") r.mutable_response()->set_customer_id("c1");
      *r.mutable_response()->mutable_submit_time() =
          TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(kSubmitted));
      v1::Response done;
      grpc::Status s = surveys_->SubmitResponse(Ctx().get(), r, &done);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }

  std::unique_ptr<grpc::ClientContext> Ctx() const {
    return TestServer::Context(server_.admin_key());
  }

  grpc::Status Update(const std::string& id, v1::FollowUpState state,
                      const std::string& assignee = "",
                      const std::string& notes = "",
                      v1::FollowUp* out = nullptr) {
    v1::UpdateFollowUpRequest request;
    request.mutable_follow_up()->set_name(kWs + "/followUps/" + id);
    if (state != v1::FOLLOW_UP_STATE_UNSPECIFIED) {
      request.mutable_follow_up()->set_state(state);
      request.mutable_update_mask()->add_paths("state");
    }
    if (!assignee.empty()) {
      request.mutable_follow_up()->set_assignee(assignee);
      request.mutable_update_mask()->add_paths("assignee");
    }
    if (!notes.empty()) {
      request.mutable_follow_up()->set_notes(notes);
      request.mutable_update_mask()->add_paths("notes");
    }
    v1::FollowUp ignored;
    return surveys_->UpdateFollowUp(Ctx().get(), request,
                                    out == nullptr ? &ignored : out);
  }

  std::vector<std::string> Listed(v1::FollowUpState state = {},
                                  const std::string& assignee = "") {
    v1::ListFollowUpsRequest request;
    request.set_parent(kWs);
    request.set_state(state);
    request.set_assignee(assignee);
    v1::ListFollowUpsResponse response;
    grpc::Status s = surveys_->ListFollowUps(Ctx().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const v1::FollowUp& f : response.follow_ups()) {
      ids.push_back(f.name().substr(f.name().rfind('/') + 1));
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  // The points of `metric` over the day, by group when `group_by`.
  std::map<std::string, v1::MetricPoint> Points(const std::string& metric,
                                                const std::string& group_by) {
    std::map<std::string, v1::MetricPoint> out;
    v1::QueryMetricRequest q;
    q.set_parent(kWs);
    q.set_metric(metric);
    *q.mutable_range()->mutable_start_time() =
        TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(kSubmitted) - 86400);
    *q.mutable_range()->mutable_end_time() =
        TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(kSubmitted) + 86400);
    q.add_group_by(group_by);
    v1::QueryMetricResponse response;
    grpc::Status s = kpi_->QueryMetric(Ctx().get(), q, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const v1::MetricPoint& p : response.points()) {
      out[p.group().at(group_by)] = p;
    }
    return out;
  }

  v1::MetricPoint Metric(const std::string& metric,
                         const std::string& group_by = "") {
    v1::QueryMetricRequest q;
    q.set_parent(kWs);
    q.set_metric(metric);
    *q.mutable_range()->mutable_start_time() =
        TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(kSubmitted) - 86400);
    *q.mutable_range()->mutable_end_time() =
        TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(kSubmitted) + 86400);
    if (!group_by.empty()) q.add_group_by(group_by);
    v1::QueryMetricResponse response;
    grpc::Status s = kpi_->QueryMetric(Ctx().get(), q, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (response.points().empty()) return {};
    return response.points(0);
  }

  TestServer server_;
  std::unique_ptr<v1::KpiService::Stub> kpi_;
  std::unique_ptr<v1::SurveyService::Stub> surveys_;
  std::unique_ptr<v1::CustomerService::Stub> customers_;
};

TEST_F(FollowUpsTest, ItemsMoveAlongTheirWorkflowAndTheMetricsFollow) {
  EXPECT_EQ(Listed(v1::FOLLOW_UP_STATE_OPEN),
            (std::vector<std::string>{"r-1", "r-2", "r-3"}));
  // Nothing has moved: none closed of three, no contact time.
  v1::MetricPoint closed = Metric("followup_closed_rate");
  EXPECT_EQ(closed.n(), 3);
  EXPECT_EQ(closed.value(), 0);
  EXPECT_EQ(Metric("followup_time_to_contact").n(), 0);

  server_.clock().Set(kSubmitted + absl::Hours(2));
  v1::FollowUp f;
  ASSERT_TRUE(Update("r-1", v1::FOLLOW_UP_STATE_CONTACTED, "ana",
                     "called, will call back", &f)
                  .ok());
  EXPECT_EQ(f.name(), kWs + "/followUps/r-1");
  EXPECT_EQ(f.state(), v1::FOLLOW_UP_STATE_CONTACTED);
  EXPECT_EQ(f.customer().display_name(), "Ada");
  EXPECT_EQ(TimeUtil::TimestampToSeconds(f.contact_time()),
            absl::ToUnixSeconds(kSubmitted + absl::Hours(2)));
  server_.clock().Set(kSubmitted + absl::Hours(4));
  ASSERT_TRUE(Update("r-2", v1::FOLLOW_UP_STATE_CLOSED, "ben").ok());
  ASSERT_TRUE(Update("r-3", v1::FOLLOW_UP_STATE_DISMISSED).ok());

  // Closed of not dismissed: 1 of 2. Contact: 2 h and 4 h, mean 3 h.
  closed = Metric("followup_closed_rate");
  EXPECT_EQ(closed.n(), 2);
  EXPECT_EQ(closed.value(), 50);
  EXPECT_TRUE(closed.has_ci_low());
  v1::MetricPoint contact = Metric("followup_time_to_contact");
  EXPECT_EQ(contact.n(), 2);
  EXPECT_EQ(contact.value(), 3 * 3600);
  // By assignee: ana's item is not closed yet, ben's is; the dismissed
  // one, without an assignee, counts in no rate.
  std::map<std::string, v1::MetricPoint> by =
      Points("followup_closed_rate", "assignee");
  EXPECT_EQ(by["ana"].value(), 0);
  EXPECT_EQ(by["ben"].value(), 100);
  EXPECT_FALSE(by[""].has_value());
  EXPECT_EQ(Listed(v1::FOLLOW_UP_STATE_CONTACTED),
            (std::vector<std::string>{"r-1"}));
  EXPECT_EQ(Listed({}, "ben"), (std::vector<std::string>{"r-2"}));

  // Closing the contacted one keeps its contact time.
  server_.clock().Set(kSubmitted + absl::Hours(9));
  ASSERT_TRUE(Update("r-1", v1::FOLLOW_UP_STATE_CLOSED, "", "", &f).ok());
  EXPECT_EQ(TimeUtil::TimestampToSeconds(f.contact_time()),
            absl::ToUnixSeconds(kSubmitted + absl::Hours(2)));
  EXPECT_EQ(Metric("followup_closed_rate").value(), 100);
  EXPECT_EQ(Metric("followup_time_to_contact").value(), 3 * 3600);
}

TEST_F(FollowUpsTest, OtherMovesAndOtherResponsesAreRefused) {
  ASSERT_TRUE(Update("r-2", v1::FOLLOW_UP_STATE_CLOSED).ok());
  grpc::Status back = Update("r-2", v1::FOLLOW_UP_STATE_OPEN);
  EXPECT_EQ(back.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(back.error_message(), HasSubstr("follow_up.state"));
  EXPECT_THAT(back.error_message(), HasSubstr("from closed to open"));
  // A promoter is no follow-up item; nor is a response that does not exist.
  EXPECT_EQ(Update("r-4", v1::FOLLOW_UP_STATE_CONTACTED).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Update("r-9", v1::FOLLOW_UP_STATE_CONTACTED).error_code(),
            grpc::StatusCode::NOT_FOUND);
  grpc::Status long_notes = Update("r-1", {}, "", std::string(10'001, 'x'));
  EXPECT_EQ(long_notes.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(long_notes.error_message(), HasSubstr("follow_up.notes"));
  // Nothing of the refused updates changed the metrics.
  EXPECT_EQ(Metric("followup_closed_rate").n(), 3);
}

TEST_F(FollowUpsTest, AnErasureTakesTheNotesWithThePerson) {
  ASSERT_TRUE(
      Update("r-1", v1::FOLLOW_UP_STATE_CONTACTED, "ana", "Ada's home number")
          .ok());
  v1::EraseCustomerRequest erase;
  erase.set_name(kWs + "/customers/c1");
  v1::EraseCustomerResponse erased;
  ASSERT_TRUE(customers_->EraseCustomer(Ctx().get(), erase, &erased).ok());
  v1::ListFollowUpsRequest request;
  request.set_parent(kWs);
  request.set_state(v1::FOLLOW_UP_STATE_CONTACTED);
  v1::ListFollowUpsResponse response;
  ASSERT_TRUE(surveys_->ListFollowUps(Ctx().get(), request, &response).ok());
  ASSERT_EQ(response.follow_ups_size(), 1);
  EXPECT_EQ(response.follow_ups(0).notes(), "");
  EXPECT_EQ(response.follow_ups(0).assignee(), "ana");
  EXPECT_FALSE(response.follow_ups(0).has_customer());
  // The item still counts.
  EXPECT_EQ(Metric("followup_time_to_contact").n(), 1);
}

}  // namespace
}  // namespace mittari::service
