#include "service/customer_service.h"

#include "common/errors.h"
#include "common/status_macros.h"
#include "service/convert.h"
#include "service/event_service.h"
#include "service/handler.h"
#include "service/resource_names.h"
#include "service/streams.h"
#include "service/write_reply.h"

namespace mittari::service {
namespace {

using domain::Permission;

constexpr absl::string_view kCustomers = "customers";
constexpr size_t kMaxImported = 1'000'000;

// The handlers every fact kind (purchases, sessions, tickets) shares.
template <typename Record>
class FactHandlers {
 public:
  FactHandlers(const Authorizer& auth, domain::FactLedger<Record>& ledger)
      : auth_(auth), ledger_(ledger) {}

  // A unary write: answered on the ledger's committer thread once durable.
  template <typename Request, typename Proto>
  grpc::ServerUnaryReactor* RecordOne(grpc::CallbackServerContext& context,
                                      const Request& request, Proto* response) {
    return UnaryWrite(
        auth_, context, request.parent(),
        [&](const WorkspaceCall& call, auto finish) {
          ledger_.PutAsync(
              call.workspace_id, RecordOf(request),
              domain::WriteModeOf(call.principal.role),
              [finish, response, ws = call.workspace_id,
               role = call.principal.role](
                  absl::StatusOr<domain::StoredFact<Record>> stored) {
                if (stored.ok()) {
                  *response = WriteReply(role, ToProto(ws, stored->record),
                                         OutcomeOf(stored->counts));
                }
                finish(stored.status());
              });
        });
  }

  template <typename Request>
  absl::Status RecordMany(const grpc::ServerContext& context,
                          const Request& request, v1::ImportSummary& response) {
    ASSIGN_OR_RETURN(WorkspaceCall call,
                     auth_.AuthorizeParent(context, {Permission::kIngest},
                                           request.parent()));
    RETURN_IF_ERROR(auth_.AdmitRows(call, request.requests_size()));
    std::vector<Record> records;
    records.reserve(request.requests_size());
    for (const auto& item : request.requests()) {
      records.push_back(RecordOf(item));
    }
    ASSIGN_OR_RETURN(
        domain::ImportCounts counts,
        ledger_.Put(call.workspace_id, std::move(records), "requests",
                    domain::WriteModeOf(call.principal.role)));
    response = ImportSummaryToProto(counts);
    return absl::OkStatus();
  }

  // One import job: each message's records are checked and staged as
  // they come; the end of the stream commits them all.
  template <typename Request>
  absl::Status Import(const grpc::ServerContext& context,
                      grpc::ServerReader<Request>* reader,
                      v1::ImportSummary& response) {
    std::unique_ptr<domain::FactImport<Record>> job;
    auto take = [&](const WorkspaceCall& call,
                    const Request& message) -> absl::StatusOr<size_t> {
      if (job == nullptr) {
        ASSIGN_OR_RETURN(
            job, ledger_.StartImport(call.workspace_id, "requests",
                                     domain::WriteModeOf(call.principal.role)));
      }
      std::vector<Record> records;
      records.reserve(message.requests_size());
      for (const auto& item : message.requests()) {
        records.push_back(RecordOf(item));
      }
      RETURN_IF_ERROR(job->Add(std::move(records)));
      return static_cast<size_t>(message.requests_size());
    };
    RETURN_IF_ERROR(ReadChunks(context, reader, auth_, {Permission::kIngest},
                               MaxImportRows(auth_), take)
                        .status());
    ASSIGN_OR_RETURN(domain::ImportCounts counts, job->Commit());
    response = ImportSummaryToProto(counts);
    return absl::OkStatus();
  }

  template <typename Proto>
  absl::Status Get(const grpc::ServerContext& context, const std::string& name,
                   Proto& response) {
    ASSIGN_OR_RETURN(
        ResourceCall call,
        auth_.AuthorizeResource(context, {Permission::kRead}, name,
                                domain::FactTraits<Record>::kCollection));
    ASSIGN_OR_RETURN(Record r, ledger_.Get(call.workspace_id, call.id));
    response = ToProto(call.workspace_id, r);
    return absl::OkStatus();
  }

  template <typename Request, typename Response, typename Add>
  absl::Status List(const grpc::ServerContext& context, const Request& request,
                    Response& response, Add add) {
    ASSIGN_OR_RETURN(
        WorkspaceCall call,
        auth_.AuthorizeParent(context, {Permission::kRead}, request.parent()));
    ASSIGN_OR_RETURN(int size, PageSize(request.page_size(), "page_size"));
    ASSIGN_OR_RETURN(std::string after,
                     DecodePageToken(request.page_token(), "page_token"));
    ASSIGN_OR_RETURN(
        domain::Page<Record> page,
        ledger_.List(call.workspace_id, request.customer_id(), after, size));
    for (const Record& r : page.items) {
      *add(response) = ToProto(call.workspace_id, r);
    }
    response.set_next_page_token(EncodePageToken(page.next_after));
    return absl::OkStatus();
  }

