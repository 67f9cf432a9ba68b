#include "service/auth.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "service/resource_names.h"

namespace mittari::service {

absl::StatusOr<domain::Principal> Authorizer::Authorize(
    const grpc::ServerContextBase& context,
    std::initializer_list<domain::Permission> any_of) const {
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
  ASSIGN_OR_RETURN(domain::Principal principal, keys_.Authenticate(value));
  for (domain::Permission p : any_of) {
    if (domain::Grants(principal.role, p)) return principal;
  }
  return errors::PermissionDenied(absl::StrCat("a key with role '",
                                               domain::RoleName(principal.role),
                                               "' may not call this method"));
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
    std::initializer_list<domain::Permission> any_of,
    absl::string_view parent) const {
  ASSIGN_OR_RETURN(WorkspaceCall call,
                   AuthorizeIn(context, any_of, parent, "parent"));
  RETURN_IF_ERROR(ParseWorkspaceName(parent, "parent").status());
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
