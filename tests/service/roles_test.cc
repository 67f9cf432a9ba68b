// The role table of product.md, for every RPC of every service: each method
// is called through a generic stub (unary and client-streaming alike) with
// no key, a malformed key, a revoked key, a key of each role, and a key of
// another workspace, and each answer is checked against the table below.
// A method missing from the table fails the test, so a new RPC must say who
// may call it.
#include <array>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "mittari/v1/admin.grpc.pb.h"
#include "mittari/v1/customer.grpc.pb.h"
#include "mittari/v1/event.grpc.pb.h"
#include "mittari/v1/kpi.grpc.pb.h"
#include "mittari/v1/survey.grpc.pb.h"
#include "tests/testing/test_server.h"

namespace mittari::service {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;
using ::mittari::testing::TestServer;

// Who may call a method, from product.md's role table.
enum class Who {
  kIngest,    // ingest, write, admin: submitting new facts
  kRead,      // read, write, admin
  kWrite,     // write, admin
  kAdmin,     // admin
  kOperator,  // operator only
  kReadOrOperator,
  kAdminOrOperator,
  kAnyKey,  // every valid key (GetServerInfo)
};

const std::map<std::string, Who>& Table() {
  static const auto* table = new std::map<std::string, Who>{
      // AdminService
      {"CreateWorkspace", Who::kOperator},
      {"GetWorkspace", Who::kReadOrOperator},
      {"ListWorkspaces", Who::kOperator},
      {"UpdateWorkspace", Who::kAdmin},
      {"DeleteWorkspace", Who::kOperator},
      {"CreateApiKey", Who::kAdmin},
      {"GetApiKey", Who::kAdmin},
      {"ListApiKeys", Who::kAdmin},
      {"RevokeApiKey", Who::kAdmin},
      {"GetServerInfo", Who::kAnyKey},
      {"RotateOperatorKey", Who::kOperator},
      {"CreateBackup", Who::kOperator},
      {"ListBackups", Who::kOperator},
      {"ListAuditEvents", Who::kAdminOrOperator},
      {"ExportWorkspace", Who::kAdmin},
      // CustomerService
      {"CreateCustomer", Who::kWrite},
      {"GetCustomer", Who::kRead},
      {"ListCustomers", Who::kRead},
      {"UpdateCustomer", Who::kWrite},
      {"ImportCustomers", Who::kWrite},
      {"ChurnCustomer", Who::kWrite},
      {"ReactivateCustomer", Who::kWrite},
      {"ExportCustomer", Who::kRead},
      {"EraseCustomer", Who::kAdmin},
      {"RecordPurchase", Who::kIngest},
      {"BatchRecordPurchases", Who::kIngest},
      {"ImportPurchases", Who::kIngest},
      {"GetPurchase", Who::kRead},
      {"ListPurchases", Who::kRead},
      {"RecordSession", Who::kIngest},
      {"BatchRecordSessions", Who::kIngest},
      {"ImportSessions", Who::kIngest},
      {"GetSession", Who::kRead},
      {"ListSessions", Who::kRead},
      {"RecordTicket", Who::kIngest},
      {"BatchRecordTickets", Who::kIngest},
      {"ImportTickets", Who::kIngest},
      {"GetTicket", Who::kRead},
      {"ListTickets", Who::kRead},
      // EventService
      {"CreateEvent", Who::kWrite},
      {"GetEvent", Who::kRead},
      {"ListEvents", Who::kRead},
      {"ImportEvents", Who::kWrite},
      {"ImportEventLines", Who::kWrite},
      {"ImportRegistrations", Who::kIngest},
      {"RecordRegistration", Who::kIngest},
      {"RecordEventSignals", Who::kWrite},
      {"GetEventReport", Who::kRead},
      {"CompareEvents", Who::kRead},
      // KpiService
      {"QueryMetric", Who::kRead},
      {"ComparePeriods", Who::kRead},
      {"ListDimensionValues", Who::kRead},
      {"GetValueReport", Who::kRead},
      {"ForecastMetric", Who::kRead},
      {"CreateTouchpoint", Who::kWrite},
      {"GetTouchpoint", Who::kRead},
      {"ListTouchpoints", Who::kRead},
      {"UpdateTouchpoint", Who::kWrite},
      {"DeleteTouchpoint", Who::kWrite},
      {"SetBaseline", Who::kWrite},
      {"CreateTarget", Who::kWrite},
      {"GetTarget", Who::kRead},
      {"ListTargets", Who::kRead},
      {"UpdateTarget", Who::kWrite},
      {"DeleteTarget", Who::kWrite},
      {"GetScorecard", Who::kRead},
      {"CreateAlertRule", Who::kWrite},
      {"GetAlertRule", Who::kRead},
      {"ListAlertRules", Who::kRead},
      {"UpdateAlertRule", Who::kWrite},
      {"DeleteAlertRule", Who::kWrite},
      {"ListAlerts", Who::kRead},
      {"GetAlert", Who::kRead},
      {"AcknowledgeAlert", Who::kWrite},
      {"ResolveAlert", Who::kWrite},
      {"WatchAlerts", Who::kRead},
      {"WatchMetric", Who::kRead},
      {"GetWebhookSecret", Who::kAdmin},
      {"RotateWebhookSecret", Who::kAdmin},
      // SurveyService
      {"CreateSurvey", Who::kWrite},
      {"GetSurvey", Who::kRead},
      {"ListSurveys", Who::kRead},
      {"UpdateSurvey", Who::kWrite},
      {"ArchiveSurvey", Who::kWrite},
      {"ImportSurveys", Who::kWrite},
      {"SubmitResponse", Who::kIngest},
      {"BatchSubmitResponses", Who::kIngest},
      {"StreamSubmitResponses", Who::kIngest},
      {"GetResponse", Who::kRead},
      {"ListResponses", Who::kRead},
      {"ListFollowUps", Who::kRead},
      {"UpdateFollowUp", Who::kWrite},
      {"RecordInvitations", Who::kWrite},
  };
  return *table;
}

bool Allows(Who who, v1::Role role) {
  switch (who) {
    case Who::kIngest:
      return role == v1::ROLE_INGEST || role == v1::ROLE_WRITE ||
             role == v1::ROLE_ADMIN;
    case Who::kRead:
      return role == v1::ROLE_READ || role == v1::ROLE_WRITE ||
             role == v1::ROLE_ADMIN;
    case Who::kWrite:
      return role == v1::ROLE_WRITE || role == v1::ROLE_ADMIN;
    case Who::kAdmin:
      return role == v1::ROLE_ADMIN;
    case Who::kOperator:
      return role == v1::ROLE_OPERATOR;
    case Who::kReadOrOperator:
      return role == v1::ROLE_OPERATOR || Allows(Who::kRead, role);
    case Who::kAdminOrOperator:
      return role == v1::ROLE_OPERATOR || role == v1::ROLE_ADMIN;
    case Who::kAnyKey:
      return true;
  }
  return false;
}

// Every method of every mittari.v1 service.
std::vector<const MethodDescriptor*> AllMethods() {
  std::vector<const MethodDescriptor*> out;
  for (const Descriptor* in_file :
       {v1::Workspace::descriptor(), v1::Purchase::descriptor(),
        v1::Event::descriptor(), v1::QueryMetricRequest::descriptor(),
        v1::Survey::descriptor()}) {
    const auto* file = in_file->file();
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        out.push_back(file->service(s)->method(m));
      }
    }
  }
  return out;
}

