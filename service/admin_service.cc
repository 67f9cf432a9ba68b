#include "service/admin_service.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "service/handler.h"
#include "service/resource_names.h"

namespace mittari::service {
namespace {

using domain::Permission;

constexpr absl::string_view kApiKeys = "apiKeys";

absl::StatusOr<domain::Role> RoleFromProto(v1::Role role) {
  switch (role) {
    case v1::ROLE_INGEST:
      return domain::Role::kIngest;
    case v1::ROLE_READ:
      return domain::Role::kRead;
    case v1::ROLE_WRITE:
      return domain::Role::kWrite;
    case v1::ROLE_ADMIN:
      return domain::Role::kAdmin;
    case v1::ROLE_OPERATOR:
      return errors::InvalidArgument(
          "api_key.role", "the operator key cannot be created through the API");
    default:
      return errors::InvalidArgument(
          "api_key.role", "is required: one of ingest, read, write, admin");
  }
}

v1::Backup BackupToProto(const storage::RocksDbStore::BackupInfo& info) {
  v1::Backup out;
  out.set_name(absl::StrCat("backups/", info.id));
  SetTime(info.time_us, out.mutable_create_time());
  out.set_size_bytes(static_cast<int64_t>(info.size_bytes));
  out.set_file_count(static_cast<int32_t>(info.files));
  return out;
}

}  // namespace

v1::Workspace WorkspaceToProto(const records::Workspace& workspace) {
  v1::Workspace out;
  out.set_name(WorkspaceName(workspace.id()));
  out.set_display_name(workspace.display_name());
  out.set_time_zone(workspace.time_zone());
  out.set_currency_code(workspace.currency_code());
  SetTime(workspace.create_time_us(), out.mutable_create_time());
  SetTime(workspace.update_time_us(), out.mutable_update_time());
  return out;
}

v1::ApiKey ApiKeyToProto(const records::ApiKey& key) {
  v1::ApiKey out;
  out.set_name(key.workspace_id().empty()
                   ? absl::StrCat("operatorKeys/", key.id())
                   : ChildName(key.workspace_id(), kApiKeys, key.id()));
  out.set_display_name(key.display_name());
  out.set_role(static_cast<v1::Role>(key.role()));
  SetTime(key.create_time_us(), out.mutable_create_time());
  if (key.revoke_time_us() != 0) {
    SetTime(key.revoke_time_us(), out.mutable_revoke_time());
  }
  return out;
}

v1::ApiKey ApiKeyToProto(const domain::NewApiKey& key) {
  v1::ApiKey out = ApiKeyToProto(key.record);
  out.set_secret(key.secret);
  return out;
}

grpc::Status AdminServiceImpl::CreateWorkspace(
    grpc::ServerContext* context, const v1::CreateWorkspaceRequest* request,
    v1::CreateWorkspaceResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(domain::Principal principal,
                     auth_.Authorize(*context, {Permission::kOperator}));
    const v1::Workspace& w = request->workspace();
    ASSIGN_OR_RETURN(
        domain::CreatedWorkspace created,
        workspaces_.Create(request->workspace_id(), w.display_name(),
                           w.time_zone(), w.currency_code()));
    *response->mutable_workspace() = WorkspaceToProto(created.workspace);
    *response->mutable_admin_key() = ApiKeyToProto(created.admin_key);
    return audit_.Record(created.workspace.id(), ActorName(principal),
                         "workspace.create", response->workspace().name());
  });
}

