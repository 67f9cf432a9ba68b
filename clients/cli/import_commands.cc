// `mittari import customers|surveys|responses|purchases|sessions|tickets|
// events|event_costs|event_revenues|registrations FILE.csv`: one import job;
// `mittari workspace export DIR` writes the same files back out.
// The file is read and checked here record by record (a bad cell names
// file, line and column, and cancels the job) and streamed to the server as
// it is read, which checks and stages each message as it arrives and stores
// all of the file or none of it. An error the server finds is mapped back
// to the file's line and column. On a terminal (or with --progress) the
// rows sent, rows/s and the time left are shown as the file goes.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/cli/commands.h"
#include "clients/cli/csv.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "mittari/v1/admin.grpc.pb.h"
#include "mittari/v1/customer.grpc.pb.h"
#include "mittari/v1/event.grpc.pb.h"
#include "mittari/v1/survey.grpc.pb.h"

namespace mittari::cli {
namespace {

constexpr size_t kRowsPerMessage = 500;

// One import's stream to the server: messages of up to kRowsPerMessage
// items.
class ImportStream {
 public:
  virtual ~ImportStream() = default;
  // Sends `items` as one message; false when the stream broke (Finish
  // tells why).
  virtual bool Send(
      const std::vector<std::unique_ptr<google::protobuf::Message>>& items) = 0;
  // Ends the stream: the server's answer, as JSON in `summary`.
  virtual grpc::Status Finish(Json* summary) = 0;
  // Abandons the job: the server stores nothing of it.
  virtual void Cancel() = 0;
};

// One kind of import: its fields, required columns, the item message and
// how to open its stream.
struct ImportKind {
  std::string name;
  const std::vector<FieldSpec>& fields;
  std::vector<std::string> required;
  std::function<std::unique_ptr<google::protobuf::Message>()> new_item;
  std::function<std::unique_ptr<ImportStream>(Invocation&,
                                              const std::string& parent)>
      open;
};

template <typename Request, typename Item, typename Response, typename Stub,
          typename Add>
class TypedStream final : public ImportStream {
 public:
  template <typename Open>
  TypedStream(Invocation& inv, std::string parent, std::unique_ptr<Stub> stub,
              Open open, Add add)
      : context_(inv.client.JobContext()),
        stub_(std::move(stub)),
        parent_(std::move(parent)),
        add_(add),
        writer_(open(*stub_, context_.get(), &response_)) {}

  bool Send(const std::vector<std::unique_ptr<google::protobuf::Message>>&
                items) override {
    Request request;
    request.set_parent(parent_);
    for (const auto& item : items) {
      *add_(request) = static_cast<const Item&>(*item);
    }
    return writer_->Write(request);
  }

  grpc::Status Finish(Json* summary) override {
    writer_->WritesDone();
    grpc::Status status = writer_->Finish();
    *summary = ToJson(response_);
    return status;
  }

