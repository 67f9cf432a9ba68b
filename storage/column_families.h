// The column families, declared once. Every key a column family holds starts
// with the workspace id (see key_codec.h), except in kMeta, which holds the
// server-wide records (schema version, workspaces, API keys).
#ifndef MITTARI_STORAGE_COLUMN_FAMILIES_H_
#define MITTARI_STORAGE_COLUMN_FAMILIES_H_

#include <array>
#include <cstddef>

#include "absl/strings/string_view.h"

namespace mittari::storage {

enum class ColumnFamily : std::size_t {
  kMeta = 0,  // RocksDB's "default": schema version, workspaces, API keys
  kCatalog,   // per-workspace definitions: surveys, customers, events
  kFacts,     // per-workspace raw facts: responses, purchases, sessions, ...
  kIndex,     // per-workspace secondary indexes over catalog and facts
  kRollups,   // per-workspace pre-aggregated counters (merge operator)
};

struct ColumnFamilySpec {
  ColumnFamily id;
  absl::string_view name;
  // Values are counter vectors (counters.h) added with Merge, never Put.
  bool counters;
  // CachedStore keeps point reads in memory: small records read far more
  // often than written (every submit reads its survey and its customer).
  bool cached;
};

inline constexpr std::array<ColumnFamilySpec, 5> kColumnFamilies = {{
    {ColumnFamily::kMeta, "default", false, false},
    {ColumnFamily::kCatalog, "catalog", false, true},
    {ColumnFamily::kFacts, "facts", false, false},
    {ColumnFamily::kIndex, "index", false, false},
    {ColumnFamily::kRollups, "rollups", true, false},
}};

constexpr const ColumnFamilySpec& Spec(ColumnFamily cf) {
  return kColumnFamilies[static_cast<std::size_t>(cf)];
}

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_COLUMN_FAMILIES_H_