grpc::Status AdminServiceImpl::GetWorkspace(
    grpc::ServerContext* context, const v1::GetWorkspaceRequest* request,
    v1::Workspace* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        WorkspaceCall call,
        auth_.AuthorizeIn(*context, {Permission::kRead, Permission::kOperator},
                          request->name(), "name"));
    RETURN_IF_ERROR(ParseWorkspaceName(request->name(), "name").status());
    ASSIGN_OR_RETURN(records::Workspace w, workspaces_.Get(call.workspace_id));
    *response = WorkspaceToProto(w);
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::ListWorkspaces(
    grpc::ServerContext* context, const v1::ListWorkspacesRequest* request,
    v1::ListWorkspacesResponse* response) {
  return Handle([&]() -> absl::Status {
    RETURN_IF_ERROR(
        auth_.Authorize(*context, {Permission::kOperator}).status());
    ASSIGN_OR_RETURN(int size, PageSize(request->page_size(), "page_size"));
    ASSIGN_OR_RETURN(std::string after,
                     DecodePageToken(request->page_token(), "page_token"));
    ASSIGN_OR_RETURN(domain::Page<records::Workspace> page,
                     workspaces_.List(after, size));
    for (const records::Workspace& w : page.items) {
      *response->add_workspaces() = WorkspaceToProto(w);
    }
    response->set_next_page_token(EncodePageToken(page.next_after));
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::UpdateWorkspace(
    grpc::ServerContext* context, const v1::UpdateWorkspaceRequest* request,
    v1::Workspace* response) {
  return Handle([&]() -> absl::Status {
    const v1::Workspace& w = request->workspace();
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeIn(*context, {Permission::kAdmin}, w.name(),
                                       "workspace.name"));
    RETURN_IF_ERROR(ParseWorkspaceName(w.name(), "workspace.name").status());
    domain::WorkspaceUpdate update;
    const auto& paths = request->update_mask().paths();
    bool all = paths.empty();
    for (const std::string& path : paths) {
      if (path != "display_name" && path != "time_zone" &&
          path != "currency_code") {
        return errors::InvalidArgument(
            "update_mask",
            absl::StrCat("'", path,
                         "' is not updatable: use display_name, time_zone, "
                         "currency_code"));
      }
    }
    auto wanted = [&](absl::string_view field) {
      return all || std::find(paths.begin(), paths.end(), field) != paths.end();
    };
    if (wanted("display_name")) update.display_name = w.display_name();
    if (wanted("time_zone")) update.time_zone = w.time_zone();
    if (wanted("currency_code")) update.currency_code = w.currency_code();
    ASSIGN_OR_RETURN(records::Workspace updated,
                     workspaces_.Update(call.workspace_id, update));
    *response = WorkspaceToProto(updated);
    return audit_.Record(call.workspace_id, ActorName(call.principal),
                         "workspace.update", response->name());
  });
}

grpc::Status AdminServiceImpl::DeleteWorkspace(
    grpc::ServerContext* context, const v1::DeleteWorkspaceRequest* request,
    v1::DeleteWorkspaceResponse* /*response*/) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeIn(*context, {Permission::kOperator},
                                       request->name(), "name"));
    RETURN_IF_ERROR(ParseWorkspaceName(request->name(), "name").status());
    RETURN_IF_ERROR(workspaces_.Delete(call.workspace_id));
    return audit_.Record(call.workspace_id, ActorName(call.principal),
                         "workspace.delete", request->name());
  });
}

grpc::Status AdminServiceImpl::CreateApiKey(
    grpc::ServerContext* context, const v1::CreateApiKeyRequest* request,
    v1::ApiKey* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kAdmin},
                                           request->parent()));
    ASSIGN_OR_RETURN(domain::Role role,
                     RoleFromProto(request->api_key().role()));
    ASSIGN_OR_RETURN(domain::NewApiKey key,
                     keys_.Create(call.workspace_id, role,
                                  request->api_key().display_name()));
    *response = ApiKeyToProto(key);
    return audit_.Record(call.workspace_id, ActorName(call.principal),
                         "api_key.create", response->name());
  });
}

grpc::Status AdminServiceImpl::GetApiKey(grpc::ServerContext* context,
                                         const v1::GetApiKeyRequest* request,
                                         v1::ApiKey* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kAdmin},
                                             request->name(), kApiKeys));
    ASSIGN_OR_RETURN(records::ApiKey key,
                     keys_.Get(call.workspace_id, call.id));
    *response = ApiKeyToProto(key);
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::ListApiKeys(
    grpc::ServerContext* context, const v1::ListApiKeysRequest* request,
    v1::ListApiKeysResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kAdmin},
                                           request->parent()));
    ASSIGN_OR_RETURN(int size, PageSize(request->page_size(), "page_size"));
    ASSIGN_OR_RETURN(std::string after,
                     DecodePageToken(request->page_token(), "page_token"));
    ASSIGN_OR_RETURN(domain::Page<records::ApiKey> page,
                     keys_.List(call.workspace_id, after, size));
    for (const records::ApiKey& key : page.items) {
      *response->add_api_keys() = ApiKeyToProto(key);
    }
    response->set_next_page_token(EncodePageToken(page.next_after));
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::RevokeApiKey(
    grpc::ServerContext* context, const v1::RevokeApiKeyRequest* request,
    v1::ApiKey* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kAdmin},
                                             request->name(), kApiKeys));
    ASSIGN_OR_RETURN(records::ApiKey key,
                     keys_.Revoke(call.workspace_id, call.id));
    *response = ApiKeyToProto(key);
    return audit_.Record(call.workspace_id, ActorName(call.principal),
                         "api_key.revoke", response->name());
  });
}

