#include "service/resource_names.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"

namespace mittari::service {
namespace {

constexpr absl::string_view kWorkspaces = "workspaces";
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
constexpr absl::string_view kTokenPrefix = "after:";

absl::Status BadName(absl::string_view name, absl::string_view field,
                     absl::string_view pattern) {
  if (name.empty()) return errors::InvalidArgument(field, "is required");
  return errors::InvalidArgument(
      field, absl::StrCat("'", name, "' is not of the form ", pattern));
}

}  // namespace

absl::StatusOr<std::string> WorkspaceOfName(absl::string_view name,
                                            absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() < 2 || parts[0] != kWorkspaces || parts[1].empty()) {
    return BadName(name, field, "workspaces/{workspace}");
  }
  return std::string(parts[1]);
}

absl::StatusOr<std::string> ParseWorkspaceName(absl::string_view name,
                                               absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 2 || parts[0] != kWorkspaces || parts[1].empty()) {
    return BadName(name, field, "workspaces/{workspace}");
  }
  return std::string(parts[1]);
}

absl::StatusOr<std::pair<std::string, std::string>> ParseChildName(
    absl::string_view name, absl::string_view collection,
    absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != kWorkspaces || parts[1].empty() ||
      parts[2] != collection || parts[3].empty()) {
    return BadName(
        name, field,
        absl::StrCat("workspaces/{workspace}/", collection, "/{id}"));
  }
  return std::make_pair(std::string(parts[1]), std::string(parts[3]));
}

std::string WorkspaceName(absl::string_view workspace_id) {
  return absl::StrCat(kWorkspaces, "/", workspace_id);
}

std::string ChildName(absl::string_view workspace_id,
                      absl::string_view collection, absl::string_view id) {
  return absl::StrCat(kWorkspaces, "/", workspace_id, "/", collection, "/", id);
}

absl::StatusOr<int> PageSize(int requested, absl::string_view field) {
  if (requested < 0)
    return errors::InvalidArgument(field, "must not be negative");
  if (requested == 0) return kDefaultPageSize;
  return std::min(requested, kMaxPageSize);
}

std::string EncodePageToken(absl::string_view after_id) {
  if (after_id.empty()) return "";
  return absl::WebSafeBase64Escape(absl::StrCat(kTokenPrefix, after_id));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view field) {
  if (token.empty()) return std::string();
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(token, &decoded) ||
      !absl::StartsWith(decoded, kTokenPrefix) ||
      decoded.size() == kTokenPrefix.size()) {
    return errors::InvalidArgument(field, "is not a token this server issued");
  }
  return decoded.substr(kTokenPrefix.size());
}

}  // namespace mittari::service
