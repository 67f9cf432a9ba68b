#include "clients/cli/csv.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace mittari::cli {

absl::StatusOr<CsvTable> ParseCsv(absl::string_view text) {
  std::vector<CsvRecord> records;
  CsvRecord record;
  std::string cell;
  int line = 1;
  record.line = 1;
  bool quoted = false;
  bool cell_started = false;  // the current record has content
  auto end_cell = [&]() {
    record.cells.push_back(std::move(cell));
    cell.clear();
  };
  auto end_record = [&]() {
    end_cell();
    records.push_back(std::move(record));
    record = CsvRecord();
    record.line = line;
    cell_started = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        cell.push_back(c);
      }
      continue;
    }
    switch (c) {
      case '"':
        if (!cell.empty()) {
          return absl::InvalidArgumentError(
              absl::StrCat(line, ": a quote inside an unquoted cell"));
        }
        quoted = true;
        cell_started = true;
        break;
      case ',':
        end_cell();
        cell_started = true;
        break;
      case '\r':
        break;
      case '\n':
        ++line;
        if (cell_started || !cell.empty() || !record.cells.empty()) {
          end_record();
        } else {
          record.line = line;  // a blank line
        }
        break;
      default:
        cell.push_back(c);
        cell_started = true;
    }
  }
  if (quoted) {
    return absl::InvalidArgumentError(
        absl::StrCat(record.line, ": a quoted cell is not closed"));
  }
  if (cell_started || !cell.empty() || !record.cells.empty()) end_record();
  if (records.empty()) {
    return absl::InvalidArgumentError("1: no header row");
  }
  CsvTable table;
  table.header = std::move(records.front().cells);
  for (size_t i = 1; i < records.size(); ++i) {
    if (records[i].cells.size() != table.header.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(records[i].line, ": ", records[i].cells.size(),
                       " cells, but the header has ", table.header.size()));
    }
    table.records.push_back(std::move(records[i]));
  }
  return table;
}

absl::StatusOr<CsvTable> ReadCsvFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::NotFoundError(absl::StrCat(path, ": cannot read the file"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  absl::StatusOr<CsvTable> table = ParseCsv(buffer.str());
  if (!table.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ":", table.status().message()));
  }
  return table;
}

}  // namespace mittari::cli
