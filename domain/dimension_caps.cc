#include "domain/dimension_caps.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/keys.h"
#include "storage/key_codec.h"

namespace mittari::domain {

int64_t DimensionCaps::CapOf(absl::string_view dim) const {
  return dim == "landing_page" || dim == "keyword" ? limits_.pages
                                                   : limits_.labels;
}

absl::StatusOr<DimensionCaps::Known*> DimensionCaps::Load(
    absl::string_view ws, absl::string_view dim) {
  auto key = std::pair(std::string(ws), std::string(dim));
  auto it = known_.find(key);
  if (it != known_.end()) return it->second.get();
  auto known = std::make_unique<Known>();
  const std::string prefix = keys::DimensionValuePrefix(ws, dim);
  absl::Status status;
  RETURN_IF_ERROR(store_.ScanPrefix(
      storage::ColumnFamily::kIndex, prefix,
      [&](absl::string_view k, absl::string_view) {
        absl::StatusOr<std::string> value =
            storage::KeyDecoder(k.substr(prefix.size())).Str();
        if (!value.ok()) {
          status = errors::DataLoss("unreadable dimension value entry");
          return false;
        }
        known->values.insert(*std::move(value));
        return true;
      }));
  RETURN_IF_ERROR(status);
  Known* out = known.get();
  known_.emplace(std::move(key), std::move(known));
  return out;
}

absl::StatusOr<std::vector<std::string>> DimensionCaps::Admit(
    absl::string_view ws, const std::vector<DimensionValue>& values) {
  absl::MutexLock lock(&mu_);
  // First check every value, then reserve: a refused write reserves none.
  std::vector<std::pair<Known*, DimensionValue>> fresh;
  for (const auto& [dim, value] : values) {
    if (value.empty()) continue;
    ASSIGN_OR_RETURN(Known * known, Load(ws, dim));
    if (known->values.contains(value)) continue;
    bool repeated = false;
    int64_t added = 1;
    for (const auto& [k, v] : fresh) {
      if (k != known) continue;
      if (v.second == value) repeated = true;
      ++added;
    }
    if (repeated) continue;
    const int64_t cap = CapOf(dim);
    if (static_cast<int64_t>(known->values.size()) + added > cap) {
      return errors::ResourceExhausted(
          absl::StrCat("dimension '", dim, "' holds its maximum of ", cap,
                       " distinct values in this workspace; a new value is "
                       "refused"),
          "DIMENSION_CAP");
    }
    fresh.emplace_back(known, DimensionValue(dim, value));
  }
  std::vector<std::string> keys;
  keys.reserve(fresh.size());
  for (const auto& [known, dv] : fresh) {
    known->values.emplace(dv.second);
    keys.push_back(keys::DimensionValue(ws, dv.first, dv.second));
  }
  return keys;
}

void DimensionCaps::Forget(absl::string_view ws) {
  absl::MutexLock lock(&mu_);
  for (auto it = known_.begin(); it != known_.end();) {
    if (it->first.first == ws) {
      known_.erase(it++);
    } else {
      ++it;
    }
  }
}

}  // namespace mittari::domain
