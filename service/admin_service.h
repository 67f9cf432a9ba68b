// AdminService handlers: workspaces, API keys, server info, backups, the
// audit log (admin_service.cc) and workspace export (export_handler.cc). Each
// handler authorizes, validates, calls the domain and converts to the API
// types.
#ifndef MITTARI_SERVICE_ADMIN_SERVICE_H_
#define MITTARI_SERVICE_ADMIN_SERVICE_H_

#include "absl/time/time.h"
#include "domain/api_keys.h"
#include "domain/audit.h"
#include "domain/workspace_export.h"
#include "domain/workspaces.h"
#include "mittari/v1/admin.grpc.pb.h"
#include "service/auth.h"
#include "storage/rocksdb_store.h"

namespace mittari::service {

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  // Where CreateBackup writes: the store backed up, the directory, and how
  // many backups are kept. Without a store, backups are refused.
  struct Backups {
    storage::RocksDbStore* store = nullptr;
    std::string dir;
    int keep = 7;
  };

  AdminServiceImpl(const Authorizer& auth,
                   domain::WorkspaceDirectory& workspaces,
                   domain::KeyRing& keys, domain::AuditLog& audit,
                   const domain::WorkspaceExport& exporter, Backups backups,
                   int schema_version, absl::Time start_time)
      : auth_(auth),
        workspaces_(workspaces),
        keys_(keys),
        audit_(audit),
        exporter_(exporter),
        backups_(std::move(backups)),
        schema_version_(schema_version),
        start_time_(start_time) {}

  grpc::Status CreateWorkspace(grpc::ServerContext* context,
                               const v1::CreateWorkspaceRequest* request,
                               v1::CreateWorkspaceResponse* response) override;
  grpc::Status GetWorkspace(grpc::ServerContext* context,
                            const v1::GetWorkspaceRequest* request,
                            v1::Workspace* response) override;
  grpc::Status ListWorkspaces(grpc::ServerContext* context,
                              const v1::ListWorkspacesRequest* request,
                              v1::ListWorkspacesResponse* response) override;
  grpc::Status UpdateWorkspace(grpc::ServerContext* context,
                               const v1::UpdateWorkspaceRequest* request,
                               v1::Workspace* response) override;
  grpc::Status DeleteWorkspace(grpc::ServerContext* context,
                               const v1::DeleteWorkspaceRequest* request,
                               v1::DeleteWorkspaceResponse* response) override;
  grpc::Status CreateApiKey(grpc::ServerContext* context,
                            const v1::CreateApiKeyRequest* request,
                            v1::ApiKey* response) override;
  grpc::Status GetApiKey(grpc::ServerContext* context,
                         const v1::GetApiKeyRequest* request,
                         v1::ApiKey* response) override;
  grpc::Status ListApiKeys(grpc::ServerContext* context,
                           const v1::ListApiKeysRequest* request,
                           v1::ListApiKeysResponse* response) override;
  grpc::Status RevokeApiKey(grpc::ServerContext* context,
                            const v1::RevokeApiKeyRequest* request,
                            v1::ApiKey* response) override;
  grpc::Status GetServerInfo(grpc::ServerContext* context,
                             const v1::GetServerInfoRequest* request,
                             v1::ServerInfo* response) override;
  grpc::Status RotateOperatorKey(grpc::ServerContext* context,
                                 const v1::RotateOperatorKeyRequest* request,
                                 v1::ApiKey* response) override;
  grpc::Status CreateBackup(grpc::ServerContext* context,
                            const v1::CreateBackupRequest* request,
                            v1::Backup* response) override;
  grpc::Status ListBackups(grpc::ServerContext* context,
                           const v1::ListBackupsRequest* request,
                           v1::ListBackupsResponse* response) override;
  grpc::Status ListAuditEvents(grpc::ServerContext* context,
                               const v1::ListAuditEventsRequest* request,
                               v1::ListAuditEventsResponse* response) override;

  grpc::Status ExportWorkspace(
      grpc::ServerContext* context, const v1::ExportWorkspaceRequest* request,
      grpc::ServerWriter<v1::ExportWorkspaceResponse>* writer) override;

 private:
  const Authorizer& auth_;
  domain::WorkspaceDirectory& workspaces_;
  domain::KeyRing& keys_;
  domain::AuditLog& audit_;
  const domain::WorkspaceExport& exporter_;
  const Backups backups_;
  const int schema_version_;
  const absl::Time start_time_;
};

// Conversions to the API types, shared with the server's first start.
v1::Workspace WorkspaceToProto(const records::Workspace& workspace);
v1::ApiKey ApiKeyToProto(const records::ApiKey& key);
v1::ApiKey ApiKeyToProto(const domain::NewApiKey& key);

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_ADMIN_SERVICE_H_
