#include "storage/store.h"

#include <utility>

#include "common/status_macros.h"
#include "storage/key_codec.h"

namespace mittari::storage {

void WriteBatch::Put(ColumnFamily cf, std::string key, std::string value) {
  ops_.push_back({OpKind::kPut, cf, std::move(key), std::move(value)});
}

void WriteBatch::Delete(ColumnFamily cf, std::string key) {
  ops_.push_back({OpKind::kDelete, cf, std::move(key), {}});
}

void WriteBatch::DeleteRange(ColumnFamily cf, std::string begin,
                             std::string end) {
  ops_.push_back({OpKind::kDeleteRange, cf, std::move(begin), std::move(end)});
}

void WriteBatch::AddCounters(ColumnFamily cf, std::string key,
                             const Counters& delta, bool overflowed) {
  ops_.push_back({OpKind::kAddCounters, cf, std::move(key),
                  EncodeCounters(delta, overflowed)});
}

void WriteBatch::Append(const WriteBatch& other) {
  ops_.insert(ops_.end(), other.ops_.begin(), other.ops_.end());
}

absl::StatusOr<std::vector<std::optional<std::string>>> ReadView::MultiGet(
    ColumnFamily cf, absl::Span<const std::string> keys) const {
  return GetEach(cf, keys);
}

absl::StatusOr<std::vector<std::optional<std::string>>> ReadView::GetEach(
    ColumnFamily cf, absl::Span<const std::string> keys) const {
  std::vector<std::optional<std::string>> values;
  values.reserve(keys.size());
  for (const std::string& key : keys) {
    ASSIGN_OR_RETURN(std::optional<std::string> value, Get(cf, key));
    values.push_back(std::move(value));
  }
  return values;
}

absl::Status ReadView::ScanPrefix(ColumnFamily cf, absl::string_view prefix,
                                  ScanVisitor visit) const {
  return Scan(cf, prefix, PrefixEnd(prefix), visit);
}

}  // namespace mittari::storage