grpc::Status AdminServiceImpl::RotateOperatorKey(
    grpc::ServerContext* context, const v1::RotateOperatorKeyRequest* request,
    v1::ApiKey* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(domain::Principal principal,
                     auth_.Authorize(*context, {Permission::kOperator}));
    std::string key_id = principal.key_id;
    if (!request->name().empty()) {
      absl::string_view id = request->name();
      if (!absl::ConsumePrefix(&id, "operatorKeys/") || id.empty() ||
          absl::StrContains(id, '/')) {
        return errors::InvalidArgument("name", "must be operatorKeys/{key_id}");
      }
      key_id = std::string(id);
    }
    ASSIGN_OR_RETURN(domain::NewApiKey key, keys_.RotateOperatorKey(key_id));
    *response = ApiKeyToProto(key);
    return audit_.Record("", ActorName(principal), "operator_key.rotate",
                         absl::StrCat("operatorKeys/", key_id));
  });
}

grpc::Status AdminServiceImpl::GetServerInfo(
    grpc::ServerContext* context, const v1::GetServerInfoRequest* /*request*/,
    v1::ServerInfo* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        domain::Principal principal,
        auth_.Authorize(*context, {Permission::kIngest, Permission::kRead,
                                   Permission::kOperator}));
    if (!principal.workspace_id.empty()) {
      response->set_workspace(WorkspaceName(principal.workspace_id));
    }
    response->set_role(static_cast<v1::Role>(principal.role));
    // The public ingest key learns its own workspace and role, nothing of
    // the server.
    if (principal.role == domain::Role::kIngest) return absl::OkStatus();
    response->set_version(MITTARI_VERSION);
    response->set_schema_version(schema_version_);
    SetTime(absl::ToUnixMicros(start_time_), response->mutable_start_time());
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::CreateBackup(
    grpc::ServerContext* context, const v1::CreateBackupRequest* /*request*/,
    v1::Backup* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(domain::Principal principal,
                     auth_.Authorize(*context, {Permission::kOperator}));
    if (backups_.store == nullptr) {
      return errors::FailedPrecondition("NO_BACKUPS",
                                        "this server's store has no backups");
    }
    ASSIGN_OR_RETURN(storage::RocksDbStore::BackupInfo info,
                     backups_.store->CreateBackup(backups_.dir, backups_.keep));
    *response = BackupToProto(info);
    return audit_.Record("", ActorName(principal), "backup.create",
                         response->name());
  });
}

grpc::Status AdminServiceImpl::ListBackups(
    grpc::ServerContext* context, const v1::ListBackupsRequest* /*request*/,
    v1::ListBackupsResponse* response) {
  return Handle([&]() -> absl::Status {
    RETURN_IF_ERROR(
        auth_.Authorize(*context, {Permission::kOperator}).status());
    if (backups_.store == nullptr) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::vector<storage::RocksDbStore::BackupInfo> infos,
                     storage::RocksDbStore::ListBackups(backups_.dir));
    for (const auto& info : infos) {
      *response->add_backups() = BackupToProto(info);
    }
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::ListAuditEvents(
    grpc::ServerContext* context, const v1::ListAuditEventsRequest* request,
    v1::ListAuditEventsResponse* response) {
  return Handle([&]() -> absl::Status {
    std::string workspace_id;
    if (request->parent().empty()) {
      RETURN_IF_ERROR(
          auth_.Authorize(*context, {Permission::kOperator}).status());
    } else {
      ASSIGN_OR_RETURN(
          WorkspaceCall call,
          auth_.AuthorizeParent(*context,
                                {Permission::kAdmin, Permission::kOperator},
                                request->parent()));
      workspace_id = call.workspace_id;
    }
    ASSIGN_OR_RETURN(int size, PageSize(request->page_size(), "page_size"));
    ASSIGN_OR_RETURN(domain::Page<records::AuditEvent> page,
                     audit_.List(workspace_id, request->page_token(), size));
    for (const records::AuditEvent& e : page.items) {
      v1::AuditEvent* out = response->add_audit_events();
      SetTime(e.time_us(), out->mutable_time());
      if (!e.workspace_id().empty()) {
        out->set_workspace(WorkspaceName(e.workspace_id()));
      }
      out->set_actor(e.actor());
      out->set_action(e.action());
      out->set_target(e.target());
    }
    response->set_next_page_token(page.next_after);
    return absl::OkStatus();
  });
}

}  // namespace mittari::service
