// The CLI's command table. Each group of commands (admin, and the later
// services) registers its commands here; main.cc dispatches on the words.
#ifndef MITTARI_CLIENTS_CLI_COMMANDS_H_
#define MITTARI_CLIENTS_CLI_COMMANDS_H_

#include <functional>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "clients/cli/args.h"
#include "clients/cli/client.h"
#include "clients/cli/output.h"
#include "grpcpp/support/status.h"

namespace mittari::cli {

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitCallFailed = 1;
inline constexpr int kExitUsage = 2;

struct Invocation {
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
};

struct Command {
  std::vector<std::string> path;  // e.g. {"workspace", "get"}
  std::string operands;           // for usage, e.g. "[NAME]"
  std::string summary;
  std::set<std::string> flags;  // command flags, without the dashes
  std::function<int(Invocation&)> run;
};

std::vector<Command> AdminCommands();

}  // namespace mittari::cli

#endif  // MITTARI_CLIENTS_CLI_COMMANDS_H_