  void Cancel() override { context_->TryCancel(); }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<Stub> stub_;
  const std::string parent_;
  Add add_;
  Response response_;
  std::unique_ptr<grpc::ClientWriter<Request>> writer_;
};

// The stream of one import method: `open(stub, context, response)` starts
// the call, `add(request)` adds an item to a message.
template <typename Request, typename Item, typename Response, typename Service,
          typename Open, typename Add>
std::unique_ptr<ImportStream> OpenStream(Invocation& inv,
                                         const std::string& parent, Open open,
                                         Add add) {
  using Stub = typename Service::Stub;
  return std::make_unique<TypedStream<Request, Item, Response, Stub, Add>>(
      inv, parent, Service::NewStub(inv.client.channel()), open, add);
}

std::unique_ptr<ImportStream> OpenLines(Invocation& inv,
                                        const std::string& parent) {
  return OpenStream<v1::ImportEventLinesRequest, v1::EventLine,
                    v1::ImportSummary, v1::EventService>(
      inv, parent,
      [](auto& stub, grpc::ClientContext* c, v1::ImportSummary* r) {
        return stub.ImportEventLines(c, r);
      },
      [](v1::ImportEventLinesRequest& r) { return r.add_lines(); });
}

const std::vector<ImportKind>& Kinds() {
  static const auto* kinds = new std::vector<ImportKind>{
      {"customers",
       CustomerFields(),
       {"id"},
       [] { return std::make_unique<v1::ImportedCustomer>(); },
       [](Invocation& inv, const std::string& parent) {
         return OpenStream<v1::ImportCustomersRequest, v1::ImportedCustomer,
                           v1::ImportSummary, v1::CustomerService>(
             inv, parent,
             [](auto& stub, grpc::ClientContext* c, v1::ImportSummary* r) {
               return stub.ImportCustomers(c, r);
             },
             [](v1::ImportCustomersRequest& r) { return r.add_customers(); });
       }},
      {"surveys",
       SurveyFields(),
       {"id", "kind", "question"},
       [] { return std::make_unique<v1::ImportedSurvey>(); },
       [](Invocation& inv, const std::string& parent) {
         return OpenStream<v1::ImportSurveysRequest, v1::ImportedSurvey,
                           v1::ImportSummary, v1::SurveyService>(
             inv, parent,
             [](auto& stub, grpc::ClientContext* c, v1::ImportSummary* r) {
               return stub.ImportSurveys(c, r);
             },
             [](v1::ImportSurveysRequest& r) { return r.add_surveys(); });
       }},
      {"responses",
       ResponseFields(),
       {"id", "survey_id", "submitted_at"},
       [] { return std::make_unique<v1::SubmitResponseRequest>(); },
       [](Invocation& inv, const std::string& parent) {
         return OpenStream<v1::StreamSubmitResponsesRequest,
                           v1::SubmitResponseRequest,
                           v1::BatchSubmitResponsesResponse, v1::SurveyService>(
             inv, parent,
             [](auto& stub, grpc::ClientContext* c,
                v1::BatchSubmitResponsesResponse* r) {
               return stub.StreamSubmitResponses(c, r);
             },
             [](v1::StreamSubmitResponsesRequest& r) {
               return r.add_requests();
             });
       }},
      {"purchases",
       PurchaseFields(),
       {"id", "customer_id", "occurred_at", "amount"},
       [] { return std::make_unique<v1::RecordPurchaseRequest>(); },
       [](Invocation& inv, const std::string& parent) {
         return OpenStream<v1::ImportPurchasesRequest,
                           v1::RecordPurchaseRequest, v1::ImportSummary,
                           v1::CustomerService>(
             inv, parent,
             [](auto& stub, grpc::ClientContext* c, v1::ImportSummary* r) {
               return stub.ImportPurchases(c, r);
             },
             [](v1::ImportPurchasesRequest& r) { return r.add_requests(); });
       }},
      {"sessions",
       SessionFields(),
       {"id", "visitor_id", "started_at"},
       [] { return std::make_unique<v1::RecordSessionRequest>(); },
       [](Invocation& inv, const std::string& parent) {
         return OpenStream<v1::ImportSessionsRequest, v1::RecordSessionRequest,
                           v1::ImportSummary, v1::CustomerService>(
             inv, parent,
             [](auto& stub, grpc::ClientContext* c, v1::ImportSummary* r) {
               return stub.ImportSessions(c, r);
             },
             [](v1::ImportSessionsRequest& r) { return r.add_requests(); });
       }},
      {"tickets",
       TicketFields(),
       {"id", "customer_id", "created_at"},
       [] { return std::make_unique<v1::RecordTicketRequest>(); },
       [](Invocation& inv, const std::string& parent) {
         return OpenStream<v1::ImportTicketsRequest, v1::RecordTicketRequest,
                           v1::ImportSummary, v1::CustomerService>(
             inv, parent,
             [](auto& stub, grpc::ClientContext* c, v1::ImportSummary* r) {
               return stub.ImportTickets(c, r);
             },
             [](v1::ImportTicketsRequest& r) { return r.add_requests(); });
       }},
      {"events",
       EventFields(),
       {"id", "name", "kind", "starts_at"},
       [] { return std::make_unique<v1::ImportedEvent>(); },
       [](Invocation& inv, const std::string& parent) {
         return OpenStream<v1::ImportEventsRequest, v1::ImportedEvent,
                           v1::ImportSummary, v1::EventService>(
             inv, parent,
             [](auto& stub, grpc::ClientContext* c, v1::ImportSummary* r) {
               return stub.ImportEvents(c, r);
             },
             [](v1::ImportEventsRequest& r) { return r.add_events(); });
       }},
      {"event_costs",
       EventLineFields(),
       {"id", "event_id", "category", "amount"},
       [] { return std::make_unique<v1::EventLine>(); },
       OpenLines},
      {"event_revenues",
       EventLineFields(),
       {"id", "event_id", "category", "amount"},
       [] {
         auto line = std::make_unique<v1::EventLine>();
         line->set_revenue(true);
         return line;
       },
       OpenLines},
      {"registrations",
       RegistrationFields(),
       {"event_id", "customer_id"},
       [] { return std::make_unique<v1::Registration>(); },
       [](Invocation& inv, const std::string& parent) {
         return OpenStream<v1::ImportRegistrationsRequest, v1::Registration,
                           v1::ImportSummary, v1::EventService>(
             inv, parent,
             [](auto& stub, grpc::ClientContext* c, v1::ImportSummary* r) {
               return stub.ImportRegistrations(c, r);
             },
             [](v1::ImportRegistrationsRequest& r) {
               return r.add_registrations();
             });
       }},
  };
  return *kinds;
}

// "customers[12].customer.email" -> record 12, "customer.email".
bool SplitItemField(const std::string& field, size_t* index,
                    std::string* rest) {
  static const std::regex kItem(R"(^\w+\[(\d+)\]\.?(.*)$)");
  std::smatch m;
  if (!std::regex_match(field, m, kItem)) return false;
  if (!absl::SimpleAtoi(m[1].str(), index)) return false;
  *rest = m[2].str();
  return true;
}

// The line record `index` (0-based, after the header) starts on: the file
// is read again, which only an error costs.
std::optional<int> LineOfRecord(const std::string& file, size_t index) {
  absl::StatusOr<std::unique_ptr<CsvFileReader>> reader =
      CsvFileReader::Open(file);
  if (!reader.ok()) return std::nullopt;
  for (size_t i = 0;; ++i) {
    absl::StatusOr<std::optional<CsvRecord>> record = (*reader)->Next();
    if (!record.ok() || !record->has_value()) return std::nullopt;
    if (i == index) return (*record)->line;
  }
}

// Prints the server's error in terms of the file.
void PrintImportError(Invocation& inv, const std::string& file,
                      const ImportKind& kind, const grpc::Status& status) {
  google::rpc::Status details;
  bool mapped = false;
  if (details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      google::rpc::BadRequest bad;
      if (!any.UnpackTo(&bad)) continue;
      for (const auto& v : bad.field_violations()) {
        size_t index = 0;
        std::string path;
        if (!SplitItemField(v.field(), &index, &path)) continue;
        std::optional<int> line = LineOfRecord(file, index);
        if (!line.has_value()) continue;
        std::string column = path;
        for (const FieldSpec& spec : kind.fields) {
          if (spec.path == path) column = spec.column;
        }
        inv.err << "mittari: " << file << ":" << *line << ": column " << column
                << ": " << v.description() << "\n";
        mapped = true;
      }
    }
  }
  static const std::regex kIndex(R"(\w+\[(\d+)\])");
  std::smatch m;
  std::string message = status.error_message();
  size_t index = 0;
  if (!mapped && std::regex_search(message, m, kIndex) &&
      absl::SimpleAtoi(m[1].str(), &index)) {
    if (std::optional<int> line = LineOfRecord(file, index)) {
      inv.err << "mittari: " << file << ":" << *line << ": " << message << "\n";
    }
  }
  PrintError(inv.err, status);
  inv.err << "mittari: nothing of " << file << " was stored\n";
}

// Rows sent (or written), rows/s and, for a file of known size, the share
// done and the time left, on one line rewritten in place (at most once a
// second), while a long command runs.
class Progress {
 public:
  Progress(std::ostream& err, bool on, uint64_t file_bytes,
           std::string verb = "sent")
      : err_(err), on_(on), file_bytes_(file_bytes), verb_(std::move(verb)) {}

