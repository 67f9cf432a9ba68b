// mittari: the command-line client of a Mittari server.
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/commands.h"
#include "clients/cli/help.h"

namespace mittari::cli {
namespace {

const std::set<std::string> kGlobalFlags = {
    "addr",        "key",        "tls",    "ca-cert", "tls-server-name",
    "client-cert", "client-key", "output", "timeout", "help",
    "insecure"};
const std::set<std::string> kBooleanFlags = {"tls",      "help",     "desc",
                                             "progress", "insecure", "all"};

void PrintHelp(std::ostream& out, const std::vector<Command>& commands) {
  out << "usage: mittari [--addr HOST:PORT] [--key KEY] [--tls] "
         "[--ca-cert PEM] [--insecure]\n"
         "               [--client-cert PEM --client-key PEM]\n"
         "               [--output table|json|csv] COMMAND ...\n\n"
         "The address, key, CA certificate and client certificate may "
         "also come from\n"
         "MITTARI_ADDR, MITTARI_KEY, MITTARI_CA_CERT, MITTARI_CLIENT_CERT "
         "and\nMITTARI_CLIENT_KEY. A key goes in clear only to a "
         "loopback\n"
         "address, unless --insecure. `mittari COMMAND --help` shows a "
         "command's flags\nand an example; `mittari completion bash|zsh` "
         "completes them. Commands:\n";
  for (const Command& c : commands) {
    std::string flags;
    for (const std::string& f : c.flags)
      absl::StrAppend(&flags, " [--", f, "]");
    out << "  " << absl::StrJoin(c.path, " ")
        << (c.operands.empty() ? "" : " " + c.operands) << flags << "\n      "
        << c.summary << "\n";
  }
}

int Run(const std::vector<std::string>& argv) {
  std::vector<Command> commands;
  for (auto group :
       {AdminCommands, SurveyCommands, CustomerCommands, ActivityCommands,
        EventCommands, ResponseCommands, ImportCommands, KpiCommands,
        AlertCommands, BatchCommands, ReportCommands}) {
    for (Command& c : group()) commands.push_back(std::move(c));
  }
  commands.push_back({{"completion"},
                      "bash|zsh",
                      "a shell completion script for every command and flag",
                      {},
                      [&commands](Invocation& inv) {
                        std::string script =
                            inv.operands.size() == 1
                                ? CompletionScript(inv.operands[0], commands,
                                                   kGlobalFlags)
                                : "";
                        if (script.empty())
                          return inv.Usage("name the shell: bash or zsh");
                        inv.out << script;
                        return kExitOk;
                      }});
  absl::StatusOr<Args> args = Args::Parse(argv, kBooleanFlags);
  if (!args.ok()) {
    std::cerr << "mittari: " << args.status().message() << "\n";
    return kExitUsage;
  }
  const std::vector<std::string>& words = args->positional();
  if (words.empty()) {
    PrintHelp(words.empty() && !args->Has("help") ? std::cerr : std::cout,
              commands);
    return words.empty() && !args->Has("help") ? kExitUsage : kExitOk;
  }
  const Command* match = nullptr;
  for (const Command& c : commands) {
    if (words.size() >= c.path.size() &&
        std::equal(c.path.begin(), c.path.end(), words.begin()) &&
        (match == nullptr || c.path.size() > match->path.size())) {
      match = &c;
    }
  }
  if (match == nullptr) {
    if (args->Has("help")) {
      PrintHelp(std::cout, commands);
      return kExitOk;
    }
    std::cerr << "mittari: unknown command '" << absl::StrJoin(words, " ")
              << "'; see mittari --help\n";
    return kExitUsage;
  }
  if (args->Has("help")) {
    PrintCommandHelp(std::cout, *match, kGlobalFlags);
    return kExitOk;
  }
  std::set<std::string> allowed = kGlobalFlags;
  allowed.insert(match->flags.begin(), match->flags.end());
  if (std::vector<std::string> unknown = args->Unknown(allowed);
      !unknown.empty()) {
    std::cerr << "mittari: unknown flag --" << unknown[0] << " for '"
              << absl::StrJoin(match->path, " ") << "'\n";
    return kExitUsage;
  }
  std::string output = args->GetOr("output", "table");
  if (output != "table" && output != "json" && output != "csv") {
    std::cerr << "mittari: --output must be table, json or csv\n";
    return kExitUsage;
  }
  absl::StatusOr<Client> client = Client::Connect(*args);
  if (!client.ok()) {
    std::cerr << "mittari: " << client.status().message() << "\n";
    return kExitUsage;
  }
  Invocation inv{
      *args,
      *client,
      output == "json"  ? Format::kJson
      : output == "csv" ? Format::kCsv
                        : Format::kTable,
      {words.begin() + static_cast<std::ptrdiff_t>(match->path.size()),
       words.end()}};
  return match->run(inv);
}

}  // namespace

}  // namespace mittari::cli

int main(int argc, char** argv) {
  return mittari::cli::Run(std::vector<std::string>(argv + 1, argv + argc));
}
