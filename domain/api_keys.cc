#include "domain/api_keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/digest.h"
#include "domain/keys.h"

namespace mittari::domain {
namespace {

using storage::ColumnFamily;

constexpr absl::string_view kPrefix = "mk_";
constexpr size_t kIdBytes = 8;
constexpr size_t kSecretBytes = 32;
constexpr size_t kMaxDisplayName = 200;
// Keys remembered as verified; past this many, the memory starts over.
constexpr size_t kMaxVerified = 10'000;

bool SameHash(absl::string_view a, absl::string_view b) {
  return !a.empty() && a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::StatusOr<records::ApiKey> Load(const storage::ReadView& view,
                                     absl::string_view key_id) {
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   view.Get(ColumnFamily::kMeta, keys::ApiKey(key_id)));
  if (!value.has_value()) return errors::NotFound(key_id);
  records::ApiKey record;
  if (!record.ParseFromString(*value)) {
    return errors::DataLoss(absl::StrCat("unreadable API key record ", key_id));
  }
  return record;
}

}  // namespace

absl::Status KeyRing::ValidateDisplayName(absl::string_view display_name) {
  if (display_name.size() > kMaxDisplayName) {
    return errors::InvalidArgument(
        "api_key.display_name",
        absl::StrCat("must be at most ", kMaxDisplayName, " characters"));
  }
  return absl::OkStatus();
}

absl::StatusOr<NewApiKey> KeyRing::Prepare(absl::string_view workspace_id,
                                           Role role,
                                           absl::string_view display_name,
                                           storage::WriteBatch& batch) const {
  RETURN_IF_ERROR(ValidateDisplayName(display_name));
  ASSIGN_OR_RETURN(std::string id_bytes, RandomBytes(kIdBytes));
  ASSIGN_OR_RETURN(std::string secret_bytes, RandomBytes(kSecretBytes));
  std::string id = absl::BytesToHexString(id_bytes);
  NewApiKey key;
  key.secret =
      absl::StrCat(kPrefix, id, "_", absl::WebSafeBase64Escape(secret_bytes));
  records::ApiKey& r = key.record;
  r.set_id(id);
  r.set_workspace_id(std::string(workspace_id));
  r.set_display_name(std::string(display_name));
  r.set_role(static_cast<int>(role));
  r.set_secret_sha256(Sha256(key.secret));
  if (r.secret_sha256().empty()) {
    return errors::Internal("no SHA-256 available for a key");
  }
  r.set_create_time_us(absl::ToUnixMicros(clock_.Now()));
  batch.Put(ColumnFamily::kMeta, keys::ApiKey(id), r.SerializeAsString());
  if (!workspace_id.empty()) {
    batch.Put(ColumnFamily::kIndex, keys::ApiKeyOfWorkspace(workspace_id, id),
              "");
  }
  return key;
}

absl::StatusOr<NewApiKey> KeyRing::Create(absl::string_view workspace_id,
                                          Role role,
                                          absl::string_view display_name) {
  if (role == Role::kOperator) {
    return errors::InvalidArgument(
        "api_key.role", "the operator key cannot be created through the API");
  }
  storage::WriteBatch batch;
  ASSIGN_OR_RETURN(NewApiKey key,
                   Prepare(workspace_id, role, display_name, batch));
  RETURN_IF_ERROR(store_.Write(batch));
  return key;
}

absl::StatusOr<Principal> KeyRing::Authenticate(
    absl::string_view presented) const {
  if (!absl::StartsWith(presented, kPrefix)) {
    return errors::Unauthenticated("malformed API key");
  }
  std::vector<absl::string_view> parts =
      absl::StrSplit(presented.substr(kPrefix.size()), absl::MaxSplits('_', 1));
  if (parts.size() != 2 || parts[0].size() != 2 * kIdBytes) {
    return errors::Unauthenticated("malformed API key");
  }
  const std::string digest = Sha256(presented);
  // Read before the record: a revocation stored after this read bumps the
  // generation, so what is remembered below is never used after it.
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  {
    absl::MutexLock lock(&verified_mu_);
    auto it = verified_.find(parts[0]);
    if (it != verified_.end() && it->second.generation == generation &&
        SameHash(digest, it->second.secret_sha256)) {
      return it->second.principal;
    }
  }
  absl::StatusOr<records::ApiKey> record = Load(store_, parts[0]);
  if (absl::IsNotFound(record.status())) {
    return errors::Unauthenticated("unknown API key");
  }
  RETURN_IF_ERROR(record.status());
  if (!SameHash(digest, record->secret_sha256())) {
    return errors::Unauthenticated("unknown API key");
  }
  if (record->revoke_time_us() != 0) {
    return errors::Unauthenticated("API key revoked");
  }
  std::optional<Role> role = RoleFromInt(record->role());
  if (!role.has_value()) return errors::DataLoss("API key with unknown role");
  Principal principal{record->workspace_id(), *role, record->id()};
  absl::MutexLock lock(&verified_mu_);
  if (verified_.size() >= kMaxVerified) verified_.clear();
  verified_[parts[0]] = {record->secret_sha256(), principal, generation};
  return principal;
}

void KeyRing::ForgetVerified() {
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

absl::StatusOr<records::ApiKey> KeyRing::Get(absl::string_view workspace_id,
                                             absl::string_view key_id) const {
  absl::StatusOr<records::ApiKey> record = Load(store_, key_id);
  // A key of another workspace answers exactly like a missing one.
  if (record.ok() && record->workspace_id() != workspace_id) {
    return errors::NotFound(
        absl::StrCat("workspaces/", workspace_id, "/apiKeys/", key_id));
  }
  if (absl::IsNotFound(record.status())) {
    return errors::NotFound(
        absl::StrCat("workspaces/", workspace_id, "/apiKeys/", key_id));
  }
  return record;
}

absl::StatusOr<Page<records::ApiKey>> KeyRing::List(
    absl::string_view workspace_id, absl::string_view after_id,
    int limit) const {
  std::unique_ptr<storage::ReadView> snapshot = store_.NewSnapshot();
  std::string prefix = keys::ApiKeyOfWorkspacePrefix(workspace_id);
  std::string begin =
      after_id.empty()
          ? prefix
          : storage::PrefixEnd(keys::ApiKeyOfWorkspace(workspace_id, after_id));
  std::vector<std::string> ids;
  absl::Status decode_status;
  RETURN_IF_ERROR(
      snapshot->Scan(ColumnFamily::kIndex, begin, storage::PrefixEnd(prefix),
                     [&](absl::string_view key, absl::string_view) {
                       storage::KeyDecoder decoder(key.substr(prefix.size()));
                       absl::StatusOr<std::string> id = decoder.Str();
                       if (!id.ok()) {
                         decode_status = id.status();
                         return false;
                       }
                       ids.push_back(*std::move(id));
                       return static_cast<int>(ids.size()) <= limit;
                     }));
  RETURN_IF_ERROR(decode_status);
  Page<records::ApiKey> page;
  for (const std::string& id : ids) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_after = page.items.back().id();
      break;
    }
    ASSIGN_OR_RETURN(records::ApiKey record, Load(*snapshot, id));
    page.items.push_back(std::move(record));
  }
  return page;
}

