// The public ingest key only adds, through a real server and stubs: it
// creates and resends identical records, never replaces one (a
// registration's first check-in aside), never refunds, is replied the name
// and the outcome only, and learns nothing of the server; a stream whose
// key is revoked while it runs stores nothing.
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "mittari/v1/customer.grpc.pb.h"
#include "mittari/v1/event.grpc.pb.h"
#include "mittari/v1/survey.grpc.pb.h"
#include "tests/testing/test_server.h"

namespace mittari::service {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::mittari::testing::TestServer;
using ::testing::HasSubstr;
using ::testing::Not;

class IngestTest : public ::testing::Test {
 protected:
  const std::string kWs = "workspaces/default";

  void SetUp() override {
    customers_ = v1::CustomerService::NewStub(server_.channel());
    events_ = v1::EventService::NewStub(server_.channel());
    surveys_ = v1::SurveyService::NewStub(server_.channel());
    admin_ = server_.admin_key();
    ingest_ = CreateKey(v1::ROLE_INGEST).secret();
    write_ = CreateKey(v1::ROLE_WRITE).secret();

    v1::CreateCustomerRequest customer;
    customer.set_parent(kWs);
    customer.set_customer_id("c1");
    customer.mutable_customer()->set_segment("enterprise");
    customer.mutable_customer()->set_region("north");
    *customer.mutable_customer()->mutable_acquire_time() = Time(-90 * 24);
    v1::Customer c;
    ASSERT_TRUE(
        customers_->CreateCustomer(Ctx(admin_).get(), customer, &c).ok());
    v1::CreateEventRequest event;
    event.set_parent(kWs);
    event.set_event_id("web-1");
    event.mutable_event()->set_display_name("Webinar");
    event.mutable_event()->set_kind("webinar");
    *event.mutable_event()->mutable_start_time() = Time(-2);
    *event.mutable_event()->mutable_end_time() = Time(-1);
    v1::Event e;
    grpc::Status s = events_->CreateEvent(Ctx(admin_).get(), event, &e);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_TRUE(server_.CreateNpsSurvey().ok());
  }

  v1::ApiKey CreateKey(v1::Role role) {
    v1::CreateApiKeyRequest request;
    request.set_parent(kWs);
    request.mutable_api_key()->set_role(role);
    v1::ApiKey key;
    EXPECT_TRUE(
        server_.admin()->CreateApiKey(Ctx(admin_).get(), request, &key).ok());
    return key;
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& key) {
    return TestServer::Context(key);
  }

  // `hours` from the server's (fake) now.
  google::protobuf::Timestamp Time(int hours) {
    return TimeUtil::SecondsToTimestamp(
        absl::ToUnixSeconds(server_.clock().Now() + absl::Hours(hours)));
  }

  v1::RecordPurchaseRequest Purchase(const std::string& id, int64_t amount) {
    v1::RecordPurchaseRequest r;
    r.set_parent(kWs);
    r.set_purchase_id(id);
    r.mutable_purchase()->set_customer_id("c1");
    *r.mutable_purchase()->mutable_purchase_time() = Time(-3);
    r.mutable_purchase()->mutable_amount()->set_minor_units(amount);
    return r;
  }

  grpc::Status Record(const std::string& key,
                      const v1::RecordPurchaseRequest& request,
                      v1::Purchase* out) {
    return customers_->RecordPurchase(Ctx(key).get(), request, out);
  }

  v1::RecordRegistrationRequest Registration(bool attended, int minutes) {
    v1::RecordRegistrationRequest r;
    r.set_parent(kWs);
    v1::Registration* g = r.mutable_registration();
    g->set_event_id("web-1");
    g->set_customer_id("c1");
    *g->mutable_register_time() = Time(-48);
    g->set_attended(attended);
    if (attended) *g->mutable_check_in_time() = Time(-2);
    g->set_minutes_attended(minutes);
    return r;
  }

