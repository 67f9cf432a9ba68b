// A unary write of one record and its reply. The write is served by gRPC's
// callback API and answered from its ledger's committer thread
// (domain/group_committer.h). A key of role `ingest` ships inside mobile
// and web apps, where anyone can read it: its replies carry the resource
// name and the outcome only, never stored attributes (the customer's
// segment, region, type…). Other keys get the whole record.
#ifndef MITTARI_SERVICE_WRITE_REPLY_H_
#define MITTARI_SERVICE_WRITE_REPLY_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "domain/roles.h"
#include "domain/surveys.h"
#include "grpcpp/support/server_callback.h"
#include "mittari/v1/common.pb.h"
#include "service/auth.h"
#include "service/status.h"

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

// Serves a unary write: authorizes the caller for `ingest` in `parent`,
// then `submit(call, finish)` hands the record to its ledger, whose
// answer calls `finish(status)` (once the reply is filled in), which
// finishes the call.
template <typename Submit>
grpc::ServerUnaryReactor* UnaryWrite(const Authorizer& auth,
                                     grpc::CallbackServerContext& context,
                                     absl::string_view parent, Submit submit) {
  grpc::ServerUnaryReactor* reactor = context.DefaultReactor();
  absl::StatusOr<WorkspaceCall> call =
      auth.AuthorizeParent(context, {domain::Permission::kIngest}, parent);
  if (!call.ok()) {
    reactor->Finish(ToGrpcStatus(call.status()));
    return reactor;
  }
  submit(*call, [reactor](const absl::Status& status) {
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

}  // namespace mittari::service

#endif  // MITTARI_SERVICE_WRITE_REPLY_H_