absl::StatusOr<records::ApiKey> KeyRing::Revoke(absl::string_view workspace_id,
                                                absl::string_view key_id) {
  ASSIGN_OR_RETURN(records::ApiKey record, Get(workspace_id, key_id));
  if (record.revoke_time_us() == 0) {
    record.set_revoke_time_us(absl::ToUnixMicros(clock_.Now()));
    storage::WriteBatch batch;
    batch.Put(ColumnFamily::kMeta, keys::ApiKey(key_id),
              record.SerializeAsString());
    RETURN_IF_ERROR(store_.Write(batch));
    ForgetVerified();
  }
  return record;
}

absl::StatusOr<NewApiKey> KeyRing::RotateOperatorKey(absl::string_view key_id) {
  ASSIGN_OR_RETURN(records::ApiKey old, Get("", key_id));
  storage::WriteBatch batch;
  ASSIGN_OR_RETURN(NewApiKey key,
                   Prepare("", Role::kOperator, old.display_name(), batch));
  if (old.revoke_time_us() == 0) {
    old.set_revoke_time_us(absl::ToUnixMicros(clock_.Now()));
    batch.Put(ColumnFamily::kMeta, keys::ApiKey(key_id),
              old.SerializeAsString());
  }
  RETURN_IF_ERROR(store_.Write(batch));
  ForgetVerified();
  return key;
}

absl::Status KeyRing::PrepareDeleteAll(absl::string_view workspace_id,
                                       storage::WriteBatch& batch) const {
  std::string prefix = keys::ApiKeyOfWorkspacePrefix(workspace_id);
  absl::Status decode_status;
  RETURN_IF_ERROR(store_.ScanPrefix(
      ColumnFamily::kIndex, prefix,
      [&](absl::string_view key, absl::string_view) {
        storage::KeyDecoder decoder(key.substr(prefix.size()));
        absl::StatusOr<std::string> id = decoder.Str();
        if (!id.ok()) {
          decode_status = id.status();
          return false;
        }
        batch.Delete(ColumnFamily::kMeta, keys::ApiKey(*id));
        return true;
      }));
  return decode_status;
}

}  // namespace mittari::domain
