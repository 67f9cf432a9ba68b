#include "clients/cli/output.h"

#include <algorithm>
#include <array>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/cli/csv.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace mittari::cli {
namespace {

using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// ROLE_ADMIN -> "admin", GRANULARITY_WEEK -> "week".
std::string EnumWord(const EnumValueDescriptor* value) {
  std::string name = value->name();
  // Enum type names are CamelCase; their values are UPPER_SNAKE prefixed by
  // the type in UPPER_SNAKE.
  std::string snake;
  for (char c : value->type()->name()) {
    if (absl::ascii_isupper(c) && !snake.empty()) snake.push_back('_');
    snake.push_back(absl::ascii_toupper(c));
  }
  if (absl::StartsWith(name, snake + "_")) name = name.substr(snake.size() + 1);
  return absl::AsciiStrToLower(name);
}

Json Scalar(const Message& m, const Reflection* r, const FieldDescriptor* f,
            int index) {
  bool repeated = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return repeated ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f);
    case FieldDescriptor::CPPTYPE_INT64:
      return repeated ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f);
    case FieldDescriptor::CPPTYPE_UINT32:
      return repeated ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f);
    case FieldDescriptor::CPPTYPE_UINT64:
      return repeated ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return repeated ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return repeated ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f);
    case FieldDescriptor::CPPTYPE_BOOL:
      return repeated ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f);
    case FieldDescriptor::CPPTYPE_STRING:
      return repeated ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
    case FieldDescriptor::CPPTYPE_ENUM:
      return EnumWord(repeated ? r->GetRepeatedEnum(m, f, index)
                               : r->GetEnum(m, f));
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return ToJson(repeated ? r->GetRepeatedMessage(m, f, index)
                             : r->GetMessage(m, f));
  }
  return nullptr;
}

std::string Cell(const Json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// A CSV cell: the JSON value as is (full precision, UTC times), empty for
// an absent one.
std::string CsvCell(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// The rows of a list of objects for a spreadsheet: a header of every key
// seen, nested objects flattened one level (`group.channel`).
void PrintCsvList(std::ostream& out, const Json& list) {
  std::vector<std::string> header;
  auto add = [&header](const std::string& key) {
    if (std::find(header.begin(), header.end(), key) == header.end())
      header.push_back(key);
  };
  for (const Json& item : list) {
    if (!item.is_object()) continue;
    for (const auto& [k, v] : item.items()) {
      if (v.is_object()) {
        for (const auto& [k2, v2] : v.items()) add(absl::StrCat(k, ".", k2));
      } else if (!v.is_array()) {
        add(k);
      }
    }
  }
  if (header.empty()) {
    for (const Json& item : list) out << CsvLine({CsvCell(item)});
    return;
  }
  out << CsvLine(header);
  for (const Json& item : list) {
    std::vector<std::string> row;
    for (const std::string& key : header) {
      size_t dot = key.find('.');
      const Json* v = nullptr;
      if (item.contains(key)) {
        v = &item[key];
      } else if (dot != std::string::npos &&
                 item.contains(key.substr(0, dot))) {
        const Json& parent = item[key.substr(0, dot)];
        if (parent.is_object() && parent.contains(key.substr(dot + 1)))
          v = &parent[key.substr(dot + 1)];
      }
      row.push_back(
          v == nullptr || v->is_object() || v->is_array() ? "" : CsvCell(*v));
    }
    out << CsvLine(row);
  }
}

}  // namespace

size_t DisplayWidth(const std::string& text) {
  size_t width = 0;
  // UTF-8: count the bytes that start a character.
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return width;
}

void PrintRows(std::ostream& out,
               const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line += std::string(widths[i] - DisplayWidth(row[i]) + 2, ' ');
    }
    out << line << "\n";
  }
}

namespace {}  // namespace

std::string FormatTimestamp(int64_t seconds, int32_t nanos) {
  absl::Time t = absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
  return absl::FormatTime(
      nanos == 0 ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%E*SZ", t,
      absl::UTCTimeZone());
}

