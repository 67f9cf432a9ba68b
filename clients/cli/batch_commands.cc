// `mittari responses|purchases|sessions|tickets batch --from-file FILE`:
// the Batch* RPCs, fed JSON lines (one request per line, in the API's JSON
// form: {"response_id": "r-1", "response": {...}}), sent in batches of
// 1,000. The whole file is read and checked before anything is sent; a bad
// line is named as FILE:LINE.
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "google/protobuf/util/json_util.h"
#include "mittari/v1/customer.grpc.pb.h"
#include "mittari/v1/survey.grpc.pb.h"

namespace mittari::cli {
namespace {

constexpr int kBatchSize = 1000;

// Adds every int64 field of `from` to `into` (the counts of a summary).
void AddCounts(const google::protobuf::Message& from,
               google::protobuf::Message* into) {
  const auto* d = from.GetDescriptor();
  const auto* r = from.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const auto* f = d->field(i);
    if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_INT64 &&
        !f->is_repeated()) {
      r->SetInt64(into, f, r->GetInt64(*into, f) + r->GetInt64(from, f));
    }
  }
}

template <typename Stub, typename BatchRequest, typename Summary>
int RunBatch(Invocation& inv,
             std::unique_ptr<Stub> (*new_stub)(
                 const std::shared_ptr<grpc::ChannelInterface>&,
                 const grpc::StubOptions&),
             grpc::Status (Stub::*call)(grpc::ClientContext*,
                                        const BatchRequest&, Summary*)) {
  auto path = inv.args.Get("from-file");
  if (!path || !inv.operands.empty()) {
    return inv.Usage("give --from-file FILE (JSON lines; - for stdin)");
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (*path != "-") {
    file.open(*path);
    if (!file) return inv.Usage(absl::StrCat("cannot read ", *path));
    in = &file;
  }
  using Item = typename std::remove_cvref_t<
      decltype(std::declval<BatchRequest>().requests(0))>;
  std::vector<Item> items;
  std::string line;
  for (int number = 1; std::getline(*in, line); ++number) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    Item item;
    google::protobuf::util::JsonParseOptions options;
    auto parsed =
        google::protobuf::util::JsonStringToMessage(line, &item, options);
    if (!parsed.ok()) {
      return inv.Finish({grpc::StatusCode::INVALID_ARGUMENT,
                         absl::StrCat(*path, ":", number, ": ",
                                      std::string(parsed.message().data(),
                                                  parsed.message().size()))},
                        Json());
    }
    items.push_back(std::move(item));
  }
  BatchRequest request;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  Summary total;
  auto stub = new_stub(inv.client.channel(), grpc::StubOptions());
  for (size_t start = 0; status.ok() && start < items.size();
       start += kBatchSize) {
    request.clear_requests();
    for (size_t i = start; i < std::min(items.size(), start + kBatchSize); ++i)
      *request.add_requests() = items[i];
    Summary summary;
    status = ((*stub).*call)(inv.client.Context().get(), request, &summary);
    if (!status.ok()) {
      // Batches before this one are stored; say where the failure was.
      status = grpc::Status(
          status.error_code(),
          absl::StrCat("records ", start + 1, "-",
                       std::min(items.size(), start + kBatchSize), " (", start,
                       " before them stored): ", status.error_message()),
          status.error_details());
      break;
    }
    AddCounts(summary, &total);
  }
  return inv.Finish(status, ToJson(total));
}

}  // namespace

std::vector<Command> BatchCommands() {
  const std::set<std::string> flags = {"from-file"};
  return {
      {{"responses", "batch"},
       "",
       "submit responses in batches of 1,000 (BatchSubmitResponses) from "
       "--from-file FILE: one SubmitResponseRequest per line as JSON",
       flags,
       [](Invocation& inv) {
         return RunBatch(inv, &v1::SurveyService::NewStub,
                         &v1::SurveyService::Stub::BatchSubmitResponses);
       }},
      {{"purchases", "batch"},
       "",
       "record purchases in batches of 1,000 (BatchRecordPurchases) from "
       "--from-file FILE: one RecordPurchaseRequest per line as JSON",
       flags,
       [](Invocation& inv) {
         return RunBatch(inv, &v1::CustomerService::NewStub,
                         &v1::CustomerService::Stub::BatchRecordPurchases);
       }},
      {{"sessions", "batch"},
       "",
       "record sessions in batches of 1,000 (BatchRecordSessions) from "
       "--from-file FILE: one RecordSessionRequest per line as JSON",
       flags,
       [](Invocation& inv) {
         return RunBatch(inv, &v1::CustomerService::NewStub,
                         &v1::CustomerService::Stub::BatchRecordSessions);
       }},
      {{"tickets", "batch"},
       "",
       "record tickets in batches of 1,000 (BatchRecordTickets) from "
       "--from-file FILE: one RecordTicketRequest per line as JSON",
       flags,
       [](Invocation& inv) {
         return RunBatch(inv, &v1::CustomerService::NewStub,
                         &v1::CustomerService::Stub::BatchRecordTickets);
       }},
  };
}

}  // namespace mittari::cli
