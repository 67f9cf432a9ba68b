// `mittari workspace …`, `mittari keys …`, `mittari server info`.
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "mittari/v1/admin.grpc.pb.h"

namespace mittari::cli {
namespace {

using v1::AdminService;

std::unique_ptr<AdminService::Stub> Stub(const Invocation& inv) {
  return AdminService::NewStub(inv.client.channel());
}

// The workspace `named` (an id or `workspaces/{id}`), or when empty the
// workspace of the caller's key.
grpc::Status TargetWorkspace(Invocation& inv, const std::string& named,
                             std::string* name) {
  if (named.empty()) return inv.Workspace(name);
  *name = absl::StartsWith(named, "workspaces/")
              ? named
              : absl::StrCat("workspaces/", named);
  return grpc::Status::OK;
}

std::string KeyName(const std::string& workspace, const std::string& id) {
  return absl::StartsWith(id, "workspaces/")
             ? id
             : absl::StrCat(workspace, "/apiKeys/", id);
}

Json KeyJson(const v1::ApiKey& key) {
  Json j = ToJson(key);
  if (key.secret().empty()) j.erase("secret");
  return j;
}

int WorkspaceGet(Invocation& inv) {
  v1::GetWorkspaceRequest request;
  grpc::Status status = TargetWorkspace(
      inv, inv.operands.empty() ? "" : inv.operands[0], request.mutable_name());
  v1::Workspace workspace;
  if (status.ok()) {
    status = Stub(inv)->GetWorkspace(inv.client.Context().get(), request,
                                     &workspace);
  }
  return inv.Finish(status, ToJson(workspace));
}

int WorkspaceUpdate(Invocation& inv) {
  v1::UpdateWorkspaceRequest request;
  v1::Workspace* w = request.mutable_workspace();
  grpc::Status status = TargetWorkspace(inv, "", w->mutable_name());
  if (auto v = inv.args.Get("display-name")) {
    w->set_display_name(*v);
    request.mutable_update_mask()->add_paths("display_name");
  }
  if (auto v = inv.args.Get("time-zone")) {
    w->set_time_zone(*v);
    request.mutable_update_mask()->add_paths("time_zone");
  }
  if (auto v = inv.args.Get("currency")) {
    w->set_currency_code(*v);
    request.mutable_update_mask()->add_paths("currency_code");
  }
  if (request.update_mask().paths().empty()) {
    return inv.Usage("give --display-name, --time-zone or --currency");
  }
  v1::Workspace updated;
  if (status.ok()) {
    status = Stub(inv)->UpdateWorkspace(inv.client.Context().get(), request,
                                        &updated);
  }
  return inv.Finish(status, ToJson(updated));
}

int WorkspaceCreate(Invocation& inv) {
  v1::CreateWorkspaceRequest request;
  request.set_workspace_id(inv.args.GetOr("id", ""));
  v1::Workspace* w = request.mutable_workspace();
  w->set_display_name(inv.args.GetOr("display-name", ""));
  w->set_time_zone(inv.args.GetOr("time-zone", ""));
  w->set_currency_code(inv.args.GetOr("currency", ""));
  v1::CreateWorkspaceResponse response;
  grpc::Status status = Stub(inv)->CreateWorkspace(inv.client.Context().get(),
                                                   request, &response);
  Json j = Json::object();
  j["workspace"] = ToJson(response.workspace());
  j["admin_key"] = KeyJson(response.admin_key());
  return inv.Finish(status, j);
}

int WorkspaceList(Invocation& inv) {
  Json list = Json::array();
  v1::ListWorkspacesRequest request;
  request.set_page_size(1000);
  grpc::Status status;
  do {
    v1::ListWorkspacesResponse page;
    status =
        Stub(inv)->ListWorkspaces(inv.client.Context().get(), request, &page);
    for (const v1::Workspace& w : page.workspaces()) list.push_back(ToJson(w));
    request.set_page_token(page.next_page_token());
  } while (status.ok() && !request.page_token().empty());
  return inv.Finish(status, Json{{"workspaces", list}});
}

int WorkspaceDelete(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the workspace");
  v1::DeleteWorkspaceRequest request;
  grpc::Status status =
      TargetWorkspace(inv, inv.operands[0], request.mutable_name());
  v1::DeleteWorkspaceResponse response;
  if (status.ok()) {
    status = Stub(inv)->DeleteWorkspace(inv.client.Context().get(), request,
                                        &response);
  }
  return inv.Finish(status, Json{{"deleted", request.name()}});
}

int KeysCreate(Invocation& inv) {
  v1::CreateApiKeyRequest request;
  grpc::Status status = TargetWorkspace(inv, "", request.mutable_parent());
  std::string role = inv.args.GetOr("role", "");
  const auto* value = v1::Role_descriptor()->FindValueByName(
      "ROLE_" + absl::AsciiStrToUpper(role));
  if (role.empty() || value == nullptr || value->number() == 0) {
    return inv.Usage("--role must be ingest, read, write or admin");
  }
  request.mutable_api_key()->set_role(static_cast<v1::Role>(value->number()));
  request.mutable_api_key()->set_display_name(
      inv.args.GetOr("display-name", ""));
  v1::ApiKey key;
  if (status.ok()) {
    status = Stub(inv)->CreateApiKey(inv.client.Context().get(), request, &key);
  }
  return inv.Finish(status, KeyJson(key));
}

int KeysList(Invocation& inv) {
  v1::ListApiKeysRequest request;
  grpc::Status status = TargetWorkspace(inv, "", request.mutable_parent());
  request.set_page_size(1000);
  Json list = Json::array();
  while (status.ok()) {
    v1::ListApiKeysResponse page;
    status = Stub(inv)->ListApiKeys(inv.client.Context().get(), request, &page);
    for (const v1::ApiKey& k : page.api_keys()) list.push_back(KeyJson(k));
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  return inv.Finish(status, Json{{"api_keys", list}});
}

// get and revoke: one key, by id or full name.
template <typename Request, typename Rpc>
int OneKey(Invocation& inv, Rpc rpc) {
  if (inv.operands.size() != 1) return inv.Usage("name the key (its id)");
  std::string workspace;
  grpc::Status status = TargetWorkspace(inv, "", &workspace);
  Request request;
  request.set_name(KeyName(workspace, inv.operands[0]));
  v1::ApiKey key;
  if (status.ok()) {
    status = (Stub(inv).get()->*rpc)(inv.client.Context().get(), request, &key);
  }
  return inv.Finish(status, KeyJson(key));
}

int ServerInfo(Invocation& inv) {
  v1::ServerInfo info;
  grpc::Status status = Stub(inv)->GetServerInfo(
      inv.client.Context().get(), v1::GetServerInfoRequest(), &info);
  return inv.Finish(status, ToJson(info));
}

}  // namespace

std::vector<Command> AdminCommands() {
  return {
      {{"workspace", "get"},
       "[WORKSPACE]",
       "show the key's workspace (or the one named)",
       {},
       WorkspaceGet},
      {{"workspace", "update"},
       "",
       "change the key's workspace settings",
       {"display-name", "time-zone", "currency"},
       WorkspaceUpdate},
      {{"workspace", "create"},
       "",
       "create a workspace and its first admin key (operator key)",
       {"display-name", "time-zone", "currency", "id"},
       WorkspaceCreate},
      {{"workspace", "list"},
       "",
       "list every workspace (operator key)",
       {},
       WorkspaceList},
      {{"workspace", "delete"},
       "WORKSPACE",
       "delete a workspace and all its data (operator key)",
       {},
       WorkspaceDelete},
      {{"keys", "create"},
       "",
       "create an API key; prints its secret once",
       {"role", "display-name"},
       KeysCreate},
      {{"keys", "list"}, "", "list the workspace's API keys", {}, KeysList},
      {{"keys", "get"},
       "KEY_ID",
       "show one API key",
       {},
       [](Invocation& inv) {
         return OneKey<v1::GetApiKeyRequest>(inv,
                                             &AdminService::Stub::GetApiKey);
       }},
      {{"keys", "revoke"},
       "KEY_ID",
       "revoke an API key",
       {},
       [](Invocation& inv) {
         return OneKey<v1::RevokeApiKeyRequest>(
             inv, &AdminService::Stub::RevokeApiKey);
       }},
      {{"operator", "rotate-key"},
       "[KEY_ID]",
       "replace an operator key (the one in use when none is named) with a "
       "new one, printed once, and revoke it (operator key)",
       {},
       [](Invocation& inv) {
         if (inv.operands.size() > 1) return inv.Usage("at most one key id");
         v1::RotateOperatorKeyRequest request;
         if (!inv.operands.empty()) {
           request.set_name("operatorKeys/" + inv.operands[0]);
         }
         v1::ApiKey key;
         grpc::Status status = Stub(inv)->RotateOperatorKey(
             inv.client.Context().get(), request, &key);
         return inv.Finish(status, KeyJson(key));
       }},
      {{"backup", "create"},
       "",
       "back up the whole server while it serves (operator key)",
       {},
       [](Invocation& inv) {
         v1::Backup backup;
         grpc::Status status = Stub(inv)->CreateBackup(
             inv.client.Context().get(), v1::CreateBackupRequest(), &backup);
         return inv.Finish(status, ToJson(backup));
       }},
      {{"backup", "list"},
       "",
       "list the backups, oldest first (operator key)",
       {},
       [](Invocation& inv) {
         v1::ListBackupsResponse response;
         grpc::Status status = Stub(inv)->ListBackups(
             inv.client.Context().get(), v1::ListBackupsRequest(), &response);
         Json list = Json::array();
         for (const v1::Backup& b : response.backups()) {
           list.push_back(ToJson(b));
         }
         return inv.Finish(status, Json{{"backups", list}});
       }},
      {{"audit", "list"},
       "[WORKSPACE]",
       "the audit log, newest first: the key's workspace (admin) or the one "
       "named, or with --all every event (operator key)",
       {"all"},
       [](Invocation& inv) {
         if (inv.operands.size() > 1) return inv.Usage("at most one workspace");
         v1::ListAuditEventsRequest request;
         grpc::Status status;
         if (!inv.args.Has("all")) {
           status =
               TargetWorkspace(inv, inv.operands.empty() ? "" : inv.operands[0],
                               request.mutable_parent());
         }
         request.set_page_size(1000);
         Json list = Json::array();
         while (status.ok()) {
           v1::ListAuditEventsResponse page;
           status = Stub(inv)->ListAuditEvents(inv.client.Context().get(),
                                               request, &page);
           for (const v1::AuditEvent& e : page.audit_events()) {
             list.push_back(ToJson(e));
           }
           if (page.next_page_token().empty()) break;
           request.set_page_token(page.next_page_token());
         }
         return inv.Finish(status, Json{{"audit_events", list}});
       }},
      {{"server", "info"},
       "",
       "show the server's version and the key's role",
       {},
       ServerInfo},
  };
}

}  // namespace mittari::cli
