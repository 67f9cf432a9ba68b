// What the CLI prints: API messages as JSON (snake_case keys, numbers as
// JSON numbers, null for an absent value, times in RFC 3339 UTC with Z,
// enums as lower-case words) or as tables for people; and errors, with
// their field violations.
#ifndef MITTARI_CLIENTS_CLI_OUTPUT_H_
#define MITTARI_CLIENTS_CLI_OUTPUT_H_

#include <ostream>
#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "nlohmann/json.hpp"

namespace mittari::cli {

using Json = nlohmann::ordered_json;

// A message as JSON by the rules above.
Json ToJson(const google::protobuf::Message& message);
// An RFC 3339 UTC time with Z (seconds, plus fraction when present).
std::string FormatTimestamp(int64_t seconds, int32_t nanos);

enum class Format { kTable, kJson, kCsv };

// Prints `value`: pretty JSON, a table, or CSV. An object with one array
// member prints as a table (or CSV) with a row per element; other objects
// as "key  value" lines (one CSV row). CSV keeps JSON's values (full
// precision, UTC times) and flattens nested objects into `key.sub` columns.
void Print(std::ostream& out, const Json& value, Format format);

// Rows aligned in columns, by their width on a terminal (UTF-8 aware).
void PrintRows(std::ostream& out,
               const std::vector<std::vector<std::string>>& rows);
// The columns `text` takes on a terminal.
size_t DisplayWidth(const std::string& text);

// Prints a failed call's status: code, message, and every field violation.
void PrintError(std::ostream& err, const grpc::Status& status);

}  // namespace mittari::cli

#endif  // MITTARI_CLIENTS_CLI_OUTPUT_H_
