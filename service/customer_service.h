// CustomerService handlers.
#ifndef MITTARI_SERVICE_CUSTOMER_SERVICE_H_
#define MITTARI_SERVICE_CUSTOMER_SERVICE_H_

#include "domain/activity.h"
#include "domain/audit.h"
#include "domain/customers.h"
#include "domain/privacy.h"
#include "mittari/v1/customer.grpc.pb.h"
#include "service/auth.h"

namespace mittari::service {

// The unary writes of purchases, sessions and tickets are served by the
// callback API: their handlers never block on the synced write (each
// ledger's committer thread does that for many writes at once), so calls
// in flight do not each hold a thread.
class CustomerServiceImpl final
    : public v1::CustomerService::WithCallbackMethod_RecordPurchase<
          v1::CustomerService::WithCallbackMethod_RecordSession<
              v1::CustomerService::WithCallbackMethod_RecordTicket<
                  v1::CustomerService::Service>>> {
 public:
  CustomerServiceImpl(const Authorizer& auth,
                      domain::CustomerDirectory& customers,
                      domain::PurchaseLedger& purchases,
                      domain::SessionLedger& sessions,
                      domain::TicketLedger& tickets, domain::Privacy& privacy,
                      domain::AuditLog& audit)
      : auth_(auth),
        customers_(customers),
        purchases_(purchases),
        sessions_(sessions),
        tickets_(tickets),
        privacy_(privacy),
        audit_(audit) {}

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
  grpc::Status ChurnCustomer(grpc::ServerContext* context,
                             const v1::ChurnCustomerRequest* request,
                             v1::Customer* response) override;
  grpc::Status ReactivateCustomer(grpc::ServerContext* context,
                                  const v1::ReactivateCustomerRequest* request,
                                  v1::Customer* response) override;
  grpc::Status ExportCustomer(grpc::ServerContext* context,
                              const v1::ExportCustomerRequest* request,
                              v1::CustomerExport* response) override;
  grpc::Status EraseCustomer(grpc::ServerContext* context,
                             const v1::EraseCustomerRequest* request,
                             v1::EraseCustomerResponse* response) override;

  grpc::ServerUnaryReactor* RecordPurchase(
      grpc::CallbackServerContext* context,
      const v1::RecordPurchaseRequest* request,
      v1::Purchase* response) override;
  grpc::Status BatchRecordPurchases(
      grpc::ServerContext* context,
      const v1::BatchRecordPurchasesRequest* request,
      v1::ImportSummary* response) override;
  grpc::Status ImportPurchases(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportPurchasesRequest>* reader,
      v1::ImportSummary* response) override;
  grpc::Status GetPurchase(grpc::ServerContext* context,
                           const v1::GetPurchaseRequest* request,
                           v1::Purchase* response) override;
  grpc::Status ListPurchases(grpc::ServerContext* context,
                             const v1::ListPurchasesRequest* request,
                             v1::ListPurchasesResponse* response) override;

  grpc::ServerUnaryReactor* RecordSession(
      grpc::CallbackServerContext* context,
      const v1::RecordSessionRequest* request, v1::Session* response) override;
  grpc::Status BatchRecordSessions(
      grpc::ServerContext* context,
      const v1::BatchRecordSessionsRequest* request,
      v1::ImportSummary* response) override;
  grpc::Status ImportSessions(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportSessionsRequest>* reader,
      v1::ImportSummary* response) override;
  grpc::Status GetSession(grpc::ServerContext* context,
                          const v1::GetSessionRequest* request,
                          v1::Session* response) override;
  grpc::Status ListSessions(grpc::ServerContext* context,
                            const v1::ListSessionsRequest* request,
                            v1::ListSessionsResponse* response) override;

  grpc::ServerUnaryReactor* RecordTicket(grpc::CallbackServerContext* context,
                                         const v1::RecordTicketRequest* request,
                                         v1::Ticket* response) override;
  grpc::Status BatchRecordTickets(grpc::ServerContext* context,
                                  const v1::BatchRecordTicketsRequest* request,
                                  v1::ImportSummary* response) override;
  grpc::Status ImportTickets(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportTicketsRequest>* reader,
      v1::ImportSummary* response) override;
  grpc::Status GetTicket(grpc::ServerContext* context,
                         const v1::GetTicketRequest* request,
                         v1::Ticket* response) override;
  grpc::Status ListTickets(grpc::ServerContext* context,
                           const v1::ListTicketsRequest* request,
                           v1::ListTicketsResponse* response) override;

 private:
  const Authorizer& auth_;
  domain::CustomerDirectory& customers_;
  domain::PurchaseLedger& purchases_;
  domain::SessionLedger& sessions_;
  domain::TicketLedger& tickets_;
  domain::Privacy& privacy_;
  domain::AuditLog& audit_;
};

// The summary of an import, as the API says it.
v1::ImportSummary ImportSummaryToProto(const domain::ImportCounts& counts);

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_CUSTOMER_SERVICE_H_