// A request aimed at workspace `ws`: `parent` and `name` fields, at the top
// and one level down (`customer.name` in UpdateCustomer, `query.parent` in
// WatchMetric), name it.
std::string RequestFor(const MethodDescriptor& method, const std::string& ws) {
  google::protobuf::DynamicMessageFactory factory;
  std::unique_ptr<Message> request(
      factory.GetPrototype(method.input_type())->New());
  const std::string target = "workspaces/" + ws;
  auto aim = [&](Message& m) {
    for (const char* field : {"parent", "name"}) {
      const FieldDescriptor* f = m.GetDescriptor()->FindFieldByName(field);
      if (f != nullptr && f->type() == FieldDescriptor::TYPE_STRING &&
          !f->is_repeated()) {
        m.GetReflection()->SetString(&m, f, target);
      }
    }
  };
  aim(*request);
  const Descriptor* d = request->GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->type() == FieldDescriptor::TYPE_MESSAGE && !f->is_repeated() &&
        (f->message_type()->FindFieldByName("name") != nullptr ||
         f->message_type()->FindFieldByName("parent") != nullptr)) {
      aim(*request->GetReflection()->MutableMessage(request.get(), f,
                                                    &factory));
    }
  }
  return request->SerializeAsString();
}

class RolesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string ws : {"alpha", "beta", "doomed"}) {
      v1::CreateWorkspaceRequest request;
      request.set_workspace_id(ws);
      request.mutable_workspace()->set_display_name(ws);
      v1::CreateWorkspaceResponse response;
      grpc::Status status = server_.admin()->CreateWorkspace(
          TestServer::Context(server_.operator_key()).get(), request,
          &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
      admin_keys_[ws] = response.admin_key().secret();
    }
    for (v1::Role role : {v1::ROLE_INGEST, v1::ROLE_READ, v1::ROLE_WRITE}) {
      keys_[role] = CreateKey("alpha", role).secret();
    }
    keys_[v1::ROLE_ADMIN] = admin_keys_["alpha"];
    keys_[v1::ROLE_OPERATOR] = server_.operator_key();
    v1::ApiKey revoked = CreateKey("alpha", v1::ROLE_ADMIN);
    v1::RevokeApiKeyRequest revoke;
    revoke.set_name(revoked.name());
    v1::ApiKey out;
    ASSERT_TRUE(
        server_.admin()
            ->RevokeApiKey(TestServer::Context(admin_keys_["alpha"]).get(),
                           revoke, &out)
            .ok());
    revoked_key_ = revoked.secret();
  }

  v1::ApiKey CreateKey(const std::string& ws, v1::Role role) {
    v1::CreateApiKeyRequest request;
    request.set_parent("workspaces/" + ws);
    request.mutable_api_key()->set_role(role);
    v1::ApiKey key;
    grpc::Status status = server_.admin()->CreateApiKey(
        TestServer::Context(admin_keys_[ws]).get(), request, &key);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return key;
  }

  // Calls `method` with one request message (then half-closes), whatever
  // its kind, with `authorization` set to `header` (none when empty).
  grpc::Status Call(const MethodDescriptor& method, const std::string& header,
                    const std::string& request) {
    grpc::GenericStub stub(server_.channel());
    grpc::ClientContext context;
    if (!header.empty()) context.AddMetadata("authorization", header);
    // A watch that is let in runs until its deadline: a short one, which
    // ends it DEADLINE_EXCEEDED (neither denied nor unauthenticated).
    context.set_deadline(std::chrono::system_clock::now() +
                         (method.server_streaming()
                              ? std::chrono::seconds(1)
                              : std::chrono::seconds(30)));
    grpc::CompletionQueue cq;
    auto call = stub.PrepareCall(
        &context, "/" + method.service()->full_name() + "/" + method.name(),
        &cq);
    // One tag per step, each waited for before the next starts.
    std::array<int, 5> tags{};
    void* tag = nullptr;
    bool ok = false;
    auto wait = [&](int step) {
      EXPECT_TRUE(cq.Next(&tag, &ok));
      EXPECT_EQ(tag, &tags[step]);
    };
    call->StartCall(tags.data());
    wait(0);
    grpc::Slice slice(request);
    grpc::ByteBuffer buffer(&slice, 1);
    call->Write(buffer, &tags[1]);
    wait(1);
    call->WritesDone(&tags[2]);
    wait(2);
    grpc::ByteBuffer reply;
    call->Read(&reply, &tags[3]);
    wait(3);
    grpc::Status status;
    call->Finish(&status, &tags[4]);
    wait(4);
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
    return status;
  }

  static std::string Bearer(const std::string& key) { return "Bearer " + key; }

  TestServer server_;
  std::map<std::string, std::string> admin_keys_;
  std::map<v1::Role, std::string> keys_;
  std::string revoked_key_;
};

