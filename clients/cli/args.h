// Command-line parsing for `mittari`: positional words (the command and its
// arguments) and --flags (dashes, `--flag value` or `--flag=value`,
// repeatable), in any order.
#ifndef MITTARI_CLIENTS_CLI_ARGS_H_
#define MITTARI_CLIENTS_CLI_ARGS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mittari::cli {

class Args {
 public:
  // `boolean_flags` take no value.
  static absl::StatusOr<Args> Parse(const std::vector<std::string>& argv,
                                    const std::set<std::string>& boolean_flags);

  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(const std::string& flag) const { return flags_.contains(flag); }
  // The last value of a flag.
  std::optional<std::string> Get(const std::string& flag) const;
  std::string GetOr(const std::string& flag, const std::string& fallback) const;
  // Every value of a repeated flag, in order.
  std::vector<std::string> GetAll(const std::string& flag) const;
  // Flags given that are not in `allowed`.
  std::vector<std::string> Unknown(const std::set<std::string>& allowed) const;

 private:
  std::vector<std::string> positional_;
  std::multimap<std::string, std::string> flags_;
};

}  // namespace mittari::cli

#endif  // MITTARI_CLIENTS_CLI_ARGS_H_
