// `mittari purchases|sessions|tickets record|get|list`: one set of commands
// for each kind of fact a customer leaves.
#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "mittari/v1/customer.grpc.pb.h"

namespace mittari::cli {
namespace {

using v1::CustomerService;

std::unique_ptr<CustomerService::Stub> Stub(const Invocation& inv) {
  return CustomerService::NewStub(inv.client.channel());
}

// The record, get and list commands of one kind.
template <typename Request, typename Item, typename GetRequest,
          typename ListRequest, typename ListResponse>
std::vector<Command> Commands(
    const std::string& collection, const std::string& noun,
    const std::vector<FieldSpec>& fields,
    grpc::Status (CustomerService::Stub::*record)(grpc::ClientContext*,
                                                  const Request&, Item*),
    grpc::Status (CustomerService::Stub::*get)(grpc::ClientContext*,
                                               const GetRequest&, Item*),
    grpc::Status (CustomerService::Stub::*list)(grpc::ClientContext*,
                                                const ListRequest&,
                                                ListResponse*),
    const google::protobuf::RepeatedPtrField<Item>& (ListResponse::*items)()
        const) {
  auto record_run = [=, &fields](Invocation& inv) {
    if (inv.operands.size() != 1)
      return inv.Usage("name the " + noun + "'s id");
    Request request;
    grpc::Status status = inv.Workspace(request.mutable_parent());
    if (status.ok()) status = FillFromFlags(inv, fields, request, nullptr);
    request.GetReflection()->SetString(
        &request, request.GetDescriptor()->FindFieldByName(noun + "_id"),
        inv.operands[0]);
    Item item;
    if (status.ok()) {
      status = (Stub(inv).get()->*record)(inv.client.Context().get(), request,
                                          &item);
    }
    return inv.Finish(status, ToJson(item));
  };
  auto get_run = [=](Invocation& inv) {
    if (inv.operands.size() != 1)
      return inv.Usage("name the " + noun + "'s id");
    GetRequest request;
    std::string ws;
    grpc::Status status = inv.Workspace(&ws);
    request.set_name(ChildOf(ws, collection, inv.operands[0]));
    Item item;
    if (status.ok()) {
      status =
          (Stub(inv).get()->*get)(inv.client.Context().get(), request, &item);
    }
    return inv.Finish(status, ToJson(item));
  };
  auto list_run = [=](Invocation& inv) {
    ListRequest request;
    grpc::Status status = inv.Workspace(request.mutable_parent());
    request.set_customer_id(inv.args.GetOr("customer", ""));
    request.set_page_size(1000);
    Json all = Json::array();
    while (status.ok()) {
      ListResponse page;
      status =
          (Stub(inv).get()->*list)(inv.client.Context().get(), request, &page);
      for (const Item& item : (page.*items)()) all.push_back(ToJson(item));
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return inv.Finish(status, Json{{collection, all}});
  };
  return {
      {{collection, "record"},
       "ID",
       absl::StrCat("record a ", noun, ", or replace it by id"),
       FlagsOf(fields),
       record_run},
      {{collection, "get"}, "ID", absl::StrCat("show a ", noun), {}, get_run},
      {{collection, "list"},
       "",
       absl::StrCat("list ", collection, " by id"),
       {"customer"},
       list_run},
  };
}

}  // namespace

std::vector<Command> ActivityCommands() {
  std::vector<Command> all;
  for (std::vector<Command> group :
       {Commands("purchases", "purchase", PurchaseFields(),
                 &CustomerService::Stub::RecordPurchase,
                 &CustomerService::Stub::GetPurchase,
                 &CustomerService::Stub::ListPurchases,
                 &v1::ListPurchasesResponse::purchases),
        Commands("sessions", "session", SessionFields(),
                 &CustomerService::Stub::RecordSession,
                 &CustomerService::Stub::GetSession,
                 &CustomerService::Stub::ListSessions,
                 &v1::ListSessionsResponse::sessions),
        Commands("tickets", "ticket", TicketFields(),
                 &CustomerService::Stub::RecordTicket,
                 &CustomerService::Stub::GetTicket,
                 &CustomerService::Stub::ListTickets,
                 &v1::ListTicketsResponse::tickets)}) {
    for (Command& c : group) all.push_back(std::move(c));
  }
  return all;
}

}  // namespace mittari::cli
