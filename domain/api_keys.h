// API keys: creation (random, shown once), authentication (stored as a
// SHA-256 hash, compared in constant time), listing and revocation.
//
// A key looks like `mk_<id>_<secret>`: the id (16 hex digits) names the key
// (`workspaces/{w}/apiKeys/{id}`) and finds its record in one read; the
// secret part is 32 random bytes.
#ifndef MITTARI_DOMAIN_API_KEYS_H_
#define MITTARI_DOMAIN_API_KEYS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/clock.h"
#include "domain/page.h"
#include "domain/records.pb.h"
#include "domain/roles.h"
#include "storage/store.h"

namespace mittari::domain {

struct NewApiKey {
  records::ApiKey record;
  std::string secret;  // the whole key to send; never stored
};

class KeyRing {
 public:
  KeyRing(storage::Store& store, const Clock& clock)
      : store_(store), clock_(clock) {}

  // Adds a new key to `batch` (not yet written). `workspace_id` is empty for
  // the operator key.
  absl::StatusOr<NewApiKey> Prepare(absl::string_view workspace_id, Role role,
                                    absl::string_view display_name,
                                    storage::WriteBatch& batch) const;

  // Creates a key in a workspace. ROLE operator cannot be created this way.
  absl::StatusOr<NewApiKey> Create(absl::string_view workspace_id, Role role,
                                   absl::string_view display_name);

  // The principal of a presented key; UNAUTHENTICATED when the key is
  // malformed, unknown or revoked.
  absl::StatusOr<Principal> Authenticate(absl::string_view presented) const;

  // A key of the workspace; NOT_FOUND for a key of another workspace.
  absl::StatusOr<records::ApiKey> Get(absl::string_view workspace_id,
                                      absl::string_view key_id) const;
  absl::StatusOr<Page<records::ApiKey>> List(absl::string_view workspace_id,
                                             absl::string_view after_id,
                                             int limit) const;
  absl::StatusOr<records::ApiKey> Revoke(absl::string_view workspace_id,
                                         absl::string_view key_id);

  // Adds the deletion of every key of the workspace to `batch`.
  absl::Status PrepareDeleteAll(absl::string_view workspace_id,
                                storage::WriteBatch& batch) const;

  // Checks a display name given for a key.
  static absl::Status ValidateDisplayName(absl::string_view display_name);

 private:
  storage::Store& store_;
  const Clock& clock_;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_API_KEYS_H_
