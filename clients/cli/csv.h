// A CSV reader (RFC 4180: quoted cells, doubled quotes, newlines inside
// quotes, CRLF) that remembers the line each record starts on, so errors
// can name file, line and column. Files are read as a stream, a block at a
// time, so a file of any size costs the memory of one block.
#ifndef MITTARI_CLIENTS_CLI_CSV_H_
#define MITTARI_CLIENTS_CLI_CSV_H_

#include <cstdint>
#include <deque>
#include <fstream>
#include <memory>
#include <optional>
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

// The parser's state between blocks of text. Errors are "LINE: reason".
class CsvParser {
 public:
  // Appends the records `text` completes to `out`.
  absl::Status Feed(absl::string_view text, std::deque<CsvRecord>& out);
  // The end of the text: appends the last record, if any.
  absl::Status Finish(std::deque<CsvRecord>& out);

 private:
  void EndCell();
  void EndRecord(std::deque<CsvRecord>& out);
  bool HasContent() const {
    return cell_started_ || !cell_.empty() || !record_.cells.empty();
  }

  CsvRecord record_{1, {}};
  std::string cell_;
  int line_ = 1;
  bool quoted_ = false;
  bool quote_pending_ = false;  // a quote inside quotes, maybe doubled
  bool cell_started_ = false;   // the current record has content
};

// One CSV line (with its newline) of `cells`, quoted where a cell holds a
// comma, a quote or a line break (RFC 4180).
std::string CsvLine(const std::vector<std::string>& cells);

// Parses `text`; errors are "LINE: reason".
absl::StatusOr<CsvTable> ParseCsv(absl::string_view text);

// Reads a file record by record; errors are "PATH:LINE: reason". Every
// record has as many cells as the header.
class CsvFileReader {
 public:
  static absl::StatusOr<std::unique_ptr<CsvFileReader>> Open(
      const std::string& path);

  const std::vector<std::string>& header() const { return header_; }
  // The next record; nullopt after the last.
  absl::StatusOr<std::optional<CsvRecord>> Next();
  // How far into the file the reader is, and the file's size, in bytes.
  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t size() const { return size_; }

 private:
  explicit CsvFileReader(std::string path) : path_(std::move(path)) {}
  // Reads blocks until a record is ready or the file ends.
  absl::Status Fill();
  absl::Status WithPath(const absl::Status& status) const;

  const std::string path_;
  std::ifstream in_;
  CsvParser parser_;
  std::deque<CsvRecord> ready_;
  std::vector<std::string> header_;
  uint64_t bytes_read_ = 0;
  uint64_t size_ = 0;
  bool ended_ = false;
};

}  // namespace mittari::cli

#endif  // MITTARI_CLIENTS_CLI_CSV_H_
