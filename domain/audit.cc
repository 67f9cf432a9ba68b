#include "domain/audit.h"

#include <optional>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/keys.h"

namespace mittari::domain {
namespace {

// The part of an event's keys after their prefixes: (-time, random), so
// that a scan reads newest first and events of one microsecond stay apart.
std::string Suffix(int64_t time_us) {
  thread_local absl::BitGen bitgen;
  return storage::KeyEncoder()
      .I64(-time_us)
      .U64(absl::Uniform<uint64_t>(bitgen))
      .key();
}

std::optional<absl::string_view> Scope(absl::string_view workspace_id) {
  if (workspace_id.empty()) return std::nullopt;
  return workspace_id;
}

}  // namespace

absl::Status AuditLog::RecordAt(storage::Store& store, absl::Time time,
                                records::AuditEvent event) {
  event.set_time_us(absl::ToUnixMicros(time));
  const std::string suffix = Suffix(event.time_us());
  const std::string value = event.SerializeAsString();
  storage::WriteBatch batch;
  batch.Put(storage::ColumnFamily::kMeta,
            keys::AuditPrefix(std::nullopt) + suffix, value);
  if (!event.workspace_id().empty()) {
    batch.Put(storage::ColumnFamily::kMeta,
              keys::AuditPrefix(event.workspace_id()) + suffix, value);
  }
  return store.Write(batch);
}

absl::Status AuditLog::Record(absl::string_view workspace_id,
                              absl::string_view actor, absl::string_view action,
                              absl::string_view target) {
  records::AuditEvent event;
  event.set_workspace_id(std::string(workspace_id));
  event.set_actor(std::string(actor));
  event.set_action(std::string(action));
  event.set_target(std::string(target));
  return RecordAt(store_, clock_.Now(), std::move(event));
}

absl::Status AuditLog::CopyAll(const storage::ReadView& from,
                               storage::Store& to) {
  // Both key families: every event, and every event by workspace.
  for (const std::string& prefix :
       {keys::AuditPrefix(std::nullopt), keys::AuditOfWorkspacePrefix()}) {
    storage::WriteBatch batch;
    RETURN_IF_ERROR(
        from.ScanPrefix(storage::ColumnFamily::kMeta, prefix,
                        [&](absl::string_view key, absl::string_view value) {
                          batch.Put(storage::ColumnFamily::kMeta,
                                    std::string(key), std::string(value));
                          return true;
                        }));
    if (!batch.empty()) RETURN_IF_ERROR(to.Write(batch));
  }
  return absl::OkStatus();
}

absl::StatusOr<Page<records::AuditEvent>> AuditLog::List(
    absl::string_view workspace_id, absl::string_view page_token,
    int limit) const {
  const std::string prefix = keys::AuditPrefix(Scope(workspace_id));
  std::string begin = prefix;
  if (!page_token.empty()) {
    std::string after;
    if (!absl::WebSafeBase64Unescape(page_token, &after) ||
        after.size() != 16) {
      return errors::InvalidArgument("page_token", "is not a page token");
    }
    // The first key after the last one read.
    absl::StrAppend(&begin, after, absl::string_view("\0", 1));
  }
  Page<records::AuditEvent> page;
  std::string last;
  absl::Status status;
  RETURN_IF_ERROR(store_.Scan(
      storage::ColumnFamily::kMeta, begin, storage::PrefixEnd(prefix),
      [&](absl::string_view key, absl::string_view value) {
        if (static_cast<int>(page.items.size()) == limit) {
          absl::WebSafeBase64Escape(last, &page.next_after);
          return false;
        }
        records::AuditEvent event;
        if (!event.ParseFromString(std::string(value))) {
          status = errors::DataLoss("unreadable audit event");
          return false;
        }
        page.items.push_back(std::move(event));
        last = std::string(key.substr(prefix.size()));
        return true;
      }));
  RETURN_IF_ERROR(status);
  return page;
}

}  // namespace mittari::domain