  void Update(int64_t rows, uint64_t bytes_read) {
    const absl::Time now = absl::Now();
    if (!on_ || now - last_ < absl::Seconds(1)) return;
    last_ = now;
    const double seconds = absl::ToDoubleSeconds(now - start_);
    const double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0;
    std::string left = "?";
    if (bytes_read > 0 && file_bytes_ >= bytes_read && seconds > 0) {
      const double rest = seconds *
                          static_cast<double>(file_bytes_ - bytes_read) /
                          static_cast<double>(bytes_read);
      left = absl::StrCat(std::lround(rest), " s");
    }
    const double share = file_bytes_ > 0
                             ? 100.0 * static_cast<double>(bytes_read) /
                                   static_cast<double>(file_bytes_)
                             : 0;
    if (file_bytes_ == 0) {
      err_ << "\rmittari: " << rows << " rows " << verb_ << ", "
           << static_cast<int64_t>(rate) << " rows/s   " << std::flush;
    } else {
      err_ << "\rmittari: " << rows << " rows " << verb_ << " ("
           << static_cast<int>(share) << " %), " << static_cast<int64_t>(rate)
           << " rows/s, about " << left << " left   " << std::flush;
    }
    shown_ = true;
  }
  // Ends the line, once anything was shown.
  void Done() {
    if (shown_) err_ << "\n";
    shown_ = false;
  }
  double Seconds() const { return absl::ToDoubleSeconds(absl::Now() - start_); }

