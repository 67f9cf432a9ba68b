#include "service/customer_service.h"

#include "common/status_macros.h"
#include "service/convert.h"
#include "service/handler.h"
#include "service/resource_names.h"
#include "service/streams.h"

namespace mittari::service {
namespace {

using domain::Permission;

constexpr absl::string_view kCustomers = "customers";
constexpr size_t kMaxImported = 1'000'000;

}  // namespace

v1::ImportSummary ImportSummaryToProto(const domain::ImportCounts& counts) {
  v1::ImportSummary out;
  out.set_received(counts.received);
  out.set_created(counts.created);
  out.set_updated(counts.updated);
  out.set_unchanged(counts.unchanged);
  return out;
}

grpc::Status CustomerServiceImpl::CreateCustomer(
    grpc::ServerContext* context, const v1::CreateCustomerRequest* request,
    v1::Customer* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kWrite},
                                           request->parent()));
    ASSIGN_OR_RETURN(records::Customer created,
                     customers_.Create(call.workspace_id,
                                       CustomerFromProto(request->customer_id(),
                                                         request->customer())));
    *response = CustomerToProto(call.workspace_id, created);
    return absl::OkStatus();
  });
}

grpc::Status CustomerServiceImpl::GetCustomer(
    grpc::ServerContext* context, const v1::GetCustomerRequest* request,
    v1::Customer* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kRead},
                                             request->name(), kCustomers));
    ASSIGN_OR_RETURN(records::Customer c,
                     customers_.Get(call.workspace_id, call.id));
    *response = CustomerToProto(call.workspace_id, c);
    return absl::OkStatus();
  });
}

grpc::Status CustomerServiceImpl::ListCustomers(
    grpc::ServerContext* context, const v1::ListCustomersRequest* request,
    v1::ListCustomersResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(*context, {Permission::kRead},
                                           request->parent()));
    ASSIGN_OR_RETURN(int size, PageSize(request->page_size(), "page_size"));
    ASSIGN_OR_RETURN(std::string after,
                     DecodePageToken(request->page_token(), "page_token"));
    domain::CustomerFilter filter{request->segment(), request->region(),
                                  request->customer_type()};
    ASSIGN_OR_RETURN(domain::Page<records::Customer> page,
                     customers_.List(call.workspace_id, after, size, filter));
    for (const records::Customer& c : page.items) {
      *response->add_customers() = CustomerToProto(call.workspace_id, c);
    }
    response->set_next_page_token(EncodePageToken(page.next_after));
    return absl::OkStatus();
  });
}

grpc::Status CustomerServiceImpl::UpdateCustomer(
    grpc::ServerContext* context, const v1::UpdateCustomerRequest* request,
    v1::Customer* response) {
  return Handle([&]() -> absl::Status {
    const v1::Customer& c = request->customer();
    ASSIGN_OR_RETURN(
        ResourceCall call,
        auth_.AuthorizeResource(*context, {Permission::kWrite}, c.name(),
                                kCustomers, "customer.name"));
    std::vector<std::string> fields =
        CustomerMaskToRecord(request->update_mask().paths());
    if (fields.empty()) {
      fields = {"display_name",    "email",         "segment",
                "region",          "customer_type", "attributes",
                "acquire_time_us", "churn_time_us"};
    }
    ASSIGN_OR_RETURN(records::Customer updated,
                     customers_.Update(call.workspace_id, call.id,
                                       CustomerFromProto(call.id, c), fields));
    *response = CustomerToProto(call.workspace_id, updated);
    return absl::OkStatus();
  });
}

grpc::Status CustomerServiceImpl::ImportCustomers(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportCustomersRequest>* reader,
    v1::ImportSummary* response) {
  return Handle([&]() -> absl::Status {
    std::vector<records::Customer> customers;
    ASSIGN_OR_RETURN(
        WorkspaceCall call,
        ReadStream(*context, reader, auth_, {Permission::kWrite}, kMaxImported,
                   [&](const v1::ImportCustomersRequest& message) {
                     for (const v1::ImportedCustomer& c : message.customers()) {
                       customers.push_back(
                           CustomerFromProto(c.customer_id(), c.customer()));
                     }
                     return message.customers_size();
                   }));
    ASSIGN_OR_RETURN(
        domain::ImportCounts counts,
        customers_.Import(call.workspace_id, std::move(customers)));
    *response = ImportSummaryToProto(counts);
    return absl::OkStatus();
  });
}

}  // namespace mittari::service