 private:
  const Authorizer& auth_;
  domain::FactLedger<Record>& ledger_;
};

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
                       records::Customer r =
                           CustomerFromProto(c.customer_id(), c.customer());
                       for (const v1::ActiveInterval& i : c.past_intervals()) {
                         records::Interval* past = r.add_past_intervals();
                         past->set_acquire_time_us(
                             MicrosOf(i.has_acquire_time(), i.acquire_time()));
                         past->set_churn_time_us(
                             MicrosOf(i.has_churn_time(), i.churn_time()));
                       }
                       customers.push_back(std::move(r));
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

grpc::Status CustomerServiceImpl::ChurnCustomer(
    grpc::ServerContext* context, const v1::ChurnCustomerRequest* request,
    v1::Customer* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kWrite},
                                             request->name(), kCustomers));
    ASSIGN_OR_RETURN(absl::Time t,
                     RequiredTime(request->has_churn_time(),
                                  request->churn_time(), "churn_time"));
    ASSIGN_OR_RETURN(records::Customer c,
                     customers_.Churn(call.workspace_id, call.id, t));
    *response = CustomerToProto(call.workspace_id, c);
    return absl::OkStatus();
  });
}

grpc::Status CustomerServiceImpl::ReactivateCustomer(
    grpc::ServerContext* context, const v1::ReactivateCustomerRequest* request,
    v1::Customer* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kWrite},
                                             request->name(), kCustomers));
    ASSIGN_OR_RETURN(absl::Time t,
                     RequiredTime(request->has_acquire_time(),
                                  request->acquire_time(), "acquire_time"));
    ASSIGN_OR_RETURN(records::Customer c,
                     customers_.Reactivate(call.workspace_id, call.id, t));
    *response = CustomerToProto(call.workspace_id, c);
    return absl::OkStatus();
  });
}

grpc::Status CustomerServiceImpl::ExportCustomer(
    grpc::ServerContext* context, const v1::ExportCustomerRequest* request,
    v1::CustomerExport* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kRead},
                                             request->name(), kCustomers));
    ASSIGN_OR_RETURN(domain::CustomerData data,
                     privacy_.Export(call.workspace_id, call.id));
    const std::string& ws = call.workspace_id;
    *response->mutable_customer() = CustomerToProto(ws, data.customer);
    for (const records::Interval& i : data.customer.past_intervals()) {
      v1::ActiveInterval* out = response->add_past_intervals();
      SetTime(i.acquire_time_us(), out->mutable_acquire_time());
      SetTime(i.churn_time_us(), out->mutable_churn_time());
    }
    for (const auto& r : data.responses) {
      *response->add_responses() = ResponseToProto(ws, r);
    }
    for (const auto& p : data.purchases) {
      *response->add_purchases() = ToProto(ws, p);
    }
    for (const auto& s : data.sessions) {
      *response->add_sessions() = ToProto(ws, s);
    }
    for (const auto& t : data.tickets) {
      *response->add_tickets() = ToProto(ws, t);
    }
    for (const auto& r : data.registrations) {
      *response->add_registrations() = RegistrationToProto(ws, r);
    }
    return absl::OkStatus();
  });
}

grpc::Status CustomerServiceImpl::EraseCustomer(
    grpc::ServerContext* context, const v1::EraseCustomerRequest* request,
    v1::EraseCustomerResponse* response) {
  return Handle([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ResourceCall call,
                     auth_.AuthorizeResource(*context, {Permission::kAdmin},
                                             request->name(), kCustomers));
    ASSIGN_OR_RETURN(domain::ErasureCounts counts,
                     privacy_.Erase(call.workspace_id, call.id));
    response->set_responses(counts.responses);
    response->set_purchases(counts.purchases);
    response->set_sessions(counts.sessions);
    response->set_tickets(counts.tickets);
    response->set_registrations(counts.registrations);
    // The person is not named: the target is the collection.
    return audit_.Record(
        call.workspace_id, ActorName(call.principal), "customer.erase",
        absl::StrCat(WorkspaceName(call.workspace_id), "/", kCustomers));
  });
}

