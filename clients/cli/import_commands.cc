// `mittari import customers|surveys|responses|purchases|sessions|tickets|
// events|event_costs|event_revenues|registrations FILE.csv`: the file is read
// and checked here (a bad cell names file, line and column), then streamed
// to the server, which stores all of it or none. An error the server finds
// is mapped back to the file's line and column.
#include <functional>
#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "clients/cli/csv.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "mittari/v1/customer.grpc.pb.h"
#include "mittari/v1/event.grpc.pb.h"
#include "mittari/v1/survey.grpc.pb.h"

namespace mittari::cli {
namespace {

constexpr int kRowsPerMessage = 500;

// One kind of import: its fields, required columns, the item message and
// how to stream items to the server.
struct ImportKind {
  std::string name;
  const std::vector<FieldSpec>& fields;
  std::vector<std::string> required;
  std::function<std::unique_ptr<google::protobuf::Message>()> new_item;
  // Streams the items; fills `summary` with the server's answer as JSON.
  std::function<grpc::Status(
      Invocation&, const std::string& parent,
      std::vector<std::unique_ptr<google::protobuf::Message>>&, Json*)>
      send;
};

template <typename Request, typename Item, typename Response, typename Open,
          typename Add>
grpc::Status Stream(
    Invocation& inv, const std::string& parent,
    std::vector<std::unique_ptr<google::protobuf::Message>>& items,
    Json* summary, Open open, Add add) {
  auto context = inv.client.Context();
  Response response;
  auto writer = open(context.get(), &response);
  for (size_t i = 0; i < items.size(); i += kRowsPerMessage) {
    Request request;
    request.set_parent(parent);
    for (size_t k = i; k < std::min(items.size(), i + kRowsPerMessage); ++k) {
      *add(request) = static_cast<const Item&>(*items[k]);
    }
    if (!writer->Write(request)) break;
  }
  if (items.empty()) {
    Request request;
    request.set_parent(parent);
    writer->Write(request);
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  *summary = ToJson(response);
  return status;
}

grpc::Status SendLines(
    Invocation& inv, const std::string& parent,
    std::vector<std::unique_ptr<google::protobuf::Message>>& items,
    Json* summary) {
  auto stub = v1::EventService::NewStub(inv.client.channel());
  return Stream<v1::ImportEventLinesRequest, v1::EventLine, v1::ImportSummary>(
      inv, parent, items, summary,
      [&](grpc::ClientContext* c, v1::ImportSummary* r) {
        return stub->ImportEventLines(c, r);
      },
      [](v1::ImportEventLinesRequest& r) { return r.add_lines(); });
}

const std::vector<ImportKind>& Kinds() {
  static const auto* kinds = new std::vector<ImportKind>{
      {"customers",
       CustomerFields(),
       {"id"},
       [] { return std::make_unique<v1::ImportedCustomer>(); },
       [](Invocation& inv, const std::string& parent, auto& items,
          Json* summary) {
         auto stub = v1::CustomerService::NewStub(inv.client.channel());
         return Stream<v1::ImportCustomersRequest, v1::ImportedCustomer,
                       v1::ImportSummary>(
             inv, parent, items, summary,
             [&](grpc::ClientContext* c, v1::ImportSummary* r) {
               return stub->ImportCustomers(c, r);
             },
             [](v1::ImportCustomersRequest& r) { return r.add_customers(); });
       }},
      {"surveys",
       SurveyFields(),
       {"id", "kind", "question"},
       [] { return std::make_unique<v1::ImportedSurvey>(); },
       [](Invocation& inv, const std::string& parent, auto& items,
          Json* summary) {
         auto stub = v1::SurveyService::NewStub(inv.client.channel());
         return Stream<v1::ImportSurveysRequest, v1::ImportedSurvey,
                       v1::ImportSummary>(
             inv, parent, items, summary,
             [&](grpc::ClientContext* c, v1::ImportSummary* r) {
               return stub->ImportSurveys(c, r);
             },
             [](v1::ImportSurveysRequest& r) { return r.add_surveys(); });
       }},
      {"responses",
       ResponseFields(),
       {"id", "survey_id", "submitted_at"},
       [] { return std::make_unique<v1::SubmitResponseRequest>(); },
       [](Invocation& inv, const std::string& parent, auto& items,
          Json* summary) {
         auto stub = v1::SurveyService::NewStub(inv.client.channel());
         return Stream<v1::StreamSubmitResponsesRequest,
                       v1::SubmitResponseRequest,
                       v1::BatchSubmitResponsesResponse>(
             inv, parent, items, summary,
             [&](grpc::ClientContext* c, v1::BatchSubmitResponsesResponse* r) {
               return stub->StreamSubmitResponses(c, r);
             },
             [](v1::StreamSubmitResponsesRequest& r) {
               return r.add_requests();
             });
       }},
      {"purchases",
       PurchaseFields(),
       {"id", "customer_id", "occurred_at", "amount"},
       [] { return std::make_unique<v1::RecordPurchaseRequest>(); },
       [](Invocation& inv, const std::string& parent, auto& items,
          Json* summary) {
         auto stub = v1::CustomerService::NewStub(inv.client.channel());
         return Stream<v1::ImportPurchasesRequest, v1::RecordPurchaseRequest,
                       v1::ImportSummary>(
             inv, parent, items, summary,
             [&](grpc::ClientContext* c, v1::ImportSummary* r) {
               return stub->ImportPurchases(c, r);
             },
             [](v1::ImportPurchasesRequest& r) { return r.add_requests(); });
       }},
      {"sessions",
       SessionFields(),
       {"id", "visitor_id", "started_at"},
       [] { return std::make_unique<v1::RecordSessionRequest>(); },
       [](Invocation& inv, const std::string& parent, auto& items,
          Json* summary) {
         auto stub = v1::CustomerService::NewStub(inv.client.channel());
         return Stream<v1::ImportSessionsRequest, v1::RecordSessionRequest,
                       v1::ImportSummary>(
             inv, parent, items, summary,
             [&](grpc::ClientContext* c, v1::ImportSummary* r) {
               return stub->ImportSessions(c, r);
             },
             [](v1::ImportSessionsRequest& r) { return r.add_requests(); });
       }},
      {"tickets",
       TicketFields(),
       {"id", "customer_id", "created_at"},
       [] { return std::make_unique<v1::RecordTicketRequest>(); },
       [](Invocation& inv, const std::string& parent, auto& items,
          Json* summary) {
         auto stub = v1::CustomerService::NewStub(inv.client.channel());
         return Stream<v1::ImportTicketsRequest, v1::RecordTicketRequest,
                       v1::ImportSummary>(
             inv, parent, items, summary,
             [&](grpc::ClientContext* c, v1::ImportSummary* r) {
               return stub->ImportTickets(c, r);
             },
             [](v1::ImportTicketsRequest& r) { return r.add_requests(); });
       }},
      {"events",
       EventFields(),
       {"id", "name", "kind", "starts_at"},
       [] { return std::make_unique<v1::ImportedEvent>(); },
       [](Invocation& inv, const std::string& parent, auto& items,
          Json* summary) {
         auto stub = v1::EventService::NewStub(inv.client.channel());
         return Stream<v1::ImportEventsRequest, v1::ImportedEvent,
                       v1::ImportSummary>(
             inv, parent, items, summary,
             [&](grpc::ClientContext* c, v1::ImportSummary* r) {
               return stub->ImportEvents(c, r);
             },
             [](v1::ImportEventsRequest& r) { return r.add_events(); });
       }},
      {"event_costs",
       EventLineFields(),
       {"id", "event_id", "category", "amount"},
       [] { return std::make_unique<v1::EventLine>(); },
       SendLines},
      {"event_revenues",
       EventLineFields(),
       {"id", "event_id", "category", "amount"},
       [] {
         auto line = std::make_unique<v1::EventLine>();
         line->set_revenue(true);
         return line;
       },
       SendLines},
      {"registrations",
       RegistrationFields(),
       {"event_id", "customer_id"},
       [] { return std::make_unique<v1::Registration>(); },
       [](Invocation& inv, const std::string& parent, auto& items,
          Json* summary) {
         auto stub = v1::EventService::NewStub(inv.client.channel());
         return Stream<v1::ImportRegistrationsRequest, v1::Registration,
                       v1::ImportSummary>(
             inv, parent, items, summary,
             [&](grpc::ClientContext* c, v1::ImportSummary* r) {
               return stub->ImportRegistrations(c, r);
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

// Prints the server's error in terms of the file.
void PrintImportError(Invocation& inv, const std::string& file,
                      const ImportKind& kind, const CsvTable& table,
                      const grpc::Status& status) {
  google::rpc::Status details;
  bool mapped = false;
  if (details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      google::rpc::BadRequest bad;
      if (!any.UnpackTo(&bad)) continue;
      for (const auto& v : bad.field_violations()) {
        size_t index = 0;
        std::string path;
        if (!SplitItemField(v.field(), &index, &path) ||
            index >= table.records.size()) {
          continue;
        }
        std::string column = path;
        for (const FieldSpec& spec : kind.fields) {
          if (spec.path == path) column = spec.column;
        }
        inv.err << "mittari: " << file << ":" << table.records[index].line
                << ": column " << column << ": " << v.description() << "\n";
        mapped = true;
      }
    }
  }
  static const std::regex kIndex(R"(\w+\[(\d+)\])");
  std::smatch m;
  std::string message = status.error_message();
  size_t index = 0;
  if (!mapped && std::regex_search(message, m, kIndex) &&
      absl::SimpleAtoi(m[1].str(), &index) && index < table.records.size()) {
    inv.err << "mittari: " << file << ":" << table.records[index].line << ": "
            << message << "\n";
    mapped = true;
  }
  PrintError(inv.err, status);
  inv.err << "mittari: nothing of " << file << " was stored\n";
}

int Import(Invocation& inv, const ImportKind& kind) {
  if (inv.operands.size() != 1) return inv.Usage("name the CSV file");
  const std::string& file = inv.operands[0];
  absl::StatusOr<CsvTable> table = ReadCsvFile(file);
  if (!table.ok()) {
    inv.err << "mittari: " << table.status().message() << "\n";
    return kExitCallFailed;
  }
  // The header: every column known, every required column present.
  std::vector<const FieldSpec*> columns;
  for (const std::string& name : table->header) {
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
    if (std::find(table->header.begin(), table->header.end(), name) ==
        table->header.end()) {
      inv.err << "mittari: " << file << ":1: missing column '" << name << "'\n";
      return kExitCallFailed;
    }
  }
  std::vector<std::unique_ptr<google::protobuf::Message>> items;
  for (const CsvRecord& record : table->records) {
    auto item = kind.new_item();
    for (size_t c = 0; c < columns.size(); ++c) {
      absl::Status set = SetField(*item, columns[c]->path, record.cells[c],
                                  absl::UTCTimeZone());
      if (!set.ok()) {
        inv.err << "mittari: " << file << ":" << record.line << ": column "
                << columns[c]->column << ": " << set.message() << "\n"
                << "mittari: nothing of " << file << " was stored\n";
        return kExitCallFailed;
      }
    }
    items.push_back(std::move(item));
  }
  std::string parent;
  grpc::Status status = inv.Workspace(&parent);
  Json summary;
  if (status.ok()) status = kind.send(inv, parent, items, &summary);
  if (!status.ok()) {
    PrintImportError(inv, file, kind, *table, status);
    return kExitCallFailed;
  }
  Json out = Json{{"file", file}, {"kind", kind.name}};
  for (const auto& [k, v] : summary.items()) out[k] = v;
  return inv.Finish(status, out);
}

}  // namespace

std::vector<Command> ImportCommands() {
  std::vector<Command> commands;
  for (const ImportKind& kind : Kinds()) {
    commands.push_back(
        {{"import", kind.name},
         "FILE.csv",
         "import " + kind.name + " from CSV: all rows or none",
         {},
         [&kind](Invocation& inv) { return Import(inv, kind); }});
  }
  return commands;
}

}  // namespace mittari::cli
