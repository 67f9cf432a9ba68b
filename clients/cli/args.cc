#include "clients/cli/args.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mittari::cli {

absl::StatusOr<Args> Args::Parse(const std::vector<std::string>& argv,
                                 const std::set<std::string>& boolean_flags) {
  Args args;
  bool only_positional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& token = argv[i];
    if (only_positional || !absl::StartsWith(token, "--")) {
      args.positional_.push_back(token);
      continue;
    }
    if (token == "--") {
      only_positional = true;
      continue;
    }
    std::string name = token.substr(2);
    std::string value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (boolean_flags.contains(name)) {
      value = "true";
    } else if (i + 1 < argv.size()) {
      value = argv[++i];
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " needs a value"));
    }
    args.flags_.emplace(name, value);
  }
  return args;
}

std::optional<std::string> Args::Get(const std::string& flag) const {
  auto range = flags_.equal_range(flag);
  if (range.first == range.second) return std::nullopt;
  return std::prev(range.second)->second;
}

std::string Args::GetOr(const std::string& flag,
                        const std::string& fallback) const {
  return Get(flag).value_or(fallback);
}

std::vector<std::string> Args::GetAll(const std::string& flag) const {
  std::vector<std::string> out;
  auto range = flags_.equal_range(flag);
  for (auto it = range.first; it != range.second; ++it) {
    out.push_back(it->second);
  }
  return out;
}

std::vector<std::string> Args::Unknown(
    const std::set<std::string>& allowed) const {
  std::vector<std::string> out;
  for (const auto& [name, value] : flags_) {
    if (!allowed.contains(name)) out.push_back(name);
  }
  return out;
}

}  // namespace mittari::cli
