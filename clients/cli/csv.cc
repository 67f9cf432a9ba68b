#include "clients/cli/csv.h"

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"

namespace mittari::cli {
namespace {

constexpr size_t kBlockBytes = size_t{1} << 20;

}  // namespace

void CsvParser::EndCell() {
  record_.cells.push_back(std::move(cell_));
  cell_.clear();
}

void CsvParser::EndRecord(std::deque<CsvRecord>& out) {
  EndCell();
  out.push_back(std::move(record_));
  record_ = CsvRecord();
  record_.line = line_;
  cell_started_ = false;
}

absl::Status CsvParser::Feed(absl::string_view text,
                             std::deque<CsvRecord>& out) {
  for (const char c : text) {
    if (quote_pending_) {
      quote_pending_ = false;
      if (c == '"') {  // a doubled quote: one quote in the cell
        cell_.push_back('"');
        continue;
      }
      quoted_ = false;  // the closing quote; `c` follows the cell
    }
    if (quoted_) {
      if (c == '"') {
        quote_pending_ = true;
      } else {
        if (c == '\n') ++line_;
        cell_.push_back(c);
      }
      continue;
    }
    switch (c) {
      case '"':
        if (!cell_.empty()) {
          return absl::InvalidArgumentError(
              absl::StrCat(line_, ": a quote inside an unquoted cell"));
        }
        quoted_ = true;
        cell_started_ = true;
        break;
      case ',':
        EndCell();
        cell_started_ = true;
        break;
      case '\r':
        break;
      case '\n':
        ++line_;
        if (HasContent()) {
          EndRecord(out);
        } else {
          record_.line = line_;  // a blank line
        }
        break;
      default:
        cell_.push_back(c);
        cell_started_ = true;
    }
  }
  return absl::OkStatus();
}

absl::Status CsvParser::Finish(std::deque<CsvRecord>& out) {
  if (quote_pending_) {
    quote_pending_ = false;
    quoted_ = false;
  }
  if (quoted_) {
    return absl::InvalidArgumentError(
        absl::StrCat(record_.line, ": a quoted cell is not closed"));
  }
  if (HasContent()) EndRecord(out);
  return absl::OkStatus();
}

absl::StatusOr<CsvTable> ParseCsv(absl::string_view text) {
  CsvParser parser;
  std::deque<CsvRecord> records;
  if (absl::Status s = parser.Feed(text, records); !s.ok()) return s;
  if (absl::Status s = parser.Finish(records); !s.ok()) return s;
  if (records.empty()) {
    return absl::InvalidArgumentError("1: no header row");
  }
  CsvTable table;
  table.header = std::move(records.front().cells);
  records.pop_front();
  for (CsvRecord& record : records) {
    if (record.cells.size() != table.header.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(record.line, ": ", record.cells.size(),
                       " cells, but the header has ", table.header.size()));
    }
    table.records.push_back(std::move(record));
  }
  return table;
}

absl::StatusOr<std::unique_ptr<CsvFileReader>> CsvFileReader::Open(
    const std::string& path) {
  auto reader = std::unique_ptr<CsvFileReader>(new CsvFileReader(path));
  reader->in_.open(path, std::ios::binary);
  if (!reader->in_) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot read the file"));
  }
  std::error_code ec;
  reader->size_ = std::filesystem::file_size(path, ec);
  if (ec) reader->size_ = 0;
  if (absl::Status s = reader->Fill(); !s.ok()) return s;
  if (reader->ready_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ":1: no header row"));
  }
  reader->header_ = std::move(reader->ready_.front().cells);
  reader->ready_.pop_front();
  return reader;
}

absl::Status CsvFileReader::WithPath(const absl::Status& status) const {
  return absl::InvalidArgumentError(absl::StrCat(path_, ":", status.message()));
}

absl::Status CsvFileReader::Fill() {
  std::string block(kBlockBytes, '\0');
  while (ready_.empty() && !ended_) {
    in_.read(block.data(), static_cast<std::streamsize>(block.size()));
    const auto got = static_cast<size_t>(in_.gcount());
    bytes_read_ += got;
    absl::Status s = parser_.Feed(absl::string_view(block.data(), got), ready_);
    if (s.ok() && got < block.size()) {
      ended_ = true;
      s = parser_.Finish(ready_);
    }
    if (!s.ok()) return WithPath(s);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<CsvRecord>> CsvFileReader::Next() {
  if (ready_.empty()) {
    if (absl::Status s = Fill(); !s.ok()) return s;
  }
  if (ready_.empty()) return std::nullopt;
  CsvRecord record = std::move(ready_.front());
  ready_.pop_front();
  if (record.cells.size() != header_.size()) {
    return WithPath(absl::InvalidArgumentError(
        absl::StrCat(record.line, ": ", record.cells.size(),
                     " cells, but the header has ", header_.size())));
  }
  return record;
}

std::string CsvLine(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out.push_back(',');
    const std::string& c = cells[i];
    if (c.find_first_of(",\"\r\n") == std::string::npos) {
      out += c;
      continue;
    }
    out.push_back('"');
    for (char ch : c) {
      if (ch == '"') out.push_back('"');
      out.push_back(ch);
    }
    out.push_back('"');
  }
  out.push_back('\n');
  return out;
}

}  // namespace mittari::cli
