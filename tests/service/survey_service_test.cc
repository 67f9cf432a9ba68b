// SurveyService and CustomerService through a real server and stubs.
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "mittari/v1/customer.grpc.pb.h"
#include "mittari/v1/survey.grpc.pb.h"
#include "tests/testing/test_server.h"

namespace mittari::service {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::mittari::testing::TestServer;

class SurveyServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    surveys_ = v1::SurveyService::NewStub(server_.channel());
    customers_ = v1::CustomerService::NewStub(server_.channel());
    v1::CreateSurveyRequest create;
    create.set_parent("workspaces/default");
    create.set_survey_id("nps");
    create.mutable_survey()->set_kind(v1::SURVEY_KIND_NPS);
    create.mutable_survey()->set_question("Recommend us?");
    v1::Survey survey;
    ASSERT_TRUE(
        surveys_->CreateSurvey(Ctx(server_.admin_key()).get(), create, &survey)
            .ok());
    EXPECT_EQ(survey.scale_max(), 10);
    ingest_ = CreateKey(v1::ROLE_INGEST);
    read_ = CreateKey(v1::ROLE_READ);
  }

  std::string CreateKey(v1::Role role) {
    v1::CreateApiKeyRequest request;
    request.set_parent("workspaces/default");
    request.mutable_api_key()->set_role(role);
    v1::ApiKey key;
    EXPECT_TRUE(
        server_.admin()
            ->CreateApiKey(Ctx(server_.admin_key()).get(), request, &key)
            .ok());
    return key.secret();
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& key) {
    return TestServer::Context(key);
  }

  v1::SubmitResponseRequest Item(const std::string& id, int score) {
    v1::SubmitResponseRequest r;
    r.set_parent("workspaces/default");
    r.set_response_id(id);
    r.mutable_response()->set_survey_id("nps");
    r.mutable_response()->set_score(score);
    *r.mutable_response()->mutable_submit_time() =
        TimeUtil::MicrosecondsToTimestamp(
            absl::ToUnixMicros(server_.clock().Now()));
    return r;
  }

  TestServer server_;
  std::unique_ptr<v1::SurveyService::Stub> surveys_;
  std::unique_ptr<v1::CustomerService::Stub> customers_;
  std::string ingest_;
  std::string read_;
};

