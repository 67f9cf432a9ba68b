// Caps on the distinct values of a dimension in one workspace, so that no
// key can make KPI cost grow with the rows by sending a new channel, tag or
// landing page with every record: rollups hold an entry per value and day,
// so their number bounds what a query reads. A record that brings a value
// past its dimension's cap is refused with RESOURCE_EXHAUSTED naming the
// dimension, and nothing of its write is stored.
//
// The values taken are kept in the index column family, (workspace,
// dimension, value) -> "", written in the same batch as the record that
// brings a new one, and loaded per (workspace, dimension) on first use. A
// value is reserved when admitted, so concurrent writers never pass a cap
// together; a write that then fails leaves its reservation in memory only.
#ifndef MITTARI_DOMAIN_DIMENSION_CAPS_H_
#define MITTARI_DOMAIN_DIMENSION_CAPS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "storage/store.h"

namespace mittari::domain {

struct DimensionCapLimits {
  // Labels: channel, touchpoint, event, tag, source, device, content type.
  int64_t labels = 1'000;
  // Landing pages and search keywords, which real sites have many of.
  int64_t pages = 10'000;
};

// One value a record brings: its dimension's name and the value.
using DimensionValue = std::pair<absl::string_view, absl::string_view>;

class DimensionCaps {
 public:
  explicit DimensionCaps(const storage::ReadView& store) : store_(store) {}

  void SetLimits(DimensionCapLimits limits) {
    absl::MutexLock lock(&mu_);
    limits_ = limits;
  }

  // Admits the values of one write (empty ones are not counted): the index
  // keys of those new to the workspace, to be written with the record; or
  // RESOURCE_EXHAUSTED naming the first dimension past its cap (and then
  // reserves none of them).
  absl::StatusOr<std::vector<std::string>> Admit(
      absl::string_view ws, const std::vector<DimensionValue>& values);

  // Forgets a deleted workspace's values.
  void Forget(absl::string_view ws);

 private:
  struct Known {
    absl::flat_hash_set<std::string> values;
  };
  absl::StatusOr<Known*> Load(absl::string_view ws, absl::string_view dim)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t CapOf(absl::string_view dim) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const storage::ReadView& store_;
  absl::Mutex mu_;
  DimensionCapLimits limits_ ABSL_GUARDED_BY(mu_);
  // (workspace, dimension) -> the values taken.
  absl::flat_hash_map<std::pair<std::string, std::string>,
                      std::unique_ptr<Known>>
      known_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_DIMENSION_CAPS_H_
