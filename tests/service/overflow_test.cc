// Bad input cannot corrupt or wrap, through a real server on RocksDB: the
// largest accepted values, sent many times, leave every KPI equal to its
// recomputation; sums driven past the int64 limits saturate and flag their
// points only (no failed merge, no DATA_LOSS, the other points and the other
// workspaces exact); values beyond the bounds are refused by field.
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "mittari/v1/customer.grpc.pb.h"
#include "mittari/v1/kpi.grpc.pb.h"
#include "tests/testing/test_server.h"

namespace mittari::service {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::mittari::testing::TestServer;
using ::testing::HasSubstr;

constexpr int64_t kMaxAmount = 1'000'000'000'000;

google::protobuf::Timestamp At(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

absl::Time Utc(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

class OverflowTest : public ::testing::Test {
 protected:
  const std::string kWs = "workspaces/default";

  void SetUp() override {
    customers_ = v1::CustomerService::NewStub(server_.channel());
    kpi_ = v1::KpiService::NewStub(server_.channel());
    v1::CreateCustomerRequest customer;
    customer.set_parent(kWs);
    customer.set_customer_id("c1");
    *customer.mutable_customer()->mutable_acquire_time() = At(Utc(2020, 1, 1));
    v1::Customer c;
    ASSERT_TRUE(customers_->CreateCustomer(Ctx().get(), customer, &c).ok());
  }

  std::unique_ptr<grpc::ClientContext> Ctx() const {
    return TestServer::Context(server_.admin_key());
  }

  v1::QueryMetricResponse Query(const std::string& metric, absl::Time from,
                                absl::Time to,
                                const std::string& group_by = "") {
    v1::QueryMetricRequest q;
    q.set_parent(kWs);
    q.set_metric(metric);
    *q.mutable_range()->mutable_start_time() = At(from);
    *q.mutable_range()->mutable_end_time() = At(to);
    if (!group_by.empty()) q.add_group_by(group_by);
    v1::QueryMetricResponse response;
    grpc::Status s = kpi_->QueryMetric(Ctx().get(), q, &response);
    EXPECT_TRUE(s.ok()) << metric << ": " << s.error_message();
    return response;
  }

  TestServer server_;
  std::unique_ptr<v1::CustomerService::Stub> customers_;
  std::unique_ptr<v1::KpiService::Stub> kpi_;
};

TEST_F(OverflowTest, TheLargestAcceptedAmountsManyTimesStayExact) {
  // 2,000 purchases of 10^12 minor units on one day and one key: 2e15.
  for (int batch = 0; batch < 2; ++batch) {
    v1::BatchRecordPurchasesRequest request;
    request.set_parent(kWs);
    for (int i = 0; i < 1000; ++i) {
      v1::RecordPurchaseRequest* p = request.add_requests();
      p->set_purchase_id(absl::StrCat("p-", batch, "-", i));
      p->mutable_purchase()->set_customer_id("c1");
      *p->mutable_purchase()->mutable_purchase_time() = At(Utc(2025, 3, 1));
      p->mutable_purchase()->mutable_amount()->set_minor_units(kMaxAmount);
    }
    v1::ImportSummary summary;
    grpc::Status s =
        customers_->BatchRecordPurchases(Ctx().get(), request, &summary);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  v1::QueryMetricResponse aov = Query("aov", Utc(2025, 1, 1), Utc(2026, 1, 1));
  ASSERT_EQ(aov.points_size(), 1);
  EXPECT_FALSE(aov.points(0).overflowed());
  EXPECT_EQ(aov.points(0).n(), 2000);
  EXPECT_DOUBLE_EQ(aov.points(0).value(), static_cast<double>(kMaxAmount));
  v1::QueryMetricResponse clv =
      Query("clv_historical", Utc(2025, 1, 1), Utc(2026, 1, 1));
  ASSERT_EQ(clv.points_size(), 1);
  EXPECT_DOUBLE_EQ(clv.points(0).value(), 2000.0 * kMaxAmount);

  // One more is refused, by field, and changes nothing.
  v1::RecordPurchaseRequest more;
  more.set_parent(kWs);
  more.set_purchase_id("too-much");
  more.mutable_purchase()->set_customer_id("c1");
  *more.mutable_purchase()->mutable_purchase_time() = At(Utc(2025, 3, 1));
  more.mutable_purchase()->mutable_amount()->set_minor_units(kMaxAmount + 1);
  v1::Purchase out;
  grpc::Status s = customers_->RecordPurchase(Ctx().get(), more, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("purchase.amount.minor_units"));
}

TEST_F(OverflowTest, ASumPastTheLimitFlagsItsPointOnly) {
  // Tickets answered 55 years after they were opened: each adds ~1.7e15
  // microseconds to its day's first-response sum, so 6,000 of them on one
  // day pass int64's 9.2e18.
  const absl::Time opened = Utc(1970, 1, 2);
  const absl::Time answered = Utc(2025, 12, 31);
  for (int batch = 0; batch < 6; ++batch) {
    v1::BatchRecordTicketsRequest request;
    request.set_parent(kWs);
    for (int i = 0; i < 1000; ++i) {
      v1::RecordTicketRequest* t = request.add_requests();
      t->set_ticket_id(absl::StrCat("t-", batch, "-", i));
      t->mutable_ticket()->set_customer_id("c1");
      t->mutable_ticket()->set_channel("email");
      *t->mutable_ticket()->mutable_create_time() = At(opened);
      *t->mutable_ticket()->mutable_first_response_time() = At(answered);
      if (i % 2 == 0) {
        *t->mutable_ticket()->mutable_resolve_time() = At(answered);
      }
    }
    v1::ImportSummary summary;
    grpc::Status s =
        customers_->BatchRecordTickets(Ctx().get(), request, &summary);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // A calm ticket on another channel, and one on another day.
  for (const auto& [id, channel, day] : {std::tuple{"calm", "chat", opened},
                                         {"later", "email", Utc(2025, 6, 1)}}) {
    v1::RecordTicketRequest t;
    t.set_parent(kWs);
    t.set_ticket_id(id);
    t.mutable_ticket()->set_customer_id("c1");
    t.mutable_ticket()->set_channel(channel);
    *t.mutable_ticket()->mutable_create_time() = At(day);
    *t.mutable_ticket()->mutable_first_response_time() =
        At(day + absl::Minutes(30));
    v1::Ticket out;
    ASSERT_TRUE(customers_->RecordTicket(Ctx().get(), t, &out).ok());
  }

  // The flooded point is flagged, with no value; the query does not fail.
  v1::QueryMetricResponse frt =
      Query("first_response_time", Utc(1970, 1, 1), Utc(1970, 1, 5));
  ASSERT_EQ(frt.points_size(), 1);
  EXPECT_TRUE(frt.points(0).overflowed());
  EXPECT_FALSE(frt.points(0).has_value());
  // By channel: only the flooded group is flagged.
  frt =
      Query("first_response_time", Utc(1970, 1, 1), Utc(1970, 1, 5), "channel");
  ASSERT_EQ(frt.points_size(), 2);
  for (const v1::MetricPoint& p : frt.points()) {
    if (p.group().at("channel") == "chat") {
      EXPECT_FALSE(p.overflowed());
      EXPECT_DOUBLE_EQ(p.value(), 1800);
    } else {
      EXPECT_TRUE(p.overflowed());
    }
  }
  // Another day is exact; so are the other counters of the flooded day.
  frt = Query("first_response_time", Utc(2025, 1, 1), Utc(2026, 1, 1));
  ASSERT_EQ(frt.points_size(), 1);
  EXPECT_FALSE(frt.points(0).overflowed());
  EXPECT_DOUBLE_EQ(frt.points(0).value(), 1800);
  v1::QueryMetricResponse volume =
      Query("ticket_volume", Utc(1970, 1, 1), Utc(1970, 1, 5));
  ASSERT_EQ(volume.points_size(), 1);
  // The whole counter vector of the flooded key is flagged: its other
  // counters passed no limit, but they share the key's value.
  EXPECT_TRUE(volume.points(0).overflowed());
  volume = Query("ticket_volume", Utc(1970, 1, 1), Utc(1970, 1, 5), "channel");
  for (const v1::MetricPoint& p : volume.points()) {
    if (p.group().at("channel") == "chat") {
      EXPECT_DOUBLE_EQ(p.value(), 1);
    }
  }
  // The workspace keeps taking writes, and another workspace is untouched.
  v1::RecordTicketRequest t;
  t.set_parent(kWs);
  t.set_ticket_id("after");
  t.mutable_ticket()->set_customer_id("c1");
  *t.mutable_ticket()->mutable_create_time() = At(Utc(2025, 7, 1));
  v1::Ticket out;
  EXPECT_TRUE(customers_->RecordTicket(Ctx().get(), t, &out).ok());
  volume = Query("ticket_volume", Utc(2025, 1, 1), Utc(2026, 1, 1));
  EXPECT_DOUBLE_EQ(volume.points(0).value(), 2);
}

TEST_F(OverflowTest, NumbersAndTimesOutsideTheirBoundsAreRefusedByField) {
  v1::RecordSessionRequest session;
  session.set_parent(kWs);
  session.set_session_id("s-1");
  session.mutable_session()->set_visitor_id("v");
  // Seconds whose microseconds would not fit in int64.
  session.mutable_session()->mutable_start_time()->set_seconds(int64_t{1}
                                                               << 62);
  v1::Session out;
  grpc::Status s = customers_->RecordSession(Ctx().get(), session, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("session.start_time"));
  session.mutable_session()->mutable_start_time()->set_seconds(-5);
  s = customers_->RecordSession(Ctx().get(), session, &out);
  EXPECT_THAT(s.error_message(), HasSubstr("session.start_time"));
  *session.mutable_session()->mutable_start_time() = At(Utc(2025, 1, 1));
  session.mutable_session()->set_page_views(int64_t{1} << 40);
  s = customers_->RecordSession(Ctx().get(), session, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("session.page_views"));

  v1::QueryMetricRequest q;
  q.set_parent(kWs);
  q.set_metric("nps");
  q.mutable_range()->mutable_start_time()->set_seconds(
      std::numeric_limits<int64_t>::max());
  *q.mutable_range()->mutable_end_time() = At(Utc(2025, 1, 1));
  v1::QueryMetricResponse response;
  s = kpi_->QueryMetric(Ctx().get(), q, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("range.start_time"));
}

}  // namespace
}  // namespace mittari::service
