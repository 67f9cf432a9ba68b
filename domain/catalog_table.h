// Records of one kind kept by id in a workspace (surveys, customers, ...):
// load, list in id order with a filter, and add a write to a batch. One
// implementation for every catalog of the domain.
#ifndef MITTARI_DOMAIN_CATALOG_TABLE_H_
#define MITTARI_DOMAIN_CATALOG_TABLE_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/keys.h"
#include "domain/page.h"
#include "google/protobuf/util/message_differencer.h"
#include "storage/store.h"

namespace mittari::domain {

// Whether two records hold the same content, their create and update times
// aside (a record sent again unchanged changes nothing).
template <typename Record>
bool SameContent(Record a, Record b) {
  for (Record* r : {&a, &b}) {
    r->clear_create_time_us();
    r->clear_update_time_us();
  }
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

template <typename Record>
class CatalogTable {
 public:
  CatalogTable(storage::Store& store, keys::WorkspaceTag tag,
               storage::ColumnFamily cf = storage::ColumnFamily::kCatalog)
      : store_(store), tag_(tag), cf_(cf) {}

  absl::StatusOr<std::optional<Record>> Find(const storage::ReadView& view,
                                             absl::string_view workspace_id,
                                             absl::string_view id) const {
    ASSIGN_OR_RETURN(std::optional<std::string> value,
                     view.Get(cf_, KeyOf(workspace_id, id)));
    if (!value.has_value()) return std::nullopt;
    return Parse(*value);
  }
  absl::StatusOr<std::optional<Record>> Find(absl::string_view workspace_id,
                                             absl::string_view id) const {
    return Find(store_, workspace_id, id);
  }
  // The records of `ids` that exist, in the order of `ids`, read in one
  // batch.
  absl::StatusOr<std::vector<Record>> FindAll(
      const storage::ReadView& view, absl::string_view workspace_id,
      absl::Span<const std::string> ids) const {
    std::vector<std::string> keys;
    keys.reserve(ids.size());
    for (const std::string& id : ids) keys.push_back(KeyOf(workspace_id, id));
    ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> values,
                     view.MultiGet(cf_, keys));
    std::vector<Record> records;
    records.reserve(values.size());
    for (const std::optional<std::string>& value : values) {
      if (!value.has_value()) continue;
      ASSIGN_OR_RETURN(Record record, Parse(*value));
      records.push_back(std::move(record));
    }
    return records;
  }

  // The record, or NOT_FOUND naming `resource_name`.
  absl::StatusOr<Record> Get(absl::string_view workspace_id,
                             absl::string_view id,
                             absl::string_view resource_name) const {
    ASSIGN_OR_RETURN(std::optional<Record> record, Find(workspace_id, id));
    if (!record.has_value()) return errors::NotFound(resource_name);
    return *std::move(record);
  }

  // Records after `after_id` in id order that pass `keep`, at most `limit`.
  absl::StatusOr<Page<Record>> List(
      absl::string_view workspace_id, absl::string_view after_id, int limit,
      const std::function<bool(const Record&)>& keep) const {
    std::string prefix = keys::InWorkspace(workspace_id, tag_).key();
    std::string begin = after_id.empty()
                            ? prefix
                            : storage::PrefixEnd(keys::CatalogRecord(
                                  workspace_id, tag_, after_id));
    Page<Record> page;
    absl::Status parse_status;
    RETURN_IF_ERROR(
        store_.Scan(cf_, begin, storage::PrefixEnd(prefix),
                    [&](absl::string_view, absl::string_view value) {
                      absl::StatusOr<Record> record = Parse(value);
                      if (!record.ok()) {
                        parse_status = record.status();
                        return false;
                      }
                      if (!keep(*record)) return true;
                      if (static_cast<int>(page.items.size()) == limit) {
                        page.next_after = page.items.back().id();
                        return false;
                      }
                      page.items.push_back(*std::move(record));
                      return true;
                    }));
    RETURN_IF_ERROR(parse_status);
    return page;
  }

  // Stores a new record, stamped with `now`; ALREADY_EXISTS naming
  // `resource_name` when its id is taken. Callers serialize inserts.
  absl::Status Insert(absl::string_view workspace_id, Record& record,
                      absl::Time now, absl::string_view resource_name) const {
    ASSIGN_OR_RETURN(std::optional<Record> existing,
                     Find(workspace_id, record.id()));
    if (existing.has_value()) return errors::AlreadyExists(resource_name);
    record.set_create_time_us(absl::ToUnixMicros(now));
    record.set_update_time_us(record.create_time_us());
    storage::WriteBatch batch;
    Put(batch, workspace_id, record);
    return store_.Write(batch);
  }

  // Deletes record `id`; NOT_FOUND naming `resource_name` when there is
  // none. Callers serialize writers.
  absl::Status Delete(absl::string_view workspace_id, absl::string_view id,
                      absl::string_view resource_name) const {
    RETURN_IF_ERROR(Get(workspace_id, id, resource_name).status());
    storage::WriteBatch batch;
    batch.Delete(cf_, KeyOf(workspace_id, id));
    return store_.Write(batch);
  }
  void Put(storage::WriteBatch& batch, absl::string_view workspace_id,
           const Record& record) const {
    batch.Put(cf_, KeyOf(workspace_id, record.id()),
              record.SerializeAsString());
  }

  // The key record `id` is stored under.
  std::string KeyOf(absl::string_view workspace_id,
                    absl::string_view id) const {
    return keys::CatalogRecord(workspace_id, tag_, id);
  }

 private:
  static absl::StatusOr<Record> Parse(absl::string_view value) {
    Record record;
    if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return errors::DataLoss(
          absl::StrCat("unreadable ", Record::descriptor()->name(), " record"));
    }
    return record;
  }

  storage::Store& store_;
  keys::WorkspaceTag tag_;
  storage::ColumnFamily cf_;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_CATALOG_TABLE_H_
