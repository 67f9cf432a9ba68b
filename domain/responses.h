// Survey responses: validated against their survey, stored exactly once
// (idempotent by id), with the customer's segment dimensions captured when
// stored; listed newest first; low scores listed for follow-up; and the
// invitations that response rates divide by.
#ifndef MITTARI_DOMAIN_RESPONSES_H_
#define MITTARI_DOMAIN_RESPONSES_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "domain/catalog_table.h"
#include "domain/customers.h"
#include "domain/group_committer.h"
#include "domain/import_job.h"
#include "domain/key_locks.h"
#include "domain/kpi/calendar.h"
#include "domain/kpi/rollups.h"
#include "domain/page.h"
#include "domain/records.pb.h"
#include "domain/surveys.h"
#include "domain/workspaces.h"

namespace mittari::domain {

// The most responses one batch or stream may carry.
inline constexpr size_t kMaxResponsesPerSubmit = 1'000'000;
struct ResponseFilter {
  std::optional<int64_t> from_us;  // inclusive
  std::optional<int64_t> to_us;    // exclusive
  std::string survey_id;
  std::string tag;
  std::string channel;
  std::string touchpoint;
  std::string event_id;
  std::string text;  // in the comment, case-insensitive
  // Follow-up items only: their state (FollowUpStateOf) and assignee.
  std::optional<int> follow_up_state;
  std::optional<std::string> assignee;
};

// records::FollowUpState's states, by the API's numbers.
enum class FollowUpStage {
  kOpen = 1,
  kContacted = 2,
  kClosed = 3,
  kDismissed = 4
};

struct SubmitCounts {
  int64_t received = 0;
  int64_t stored = 0;
  int64_t duplicates = 0;
};

// What one submit did: the stored response (the first one, when the same
// response was sent again) and whether this submit stored it.
struct Submitted {
  records::Response response;
  bool created = false;
};

struct FollowUpItem {
  records::Response response;
  std::optional<records::Customer> customer;
  // Its workflow; state 1 (open) when untouched.
  records::FollowUpState state;
};

class ResponseLedger;

// One import job of responses (import_job.h): the chunks of a file, checked
// and staged as they come, stored at once by Commit. Violations name items
// by their place in the whole job ("requests[i].response...").
class ResponseImport {
 public:
  // Checks and stages the next responses.
  absl::Status Add(std::vector<records::Response> responses);
  absl::StatusOr<SubmitCounts> Commit();

 private:
  friend class ResponseLedger;
  ResponseImport(ResponseLedger& ledger, std::unique_ptr<ImportJob> job,
                 std::string list_field)
      : ledger_(ledger),
        job_(std::move(job)),
        list_field_(std::move(list_field)) {}

  ResponseLedger& ledger_;
  std::unique_ptr<ImportJob> job_;
  const std::string list_field_;
  SubmitCounts counts_;
  size_t next_index_ = 0;
};

class ResponseLedger {
 public:
  ResponseLedger(storage::Store& store, const WorkspaceDirectory& workspaces,
                 const SurveyCatalog& surveys,
                 const CustomerDirectory& customers, const Clock& clock)
      : store_(store),
        workspaces_(workspaces),
        surveys_(surveys),
        customers_(customers),
        clock_(clock),
        invitations_(store, keys::WorkspaceTag::kInvitationBatch,
                     storage::ColumnFamily::kFacts),
        committer_(
            [this](std::vector<Pending>& group) { CommitGroup(group); }) {}
  ResponseLedger(const ResponseLedger&) = delete;
  ResponseLedger& operator=(const ResponseLedger&) = delete;

  // Stores one response (its id in `id`): the stored response, first or
  // again. Violations are named "response_id" and "response.<field>".
  absl::StatusOr<records::Response> Submit(absl::string_view workspace_id,
                                           records::Response response);
  // Like Submit, without blocking: the response is checked now, then a
  // committer thread stores it together with the other submits waiting at
  // that moment, in one synced write; `done` runs on that thread once the
  // write is durable (or right away on a validation error).
  void SubmitAsync(absl::string_view workspace_id, records::Response response,
                   std::function<void(absl::StatusOr<Submitted>)> done);

  // Stores every response or none. Violations are named
  // "<list_field>[i].response.<field>".
  absl::StatusOr<SubmitCounts> SubmitAll(
      absl::string_view workspace_id, std::vector<records::Response> responses,
      absl::string_view list_field);

