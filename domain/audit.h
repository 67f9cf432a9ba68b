// The audit log: administrative actions (keys created and revoked,
// workspaces created, changed and deleted, erasures, backups, restores),
// stored server-wide and listable by a workspace's admin (its own) and by
// the operator (all). An entry names keys and resources, never a person:
// an erasure's target is the workspace's `customers` collection.
#ifndef MITTARI_DOMAIN_AUDIT_H_
#define MITTARI_DOMAIN_AUDIT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/clock.h"
#include "domain/page.h"
#include "domain/records.pb.h"
#include "storage/store.h"

namespace mittari::domain {

class AuditLog {
 public:
  AuditLog(storage::Store& store, const Clock& clock)
      : store_(store), clock_(clock) {}

  // Stores one event, now (durable when it returns).
  absl::Status Record(absl::string_view workspace_id, absl::string_view actor,
                      absl::string_view action, absl::string_view target);
  // The same at time `time` into any store (a restore writes into the
  // store it restored).
  static absl::Status RecordAt(storage::Store& store, absl::Time time,
                               records::AuditEvent event);

  // Copies every event of `from` into `to` (a restore keeps the audit
  // log of the database it replaces, which holds the backup's and more).
  static absl::Status CopyAll(const storage::ReadView& from,
                              storage::Store& to);

  // Newest first: workspace `workspace_id`'s events, or every event when
  // it is empty. `page_token` is a previous page's next_after.
  absl::StatusOr<Page<records::AuditEvent>> List(absl::string_view workspace_id,
                                                 absl::string_view page_token,
                                                 int limit) const;

 private:
  storage::Store& store_;
  const Clock& clock_;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_AUDIT_H_
