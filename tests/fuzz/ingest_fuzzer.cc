// Request validation of every ingest method on any bytes: the input, read
// as the request of one write method (its first byte picks which), goes
// through the service's converters and the domain's checks and write, as
// an ingest key (add only) and as a write key. Nothing crashes, nothing is
// undefined (the sanitizers run), and every refusal is one of the codes a
// bad request gets: never INTERNAL, DATA_LOSS or UNKNOWN, which would mean
// a request had broken the server's own invariants.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/clock.h"
#include "domain/activity.h"
#include "domain/api_keys.h"
#include "domain/customers.h"
#include "domain/events.h"
#include "domain/kpi/survey_metrics.h"
#include "domain/responses.h"
#include "domain/surveys.h"
#include "domain/workspaces.h"
#include "mittari/v1/customer.pb.h"
#include "mittari/v1/event.pb.h"
#include "mittari/v1/survey.pb.h"
#include "service/convert.h"
#include "service/event_service.h"
#include "storage/memory_store.h"

namespace {

using namespace mittari;  // NOLINT(google-build-using-namespace): a harness

constexpr absl::string_view kWs = "w";

// Every domain object of the write path, over an in-memory store, with a
// workspace, a survey, a customer and an event to refer to.
struct World {
  World() {
    Require(workspaces.Create(kWs, "W", "Europe/Helsinki", "EUR").status());
    records::Survey survey;
    survey.set_id("nps");
    survey.set_kind(static_cast<int>(domain::SurveyKind::kNps));
    survey.set_question("q");
    Require(surveys.Create(kWs, survey).status());
    records::Customer customer;
    customer.set_id("c1");
    customer.set_acquire_time_us(1'600'000'000'000'000);
    Require(customers.Create(kWs, customer).status());
    records::Event event;
    event.set_id("e1");
    event.set_display_name("E");
    event.set_kind("webinar");
    event.set_start_time_us(1'700'000'000'000'000);
    Require(events.Create(kWs, event).status());
  }

  static void Require(const absl::Status& status) {
    if (!status.ok()) std::abort();
  }

  storage::MemoryStore store;
  const Clock& clock = SystemClock();
  domain::KeyRing keys{store, clock};
  domain::WorkspaceDirectory workspaces{store, keys, clock};
  domain::SurveyCatalog surveys{store, clock};
  domain::CustomerDirectory customers{store, workspaces, clock};
  domain::ResponseLedger responses{store, workspaces, surveys, customers,
                                   clock};
  domain::PurchaseLedger purchases{store, workspaces, customers, clock};
  domain::SessionLedger sessions{store, workspaces, customers, clock};
  domain::TicketLedger tickets{store, workspaces, customers, clock};
  domain::kpi::SurveyMetrics survey_metrics{store, workspaces, surveys};
  domain::Events events{store, customers, purchases, survey_metrics, clock};
};

// The codes a bad request may get.
void CheckRefusal(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
      return;
    default:
      std::abort();
  }
}

template <typename Request, typename Item, typename Ledger>
void Facts(const std::string& bytes, Ledger& ledger, domain::WriteMode mode) {
  Request request;
  if (!request.ParseFromString(bytes)) return;
  std::vector<Item> items;
  for (const auto& r : request.requests()) {
    items.push_back(service::RecordOf(r));
  }
  CheckRefusal(ledger.Put(kWs, std::move(items), "requests", mode).status());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World();
  if (size < 1) return 0;
  const domain::WriteMode mode = (data[0] & 0x80) != 0
                                     ? domain::WriteMode::kAddOnly
                                     : domain::WriteMode::kCreateOrReplace;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
      Facts<v1::BatchRecordPurchasesRequest, records::Purchase>(
          bytes, world->purchases, mode);
      break;
    case 1:
      Facts<v1::BatchRecordSessionsRequest, records::Session>(
          bytes, world->sessions, mode);
      break;
    case 2:
      Facts<v1::BatchRecordTicketsRequest, records::Ticket>(
          bytes, world->tickets, mode);
      break;
    case 3: {
      v1::BatchSubmitResponsesRequest request;
      if (!request.ParseFromString(bytes)) return 0;
      std::vector<records::Response> items;
      for (const auto& r : request.requests()) {
        items.push_back(
            service::ResponseFromProto(r.response_id(), r.response()));
      }
      CheckRefusal(world->responses.SubmitAll(kWs, std::move(items), "requests")
                       .status());
      break;
    }
    case 4: {
      v1::ImportRegistrationsRequest request;
      if (!request.ParseFromString(bytes)) return 0;
      std::vector<records::Registration> items;
      for (const auto& r : request.registrations()) {
        items.push_back(service::RegistrationFromProto(r));
      }
      CheckRefusal(
          world->events
              .RecordRegistrations(kWs, std::move(items), "registrations", mode)
              .status());
      break;
    }
    default: {
      v1::RecordEventSignalsRequest request;
      if (!request.ParseFromString(bytes)) return 0;
      std::vector<records::EventSignal> items;
      for (const v1::EventSignal& s : request.signals()) {
        items.push_back(service::SignalFromProto(s));
      }
      CheckRefusal(world->events.RecordSignals(kWs, std::move(items), "signals")
                       .status());
      break;
    }
  }
  return 0;
}
