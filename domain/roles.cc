#include "domain/roles.h"

#include <array>
#include <utility>

namespace mittari::domain {
namespace {

constexpr std::array<std::pair<Role, absl::string_view>, 5> kNames = {{
    {Role::kIngest, "ingest"},
    {Role::kRead, "read"},
    {Role::kWrite, "write"},
    {Role::kAdmin, "admin"},
    {Role::kOperator, "operator"},
}};

}  // namespace

absl::string_view RoleName(Role role) {
  for (const auto& [r, name] : kNames) {
    if (r == role) return name;
  }
  return "unknown";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (const auto& [r, n] : kNames) {
    if (n == name) return r;
  }
  return std::nullopt;
}

std::optional<Role> RoleFromInt(int value) {
  for (const auto& [r, name] : kNames) {
    if (static_cast<int>(r) == value) return r;
  }
  return std::nullopt;
}

}  // namespace mittari::domain
