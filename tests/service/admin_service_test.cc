// AdminService through a real server and generated stubs: roles, workspace
// isolation, validation errors with their details, persistence, health.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "mittari/v1/admin.grpc.pb.h"
#include "tests/testing/test_server.h"

namespace mittari::service {
namespace {

using ::mittari::testing::TestServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct ErrorDetails {
  std::string reason;
  std::vector<std::string> fields;
};

ErrorDetails Details(const grpc::Status& status) {
  ErrorDetails out;
  google::rpc::Status rpc;
  EXPECT_TRUE(rpc.ParseFromString(status.error_details()));
  EXPECT_EQ(rpc.code(), status.error_code());
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&info)) {
      EXPECT_EQ(info.domain(), "mittari");
      out.reason = info.reason();
    } else if (any.UnpackTo(&bad)) {
      for (const auto& v : bad.field_violations())
        out.fields.push_back(v.field());
    }
  }
  return out;
}

class AdminServiceTest : public ::testing::Test {
 protected:
  // Creates a workspace with the operator key; returns its admin key.
  std::string CreateWorkspace(const std::string& id) {
    v1::CreateWorkspaceRequest request;
    request.set_workspace_id(id);
    request.mutable_workspace()->set_display_name("Workspace " + id);
    v1::CreateWorkspaceResponse response;
    grpc::Status status = server_.admin()->CreateWorkspace(
        TestServer::Context(server_.operator_key()).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.admin_key().secret();
  }

  std::string CreateKey(const std::string& admin_key, const std::string& ws,
                        v1::Role role, v1::ApiKey* key_out = nullptr) {
    v1::CreateApiKeyRequest request;
    request.set_parent("workspaces/" + ws);
    request.mutable_api_key()->set_role(role);
    v1::ApiKey key;
    grpc::Status status = server_.admin()->CreateApiKey(
        TestServer::Context(admin_key).get(), request, &key);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (key_out != nullptr) *key_out = key;
    return key.secret();
  }

  grpc::Status GetWorkspace(const std::string& key, const std::string& name,
                            v1::Workspace* out = nullptr) {
    v1::GetWorkspaceRequest request;
    request.set_name(name);
    v1::Workspace w;
    grpc::Status s = server_.admin()->GetWorkspace(
        TestServer::Context(key).get(), request, &w);
    if (out != nullptr) *out = w;
    return s;
  }

  TestServer server_;
};

TEST_F(AdminServiceTest, CallsWithoutAValidKeyAreUnauthenticated) {
  for (const std::string& key :
       {std::string(), std::string("mk_0123456789abcdef_nope"),
        std::string("garbage")}) {
    grpc::Status s = GetWorkspace(key, "workspaces/default");
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << key;
    EXPECT_EQ(Details(s).reason, "UNAUTHENTICATED");
  }
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Basic " + server_.admin_key());
  v1::GetWorkspaceRequest request;
  request.set_name("workspaces/default");
  v1::Workspace w;
  EXPECT_EQ(server_.admin()->GetWorkspace(&context, request, &w).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AdminServiceTest, AnIngestKeyCallingAdminMethodsIsPermissionDenied) {
  std::string ingest =
      CreateKey(server_.admin_key(), "default", v1::ROLE_INGEST);
  EXPECT_EQ(GetWorkspace(ingest, "workspaces/default").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::ListApiKeysRequest list;
  list.set_parent("workspaces/default");
  v1::ListApiKeysResponse keys;
  grpc::Status s = server_.admin()->ListApiKeys(
      TestServer::Context(ingest).get(), list, &keys);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Details(s).reason, "PERMISSION_DENIED");

  v1::CreateApiKeyRequest create;
  create.set_parent("workspaces/default");
  create.mutable_api_key()->set_role(v1::ROLE_ADMIN);
  v1::ApiKey key;
  EXPECT_EQ(server_.admin()
                ->CreateApiKey(TestServer::Context(ingest).get(), create, &key)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::UpdateWorkspaceRequest update;
  update.mutable_workspace()->set_name("workspaces/default");
  update.mutable_workspace()->set_display_name("x");
  update.mutable_update_mask()->add_paths("display_name");
  v1::Workspace w;
  EXPECT_EQ(server_.admin()
                ->UpdateWorkspace(TestServer::Context(ingest).get(), update, &w)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // A read key reads the workspace but cannot change it.
  std::string read = CreateKey(server_.admin_key(), "default", v1::ROLE_READ);
  EXPECT_TRUE(GetWorkspace(read, "workspaces/default").ok());
  EXPECT_EQ(server_.admin()
                ->UpdateWorkspace(TestServer::Context(read).get(), update, &w)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AdminServiceTest, WorkspaceAsKeysCannotSeeWorkspaceB) {
  std::string a = CreateWorkspace("a");
  std::string b = CreateWorkspace("b");
  v1::ApiKey b_key;
  CreateKey(b, "b", v1::ROLE_READ, &b_key);

  grpc::Status other = GetWorkspace(a, "workspaces/b");
  grpc::Status missing = GetWorkspace(a, "workspaces/zz");
  EXPECT_EQ(other.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(missing.error_code(), other.error_code());
  EXPECT_EQ(Details(missing).reason, Details(other).reason);

  v1::ListApiKeysRequest list;
  list.set_parent("workspaces/b");
  v1::ListApiKeysResponse keys;
  EXPECT_EQ(server_.admin()
                ->ListApiKeys(TestServer::Context(a).get(), list, &keys)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // B's key named under A's workspace answers like a key that does not exist.
  std::string b_key_id = b_key.name().substr(b_key.name().rfind('/') + 1);
  v1::GetApiKeyRequest get;
  get.set_name("workspaces/a/apiKeys/" + b_key_id);
  v1::ApiKey key;
  grpc::Status cross =
      server_.admin()->GetApiKey(TestServer::Context(a).get(), get, &key);
  get.set_name("workspaces/a/apiKeys/0000000000000000");
  grpc::Status none =
      server_.admin()->GetApiKey(TestServer::Context(a).get(), get, &key);
  EXPECT_EQ(cross.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::NOT_FOUND);

  v1::RevokeApiKeyRequest revoke;
  revoke.set_name(b_key.name());
  EXPECT_EQ(server_.admin()
                ->RevokeApiKey(TestServer::Context(a).get(), revoke, &key)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AdminServiceTest, InvalidWorkspaceFieldsNameTheField) {
  v1::CreateWorkspaceRequest request;
  request.mutable_workspace()->set_display_name("");
  v1::CreateWorkspaceResponse response;
  grpc::Status s = server_.admin()->CreateWorkspace(
      TestServer::Context(server_.operator_key()).get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("workspace.display_name"));
  EXPECT_EQ(Details(s).reason, "INVALID_ARGUMENT");
  EXPECT_THAT(Details(s).fields, ElementsAre("workspace.display_name"));

  request.mutable_workspace()->set_display_name("Acme");
  request.mutable_workspace()->set_time_zone("Europe/Atlantis");
  s = server_.admin()->CreateWorkspace(
      TestServer::Context(server_.operator_key()).get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Details(s).fields, ElementsAre("workspace.time_zone"));

  v1::UpdateWorkspaceRequest update;
  update.mutable_workspace()->set_name("workspaces/default");
  update.mutable_workspace()->set_time_zone("Not/AZone");
  update.mutable_update_mask()->add_paths("time_zone");
  v1::Workspace w;
  s = server_.admin()->UpdateWorkspace(
      TestServer::Context(server_.admin_key()).get(), update, &w);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Details(s).fields, ElementsAre("workspace.time_zone"));
  // Nothing changed.
  ASSERT_TRUE(GetWorkspace(server_.admin_key(), "workspaces/default", &w).ok());
  EXPECT_EQ(w.time_zone(), "UTC");

  update.mutable_update_mask()->set_paths(0, "create_time");
  s = server_.admin()->UpdateWorkspace(
      TestServer::Context(server_.admin_key()).get(), update, &w);
  EXPECT_THAT(Details(s).fields, ElementsAre("update_mask"));

  v1::GetWorkspaceRequest get;
  get.set_name("projects/x");
  s = server_.admin()->GetWorkspace(
      TestServer::Context(server_.admin_key()).get(), get, &w);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Details(s).fields, ElementsAre("name"));

  v1::ListWorkspacesRequest list;
  list.set_page_token("not-a-token");
  v1::ListWorkspacesResponse page;
  s = server_.admin()->ListWorkspaces(
      TestServer::Context(server_.operator_key()).get(), list, &page);
  EXPECT_THAT(Details(s).fields, ElementsAre("page_token"));
}

TEST_F(AdminServiceTest, UpdateAppliesTheMask) {
  v1::UpdateWorkspaceRequest update;
  update.mutable_workspace()->set_name("workspaces/default");
  update.mutable_workspace()->set_time_zone("Europe/Helsinki");
  update.mutable_workspace()->set_display_name("ignored: not in the mask");
  update.mutable_update_mask()->add_paths("time_zone");
  v1::Workspace w;
  ASSERT_TRUE(
      server_.admin()
          ->UpdateWorkspace(TestServer::Context(server_.admin_key()).get(),
                            update, &w)
          .ok());
  EXPECT_EQ(w.time_zone(), "Europe/Helsinki");
  EXPECT_EQ(w.display_name(), "Default workspace");
}

TEST_F(AdminServiceTest, TheOperatorManagesWorkspacesButReadsNoData) {
  CreateWorkspace("acme");
  v1::ListWorkspacesRequest list;
  list.set_page_size(1);
  std::vector<std::string> names;
  do {
    v1::ListWorkspacesResponse page;
    ASSERT_TRUE(
        server_.admin()
            ->ListWorkspaces(TestServer::Context(server_.operator_key()).get(),
                             list, &page)
            .ok());
    for (const auto& w : page.workspaces()) names.push_back(w.name());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_THAT(names, ElementsAre("workspaces/acme", "workspaces/default"));

  v1::ListApiKeysRequest keys;
  keys.set_parent("workspaces/acme");
  v1::ListApiKeysResponse response;
  EXPECT_EQ(server_.admin()
                ->ListApiKeys(TestServer::Context(server_.operator_key()).get(),
                              keys, &response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // An admin cannot create workspaces.
  v1::CreateWorkspaceRequest create;
  create.mutable_workspace()->set_display_name("x");
  v1::CreateWorkspaceResponse created;
  EXPECT_EQ(
      server_.admin()
          ->CreateWorkspace(TestServer::Context(server_.admin_key()).get(),
                            create, &created)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  v1::DeleteWorkspaceRequest del;
  del.set_name("workspaces/acme");
  v1::DeleteWorkspaceResponse deleted;
  ASSERT_TRUE(
      server_.admin()
          ->DeleteWorkspace(TestServer::Context(server_.operator_key()).get(),
                            del, &deleted)
          .ok());
  EXPECT_EQ(
      GetWorkspace(server_.operator_key(), "workspaces/acme").error_code(),
      grpc::StatusCode::NOT_FOUND);
}

TEST_F(AdminServiceTest, RevokedKeysAreRefused) {
  v1::ApiKey key;
  std::string secret =
      CreateKey(server_.admin_key(), "default", v1::ROLE_READ, &key);
  ASSERT_TRUE(GetWorkspace(secret, "workspaces/default").ok());
  v1::RevokeApiKeyRequest revoke;
  revoke.set_name(key.name());
  v1::ApiKey revoked;
  ASSERT_TRUE(server_.admin()
                  ->RevokeApiKey(TestServer::Context(server_.admin_key()).get(),
                                 revoke, &revoked)
                  .ok());
  EXPECT_TRUE(revoked.has_revoke_time());
  EXPECT_TRUE(revoked.secret().empty());
  EXPECT_EQ(GetWorkspace(secret, "workspaces/default").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AdminServiceTest, ARestartedServerKeepsWorkspacesAndKeys) {
  std::string acme_admin = CreateWorkspace("acme");
  std::string reader = CreateKey(acme_admin, "acme", v1::ROLE_READ);
  server_.Restart();
  v1::Workspace w;
  ASSERT_TRUE(GetWorkspace(reader, "workspaces/acme", &w).ok());
  EXPECT_EQ(w.display_name(), "Workspace acme");
  EXPECT_TRUE(GetWorkspace(acme_admin, "workspaces/acme").ok());
  EXPECT_TRUE(GetWorkspace(server_.admin_key(), "workspaces/default").ok());
  EXPECT_TRUE(GetWorkspace(server_.operator_key(), "workspaces/acme").ok());
}

TEST_F(AdminServiceTest, ServerInfoDescribesTheKey) {
  v1::ServerInfo info;
  ASSERT_TRUE(
      server_.admin()
          ->GetServerInfo(TestServer::Context(server_.admin_key()).get(),
                          v1::GetServerInfoRequest(), &info)
          .ok());
  EXPECT_EQ(info.workspace(), "workspaces/default");
  EXPECT_EQ(info.role(), v1::ROLE_ADMIN);
  EXPECT_EQ(info.schema_version(), 1);
  EXPECT_FALSE(info.version().empty());
}

TEST_F(AdminServiceTest, HealthIsServing) {
  auto health = grpc::health::v1::Health::NewStub(server_.channel());
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(
      health->Check(TestServer::Context("").get(), request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(AdminServiceTest, OversizedRequestsAreRefused) {
  v1::CreateWorkspaceRequest request;
  request.mutable_workspace()->set_display_name(std::string(5 << 20, 'x'));
  v1::CreateWorkspaceResponse response;
  grpc::Status s = server_.admin()->CreateWorkspace(
      TestServer::Context(server_.operator_key()).get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(AdminServiceTest, TheOperatorKeyIsRotatedAndTheOldOneRevoked) {
  const std::string old_key = server_.operator_key();
  v1::ApiKey fresh;
  ASSERT_TRUE(server_.admin()
                  ->RotateOperatorKey(TestServer::Context(old_key).get(),
                                      v1::RotateOperatorKeyRequest(), &fresh)
                  .ok());
  EXPECT_EQ(fresh.role(), v1::ROLE_OPERATOR);
  EXPECT_THAT(fresh.name(), ::testing::StartsWith("operatorKeys/"));
  ASSERT_FALSE(fresh.secret().empty());
  v1::ListWorkspacesResponse list;
  EXPECT_EQ(server_.admin()
                ->ListWorkspaces(TestServer::Context(old_key).get(),
                                 v1::ListWorkspacesRequest(), &list)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(server_.admin()
                  ->ListWorkspaces(TestServer::Context(fresh.secret()).get(),
                                   v1::ListWorkspacesRequest(), &list)
                  .ok());
  // By name: a second operator key replaces the first; a name that is no
  // operator key is refused by field or not found.
  v1::ApiKey second;
  ASSERT_TRUE(server_.admin()
                  ->RotateOperatorKey(TestServer::Context(fresh.secret()).get(),
                                      v1::RotateOperatorKeyRequest(), &second)
                  .ok());
  v1::RotateOperatorKeyRequest bad;
  bad.set_name("workspaces/default");
  v1::ApiKey out;
  EXPECT_EQ(server_.admin()
                ->RotateOperatorKey(TestServer::Context(second.secret()).get(),
                                    bad, &out)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  bad.set_name("operatorKeys/0123456789abcdef");
  EXPECT_EQ(server_.admin()
                ->RotateOperatorKey(TestServer::Context(second.secret()).get(),
                                    bad, &out)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  // A workspace admin may not.
  EXPECT_EQ(
      server_.admin()
          ->RotateOperatorKey(TestServer::Context(server_.admin_key()).get(),
                              v1::RotateOperatorKeyRequest(), &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace mittari::service
