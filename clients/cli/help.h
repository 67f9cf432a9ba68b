// Help for people: each command's --help (what it does, its flags, an
// example) and shell completion scripts made from the command table.
#ifndef MITTARI_CLIENTS_CLI_HELP_H_
#define MITTARI_CLIENTS_CLI_HELP_H_

#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "clients/cli/commands.h"

namespace mittari::cli {

// What `flag` (without dashes) does, in a line; empty when unknown.
std::string FlagHelp(const std::string& flag);

// An example invocation of `command`.
std::string Example(const Command& command);

// `mittari PATH --help`.
void PrintCommandHelp(std::ostream& out, const Command& command,
                      const std::set<std::string>& global_flags);

// `mittari completion bash|zsh`: a script completing every command's words
// and flags; empty for another shell.
std::string CompletionScript(const std::string& shell,
                             const std::vector<Command>& commands,
                             const std::set<std::string>& global_flags);

}  // namespace mittari::cli

#endif  // MITTARI_CLIENTS_CLI_HELP_H_