TEST_F(RolesTest, TheTableCoversEveryMethod) {
  std::set<std::string> methods;
  for (const MethodDescriptor* m : AllMethods()) methods.insert(m->name());
  std::set<std::string> listed;
  for (const auto& [name, who] : Table()) listed.insert(name);
  EXPECT_EQ(methods, listed);
}

TEST_F(RolesTest, EveryMethodAnswersEveryKeyByTheRoleTable) {
  std::vector<const MethodDescriptor*> methods = AllMethods();
  ASSERT_GE(methods.size(), 60U);
  for (const MethodDescriptor* method : methods) {
    SCOPED_TRACE(method->full_name());
    auto it = Table().find(method->name());
    ASSERT_NE(it, Table().end());
    const Who who = it->second;
    // Deleting a workspace is aimed at one of its own, so that the calls
    // after it still find alpha.
    const std::string request = RequestFor(
        *method, method->name() == "DeleteWorkspace" ? "doomed" : "alpha");

    for (const std::string& bad :
         {std::string(), std::string("Bearer"), std::string("Bearer mk_nope"),
          Bearer("mk_0123456789abcdef_" + std::string(43, 'x')),
          Bearer(revoked_key_)}) {
      EXPECT_EQ(Call(*method, bad, request).error_code(),
                grpc::StatusCode::UNAUTHENTICATED)
          << "authorization '" << bad << "'";
    }
    for (const auto& [role, key] : keys_) {
      grpc::Status status = Call(*method, Bearer(key), request);
      if (Allows(who, role)) {
        EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << v1::Role_Name(role) << ": " << status.error_message();
        EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
            << v1::Role_Name(role) << ": " << status.error_message();
      } else {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << v1::Role_Name(role) << ": " << status.error_message();
      }
    }
    // The admin of another workspace reaches nothing of alpha's; the calls
    // aimed at no workspace (server info) answer it about its own.
    grpc::Status other = Call(*method, Bearer(admin_keys_["beta"]), request);
    if (who == Who::kAnyKey) {
      EXPECT_TRUE(other.ok()) << other.error_message();
    } else {
      EXPECT_EQ(other.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << other.error_message();
    }
  }
}

}  // namespace
}  // namespace mittari::service