Json ToJson(const Message& message) {
  const google::protobuf::Descriptor* d = message.GetDescriptor();
  if (d->full_name() == "google.protobuf.Timestamp") {
    const auto& ts = static_cast<const google::protobuf::Timestamp&>(message);
    return FormatTimestamp(ts.seconds(), ts.nanos());
  }
  const Reflection* r = message.GetReflection();
  Json out = Json::object();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_map()) {
      Json map = Json::object();
      for (int k = 0; k < r->FieldSize(message, f); ++k) {
        const Message& entry = r->GetRepeatedMessage(message, f, k);
        const FieldDescriptor* key_field = entry.GetDescriptor()->field(0);
        Json key = Scalar(entry, entry.GetReflection(), key_field, 0);
        map[Cell(key)] = Scalar(entry, entry.GetReflection(),
                                entry.GetDescriptor()->field(1), 0);
      }
      out[f->name()] = map;
    } else if (f->is_repeated()) {
      Json list = Json::array();
      for (int k = 0; k < r->FieldSize(message, f); ++k) {
        list.push_back(Scalar(message, r, f, k));
      }
      out[f->name()] = list;
    } else if (f->has_presence() && !r->HasField(message, f)) {
      out[f->name()] = nullptr;  // an absent message or optional value
    } else {
      out[f->name()] = Scalar(message, r, f, 0);
    }
  }
  return out;
}

void Print(std::ostream& out, const Json& value, Format format) {
  if (format == Format::kJson) {
    out << value.dump(2) << "\n";
    return;
  }
  if (format == Format::kCsv) {
    const Json* list = nullptr;
    if (value.is_object()) {
      for (const auto& [k, v] : value.items()) {
        if (v.is_array()) list = list == nullptr ? &v : nullptr;
      }
    }
    if (list != nullptr) {
      PrintCsvList(out, *list);
    } else if (value.is_object()) {
      PrintCsvList(out, Json::array({value}));
    } else {
      out << CsvLine({CsvCell(value)});
    }
    return;
  }
  if (value.is_object()) {
    const Json* list = nullptr;
    int arrays = 0;
    for (const auto& [k, v] : value.items()) {
      if (v.is_array()) {
        list = &v;
        ++arrays;
      }
    }
    if (arrays == 1 && value.size() <= 2) {
      std::vector<std::vector<std::string>> rows;
      std::vector<std::string> header;
      if (!list->empty() && (*list)[0].is_object()) {
        for (const auto& [k, v] : (*list)[0].items()) {
          if (!v.is_object() && !v.is_array())
            header.push_back(absl::AsciiStrToUpper(k));
        }
        rows.push_back(header);
        for (const Json& item : *list) {
          std::vector<std::string> row;
          for (const auto& [k, v] : item.items()) {
            if (!v.is_object() && !v.is_array()) row.push_back(Cell(v));
          }
          rows.push_back(row);
        }
      } else {
        for (const Json& item : *list) rows.push_back({Cell(item)});
      }
      PrintRows(out, rows);
      return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& [k, v] : value.items()) {
      if (v.is_object()) {
        for (const auto& [k2, v2] : v.items()) {
          rows.push_back({absl::StrCat(k, ".", k2), Cell(v2)});
        }
      } else {
        rows.push_back({k, Cell(v)});
      }
    }
    PrintRows(out, rows);
    return;
  }
  out << Cell(value) << "\n";
}

void PrintError(std::ostream& err, const grpc::Status& status) {
  static constexpr std::array<const char*, 17> kCodes = {"OK",
                                                         "CANCELLED",
                                                         "UNKNOWN",
                                                         "INVALID_ARGUMENT",
                                                         "DEADLINE_EXCEEDED",
                                                         "NOT_FOUND",
                                                         "ALREADY_EXISTS",
                                                         "PERMISSION_DENIED",
                                                         "RESOURCE_EXHAUSTED",
                                                         "FAILED_PRECONDITION",
                                                         "ABORTED",
                                                         "OUT_OF_RANGE",
                                                         "UNIMPLEMENTED",
                                                         "INTERNAL",
                                                         "UNAVAILABLE",
                                                         "DATA_LOSS",
                                                         "UNAUTHENTICATED"};
  int code = static_cast<int>(status.error_code());
  err << "mittari: "
      << (code >= 0 && static_cast<size_t>(code) < kCodes.size()
              ? kCodes[static_cast<size_t>(code)]
              : "UNKNOWN")
      << ": " << status.error_message() << "\n";
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad_request;
    // One violation is the message already; list them when there are more.
    if (any.UnpackTo(&bad_request) && bad_request.field_violations_size() > 1) {
      for (const auto& v : bad_request.field_violations()) {
        err << "  " << v.field() << ": " << v.description() << "\n";
      }
    }
  }
}

}  // namespace mittari::cli
