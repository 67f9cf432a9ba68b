// Setting a message's fields from text by field path: what CSV import and
// command flags share. One table per entity (fields.cc) names, for each
// field, its CSV column, its CLI flag and its API path.
#ifndef MITTARI_CLIENTS_CLI_FIELDS_H_
#define MITTARI_CLIENTS_CLI_FIELDS_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"

namespace mittari::cli {

struct FieldSpec {
  std::string column;  // CSV column, e.g. "acquired_at"
  std::string flag;    // CLI flag, e.g. "acquired-at"
  std::string path;    // field path in the item message, e.g.
                       // "customer.acquire_time"
};

// The fields of each importable kind: customers (ImportedCustomer), surveys
// (ImportedSurvey), responses (SubmitResponseRequest).
const std::vector<FieldSpec>& CustomerFields();
const std::vector<FieldSpec>& SurveyFields();
const std::vector<FieldSpec>& ResponseFields();
// Purchases, sessions and tickets (Record*Request).
const std::vector<FieldSpec>& PurchaseFields();
const std::vector<FieldSpec>& SessionFields();
const std::vector<FieldSpec>& TicketFields();
// Events (ImportedEvent), cost and revenue lines (EventLine) and
// registrations (Registration).
const std::vector<FieldSpec>& EventFields();
const std::vector<FieldSpec>& EventLineFields();
const std::vector<FieldSpec>& RegistrationFields();

// A decimal amount ("12.50", "-5") as minor units.
absl::StatusOr<int64_t> ParseMinorUnits(absl::string_view text);

// Parses a time: RFC 3339, or a plain date (YYYY-MM-DD) meaning local
// midnight in `zone`.
absl::StatusOr<absl::Time> ParseTimeText(absl::string_view text,
                                         const absl::TimeZone& zone);

// The text of the field at `path`, as SetField reads it (and CSV import
// takes it); empty when unset. Times in RFC 3339 UTC.
std::string GetField(const google::protobuf::Message& message,
                     absl::string_view path);

// Sets the field at `path` from `text`: strings as they are; integers;
// enums by their lower-case word ("nps", "lower_is_better"); booleans as
// true/false; timestamps by ParseTimeText; Money by ParseMinorUnits;
// repeated strings split on ';';
// string maps as "k=v;k=v"; active intervals as "FROM/TO;FROM/TO". An
// empty text leaves the field unset.
absl::Status SetField(google::protobuf::Message& message,
                      absl::string_view path, absl::string_view text,
                      const absl::TimeZone& zone);

}  // namespace mittari::cli

#endif  // MITTARI_CLIENTS_CLI_FIELDS_H_
