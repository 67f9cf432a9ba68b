#include "domain/touchpoints.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"

namespace mittari::domain {

void Touchpoints::Validate(const records::Touchpoint& t, Violations& v) {
  v.Id("touchpoint_id", t.id());
  v.Required("touchpoint.display_name", t.display_name());
  v.MaxLength("touchpoint.display_name", t.display_name(), 200);
  const std::string& stage = t.journey_stage();
  if (stage.empty()) {
    v.Add("touchpoint.journey_stage",
          "is required: awareness, consideration, purchase, onboarding, "
          "usage, service, loyalty, or the workspace's own");
  } else if (stage.size() > 64 ||
             !std::all_of(stage.begin(), stage.end(), [](char c) {
               return absl::ascii_islower(c) || absl::ascii_isdigit(c) ||
                      c == '_' || c == '-';
             })) {
    v.Add("touchpoint.journey_stage",
          "must be a lower-case word of at most 64 characters of "
          "[a-z0-9_-]");
  }
  v.Between("touchpoint.order", t.order(), 0, 10'000);
}

std::string Touchpoints::NameOf(absl::string_view ws,
                                absl::string_view id) const {
  return absl::StrCat("workspaces/", ws, "/touchpoints/", id);
}

absl::StatusOr<records::Touchpoint> Touchpoints::Create(
    absl::string_view ws, records::Touchpoint touchpoint) {
  Violations v;
  Validate(touchpoint, v);
  RETURN_IF_ERROR(v.ToStatus());
  touchpoint.clear_baselines();
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(
      table_.Insert(ws, touchpoint, clock_.Now(), NameOf(ws, touchpoint.id())));
  return touchpoint;
}

absl::StatusOr<records::Touchpoint> Touchpoints::Get(
    absl::string_view ws, absl::string_view id) const {
  return table_.Get(ws, id, NameOf(ws, id));
}

absl::StatusOr<Page<records::Touchpoint>> Touchpoints::List(
    absl::string_view ws, absl::string_view after, int limit) const {
  return table_.List(ws, after, limit,
                     [](const records::Touchpoint&) { return true; });
}

absl::StatusOr<records::Touchpoint> Touchpoints::Update(
    absl::string_view ws, absl::string_view id,
    const records::Touchpoint& values, const std::vector<std::string>& fields) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(records::Touchpoint t, Get(ws, id));
  Violations v;
  for (const std::string& field : fields) {
    if (field == "display_name") {
      t.set_display_name(values.display_name());
    } else if (field == "journey_stage") {
      t.set_journey_stage(values.journey_stage());
    } else if (field == "order") {
      t.set_order(values.order());
    } else {
      v.Add("update_mask", absl::StrCat("'", field,
                                        "' is not updatable: use display_name, "
                                        "journey_stage, order"));
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  Validate(t, v);
  RETURN_IF_ERROR(v.ToStatus());
  t.set_update_time_us(absl::ToUnixMicros(clock_.Now()));
  storage::WriteBatch batch;
  table_.Put(batch, ws, t);
  RETURN_IF_ERROR(store_.Write(batch));
  return t;
}

absl::Status Touchpoints::Delete(absl::string_view ws, absl::string_view id) {
  absl::MutexLock lock(&mu_);
  return table_.Delete(ws, id, NameOf(ws, id));
}

absl::StatusOr<records::Touchpoint> Touchpoints::SetBaseline(
    absl::string_view ws, absl::string_view id, records::Baseline baseline) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(records::Touchpoint t, Get(ws, id));
  baseline.set_set_time_us(absl::ToUnixMicros(clock_.Now()));
  auto* list = t.mutable_baselines();
  auto it =
      std::find_if(list->begin(), list->end(), [&](const records::Baseline& b) {
        return b.metric() == baseline.metric();
      });
  if (it != list->end()) {
    *it = std::move(baseline);
  } else {
    *list->Add() = std::move(baseline);
  }
  t.set_update_time_us(absl::ToUnixMicros(clock_.Now()));
  storage::WriteBatch batch;
  table_.Put(batch, ws, t);
  RETURN_IF_ERROR(store_.Write(batch));
  return t;
}

}  // namespace mittari::domain
