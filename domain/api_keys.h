// API keys: creation (random, shown once), authentication (stored as a
// SHA-256 hash, compared in constant time), listing and revocation.
//
// Every call authenticates, so a key once verified is remembered in memory
// (its hash and principal, never the secret): the next call costs a hash and
// no read. Any write that revokes or deletes keys bumps a generation after it
// is stored, which makes every remembered key be read again.
//
// A key looks like `mk_<id>_<secret>`: the id (16 hex digits) names the key
// (`workspaces/{w}/apiKeys/{id}`) and finds its record in one read; the
// secret part is 32 random bytes.
#ifndef MITTARI_DOMAIN_API_KEYS_H_
#define MITTARI_DOMAIN_API_KEYS_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
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
  // Makes a new operator key and revokes operator key `key_id`, in one
  // write; NOT_FOUND when `key_id` is no operator key.
  absl::StatusOr<NewApiKey> RotateOperatorKey(absl::string_view key_id);

  // Adds the deletion of every key of the workspace to `batch`. Call
  // ForgetVerified once the batch is written.
  absl::Status PrepareDeleteAll(absl::string_view workspace_id,
                                storage::WriteBatch& batch) const;
  // Makes every key verified so far be read again on its next call: for a
  // write that changed key records outside this class.
  void ForgetVerified();

  // Checks a display name given for a key.
  static absl::Status ValidateDisplayName(absl::string_view display_name);

 private:
  struct Verified {
    std::string secret_sha256;
    Principal principal;
    uint64_t generation;
  };

  storage::Store& store_;
  const Clock& clock_;
  // Bumped after every write that revokes or deletes keys.
  std::atomic<uint64_t> generation_{0};
  mutable absl::Mutex verified_mu_;
  // By key id.
  mutable absl::flat_hash_map<std::string, Verified> verified_
      ABSL_GUARDED_BY(verified_mu_);
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_API_KEYS_H_
