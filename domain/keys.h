// The layout of every key the domain writes, in one place, built with the
// storage key codec. Meta keys start with a tag byte; per-workspace keys
// start with the workspace id, then a tag byte.
#ifndef MITTARI_DOMAIN_KEYS_H_
#define MITTARI_DOMAIN_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "storage/key_codec.h"

namespace mittari::domain::keys {

// Tags in ColumnFamily::kMeta. Tag 0 belongs to the storage layer.
enum class MetaTag : uint8_t {
  kServer = 1,     // server-wide records (first start)
  kWorkspace = 2,  // workspace id -> records::Workspace
  kApiKey = 3,     // key id -> records::ApiKey
  kErasure = 4,    // sequence number (U64) -> records::Erasure
  kPurge = 5,      // workspace id -> "" while its ranges await compaction
  // (-time, sequence) -> records::AuditEvent, every event, newest first
  kAudit = 6,
  // (workspace id, -time, sequence) -> records::AuditEvent, the same
  // events by workspace (kept when the workspace is deleted)
  kAuditOfWorkspace = 7,
  // (alert sequence, endpoint index) -> records::WebhookDelivery, the
  // webhook deliveries not yet answered with a 2xx (webhooks.h).
  kWebhookOutbox = 8,
};

// Tags after the workspace prefix in the per-workspace column families.
enum class WorkspaceTag : uint8_t {
  kApiKeyOfWorkspace = 1,  // kIndex: (workspace, key id) -> ""
  kSurvey = 2,             // kCatalog: survey id -> records::Survey
  kCustomer = 3,           // kCatalog: customer id -> records::Customer
  // kFacts: (-submit time, response id) -> records::Response, so that a
  // scan reads newest first.
  kResponse = 4,
  kResponseId = 5,  // kIndex: response id -> submit time (I64)
  // Was kIndex (survey, submit time, id) -> "", no longer written (a
  // survey's rollups tell whether it has responses); not to be reused.
  kRetiredResponseBySurvey = 6,
  kFollowUp = 7,         // kIndex: (-submit time, id) -> "" for low scores
  kInvitationBatch = 8,  // kFacts: batch id -> records::InvitationBatch
  // kRollups: (projection, ...) -> counters; layouts in kpi/rollups.h.
  kRollup = 9,
  // kIndex: (fact kind, time, fact id, row) -> the row (kpi/facts.h), so
  // that a partial day at a range edge is read exactly.
  kFactTime = 10,
  kPurchase = 11,  // kFacts: purchase id -> records::Purchase
  kSession = 12,   // kFacts: session id -> records::Session
  kTicket = 13,    // kFacts: ticket id -> records::Ticket
  // kIndex: (customer, record tag, id) -> "" for everything stored about a
  // customer (export and erasure).
  kOfCustomer = 14,
  kEvent = 15,         // kCatalog: event id -> records::Event
  kEventLine = 16,     // kFacts: (event, line id) -> records::EventLine
  kRegistration = 17,  // kFacts: (event, customer) -> records::Registration
  kEventSignal = 18,   // kFacts: (event, signal id) -> records::EventSignal
  // kIndex: (dimension, value) -> "" for every value a capped dimension
  // has taken (dimension_caps.h).
  kDimensionValue = 19,
  // kIndex: (visitor, block of 64 local days) -> sessions per active day
  // (kpi/visitor_days.h).
  kVisitorDays = 20,
  kTouchpoint = 21,  // kCatalog: touchpoint id -> records::Touchpoint
  kTarget = 22,      // kCatalog: target id -> records::Target
  kAlertRule = 23,   // kCatalog: rule id -> records::AlertRule
  kAlert = 24,       // kCatalog: alert id -> records::Alert
  // kIndex: sequence (U64) -> records::Alert, every version of every
  // alert (WatchAlerts' resume tokens); the bare prefix -> the sequence
  // (U64) pruned through.
  kAlertLog = 25,
  // kIndex: response id -> submit time (I64), new responses awaiting the
  // response rules; written in the response's own batch (alerts.h).
  kAlertInbox = 26,
  kAlertRuleState = 27,  // kIndex: rule id -> records::AlertRuleState
  kWebhookSecret = 28,   // kCatalog: "" -> the webhook signing secret
  // kCatalog: response id -> records::FollowUpState (responses.h)
  kFollowUpState = 29,
  // kIndex: (visitor, block of 64 local days) -> per scope (the whole
  // workspace, or one value of one session dimension), the sessions and
  // converted sessions of each active day (kpi/visitor_days.h).
  kVisitorScopes = 30,
};

// The kind of record a catalog or facts key of `tag` holds, as metrics
// name it ("response", "purchase"…); empty for indexes and rollups.
inline absl::string_view RecordKind(uint8_t tag) {
  switch (static_cast<WorkspaceTag>(tag)) {
    case WorkspaceTag::kSurvey:
      return "survey";
    case WorkspaceTag::kCustomer:
      return "customer";
    case WorkspaceTag::kResponse:
      return "response";
    case WorkspaceTag::kInvitationBatch:
      return "invitation_batch";
    case WorkspaceTag::kPurchase:
      return "purchase";
    case WorkspaceTag::kSession:
      return "session";
    case WorkspaceTag::kTicket:
      return "ticket";
    case WorkspaceTag::kEvent:
      return "event";
    case WorkspaceTag::kEventLine:
      return "event_line";
    case WorkspaceTag::kRegistration:
      return "registration";
    case WorkspaceTag::kEventSignal:
      return "event_signal";
    default:
      return "";
  }
}

inline std::string ServerRecord(absl::string_view name) {
  return storage::KeyEncoder()
      .U8(static_cast<uint8_t>(MetaTag::kServer))
      .Str(name)
      .key();
}

inline std::string WorkspacePrefix() {
  return storage::KeyEncoder()
      .U8(static_cast<uint8_t>(MetaTag::kWorkspace))
      .key();
}

inline std::string Workspace(absl::string_view workspace_id) {
  return storage::KeyEncoder()
      .U8(static_cast<uint8_t>(MetaTag::kWorkspace))
      .Str(workspace_id)
      .key();
}

inline std::string ApiKey(absl::string_view key_id) {
  return storage::KeyEncoder()
      .U8(static_cast<uint8_t>(MetaTag::kApiKey))
      .Str(key_id)
      .key();
}

inline std::string ErasurePrefix() {
  return storage::KeyEncoder()
      .U8(static_cast<uint8_t>(MetaTag::kErasure))
      .key();
}

inline std::string Erasure(uint64_t seq) {
  return storage::KeyEncoder()
      .U8(static_cast<uint8_t>(MetaTag::kErasure))
      .U64(seq)
      .key();
}

// The audit log's keys: `workspace_id` nullopt for the every-event list.
inline std::string AuditPrefix(std::optional<absl::string_view> workspace_id) {
  storage::KeyEncoder key;
  if (!workspace_id.has_value()) {
    return key.U8(static_cast<uint8_t>(MetaTag::kAudit)).key();
  }
  return key.U8(static_cast<uint8_t>(MetaTag::kAuditOfWorkspace))
      .Str(*workspace_id)
      .key();
}

// Every workspace's events by workspace.
inline std::string AuditOfWorkspacePrefix() {
  return storage::KeyEncoder()
      .U8(static_cast<uint8_t>(MetaTag::kAuditOfWorkspace))
      .key();
}

inline std::string PurgePrefix() {
  return storage::KeyEncoder().U8(static_cast<uint8_t>(MetaTag::kPurge)).key();
}

inline std::string Purge(absl::string_view workspace_id) {
  return storage::KeyEncoder()
      .U8(static_cast<uint8_t>(MetaTag::kPurge))
      .Str(workspace_id)
      .key();
}

// Every per-workspace key of `workspace_id` starts with this.
inline std::string WorkspaceData(absl::string_view workspace_id) {
  return storage::KeyEncoder().Str(workspace_id).key();
}

// A per-workspace key: the workspace, a tag, then the components the
// caller appends.
inline storage::KeyEncoder InWorkspace(absl::string_view workspace_id,
                                       WorkspaceTag tag) {
  storage::KeyEncoder key;
  key.Str(workspace_id).U8(static_cast<uint8_t>(tag));
  return key;
}

inline std::string ApiKeyOfWorkspacePrefix(absl::string_view workspace_id) {
  return InWorkspace(workspace_id, WorkspaceTag::kApiKeyOfWorkspace).key();
}

inline std::string ApiKeyOfWorkspace(absl::string_view workspace_id,
                                     absl::string_view key_id) {
  return InWorkspace(workspace_id, WorkspaceTag::kApiKeyOfWorkspace)
      .Str(key_id)
      .key();
}

// A catalog record (survey, customer, ...) by id.
inline std::string CatalogRecord(absl::string_view workspace_id,
                                 WorkspaceTag tag, absl::string_view id) {
  return InWorkspace(workspace_id, tag).Str(id).key();
}

inline std::string Response(absl::string_view workspace_id, int64_t submit_us,
                            absl::string_view id) {
  return InWorkspace(workspace_id, WorkspaceTag::kResponse)
      .I64(-submit_us)
      .Str(id)
      .key();
}

// The scan range [begin, end) of the keys under `prefix` of a newest-first
// layout (the negated time first: responses, follow-ups) whose times lie in
// [from_us, to_us); an absent bound is open.
inline std::pair<std::string, std::string> NewestFirstRange(
    absl::string_view prefix, std::optional<int64_t> from_us,
    std::optional<int64_t> to_us) {
  std::string begin(prefix);
  if (to_us.has_value()) {
    begin = absl::StrCat(prefix, storage::KeyEncoder().I64(-*to_us + 1).key());
  }
  std::string end = storage::PrefixEnd(prefix);
  if (from_us.has_value()) {
    end = absl::StrCat(prefix, storage::KeyEncoder().I64(-*from_us + 1).key());
  }
  return {std::move(begin), std::move(end)};
}

inline std::string DimensionValue(absl::string_view workspace_id,
                                  absl::string_view dimension,
                                  absl::string_view value) {
  return InWorkspace(workspace_id, WorkspaceTag::kDimensionValue)
      .Str(dimension)
      .Str(value)
      .key();
}

inline std::string DimensionValuePrefix(absl::string_view workspace_id,
                                        absl::string_view dimension) {
  return InWorkspace(workspace_id, WorkspaceTag::kDimensionValue)
      .Str(dimension)
      .key();
}

inline std::string ResponseId(absl::string_view workspace_id,
                              absl::string_view id) {
  return InWorkspace(workspace_id, WorkspaceTag::kResponseId).Str(id).key();
}

inline std::string WebhookOutboxPrefix() {
  return storage::KeyEncoder()
      .U8(static_cast<uint8_t>(MetaTag::kWebhookOutbox))
      .key();
}

inline std::string WebhookOutbox(uint64_t alert_sequence, uint8_t endpoint) {
  return storage::KeyEncoder()
      .U8(static_cast<uint8_t>(MetaTag::kWebhookOutbox))
      .U64(alert_sequence)
      .U8(endpoint)
      .key();
}

inline std::string AlertLog(absl::string_view workspace_id, uint64_t seq) {
  return InWorkspace(workspace_id, WorkspaceTag::kAlertLog).U64(seq).key();
}

inline std::string AlertInbox(absl::string_view workspace_id,
                              absl::string_view response_id) {
  return InWorkspace(workspace_id, WorkspaceTag::kAlertInbox)
      .Str(response_id)
      .key();
}

inline std::string FollowUp(absl::string_view workspace_id, int64_t submit_us,
                            absl::string_view id) {
  return InWorkspace(workspace_id, WorkspaceTag::kFollowUp)
      .I64(-submit_us)
      .Str(id)
      .key();
}

// A per-event fact: `tag` is kEventLine, kRegistration or kEventSignal.
inline std::string EventFactPrefix(absl::string_view workspace_id,
                                   WorkspaceTag tag,
                                   absl::string_view event_id) {
  return InWorkspace(workspace_id, tag).Str(event_id).key();
}

inline std::string EventFact(absl::string_view workspace_id, WorkspaceTag tag,
                             absl::string_view event_id, absl::string_view id) {
  return InWorkspace(workspace_id, tag).Str(event_id).Str(id).key();
}

inline std::string OfCustomerPrefix(absl::string_view workspace_id,
                                    absl::string_view customer_id) {
  return InWorkspace(workspace_id, WorkspaceTag::kOfCustomer)
      .Str(customer_id)
      .key();
}

// The customer's entries of one record tag; after it, the record's id.
inline std::string OfCustomerPrefix(absl::string_view workspace_id,
                                    absl::string_view customer_id,
                                    WorkspaceTag tag) {
  return InWorkspace(workspace_id, WorkspaceTag::kOfCustomer)
      .Str(customer_id)
      .U8(static_cast<uint8_t>(tag))
      .key();
}

inline std::string OfCustomer(absl::string_view workspace_id,
                              absl::string_view customer_id, WorkspaceTag tag,
                              absl::string_view id) {
  return InWorkspace(workspace_id, WorkspaceTag::kOfCustomer)
      .Str(customer_id)
      .U8(static_cast<uint8_t>(tag))
      .Str(id)
      .key();
}

}  // namespace mittari::domain::keys

#endif  // MITTARI_DOMAIN_KEYS_H_
