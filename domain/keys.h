// The layout of every key the domain writes, in one place, built with the
// storage key codec. Meta keys start with a tag byte; per-workspace keys
// start with the workspace id, then a tag byte.
#ifndef MITTARI_DOMAIN_KEYS_H_
#define MITTARI_DOMAIN_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "storage/key_codec.h"

namespace mittari::domain::keys {

// Tags in ColumnFamily::kMeta. Tag 0 belongs to the storage layer.
enum class MetaTag : uint8_t {
  kServer = 1,     // server-wide records (first start)
  kWorkspace = 2,  // workspace id -> records::Workspace
  kApiKey = 3,     // key id -> records::ApiKey
};

// Tags after the workspace prefix in the per-workspace column families.
enum class WorkspaceTag : uint8_t {
  kApiKeyOfWorkspace = 1,  // kIndex: (workspace, key id) -> ""
};

inline std::string ServerRecord(absl::string_view name) {
  return storage::KeyEncoder()
      .U8(static_cast<uint8_t>(MetaTag::kServer))
      .Str(name)
      .key();
}

inline std::string WorkspacePrefix() {
  return storage::KeyEncoder()
      .U8(static_cast<uint8_t>(MetaTag::kWorkspace))
      .key();
}

inline std::string Workspace(absl::string_view workspace_id) {
  return storage::KeyEncoder()
      .U8(static_cast<uint8_t>(MetaTag::kWorkspace))
      .Str(workspace_id)
      .key();
}

inline std::string ApiKey(absl::string_view key_id) {
  return storage::KeyEncoder()
      .U8(static_cast<uint8_t>(MetaTag::kApiKey))
      .Str(key_id)
      .key();
}

// Every per-workspace key of `workspace_id` starts with this.
inline std::string WorkspaceData(absl::string_view workspace_id) {
  return storage::KeyEncoder().Str(workspace_id).key();
}

inline std::string ApiKeyOfWorkspacePrefix(absl::string_view workspace_id) {
  return storage::KeyEncoder()
      .Str(workspace_id)
      .U8(static_cast<uint8_t>(WorkspaceTag::kApiKeyOfWorkspace))
      .key();
}

inline std::string ApiKeyOfWorkspace(absl::string_view workspace_id,
                                     absl::string_view key_id) {
  return storage::KeyEncoder()
      .Str(workspace_id)
      .U8(static_cast<uint8_t>(WorkspaceTag::kApiKeyOfWorkspace))
      .Str(key_id)
      .key();
}

}  // namespace mittari::domain::keys

#endif  // MITTARI_DOMAIN_KEYS_H_
