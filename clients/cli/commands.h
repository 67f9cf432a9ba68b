// The CLI's command table. Each group of commands (admin, and the later
// services) registers its commands here; main.cc dispatches on the words.
#ifndef MITTARI_CLIENTS_CLI_COMMANDS_H_
#define MITTARI_CLIENTS_CLI_COMMANDS_H_

#include <functional>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/cli/args.h"
#include "clients/cli/client.h"
#include "clients/cli/fields.h"
#include "clients/cli/output.h"
#include "google/protobuf/map.h"
#include "grpcpp/support/status.h"
#include "mittari/v1/admin.pb.h"

namespace mittari::cli {

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitCallFailed = 1;
inline constexpr int kExitUsage = 2;

struct Invocation {
  Invocation(const Args& a, const Client& c, Format f,
             std::vector<std::string> words)
      : args(a), client(c), format(f), operands(std::move(words)) {}

  const Args& args;
  const Client& client;
  Format format;
  // Positional words after the command's path.
  std::vector<std::string> operands;
  std::ostream& out = std::cout;
  std::ostream& err = std::cerr;

  // Prints `message` as the result, or the error of a failed call; returns
  // the exit code.
  int Finish(const grpc::Status& status, const Json& result) const;
  int Usage(const std::string& problem) const;

  // The key's workspace, `workspaces/{id}` (asked of the server once).
  grpc::Status Workspace(std::string* name);
  // The time zone that plain dates in `values` are read in: the
  // workspace's when any value is a plain date, otherwise UTC.
  grpc::Status ZoneFor(const std::vector<std::string>& values,
                       absl::TimeZone* zone);
  // The key's workspace, its zone and currency (asked of the server once).
  grpc::Status WorkspaceInfo(v1::Workspace* workspace);

 private:
  std::string workspace_;
  std::optional<v1::Workspace> workspace_info_;
};

struct Command {
  std::vector<std::string> path;  // e.g. {"workspace", "get"}
  std::string operands;           // for usage, e.g. "[NAME]"
  std::string summary;
  std::set<std::string> flags;  // command flags, without the dashes
  std::function<int(Invocation&)> run;
};

// Sets the fields of `item` named by the flags given (per `specs`); a
// repeated flag's values are joined with ';'. `paths` receives the API
// paths set (for update masks).
grpc::Status FillFromFlags(Invocation& inv, const std::vector<FieldSpec>& specs,
                           google::protobuf::Message& item,
                           std::vector<std::string>* paths);
// The CLI flags of `specs`, for a command's allowed flags.
std::set<std::string> FlagsOf(const std::vector<FieldSpec>& specs,
                              std::set<std::string> extra = {});
// Each `--flag NAME=VALUE` given into `map`; a usage error's text (naming
// `what` NAME is), or empty.
std::string ParsePairs(const Invocation& inv, absl::string_view flag,
                       absl::string_view what,
                       google::protobuf::Map<std::string, std::string>* map);

// Prefixes `id` with `workspace/collection/` unless it is a full name.
std::string ChildOf(const std::string& workspace, const std::string& collection,
                    const std::string& id);

std::vector<Command> AdminCommands();
std::vector<Command> SurveyCommands();
std::vector<Command> CustomerCommands();
std::vector<Command> ActivityCommands();
std::vector<Command> EventCommands();
std::vector<Command> ResponseCommands();
std::vector<Command> ImportCommands();
std::vector<Command> KpiCommands();
std::vector<Command> AlertCommands();
std::vector<Command> BatchCommands();
std::vector<Command> ReportCommands();

}  // namespace mittari::cli

#endif  // MITTARI_CLIENTS_CLI_COMMANDS_H_