  // Starts an import job in the workspace; items are named as in SubmitAll.
  absl::StatusOr<std::unique_ptr<ResponseImport>> StartImport(
      absl::string_view workspace_id, absl::string_view list_field);

  absl::StatusOr<records::Response> Get(absl::string_view workspace_id,
                                        absl::string_view id) const;
  // Newest first. `after` is the next_after of the previous page.
  absl::StatusOr<Page<records::Response>> List(absl::string_view workspace_id,
                                               const ResponseFilter& filter,
                                               absl::string_view after,
                                               int limit) const;
  // Low scores, newest first, with their customers and workflow.
  absl::StatusOr<Page<FollowUpItem>> FollowUps(absl::string_view workspace_id,
                                               const ResponseFilter& filter,
                                               absl::string_view after,
                                               int limit) const;
  // Moves follow-up item `id` (its response's id) along its workflow:
  // sets `fields` ("state", "assignee", "notes") from `values`. Open may
  // go to contacted, closed or dismissed, contacted to closed or
  // dismissed; closed and dismissed stay. The first move out of open
  // stamps the contact time, closing or dismissing the close time.
  // Violations are named "follow_up.<field>".
  absl::StatusOr<FollowUpItem> UpdateFollowUp(
      absl::string_view ws, absl::string_view id,
      const records::FollowUpState& values,
      const std::vector<std::string>& fields);

  // Adds to `batch` the writes that re-key response `id` from its customer
  // to `token` and delete its comment (erasure); its scores stay.
  absl::Status AddAnonymization(storage::WriteBatch& batch,
                                absl::string_view ws, absl::string_view id,
                                absl::string_view token) const;

  // Idempotent by id: the same batch again returns the first; other content
  // is ALREADY_EXISTS.
  absl::StatusOr<records::InvitationBatch> RecordInvitations(
      absl::string_view workspace_id, records::InvitationBatch batch);

  // Unary submits waiting for the committer (at most kMaxQueuedSubmits).
  size_t queued() const { return committer_.queued(); }

 private:
  friend class ResponseImport;

  // Notes responses written in `ws` for the open import jobs.
  void NoteWritten(absl::string_view ws, const std::vector<std::string>& ids);
  // Checks `responses` (the items from `first_index` on) against `view`
  // and adds the writes of the new ones to `batch`, counting them in
  // `counts` and their ids in `written`. SubmitAll and imports share it.
  absl::Status PrepareAll(absl::string_view workspace_id,
                          std::vector<records::Response> responses,
                          absl::string_view list_field, size_t first_index,
                          const storage::ReadView& view,
                          storage::WriteBatch& batch, SubmitCounts& counts,
                          std::vector<std::string>& written);
  // Adds every write of a new response to `batch`.
  void AddWrites(storage::WriteBatch& batch, kpi::RollupDeltas& rollups,
                 absl::string_view ws, const kpi::Calendar& calendar,
                 const records::Response& response) const;
  struct Pending {
    std::string workspace_id;
    records::Response response;
    // CatalogChanges() before the response was checked.
    uint64_t catalog_changes;
    // Index keys of the dimension values it brings first (admitted).
    std::vector<std::string> new_values;
    std::function<void(absl::StatusOr<Submitted>)> done;
  };
  // Changes in workspace `ws` that can make an earlier check of a response
  // stale, so far: customers erased and survey scales changed. Both only
  // grow.
  uint64_t CatalogChanges(absl::string_view ws) const {
    return customers_.erasure_gate(ws).count() +
           surveys_.scale_gate(ws).count();
  }
  void CommitGroup(std::vector<Pending>& group);

  // The stored workflow of follow-up item `id` (open when none).
  absl::StatusOr<records::FollowUpState> FollowUpStateOf(
      const storage::ReadView& view, absl::string_view ws,
      absl::string_view id) const;

  absl::StatusOr<std::optional<records::Response>> FindStored(
      const storage::ReadView& view, absl::string_view workspace_id,
      absl::string_view id) const;

  storage::Store& store_;
  const WorkspaceDirectory& workspaces_;
  const SurveyCatalog& surveys_;
  const CustomerDirectory& customers_;
  const Clock& clock_;
  CatalogTable<records::InvitationBatch> invitations_;
  KeyLocks locks_;
  ImportWatches watches_;
  absl::Mutex follow_up_mu_;  // serializes follow-up updates

  // Last: stopped (its queue committed) before anything it uses goes.
  GroupCommitter<Pending> committer_;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_RESPONSES_H_
