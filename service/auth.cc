#include "service/auth.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "common/net.h"
#include "common/status_macros.h"
#include "service/resource_names.h"

namespace mittari::service {

std::string ActorName(const domain::Principal& principal) {
  return principal.workspace_id.empty()
             ? absl::StrCat("operatorKeys/", principal.key_id)
             : ChildName(principal.workspace_id, "apiKeys", principal.key_id);
}

absl::StatusOr<domain::Principal> Authorizer::Authorize(
    const grpc::ServerContextBase& context,
    std::initializer_list<domain::Permission> any_of) const {
  const std::string peer = ClientAddress(context);
  RETURN_IF_ERROR(limiter_.AdmitAuthentication(peer));
  absl::StatusOr<domain::Principal> authenticated = Authenticate(context);
  if (!authenticated.ok()) {
    limiter_.FailedAuthentication(peer);
    return authenticated.status();
  }
  domain::Principal principal = *std::move(authenticated);
  RETURN_IF_ERROR(limiter_.AdmitCall(principal.key_id, principal.workspace_id));
  RETURN_IF_ERROR(CheckRole(principal, any_of));
  return principal;
}

absl::Status Authorizer::Recheck(
    const grpc::ServerContextBase& context,
    std::initializer_list<domain::Permission> any_of) const {
  ASSIGN_OR_RETURN(domain::Principal principal, Authenticate(context));
  return CheckRole(principal, any_of);
}

absl::Status Authorizer::CheckRole(
    const domain::Principal& principal,
    std::initializer_list<domain::Permission> any_of) {
  for (domain::Permission p : any_of) {
    if (domain::Grants(principal.role, p)) return absl::OkStatus();
  }
  return errors::PermissionDenied(absl::StrCat("a key with role '",
                                               domain::RoleName(principal.role),
                                               "' may not call this method"));
}

absl::StatusOr<domain::Principal> Authorizer::Authenticate(
    const grpc::ServerContextBase& context) const {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return errors::Unauthenticated(
        "missing 'authorization: Bearer KEY' metadata");
  }
  absl::string_view value(it->second.data(), it->second.size());
  if (!absl::ConsumePrefix(&value, "Bearer ") &&
      !absl::ConsumePrefix(&value, "bearer ")) {
    return errors::Unauthenticated("authorization must be 'Bearer KEY'");
  }
  return keys_.Authenticate(value);
}

std::string ClientAddress(const grpc::ServerContextBase& context) {
  // "ipv4:127.0.0.1:5000", "ipv6:[::1]:5000", "unix:/path".
  const std::string peer_text = context.peer();
  absl::string_view peer = peer_text;
  absl::string_view host = peer;
  if (absl::ConsumePrefix(&host, "ipv4:")) {
    host = host.substr(0, host.rfind(':'));
  } else if (absl::ConsumePrefix(&host, "ipv6:")) {
    host = host.substr(0, host.rfind(':'));
    absl::ConsumePrefix(&host, "[");
    absl::ConsumeSuffix(&host, "]");
  }
  const bool loopback =
      IsLoopbackAddress(host) || absl::StartsWith(peer, "unix:");
  if (loopback) {
    const auto& metadata = context.client_metadata();
    auto it = metadata.find("x-forwarded-for");
    if (it != metadata.end()) {
      absl::string_view forwarded(it->second.data(), it->second.size());
      forwarded = forwarded.substr(0, forwarded.find(','));
      return std::string(absl::StripAsciiWhitespace(forwarded));
    }
  }
  return std::string(host);
}

absl::StatusOr<WorkspaceCall> Authorizer::AuthorizeIn(
    const grpc::ServerContextBase& context,
    std::initializer_list<domain::Permission> any_of, absl::string_view name,
    absl::string_view field) const {
  ASSIGN_OR_RETURN(domain::Principal principal, Authorize(context, any_of));
  ASSIGN_OR_RETURN(std::string workspace_id, WorkspaceOfName(name, field));
  if (principal.role != domain::Role::kOperator &&
      principal.workspace_id != workspace_id) {
    return errors::PermissionDenied(
        absl::StrCat("the key has no access to ", name));
  }
  return WorkspaceCall{std::move(principal), std::move(workspace_id)};
}

absl::StatusOr<WorkspaceCall> Authorizer::AuthorizeParent(
    const grpc::ServerContextBase& context,
    std::initializer_list<domain::Permission> any_of, absl::string_view parent,
    absl::string_view field) const {
  ASSIGN_OR_RETURN(WorkspaceCall call,
                   AuthorizeIn(context, any_of, parent, field));
  RETURN_IF_ERROR(ParseWorkspaceName(parent, field).status());
  return call;
}

absl::StatusOr<ResourceCall> Authorizer::AuthorizeResource(
    const grpc::ServerContextBase& context,
    std::initializer_list<domain::Permission> any_of, absl::string_view name,
    absl::string_view collection, absl::string_view field) const {
  ASSIGN_OR_RETURN(WorkspaceCall call,
                   AuthorizeIn(context, any_of, name, field));
  ASSIGN_OR_RETURN(auto parts, ParseChildName(name, collection, field));
  return ResourceCall{std::move(call.principal), std::move(parts.first),
                      std::move(parts.second)};
}

}  // namespace mittari::service
