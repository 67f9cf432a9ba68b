// Workspaces: one per company or brand, with a time zone in which KPI
// buckets are cut and a reporting currency. Also the first start of a
// server, which creates the default workspace and the first keys.
#ifndef MITTARI_DOMAIN_WORKSPACES_H_
#define MITTARI_DOMAIN_WORKSPACES_H_

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "domain/api_keys.h"
#include "domain/dimension_caps.h"
#include "domain/page.h"
#include "domain/records.pb.h"
#include "storage/store.h"

namespace mittari::domain {

inline constexpr absl::string_view kDefaultWorkspaceId = "default";
inline constexpr absl::string_view kDefaultTimeZone = "UTC";
inline constexpr absl::string_view kDefaultCurrency = "EUR";

// Fields to change; absent ones stay as they are.
struct WorkspaceUpdate {
  std::optional<std::string> display_name;
  std::optional<std::string> time_zone;
  std::optional<std::string> currency_code;
};

struct CreatedWorkspace {
  records::Workspace workspace;
  NewApiKey admin_key;
};

// The secrets made at a server's first start, shown once.
struct FirstStart {
  records::Workspace workspace;
  NewApiKey admin_key;
  NewApiKey operator_key;
};

// Field checks shared by every place that takes these values. `field` names
// the field in errors.
absl::Status ValidateWorkspaceId(absl::string_view id, absl::string_view field);
absl::Status ValidateTimeZone(absl::string_view zone, absl::string_view field);
absl::Status ValidateCurrency(absl::string_view code, absl::string_view field);

class WorkspaceDirectory {
 public:
  // The caps on each workspace's distinct dimension values, which every
  // writer of facts consults.
  DimensionCaps& dimension_caps() const { return caps_; }

  WorkspaceDirectory(storage::Store& store, KeyRing& keys, const Clock& clock)
      : store_(store), keys_(keys), clock_(clock) {}

  // Creates a workspace and its first admin key in one write. An empty id
  // is generated; empty time zone and currency take the defaults.
  absl::StatusOr<CreatedWorkspace> Create(absl::string_view id,
                                          absl::string_view display_name,
                                          absl::string_view time_zone,
                                          absl::string_view currency_code);
  absl::StatusOr<records::Workspace> Get(absl::string_view id) const;
  absl::StatusOr<Page<records::Workspace>> List(absl::string_view after_id,
                                                int limit) const;
  absl::StatusOr<records::Workspace> Update(absl::string_view id,
                                            const WorkspaceUpdate& update);
  // Deletes the workspace, every key of it and all its data.
  absl::Status Delete(absl::string_view id);

  // The workspace's time zone (cached).
  absl::StatusOr<absl::TimeZone> TimeZoneOf(absl::string_view id) const;

  // Whether the workspace holds any facts (responses, purchases, ...).
  bool HoldsData(absl::string_view id) const;

  // At the first start of a server (an empty database), creates the default
  // workspace, its admin key and the operator key, and returns them; later
  // returns nullopt.
  absl::StatusOr<std::optional<FirstStart>> InitializeOnFirstStart();

 private:
  absl::StatusOr<records::Workspace> Load(absl::string_view id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  storage::Store& store_;
  KeyRing& keys_;
  const Clock& clock_;
  mutable DimensionCaps caps_{store_};
  // Serializes the read-check-write of workspace changes.
  mutable absl::Mutex mu_;
  mutable absl::Mutex zones_mu_;
  mutable std::map<std::string, absl::TimeZone, std::less<>> zones_
      ABSL_GUARDED_BY(zones_mu_);
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_WORKSPACES_H_
