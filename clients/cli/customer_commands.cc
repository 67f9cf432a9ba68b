// `mittari customers …`.
#include "clients/cli/commands.h"
#include "mittari/v1/customer.grpc.pb.h"

namespace mittari::cli {
namespace {

using v1::CustomerService;

std::unique_ptr<CustomerService::Stub> Stub(const Invocation& inv) {
  return CustomerService::NewStub(inv.client.channel());
}

int Create(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the customer's id");
  v1::CreateCustomerRequest request;
  v1::ImportedCustomer item;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  if (status.ok()) status = FillFromFlags(inv, CustomerFields(), item, nullptr);
  request.set_customer_id(inv.operands[0]);
  *request.mutable_customer() = item.customer();
  v1::Customer customer;
  if (status.ok()) {
    status = Stub(inv)->CreateCustomer(inv.client.Context().get(), request,
                                       &customer);
  }
  return inv.Finish(status, ToJson(customer));
}

int Get(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the customer's id");
  v1::GetCustomerRequest request;
  std::string ws;
  grpc::Status status = inv.Workspace(&ws);
  request.set_name(ChildOf(ws, "customers", inv.operands[0]));
  v1::Customer customer;
  if (status.ok()) {
    status =
        Stub(inv)->GetCustomer(inv.client.Context().get(), request, &customer);
  }
  return inv.Finish(status, ToJson(customer));
}

int List(Invocation& inv) {
  v1::ListCustomersRequest request;
  grpc::Status status = inv.Workspace(request.mutable_parent());
  request.set_segment(inv.args.GetOr("segment", ""));
  request.set_region(inv.args.GetOr("region", ""));
  request.set_customer_type(inv.args.GetOr("type", ""));
  request.set_page_size(1000);
  Json list = Json::array();
  while (status.ok()) {
    v1::ListCustomersResponse page;
    status =
        Stub(inv)->ListCustomers(inv.client.Context().get(), request, &page);
    for (const v1::Customer& c : page.customers()) list.push_back(ToJson(c));
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  return inv.Finish(status, Json{{"customers", list}});
}

int Update(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the customer's id");
  v1::UpdateCustomerRequest request;
  v1::ImportedCustomer item;
  std::vector<std::string> paths;
  std::string ws;
  grpc::Status status = inv.Workspace(&ws);
  if (status.ok()) status = FillFromFlags(inv, CustomerFields(), item, &paths);
  if (status.ok() && paths.empty()) return inv.Usage("give a field to change");
  *request.mutable_customer() = item.customer();
  request.mutable_customer()->set_name(
      ChildOf(ws, "customers", inv.operands[0]));
  for (const std::string& p : paths)
    request.mutable_update_mask()->add_paths(p);
  v1::Customer customer;
  if (status.ok()) {
    status = Stub(inv)->UpdateCustomer(inv.client.Context().get(), request,
                                       &customer);
  }
  return inv.Finish(status, ToJson(customer));
}

// `customers churn|reactivate ID --time T`.
template <typename Request>
int ChangeInterval(Invocation& inv) {
  constexpr bool kChurn = std::is_same_v<Request, v1::ChurnCustomerRequest>;
  if (inv.operands.size() != 1) return inv.Usage("name the customer's id");
  auto time = inv.args.Get("time");
  if (!time) return inv.Usage("give --time");
  Request request;
  std::string ws;
  grpc::Status status = inv.Workspace(&ws);
  request.set_name(ChildOf(ws, "customers", inv.operands[0]));
  absl::TimeZone zone;
  if (status.ok()) status = inv.ZoneFor({*time}, &zone);
  if (status.ok()) {
    absl::StatusOr<absl::Time> t = ParseTimeText(*time, zone);
    if (!t.ok())
      return inv.Usage("--time: " + std::string(t.status().message()));
    google::protobuf::Timestamp* ts;
    if constexpr (kChurn) {
      ts = request.mutable_churn_time();
    } else {
      ts = request.mutable_acquire_time();
    }
    ts->set_seconds(absl::ToUnixSeconds(*t));
  }
  v1::Customer customer;
  if (status.ok()) {
    auto context = inv.client.Context();
    if constexpr (kChurn) {
      status = Stub(inv)->ChurnCustomer(context.get(), request, &customer);
    } else {
      status = Stub(inv)->ReactivateCustomer(context.get(), request, &customer);
    }
  }
  return inv.Finish(status, ToJson(customer));
}

int Export(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the customer's id");
  v1::ExportCustomerRequest request;
  std::string ws;
  grpc::Status status = inv.Workspace(&ws);
  request.set_name(ChildOf(ws, "customers", inv.operands[0]));
  v1::CustomerExport data;
  if (status.ok()) {
    status =
        Stub(inv)->ExportCustomer(inv.client.Context().get(), request, &data);
  }
  return inv.Finish(status, ToJson(data));
}

int Erase(Invocation& inv) {
  if (inv.operands.size() != 1) return inv.Usage("name the customer's id");
  v1::EraseCustomerRequest request;
  std::string ws;
  grpc::Status status = inv.Workspace(&ws);
  request.set_name(ChildOf(ws, "customers", inv.operands[0]));
  v1::EraseCustomerResponse erased;
  if (status.ok()) {
    status =
        Stub(inv)->EraseCustomer(inv.client.Context().get(), request, &erased);
  }
  return inv.Finish(status, ToJson(erased));
}

}  // namespace

std::vector<Command> CustomerCommands() {
  return {
      {{"customers", "create"},
       "ID",
       "create a customer",
       FlagsOf(CustomerFields()),
       Create},
      {{"customers", "get"}, "ID", "show a customer", {}, Get},
      {{"customers", "list"},
       "",
       "list customers",
       {"segment", "region", "type"},
       List},
      {{"customers", "update"},
       "ID",
       "change a customer's fields",
       FlagsOf(CustomerFields()),
       Update},
      {{"customers", "churn"},
       "ID",
       "end a customer's active interval at --time",
       {"time"},
       [](Invocation& inv) {
         return ChangeInterval<v1::ChurnCustomerRequest>(inv);
       }},
      {{"customers", "reactivate"},
       "ID",
       "open a new active interval for a returning customer at --time",
       {"time"},
       [](Invocation& inv) {
         return ChangeInterval<v1::ReactivateCustomerRequest>(inv);
       }},
      {{"customers", "export"},
       "ID",
       "print everything stored about a customer (JSON)",
       {},
       Export},
      {{"customers", "erase"},
       "ID",
       "erase a customer (GDPR); their facts stay anonymous",
       {},
       Erase},
  };
}

}  // namespace mittari::cli
