// The reply to a write of one record. A key of role `ingest` ships inside
// mobile and web apps, where anyone can read it: its replies carry the
// resource name and the outcome only, never stored attributes (the
// customer's segment, region, type…). Other keys get the whole record.
#ifndef MITTARI_SERVICE_WRITE_REPLY_H_
#define MITTARI_SERVICE_WRITE_REPLY_H_

#include <utility>

#include "domain/roles.h"
#include "domain/surveys.h"
#include "mittari/v1/common.pb.h"

namespace mittari::service {

// The outcome of a write of one record, from its counts.
inline v1::WriteOutcome OutcomeOf(const domain::ImportCounts& counts) {
  if (counts.created > 0) return v1::WRITE_OUTCOME_CREATED;
  if (counts.updated > 0) return v1::WRITE_OUTCOME_UPDATED;
  return v1::WRITE_OUTCOME_UNCHANGED;
}

// `full` with its outcome, or only its name and outcome for an ingest key.
template <typename Proto>
Proto WriteReply(domain::Role caller, Proto full, v1::WriteOutcome outcome) {
  full.set_outcome(outcome);
  if (caller != domain::Role::kIngest) return full;
  Proto slim;
  slim.set_name(full.name());
  slim.set_outcome(outcome);
  return slim;
}

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_WRITE_REPLY_H_
