// Roles of API keys and what each one grants (see docs/api.md).
#ifndef MITTARI_DOMAIN_ROLES_H_
#define MITTARI_DOMAIN_ROLES_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace mittari::domain {

// Values equal those of mittari.v1.Role.
enum class Role {
  kIngest = 1,
  kRead = 2,
  kWrite = 3,
  kAdmin = 4,
  kOperator = 5
};

// What a call needs.
enum class Permission {
  kIngest,    // submit facts (responses, sessions, purchases, ...)
  kRead,      // read the workspace's data and settings
  kWrite,     // change the workspace's data
  kAdmin,     // keys and workspace settings
  kOperator,  // server-wide: workspaces
};

constexpr bool Grants(Role role, Permission permission) {
  switch (role) {
    case Role::kIngest:
      return permission == Permission::kIngest;
    case Role::kRead:
      return permission == Permission::kRead;
    case Role::kWrite:
      return permission == Permission::kIngest ||
             permission == Permission::kRead ||
             permission == Permission::kWrite;
    case Role::kAdmin:
      return permission != Permission::kOperator;
    case Role::kOperator:
      return permission == Permission::kOperator;
  }
  return false;
}

// Whether a write may replace what it names. Write and admin keys create or
// replace by id; the public ingest key only adds: a stored record sent
// again unchanged is UNCHANGED, one sent with other content is refused
// with ALREADY_EXISTS and nothing is written.
enum class WriteMode { kCreateOrReplace, kAddOnly };

constexpr WriteMode WriteModeOf(Role role) {
  return role == Role::kIngest ? WriteMode::kAddOnly
                               : WriteMode::kCreateOrReplace;
}

absl::string_view RoleName(Role role);
std::optional<Role> ParseRole(absl::string_view name);
std::optional<Role> RoleFromInt(int value);

// Who is calling: the workspace (empty for the operator) and role of the
// key that authenticated the call.
struct Principal {
  std::string workspace_id;
  Role role;
  std::string key_id;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_ROLES_H_
