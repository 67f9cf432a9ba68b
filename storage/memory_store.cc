#include "storage/memory_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"

namespace mittari::storage {
namespace {

// The tables are immutable once published: a write copies, applies and swaps,
// so that a snapshot is just a reference to the tables of its time.
absl::StatusOr<std::optional<std::string>> GetIn(const MemoryStore::Tables& t,
                                                 ColumnFamily cf,
                                                 absl::string_view key) {
  const MemoryStore::Table& table = t[static_cast<size_t>(cf)];
  auto it = table.find(key);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

absl::Status ScanIn(const MemoryStore::Tables& t, ColumnFamily cf,
                    absl::string_view begin, absl::string_view end,
                    ScanVisitor visit) {
  const MemoryStore::Table& table = t[static_cast<size_t>(cf)];
  for (auto it = table.lower_bound(begin);
       it != table.end() && (end.empty() || it->first < end); ++it) {
    if (!visit(it->first, it->second)) break;
  }
  return absl::OkStatus();
}

class MemorySnapshot final : public ReadView {
 public:
  explicit MemorySnapshot(std::shared_ptr<const MemoryStore::Tables> tables)
      : tables_(std::move(tables)) {}
  absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily cf, absl::string_view key) const override {
    return GetIn(*tables_, cf, key);
  }
  absl::Status Scan(ColumnFamily cf, absl::string_view begin,
                    absl::string_view end, ScanVisitor visit) const override {
    return ScanIn(*tables_, cf, begin, end, visit);
  }

 private:
  std::shared_ptr<const MemoryStore::Tables> tables_;
};

}  // namespace

absl::StatusOr<std::optional<std::string>> MemoryStore::Get(
    ColumnFamily cf, absl::string_view key) const {
  return NewSnapshot()->Get(cf, key);
}

absl::Status MemoryStore::Scan(ColumnFamily cf, absl::string_view begin,
                               absl::string_view end, ScanVisitor visit) const {
  return NewSnapshot()->Scan(cf, begin, end, visit);
}

std::unique_ptr<ReadView> MemoryStore::NewSnapshot() const {
  absl::MutexLock lock(&mu_);
  return std::make_unique<MemorySnapshot>(tables_);
}

absl::Status MemoryStore::Write(const WriteBatch& batch) {
  absl::MutexLock lock(&mu_);
  auto next = std::make_shared<Tables>(*tables_);
  for (const WriteBatch::Op& op : batch.ops()) {
    Table& table = (*next)[static_cast<size_t>(op.cf)];
    switch (op.kind) {
      case WriteBatch::OpKind::kPut:
        table[op.key] = op.value;
        break;
      case WriteBatch::OpKind::kDelete:
        table.erase(op.key);
        break;
      case WriteBatch::OpKind::kDeleteRange:
        if (op.value.empty()) {
          return errors::Internal("DeleteRange needs an end key");
        }
        table.erase(table.lower_bound(op.key), table.lower_bound(op.value));
        break;
      case WriteBatch::OpKind::kAddCounters: {
        if (!Spec(op.cf).counters) {
          return errors::Internal(absl::StrCat(
              "column family ", Spec(op.cf).name, " holds no counters"));
        }
        auto it = table.find(op.key);
        if (it == table.end()) {
          RETURN_IF_ERROR(DecodeCounters(op.value).status());
          table.emplace(op.key, op.value);
        } else {
          ASSIGN_OR_RETURN(it->second,
                           AddEncodedCounters(it->second, op.value));
        }
        break;
      }
    }
  }
  tables_ = std::move(next);
  return absl::OkStatus();
}

}  // namespace mittari::storage
