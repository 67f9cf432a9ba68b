#include "clients/cli/help.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mittari::cli {
namespace {

const std::map<std::string, std::string>& Flags() {
  static const auto* const kFlags = new std::map<std::string, std::string>{
      {"addr", "the server, HOST:PORT (env MITTARI_ADDR; 127.0.0.1:50051)"},
      {"key", "the API key (env MITTARI_KEY)"},
      {"tls", "speak TLS with the system's CAs"},
      {"ca-cert", "speak TLS trusting this CA (PEM; env MITTARI_CA_CERT)"},
      {"tls-server-name", "the name the server's certificate must carry"},
      {"client-cert", "mutual TLS: this certificate (PEM)"},
      {"client-key", "mutual TLS: its private key (PEM)"},
      {"insecure", "allow a key in clear beyond loopback"},
      {"output", "table (for people), json (full precision, UTC) or csv"},
      {"timeout",
       "seconds a call may take (30; imports and exports: unlimited)"},
      {"help", "this help"},
      {"from", "start of the range: YYYY-MM-DD (workspace's zone) or RFC 3339"},
      {"to", "end of the range, exclusive: YYYY-MM-DD or RFC 3339"},
      {"granularity", "none, day, week, month, quarter or year"},
      {"group-by", "a dimension to group by (repeatable)"},
      {"filter", "DIMENSION=VALUE to keep (repeatable)"},
      {"min-n", "hide values with fewer observations (marked small sample)"},
      {"tag", "the tag of tag_share (and of rules)"},
      {"metric", "a metric's name, e.g. nps, csat, churn_rate"},
      {"from-file", "JSON lines, one request per line (- for stdin)"},
      {"progress", "show progress even when stderr is not a terminal"},
      {"display-name", "a name for people"},
      {"time-zone", "an IANA zone, e.g. Europe/Helsinki"},
      {"currency", "an ISO 4217 code, e.g. EUR"},
      {"survey", "a survey's id"},
      {"channel", "a channel, e.g. email, chat, web"},
      {"touchpoint", "a touchpoint's id"},
      {"segment", "a customer segment"},
      {"event", "an event's id"},
      {"customer", "a customer's id"},
      {"score", "the answer's score on the survey's scale"},
      {"time", "when: YYYY-MM-DD or RFC 3339"},
      {"comment", "free text"},
      {"kind", "the kind (see the command's summary)"},
      {"limit", "at most this many"},
      {"desc", "sort descending"},
      {"sort", "the field to sort by"},
      {"as-of", "the moment judged (default now)"},
      {"resume-token", "continue after the message that carried it"},
      {"state", "filter by state"},
      {"role", "ingest, read, write or admin"},
      {"all", "every page, not just the first"},
      {"amount", "money in major units, e.g. 49.90"},
      {"series", "an event series"},
      {"horizon", "buckets to forecast"},
      {"window", "buckets of history judged"},
      {"k", "how many deviations make an anomaly"},
      {"goal", "the target value"},
      {"period", "the target's period: month, quarter or year"},
      {"webhook", "an http(s) URL that receives the alert (repeatable)"},
      {"assignee", "who follows it up"},
      {"notes", "free text"},
      {"value", "a value"},
      {"id", "an id (1-128 of A-Z a-z 0-9 . _ -)"},
      {"out", "the file to write"},
      {"direction", "at_least or at_most: which side of the goal is good"},
      {"kpi-class", "tactical or operational"},
      {"owner", "who answers for it"},
      {"param", "KEY=VALUE, a metric parameter such as tag (repeatable)"},
      {"benchmark", "an outside figure to compare with"},
      {"benchmark-source", "where the benchmark comes from"},
      {"on", "the status that fires: missed (default) or at_risk"},
      {"score-max", "fire for a score at or below this"},
      {"side", "bad (default) or both sides of the usual"},
  };
  return *kFlags;
}

const std::map<std::string, std::string>& Examples() {
  static const auto* const kExamples = new std::map<std::string, std::string>{
      {"kpi query",
       "mittari kpi query nps --from 2026-01-01 --to 2026-07-01 --granularity "
       "week --filter survey=nps-relationship --min-n 30"},
      {"kpi chart",
       "mittari kpi chart nps --from 2026-01-01 --to 2026-07-01 "
       "--granularity month --filter survey=nps-relationship"},
      {"kpi compare",
       "mittari kpi compare csat --from 2026-03-01 --to 2026-04-01 --group-by "
       "channel"},
      {"kpi watch", "mittari kpi watch nps --granularity day"},
      {"import", "mittari import responses responses.csv"},
      {"responses submit",
       "mittari responses submit --id r-1 --survey nps-checkout --score 9 "
       "--time 2026-05-01T10:00:00Z"},
      {"responses batch",
       "mittari responses batch --from-file responses.jsonl   # lines like "
       "{\"response_id\":\"r-1\",\"response\":{\"survey_id\":\"nps\",\"score\":"
       "9,\"submit_time\":\"2026-05-01T10:00:00Z\"}}"},
      {"purchases batch",
       "mittari purchases batch --from-file purchases.jsonl"},
      {"sessions batch", "mittari sessions batch --from-file sessions.jsonl"},
      {"tickets batch", "mittari tickets batch --from-file tickets.jsonl"},
      {"surveys create",
       "mittari surveys create nps-checkout --kind nps --question \"Recommend "
       "us?\" --touchpoint checkout"},
      {"events report", "mittari events report ev-a"},
      {"events compare",
       "mittari events compare --series \"2026 programme\" --sort roi --desc"},
      {"alerts watch", "mittari alerts watch --output json"},
      {"scorecard", "mittari scorecard"},
      {"report",
       "mittari report --from 2026-01-01 --to 2026-04-01 --survey "
       "nps-relationship --out review.html"},
      {"completion", "source <(mittari completion bash)"},
      {"workspace export", "mittari workspace export backup-dir"},
      {"keys create",
       "mittari keys create --role read --display-name Dashboard"},
  };
  return *kExamples;
}

}  // namespace

