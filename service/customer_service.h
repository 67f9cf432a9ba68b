// CustomerService handlers.
#ifndef MITTARI_SERVICE_CUSTOMER_SERVICE_H_
#define MITTARI_SERVICE_CUSTOMER_SERVICE_H_

#include "domain/customers.h"
#include "mittari/v1/customer.grpc.pb.h"
#include "service/auth.h"

namespace mittari::service {

class CustomerServiceImpl final : public v1::CustomerService::Service {
 public:
  CustomerServiceImpl(const Authorizer& auth,
                      domain::CustomerDirectory& customers)
      : auth_(auth), customers_(customers) {}

  grpc::Status CreateCustomer(grpc::ServerContext* context,
                              const v1::CreateCustomerRequest* request,
                              v1::Customer* response) override;
  grpc::Status GetCustomer(grpc::ServerContext* context,
                           const v1::GetCustomerRequest* request,
                           v1::Customer* response) override;
  grpc::Status ListCustomers(grpc::ServerContext* context,
                             const v1::ListCustomersRequest* request,
                             v1::ListCustomersResponse* response) override;
  grpc::Status UpdateCustomer(grpc::ServerContext* context,
                              const v1::UpdateCustomerRequest* request,
                              v1::Customer* response) override;
  grpc::Status ImportCustomers(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportCustomersRequest>* reader,
      v1::ImportSummary* response) override;

 private:
  const Authorizer& auth_;
  domain::CustomerDirectory& customers_;
};

// The summary of an import, as the API says it.
v1::ImportSummary ImportSummaryToProto(const domain::ImportCounts& counts);

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_CUSTOMER_SERVICE_H_
