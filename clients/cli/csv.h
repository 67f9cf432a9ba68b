// A CSV reader (RFC 4180: quoted cells, doubled quotes, newlines inside
// quotes, CRLF) that remembers the line each record starts on, so errors
// can name file, line and column.
#ifndef MITTARI_CLIENTS_CLI_CSV_H_
#define MITTARI_CLIENTS_CLI_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mittari::cli {

struct CsvRecord {
  int line = 0;  // 1-based line the record starts on
  std::vector<std::string> cells;
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<CsvRecord> records;  // without the header
};

// Parses `text`; errors are "LINE: reason".
absl::StatusOr<CsvTable> ParseCsv(absl::string_view text);
// Reads and parses a file; errors are "PATH:LINE: reason".
absl::StatusOr<CsvTable> ReadCsvFile(const std::string& path);

}  // namespace mittari::cli

#endif  // MITTARI_CLIENTS_CLI_CSV_H_