 private:
  std::ostream& err_;
  const bool on_;
  const uint64_t file_bytes_;
  const std::string verb_;
  const absl::Time start_ = absl::Now();
  absl::Time last_ = absl::Now();
  bool shown_ = false;
};

int Import(Invocation& inv, const ImportKind& kind) {
  if (inv.operands.size() != 1) return inv.Usage("name the CSV file");
  const std::string& file = inv.operands[0];
  absl::StatusOr<std::unique_ptr<CsvFileReader>> reader =
      CsvFileReader::Open(file);
  if (!reader.ok()) {
    inv.err << "mittari: " << reader.status().message() << "\n";
    return kExitCallFailed;
  }
  // The header: every column known, every required column present.
  const std::vector<std::string>& header = (*reader)->header();
  std::vector<const FieldSpec*> columns;
  for (const std::string& name : header) {
    const FieldSpec* found = nullptr;
    for (const FieldSpec& spec : kind.fields) {
      if (spec.column == name) found = &spec;
    }
    if (found == nullptr) {
      inv.err << "mittari: " << file << ":1: unknown column '" << name
              << "' for " << kind.name << "\n";
      return kExitCallFailed;
    }
    columns.push_back(found);
  }
  for (const std::string& name : kind.required) {
    if (std::find(header.begin(), header.end(), name) == header.end()) {
      inv.err << "mittari: " << file << ":1: missing column '" << name << "'\n";
      return kExitCallFailed;
    }
  }
  std::string parent;
  grpc::Status status = inv.Workspace(&parent);
  if (!status.ok()) {
    PrintImportError(inv, file, kind, status);
    return kExitCallFailed;
  }
  // Read, checked and sent a message at a time.
  std::unique_ptr<ImportStream> stream = kind.open(inv, parent);
  Progress progress(inv.err, inv.args.Has("progress") || isatty(2) != 0,
                    (*reader)->size());
  std::vector<std::unique_ptr<google::protobuf::Message>> items;
  int64_t rows = 0;
  bool sent_any = false;
  auto fail = [&](const std::string& message) {
    stream->Cancel();
    progress.Done();
    inv.err << "mittari: " << message << "\n"
            << "mittari: nothing of " << file << " was stored\n";
    return kExitCallFailed;
  };
  bool broken = false;
  for (;;) {
    absl::StatusOr<std::optional<CsvRecord>> record = (*reader)->Next();
    if (!record.ok()) return fail(std::string(record.status().message()));
    if (!record->has_value()) break;
    auto item = kind.new_item();
    for (size_t c = 0; c < columns.size(); ++c) {
      absl::Status set = SetField(*item, columns[c]->path, (*record)->cells[c],
                                  absl::UTCTimeZone());
      if (!set.ok()) {
        return fail(absl::StrCat(file, ":", (*record)->line, ": column ",
                                 columns[c]->column, ": ", set.message()));
      }
    }
    items.push_back(std::move(item));
    ++rows;
    if (items.size() == kRowsPerMessage) {
      sent_any = true;
      if (!stream->Send(items)) {
        broken = true;  // the server ended the job: Finish says why
        break;
      }
      items.clear();
      progress.Update(rows, (*reader)->bytes_read());
    }
  }
  if (!broken && (!items.empty() || !sent_any)) stream->Send(items);
  Json summary;
  status = stream->Finish(&summary);
  progress.Done();
  if (!status.ok()) {
    PrintImportError(inv, file, kind, status);
    return kExitCallFailed;
  }
  const double seconds = progress.Seconds();
  Json out = Json{{"file", file}, {"kind", kind.name}};
  for (const auto& [k, v] : summary.items()) out[k] = v;
  out["rows_per_second"] =
      seconds > 0 ? static_cast<int64_t>(static_cast<double>(rows) / seconds)
                  : rows;
  return inv.Finish(status, out);
}

// `workspace export DIR`: every import file of the workspace into DIR, in
// the import format (one file per kind, with the header of its columns),
// so that `mittari import` of each, in product.md's order, into an empty
// workspace gives every KPI as it was.
int Export(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the directory");
  const std::filesystem::path dir(inv.operands[0]);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return inv.Usage(absl::StrCat("cannot create ", dir.string()));
  v1::ExportWorkspaceRequest request;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  if (!status.ok()) return inv.Finish(status, Json());
  auto stub = v1::AdminService::NewStub(inv.client.channel());
  std::unique_ptr<grpc::ClientContext> context = inv.client.JobContext();
  std::unique_ptr<grpc::ClientReader<v1::ExportWorkspaceResponse>> reader =
      stub->ExportWorkspace(context.get(), request);
  // The file of each import kind, opened with its header on first use.
  std::map<std::string, std::ofstream> files;
  std::map<std::string, int64_t> rows;
  auto open = [&](const ImportKind& kind) -> std::ofstream& {
    auto [it, added] = files.try_emplace(kind.name);
    if (added) {
      it->second.open(dir / (kind.name + ".csv"), std::ios::trunc);
      std::vector<std::string> header;
      for (const FieldSpec& f : kind.fields) header.push_back(f.column);
      it->second << CsvLine(header);
      rows[kind.name] = 0;
    }
    return it->second;
  };
  // On a terminal (or with --progress), rows written and rows/s.
  Progress progress(inv.err, inv.args.Has("progress") || isatty(2) != 0, 0,
                    "written");
  int64_t total = 0;
  v1::ExportWorkspaceResponse message;
  while (reader->Read(&message)) {
    const ImportKind* kind = nullptr;
    for (const ImportKind& k : Kinds()) {
      if (k.name == message.file()) kind = &k;
    }
    if (kind == nullptr) continue;  // a file this client does not know
    const bool lines = absl::StartsWith(kind->name, "event_");
    const auto* field =
        v1::ExportWorkspaceResponse::descriptor()->FindFieldByName(
            lines ? "event_lines" : kind->name);
    if (field == nullptr) continue;
    const auto* reflection = v1::ExportWorkspaceResponse::GetReflection();
    std::ofstream& out = open(*kind);
    for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
      const google::protobuf::Message& item =
          reflection->GetRepeatedMessage(message, field, i);
      std::vector<std::string> cells;
      for (const FieldSpec& f : kind->fields) {
        cells.push_back(GetField(item, f.path));
      }
      out << CsvLine(cells);
      ++rows[kind->name];
      ++total;
    }
    progress.Update(total, 0);
  }
  progress.Done();
  status = reader->Finish();
  // Every kind gets its file, empty ones too, so that a script imports
  // them all.
  Json written = Json::array();
  for (const ImportKind& k : Kinds()) {
    std::ofstream& out = open(k);
    out.close();
    if (!out) {
      return inv.Finish({grpc::StatusCode::INTERNAL,
                         absl::StrCat("cannot write ", k.name, ".csv")},
                        Json());
    }
    written.push_back(Json{{"file", (dir / (k.name + ".csv")).string()},
                           {"rows", rows[k.name]}});
  }
  return inv.Finish(status, Json{{"files", written}});
}

}  // namespace

std::vector<Command> ImportCommands() {
  std::vector<Command> commands;
  for (const ImportKind& kind : Kinds()) {
    commands.push_back(
        {{"import", kind.name},
         "FILE.csv",
         "import " + kind.name + " from CSV: all rows or none",
         {"progress"},
         [&kind](Invocation& inv) { return Import(inv, kind); }});
  }
  commands.push_back(
      {{"workspace", "export"},
       "DIR",
       "every record of the workspace as the import's CSV files in DIR (one "
       "per kind); importing them into an empty workspace gives every KPI "
       "as it was. Admin role",
       {"progress"},
       Export});
  return commands;
}

}  // namespace mittari::cli
