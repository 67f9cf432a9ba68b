// Time buckets cut in a workspace's IANA time zone: local days (the unit
// of the rollups), ISO weeks starting Monday 00:00, months, quarters and
// years. A bucket's start is the instant of its local midnight.
#ifndef MITTARI_DOMAIN_KPI_CALENDAR_H_
#define MITTARI_DOMAIN_KPI_CALENDAR_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace mittari::domain::kpi {

enum class Granularity { kNone, kDay, kWeek, kMonth, kQuarter, kYear };

// The granularity of the API's number (mittari.v1.Granularity: 1 none …
// 6 year), as records store it; nullopt for any other number.
inline std::optional<Granularity> GranularityOfNumber(int number) {
  if (number < 1 || number > 6) return std::nullopt;
  return static_cast<Granularity>(number - 1);
}

// A local day as a number: days since 1970-01-01 (local).
using DayNumber = int32_t;

class Calendar {
 public:
  explicit Calendar(absl::TimeZone zone) : zone_(zone) {}

  const absl::TimeZone& zone() const { return zone_; }

  DayNumber DayOf(absl::Time t) const;
  // The instant the local day begins.
  absl::Time DayStart(DayNumber day) const;
  absl::CivilDay CivilOf(DayNumber day) const;

  // The local start of the bucket holding `t` (or local day `day`).
  absl::CivilDay BucketOf(absl::CivilDay day, Granularity g) const;
  absl::CivilDay NextBucket(absl::CivilDay bucket, Granularity g) const;
  absl::Time StartOf(absl::CivilDay day) const;

  // The bucket starts of a range [from, to): from the bucket holding `from`
  // up to the last one starting before `to`.
  std::vector<absl::CivilDay> Buckets(absl::Time from, absl::Time to,
                                      Granularity g) const;

 private:
  absl::TimeZone zone_;
};

}  // namespace mittari::domain::kpi

#endif  // MITTARI_DOMAIN_KPI_CALENDAR_H_