std::string FlagHelp(const std::string& flag) {
  auto it = Flags().find(flag);
  return it == Flags().end() ? "" : it->second;
}

std::string Example(const Command& command) {
  const std::string path = absl::StrJoin(command.path, " ");
  auto it = Examples().find(path);
  if (it != Examples().end()) return it->second;
  return absl::StrCat("mittari ", path,
                      command.operands.empty() ? "" : " " + command.operands);
}

void PrintCommandHelp(std::ostream& out, const Command& command,
                      const std::set<std::string>& global_flags) {
  out << "usage: mittari " << absl::StrJoin(command.path, " ")
      << (command.operands.empty() ? "" : " " + command.operands)
      << (command.flags.empty() ? "" : " [flags]") << "\n\n"
      << command.summary << "\n";
  auto list = [&out](const std::set<std::string>& flags) {
    size_t width = 0;
    for (const std::string& f : flags) width = std::max(width, f.size());
    for (const std::string& f : flags) {
      const std::string help = FlagHelp(f);
      out << "  --" << f << std::string(width - f.size() + 2, ' ')
          << (help.empty() ? "see above" : help) << "\n";
    }
  };
  if (!command.flags.empty()) {
    out << "\nflags:\n";
    list(command.flags);
  }
  out << "\nglobal flags:\n";
  list(global_flags);
  out << "\nexample:\n  " << Example(command) << "\n";
}

std::string CompletionScript(const std::string& shell,
                             const std::vector<Command>& commands,
                             const std::set<std::string>& global_flags) {
  if (shell != "bash" && shell != "zsh") return "";
  // What may follow each path: the next words of longer commands, and a
  // whole command's flags.
  std::map<std::string, std::set<std::string>> next;
  std::string globals;
  for (const std::string& f : global_flags) absl::StrAppend(&globals, " --", f);
  for (const Command& c : commands) {
    for (size_t n = 0; n < c.path.size(); ++n) {
      next[absl::StrJoin(std::vector<std::string>(
                             c.path.begin(),
                             c.path.begin() + static_cast<std::ptrdiff_t>(n)),
                         " ")]
          .insert(c.path[n]);
    }
    auto& words = next[absl::StrJoin(c.path, " ")];
    for (const std::string& f : c.flags) words.insert("--" + f);
  }
  std::string script;
  if (shell == "zsh") {
    script =
        "#compdef mittari\n"
        "# zsh completion for mittari: source it, or put it in $fpath.\n"
        "autoload -U +X bashcompinit && bashcompinit\n";
  } else {
    script =
        "# bash completion for mittari: source <(mittari completion bash)\n";
  }
  script += "declare -A _mittari_next=(\n";
  // Keys start with "m" (bash refuses an empty key): "m", "m kpi", ...
  for (const auto& [path, words] : next) {
    absl::StrAppend(&script, "  [\"m", path.empty() ? "" : " ", path, "\"]=\"",
                    absl::StrJoin(words, " "), path.empty() ? "" : globals,
                    "\"\n");
  }
  script +=
      ")\n"
      "_mittari() {\n"
      "  local cur=${COMP_WORDS[COMP_CWORD]} path=m w next\n"
      "  for w in \"${COMP_WORDS[@]:1:COMP_CWORD-1}\"; do\n"
      "    [[ $w == -* ]] && continue\n"
      "    next=\"$path $w\"\n"
      "    [[ -n ${_mittari_next[$next]+x} ]] && path=$next\n"
      "  done\n"
      "  COMPREPLY=( $(compgen -W \"${_mittari_next[$path]}\" -- \"$cur\") )\n"
      "}\n"
      "complete -F _mittari mittari\n";
  return script;
}

}  // namespace mittari::cli