grpc::ServerUnaryReactor* CustomerServiceImpl::RecordPurchase(
    grpc::CallbackServerContext* context,
    const v1::RecordPurchaseRequest* request, v1::Purchase* response) {
  return FactHandlers(auth_, purchases_)
      .RecordOne(*context, *request, response);
}

grpc::Status CustomerServiceImpl::BatchRecordPurchases(
    grpc::ServerContext* context,
    const v1::BatchRecordPurchasesRequest* request,
    v1::ImportSummary* response) {
  return Handle([&] {
    return FactHandlers(auth_, purchases_)
        .RecordMany(*context, *request, *response);
  });
}

grpc::Status CustomerServiceImpl::ImportPurchases(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportPurchasesRequest>* reader,
    v1::ImportSummary* response) {
  return Handle([&] {
    return FactHandlers(auth_, purchases_).Import(*context, reader, *response);
  });
}

grpc::Status CustomerServiceImpl::GetPurchase(
    grpc::ServerContext* context, const v1::GetPurchaseRequest* request,
    v1::Purchase* response) {
  return Handle([&] {
    return FactHandlers(auth_, purchases_)
        .Get(*context, request->name(), *response);
  });
}

grpc::Status CustomerServiceImpl::ListPurchases(
    grpc::ServerContext* context, const v1::ListPurchasesRequest* request,
    v1::ListPurchasesResponse* response) {
  return Handle([&] {
    return FactHandlers(auth_, purchases_)
        .List(*context, *request, *response,
              [](v1::ListPurchasesResponse& r) { return r.add_purchases(); });
  });
}

grpc::ServerUnaryReactor* CustomerServiceImpl::RecordSession(
    grpc::CallbackServerContext* context,
    const v1::RecordSessionRequest* request, v1::Session* response) {
  return FactHandlers(auth_, sessions_).RecordOne(*context, *request, response);
}

grpc::Status CustomerServiceImpl::BatchRecordSessions(
    grpc::ServerContext* context, const v1::BatchRecordSessionsRequest* request,
    v1::ImportSummary* response) {
  return Handle([&] {
    return FactHandlers(auth_, sessions_)
        .RecordMany(*context, *request, *response);
  });
}

grpc::Status CustomerServiceImpl::ImportSessions(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportSessionsRequest>* reader,
    v1::ImportSummary* response) {
  return Handle([&] {
    return FactHandlers(auth_, sessions_).Import(*context, reader, *response);
  });
}

grpc::Status CustomerServiceImpl::GetSession(
    grpc::ServerContext* context, const v1::GetSessionRequest* request,
    v1::Session* response) {
  return Handle([&] {
    return FactHandlers(auth_, sessions_)
        .Get(*context, request->name(), *response);
  });
}

grpc::Status CustomerServiceImpl::ListSessions(
    grpc::ServerContext* context, const v1::ListSessionsRequest* request,
    v1::ListSessionsResponse* response) {
  return Handle([&] {
    return FactHandlers(auth_, sessions_)
        .List(*context, *request, *response,
              [](v1::ListSessionsResponse& r) { return r.add_sessions(); });
  });
}

grpc::ServerUnaryReactor* CustomerServiceImpl::RecordTicket(
    grpc::CallbackServerContext* context,
    const v1::RecordTicketRequest* request, v1::Ticket* response) {
  return FactHandlers(auth_, tickets_).RecordOne(*context, *request, response);
}

grpc::Status CustomerServiceImpl::BatchRecordTickets(
    grpc::ServerContext* context, const v1::BatchRecordTicketsRequest* request,
    v1::ImportSummary* response) {
  return Handle([&] {
    return FactHandlers(auth_, tickets_)
        .RecordMany(*context, *request, *response);
  });
}

grpc::Status CustomerServiceImpl::ImportTickets(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportTicketsRequest>* reader,
    v1::ImportSummary* response) {
  return Handle([&] {
    return FactHandlers(auth_, tickets_).Import(*context, reader, *response);
  });
}

grpc::Status CustomerServiceImpl::GetTicket(grpc::ServerContext* context,
                                            const v1::GetTicketRequest* request,
                                            v1::Ticket* response) {
  return Handle([&] {
    return FactHandlers(auth_, tickets_)
        .Get(*context, request->name(), *response);
  });
}

grpc::Status CustomerServiceImpl::ListTickets(
    grpc::ServerContext* context, const v1::ListTicketsRequest* request,
    v1::ListTicketsResponse* response) {
  return Handle([&] {
    return FactHandlers(auth_, tickets_)
        .List(*context, *request, *response,
              [](v1::ListTicketsResponse& r) { return r.add_tickets(); });
  });
}

}  // namespace mittari::service
