// Authorization, shared by every handler: each RPC calls Authorize or
// AuthorizeIn first thing. In order:
//   a client address with too many failed keys -> RESOURCE_EXHAUSTED
//   no key, a malformed, unknown or revoked key  -> UNAUTHENTICATED
//   a key or workspace over its call rate -> RESOURCE_EXHAUSTED
//   a key whose role grants none of the permissions -> PERMISSION_DENIED
//   a resource in another workspace -> PERMISSION_DENIED, whether or not it
//     exists, so that a key learns nothing about other workspaces.
// (gRPC 1.51 interceptors cannot reject a call and AuthMetadataProcessor
// runs only with TLS, hence a function called by every handler.)
#ifndef MITTARI_SERVICE_AUTH_H_
#define MITTARI_SERVICE_AUTH_H_

#include <initializer_list>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "domain/api_keys.h"
#include "domain/roles.h"
#include "grpcpp/server_context.h"
#include "service/limits.h"
#include "service/stream_watchdog.h"

namespace mittari::service {

// A call allowed on one workspace.
struct WorkspaceCall {
  domain::Principal principal;
  std::string workspace_id;
};

// A call allowed on one resource of a workspace.
struct ResourceCall {
  domain::Principal principal;
  std::string workspace_id;
  std::string id;
};

// The resource name of the key that made a call, as audit events name it:
// `operatorKeys/{k}` or `workspaces/{w}/apiKeys/{k}`.
std::string ActorName(const domain::Principal& principal);

class Authorizer {
 public:
  Authorizer(const domain::KeyRing& keys, RateLimiter& limiter,
             StreamWatchdog& streams)
      : keys_(keys), limiter_(limiter), streams_(streams) {}

  // For calls not aimed at a workspace: checks the key and its role.
  absl::StatusOr<domain::Principal> Authorize(
      const grpc::ServerContextBase& context,
      std::initializer_list<domain::Permission> any_of) const;

  // For calls on `name` (`workspaces/{id}` or below it), given in request
  // field `field`: checks the key, its role, then the workspace. The
  // operator passes the workspace check for the permissions it holds.
  absl::StatusOr<WorkspaceCall> AuthorizeIn(
      const grpc::ServerContextBase& context,
      std::initializer_list<domain::Permission> any_of, absl::string_view name,
      absl::string_view field) const;

  // AuthorizeIn for a collection: `parent` (in request field `field`) must
  // be `workspaces/{id}`.
  absl::StatusOr<WorkspaceCall> AuthorizeParent(
      const grpc::ServerContextBase& context,
      std::initializer_list<domain::Permission> any_of,
      absl::string_view parent, absl::string_view field = "parent") const;

  // AuthorizeIn for one resource, `workspaces/{w}/{collection}/{id}` in
  // request field `field`.
  absl::StatusOr<ResourceCall> AuthorizeResource(
      const grpc::ServerContextBase& context,
      std::initializer_list<domain::Permission> any_of, absl::string_view name,
      absl::string_view collection, absl::string_view field = "name") const;

  // Checks again, within a call (a stream's later messages), that its key
  // is still accepted and still grants the call: no rate is charged.
  absl::Status Recheck(const grpc::ServerContextBase& context,
                       std::initializer_list<domain::Permission> any_of) const;

  // Charges `rows` records of a batch to the workspace's rate.
  absl::Status AdmitRows(const WorkspaceCall& call, int64_t rows) const {
    return limiter_.AdmitRows(call.workspace_id, rows);
  }
  // Charges `rows` records of a stream: how long to wait before reading on.
  absl::Duration PaceRows(const WorkspaceCall& call, int64_t rows) const {
    return limiter_.PaceRows(call.workspace_id, rows);
  }
  // Ends streams that idle or run too long.
  StreamWatchdog& streams() const { return streams_; }

 private:
  // The key's principal, or UNAUTHENTICATED.
  absl::StatusOr<domain::Principal> Authenticate(
      const grpc::ServerContextBase& context) const;
  // PERMISSION_DENIED unless the role grants one of `any_of`.
  static absl::Status CheckRole(
      const domain::Principal& principal,
      std::initializer_list<domain::Permission> any_of);

  const domain::KeyRing& keys_;
  RateLimiter& limiter_;
  StreamWatchdog& streams_;
};

// The client's address: the peer's, without its port; for a peer on
// loopback (a gateway beside the server), the first address of its
// `x-forwarded-for`, when given.
std::string ClientAddress(const grpc::ServerContextBase& context);

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_AUTH_H_