  TestServer server_;
  std::unique_ptr<v1::CustomerService::Stub> customers_;
  std::unique_ptr<v1::EventService::Stub> events_;
  std::unique_ptr<v1::SurveyService::Stub> surveys_;
  std::string admin_;
  std::string ingest_;
  std::string write_;
};

TEST_F(IngestTest, CreatesResendsAndNeverReplaces) {
  v1::Purchase reply;
  ASSERT_TRUE(Record(ingest_, Purchase("p-1", 4990), &reply).ok());
  EXPECT_EQ(reply.outcome(), v1::WRITE_OUTCOME_CREATED);
  // The name and the outcome only: nothing stored is echoed.
  v1::Purchase expected;
  expected.set_name("workspaces/default/purchases/p-1");
  expected.set_outcome(v1::WRITE_OUTCOME_CREATED);
  EXPECT_EQ(reply.SerializeAsString(), expected.SerializeAsString());

  ASSERT_TRUE(Record(ingest_, Purchase("p-1", 4990), &reply).ok());
  EXPECT_EQ(reply.outcome(), v1::WRITE_OUTCOME_UNCHANGED);

  grpc::Status changed = Record(ingest_, Purchase("p-1", 1), &reply);
  EXPECT_EQ(changed.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(changed.error_message(), Not(HasSubstr("4990")));
  v1::GetPurchaseRequest get;
  get.set_name("workspaces/default/purchases/p-1");
  v1::Purchase stored;
  ASSERT_TRUE(customers_->GetPurchase(Ctx(write_).get(), get, &stored).ok());
  EXPECT_EQ(stored.amount().minor_units(), 4990);

  // A write key replaces, and is replied the whole record.
  ASSERT_TRUE(Record(write_, Purchase("p-1", 1000), &reply).ok());
  EXPECT_EQ(reply.outcome(), v1::WRITE_OUTCOME_UPDATED);
  EXPECT_EQ(reply.amount().minor_units(), 1000);
  EXPECT_EQ(reply.segment(), "enterprise");
}

TEST_F(IngestTest, ABatchWithOneChangedRecordStoresNothing) {
  v1::Purchase reply;
  ASSERT_TRUE(Record(ingest_, Purchase("p-1", 100), &reply).ok());
  v1::BatchRecordPurchasesRequest batch;
  batch.set_parent(kWs);
  *batch.add_requests() = Purchase("p-2", 200);
  *batch.add_requests() = Purchase("p-1", 999);
  v1::ImportSummary summary;
  grpc::Status s =
      customers_->BatchRecordPurchases(Ctx(ingest_).get(), batch, &summary);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("requests[1]."));
  v1::GetPurchaseRequest get;
  get.set_name("workspaces/default/purchases/p-2");
  v1::Purchase stored;
  EXPECT_EQ(
      customers_->GetPurchase(Ctx(write_).get(), get, &stored).error_code(),
      grpc::StatusCode::NOT_FOUND);
  // The same batch with a write key replaces.
  ASSERT_TRUE(
      customers_->BatchRecordPurchases(Ctx(write_).get(), batch, &summary)
          .ok());
  EXPECT_EQ(summary.created(), 1);
  EXPECT_EQ(summary.updated(), 1);
}

TEST_F(IngestTest, SessionsAndTicketsOnlyAdd) {
  v1::RecordSessionRequest session;
  session.set_parent(kWs);
  session.set_session_id("s-1");
  session.mutable_session()->set_visitor_id("v-1");
  *session.mutable_session()->mutable_start_time() = Time(-1);
  session.mutable_session()->set_page_views(3);
  v1::Session s;
  ASSERT_TRUE(customers_->RecordSession(Ctx(ingest_).get(), session, &s).ok());
  EXPECT_EQ(s.outcome(), v1::WRITE_OUTCOME_CREATED);
  EXPECT_EQ(s.visitor_id(), "");
  session.mutable_session()->set_converted(true);
  EXPECT_EQ(
      customers_->RecordSession(Ctx(ingest_).get(), session, &s).error_code(),
      grpc::StatusCode::ALREADY_EXISTS);

  v1::RecordTicketRequest ticket;
  ticket.set_parent(kWs);
  ticket.set_ticket_id("t-1");
  ticket.mutable_ticket()->set_customer_id("c1");
  ticket.mutable_ticket()->set_channel("chat");
  *ticket.mutable_ticket()->mutable_create_time() = Time(-5);
  v1::Ticket t;
  ASSERT_TRUE(customers_->RecordTicket(Ctx(ingest_).get(), ticket, &t).ok());
  EXPECT_EQ(t.segment(), "");
  *ticket.mutable_ticket()->mutable_resolve_time() = Time(-4);
  EXPECT_EQ(
      customers_->RecordTicket(Ctx(ingest_).get(), ticket, &t).error_code(),
      grpc::StatusCode::ALREADY_EXISTS);
  ASSERT_TRUE(customers_->RecordTicket(Ctx(write_).get(), ticket, &t).ok());
  EXPECT_EQ(t.outcome(), v1::WRITE_OUTCOME_UPDATED);
}

TEST_F(IngestTest, RefundsNeedAWriteKey) {
  v1::Purchase reply;
  ASSERT_TRUE(Record(ingest_, Purchase("p-1", 5000), &reply).ok());
  v1::RecordPurchaseRequest refund = Purchase("p-1r", -5000);
  refund.mutable_purchase()->set_refund_of("p-1");
  grpc::Status s = Record(ingest_, refund, &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("write"));
  ASSERT_TRUE(Record(write_, refund, &reply).ok());
  EXPECT_EQ(reply.outcome(), v1::WRITE_OUTCOME_CREATED);
}

TEST_F(IngestTest, ARegistrationGainsItsCheckInOnce) {
  v1::Registration reply;
  ASSERT_TRUE(events_
                  ->RecordRegistration(Ctx(ingest_).get(),
                                       Registration(false, 0), &reply)
                  .ok());
  EXPECT_EQ(reply.outcome(), v1::WRITE_OUTCOME_CREATED);
  EXPECT_EQ(reply.name(), "workspaces/default/events/web-1/registrations/c1");
  EXPECT_EQ(reply.customer_id(), "");
  // The check-in: not attended -> attended, with its time and minutes.
  ASSERT_TRUE(events_
                  ->RecordRegistration(Ctx(ingest_).get(),
                                       Registration(true, 45), &reply)
                  .ok());
  EXPECT_EQ(reply.outcome(), v1::WRITE_OUTCOME_UPDATED);
  ASSERT_TRUE(events_
                  ->RecordRegistration(Ctx(ingest_).get(),
                                       Registration(true, 45), &reply)
                  .ok());
  EXPECT_EQ(reply.outcome(), v1::WRITE_OUTCOME_UNCHANGED);
  // Never undone, never changed again.
  EXPECT_EQ(events_
                ->RecordRegistration(Ctx(ingest_).get(), Registration(false, 0),
                                     &reply)
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(events_
                ->RecordRegistration(Ctx(ingest_).get(), Registration(true, 50),
                                     &reply)
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  // A check-in that also changes the registration time is not a check-in.
  v1::RecordRegistrationRequest other = Registration(false, 0);
  other.mutable_registration()->set_customer_id("c1");
  other.mutable_registration()->set_event_id("web-1");
  ASSERT_TRUE(
      events_->RecordRegistration(Ctx(write_).get(), other, &reply).ok());
  EXPECT_EQ(reply.outcome(), v1::WRITE_OUTCOME_UPDATED);
  v1::RecordRegistrationRequest moved = Registration(true, 45);
  *moved.mutable_registration()->mutable_register_time() = Time(-47);
  EXPECT_EQ(events_->RecordRegistration(Ctx(ingest_).get(), moved, &reply)
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(IngestTest, ResponsesReplyTheNameAndOutcomeOnly) {
  v1::SubmitResponseRequest r;
  r.set_parent(kWs);
  r.set_response_id("r-1");
  r.mutable_response()->set_survey_id("nps");
  r.mutable_response()->set_customer_id("c1");
  r.mutable_response()->set_score(3);
  *r.mutable_response()->mutable_submit_time() = Time(-1);
  v1::Response reply;
  ASSERT_TRUE(surveys_->SubmitResponse(Ctx(ingest_).get(), r, &reply).ok());
  v1::Response expected;
  expected.set_name("workspaces/default/responses/r-1");
  expected.set_outcome(v1::WRITE_OUTCOME_CREATED);
  EXPECT_EQ(reply.SerializeAsString(), expected.SerializeAsString());
  ASSERT_TRUE(surveys_->SubmitResponse(Ctx(write_).get(), r, &reply).ok());
  EXPECT_EQ(reply.outcome(), v1::WRITE_OUTCOME_UNCHANGED);
  EXPECT_EQ(reply.segment(), "enterprise");
  // An error names the field, not the survey's stored scale.
  r.set_response_id("r-2");
  r.mutable_response()->set_score(11);
  grpc::Status s = surveys_->SubmitResponse(Ctx(ingest_).get(), r, &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("response.score"));
  EXPECT_THAT(s.error_message(), Not(HasSubstr("10")));
}

TEST_F(IngestTest, ServerInfoTellsTheIngestKeyOnlyItsWorkspaceAndRole) {
  v1::ServerInfo info;
  ASSERT_TRUE(
      server_.admin()
          ->GetServerInfo(Ctx(ingest_).get(), v1::GetServerInfoRequest(), &info)
          .ok());
  EXPECT_EQ(info.workspace(), kWs);
  EXPECT_EQ(info.role(), v1::ROLE_INGEST);
  EXPECT_EQ(info.version(), "");
  EXPECT_EQ(info.schema_version(), 0);
  EXPECT_FALSE(info.has_start_time());
  ASSERT_TRUE(
      server_.admin()
          ->GetServerInfo(Ctx(write_).get(), v1::GetServerInfoRequest(), &info)
          .ok());
  EXPECT_NE(info.version(), "");
}

TEST_F(IngestTest, AStreamWhoseKeyIsRevokedStoresNothing) {
  v1::ApiKey key = CreateKey(v1::ROLE_INGEST);
  auto context = Ctx(key.secret());
  v1::ImportSummary summary;
  auto stream = customers_->ImportSessions(context.get(), &summary);
  v1::ImportSessionsRequest message;
  message.set_parent(kWs);
  v1::RecordSessionRequest* item = message.add_requests();
  item->set_session_id("s-stream");
  item->mutable_session()->set_visitor_id("v-1");
  *item->mutable_session()->mutable_start_time() = Time(-1);
  ASSERT_TRUE(stream->Write(message));
  v1::RevokeApiKeyRequest revoke;
  revoke.set_name(key.name());
  v1::ApiKey revoked;
  ASSERT_TRUE(
      server_.admin()->RevokeApiKey(Ctx(admin_).get(), revoke, &revoked).ok());
  // The server may already have ended the stream: a failed write is fine.
  (void)stream->Write(message);
  stream->WritesDone();
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::GetSessionRequest get;
  get.set_name("workspaces/default/sessions/s-stream");
  v1::Session s;
  EXPECT_EQ(customers_->GetSession(Ctx(write_).get(), get, &s).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace mittari::service
