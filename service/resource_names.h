// Parsing of resource names (`workspaces/{w}`, `workspaces/{w}/apiKeys/{k}`)
// and of page tokens. Errors name the request field.
#ifndef MITTARI_SERVICE_RESOURCE_NAMES_H_
#define MITTARI_SERVICE_RESOURCE_NAMES_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mittari::service {

// The workspace id of any name under `workspaces/{id}`.
absl::StatusOr<std::string> WorkspaceOfName(absl::string_view name,
                                            absl::string_view field);
// `workspaces/{id}` exactly.
absl::StatusOr<std::string> ParseWorkspaceName(absl::string_view name,
                                               absl::string_view field);
// `workspaces/{w}/{collection}/{id}` exactly: returns {w, id}.
absl::StatusOr<std::pair<std::string, std::string>> ParseChildName(
    absl::string_view name, absl::string_view collection,
    absl::string_view field);

std::string WorkspaceName(absl::string_view workspace_id);
std::string ChildName(absl::string_view workspace_id,
                      absl::string_view collection, absl::string_view id);

// Paging: a page size (0 means the default, over the maximum is the maximum,
// negative is invalid) and opaque tokens that carry the last id returned.
absl::StatusOr<int> PageSize(int requested, absl::string_view field);
std::string EncodePageToken(absl::string_view after_id);
absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view field);

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_RESOURCE_NAMES_H_