TEST_F(SurveyServiceTest, AnIngestKeySubmitsButCannotRead) {
  v1::Response stored;
  ASSERT_TRUE(
      surveys_->SubmitResponse(Ctx(ingest_).get(), Item("r1", 9), &stored)
          .ok());
  EXPECT_EQ(stored.name(), "workspaces/default/responses/r1");
  v1::ListResponsesRequest list;
  list.set_parent("workspaces/default");
  v1::ListResponsesResponse page;
  EXPECT_EQ(
      surveys_->ListResponses(Ctx(ingest_).get(), list, &page).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(surveys_->ListResponses(Ctx(read_).get(), list, &page).ok());
  EXPECT_EQ(page.responses_size(), 1);
  // A read key cannot submit, nor create surveys.
  EXPECT_EQ(surveys_->SubmitResponse(Ctx(read_).get(), Item("r2", 9), &stored)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(SurveyServiceTest, IdempotentSubmitAndConflicts) {
  v1::Response first;
  v1::Response again;
  ASSERT_TRUE(
      surveys_->SubmitResponse(Ctx(ingest_).get(), Item("r1", 9), &first).ok());
  ASSERT_TRUE(
      surveys_->SubmitResponse(Ctx(ingest_).get(), Item("r1", 9), &again).ok());
  EXPECT_EQ(first.outcome(), v1::WRITE_OUTCOME_CREATED);
  EXPECT_EQ(again.outcome(), v1::WRITE_OUTCOME_UNCHANGED);
  EXPECT_EQ(first.name(), again.name());
  EXPECT_EQ(surveys_->SubmitResponse(Ctx(ingest_).get(), Item("r1", 8), &again)
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(SurveyServiceTest, BatchesAndStreamsAreAllOrNothing) {
  v1::BatchSubmitResponsesRequest batch;
  batch.set_parent("workspaces/default");
  *batch.add_requests() = Item("a", 1);
  *batch.add_requests() = Item("b", 42);
  v1::BatchSubmitResponsesResponse result;
  grpc::Status s =
      surveys_->BatchSubmitResponses(Ctx(ingest_).get(), batch, &result);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              ::testing::HasSubstr("requests[1].response.score"));

  auto context = Ctx(ingest_);
  auto writer = surveys_->StreamSubmitResponses(context.get(), &result);
  for (int chunk = 0; chunk < 3; ++chunk) {
    v1::StreamSubmitResponsesRequest message;
    message.set_parent("workspaces/default");
    for (int i = 0; i < 100; ++i) {
      *message.add_requests() =
          Item("s" + std::to_string(chunk * 100 + i), i % 11);
    }
    ASSERT_TRUE(writer->Write(message));
  }
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(result.received(), 300);
  EXPECT_EQ(result.stored(), 300);

  v1::ListFollowUpsRequest follow;
  follow.set_parent("workspaces/default");
  follow.set_page_size(1000);
  v1::ListFollowUpsResponse page;
  ASSERT_TRUE(surveys_->ListFollowUps(Ctx(read_).get(), follow, &page).ok());
  int low = 0;
  for (int i = 0; i < 300; ++i) low += (i % 100) % 11 <= 6 ? 1 : 0;
  EXPECT_EQ(page.follow_ups_size(), low);
}

TEST_F(SurveyServiceTest, OtherWorkspacesAreOutOfReach) {
  v1::CreateWorkspaceRequest create;
  create.set_workspace_id("other");
  create.mutable_workspace()->set_display_name("Other");
  v1::CreateWorkspaceResponse other;
  ASSERT_TRUE(
      server_.admin()
          ->CreateWorkspace(Ctx(server_.operator_key()).get(), create, &other)
          .ok());
  v1::SubmitResponseRequest item = Item("x", 5);
  item.set_parent("workspaces/other");
  v1::Response stored;
  EXPECT_EQ(
      surveys_->SubmitResponse(Ctx(ingest_).get(), item, &stored).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::GetSurveyRequest get;
  get.set_name("workspaces/default/surveys/nps");
  v1::Survey survey;
  EXPECT_EQ(
      surveys_->GetSurvey(Ctx(other.admin_key().secret()).get(), get, &survey)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(SurveyServiceTest, CustomersImportAndUpdateWithAMask) {
  auto context = Ctx(server_.admin_key());
  v1::ImportSummary summary;
  auto writer = customers_->ImportCustomers(context.get(), &summary);
  v1::ImportCustomersRequest message;
  message.set_parent("workspaces/default");
  for (int i = 0; i < 3; ++i) {
    v1::ImportedCustomer* c = message.add_customers();
    c->set_customer_id("c" + std::to_string(i));
    c->mutable_customer()->set_segment("smb");
  }
  ASSERT_TRUE(writer->Write(message));
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(summary.created(), 3);

  v1::UpdateCustomerRequest update;
  update.mutable_customer()->set_name("workspaces/default/customers/c1");
  update.mutable_customer()->set_segment("enterprise");
  update.mutable_customer()->set_email("ignored@example.com");
  update.mutable_update_mask()->add_paths("segment");
  v1::Customer updated;
  ASSERT_TRUE(
      customers_
          ->UpdateCustomer(Ctx(server_.admin_key()).get(), update, &updated)
          .ok());
  EXPECT_EQ(updated.segment(), "enterprise");
  EXPECT_EQ(updated.email(), "");
  v1::ListCustomersRequest list;
  list.set_parent("workspaces/default");
  list.set_segment("smb");
  v1::ListCustomersResponse page;
  ASSERT_TRUE(customers_->ListCustomers(Ctx(read_).get(), list, &page).ok());
  EXPECT_EQ(page.customers_size(), 2);
}

}  // namespace
}  // namespace mittari::service
