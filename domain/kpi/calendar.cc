#include "domain/kpi/calendar.h"

namespace mittari::domain::kpi {
namespace {

const absl::CivilDay kEpoch(1970, 1, 1);

}  // namespace

DayNumber Calendar::DayOf(absl::Time t) const {
  return static_cast<DayNumber>(absl::ToCivilDay(t, zone_) - kEpoch);
}

absl::CivilDay Calendar::CivilOf(DayNumber day) const { return kEpoch + day; }

absl::Time Calendar::StartOf(absl::CivilDay day) const {
  // A local midnight skipped by a DST change starts at the instant the
  // pre-transition offset gives (as Python's fold=0 does).
  return absl::FromCivil(day, zone_);
}

absl::Time Calendar::DayStart(DayNumber day) const {
  return StartOf(CivilOf(day));
}

absl::CivilDay Calendar::BucketOf(absl::CivilDay day, Granularity g) const {
  switch (g) {
    case Granularity::kNone:
    case Granularity::kDay:
      return day;
    case Granularity::kWeek:
      return absl::PrevWeekday(day + 1, absl::Weekday::monday);
    case Granularity::kMonth:
      return absl::CivilDay(absl::CivilMonth(day));
    case Granularity::kQuarter:
      return absl::CivilDay(day.year(), (day.month() - 1) / 3 * 3 + 1, 1);
    case Granularity::kYear:
      return absl::CivilDay(absl::CivilYear(day));
  }
  return day;
}

absl::CivilDay Calendar::NextBucket(absl::CivilDay bucket,
                                    Granularity g) const {
  switch (g) {
    case Granularity::kNone:
    case Granularity::kDay:
      return bucket + 1;
    case Granularity::kWeek:
      return bucket + 7;
    case Granularity::kMonth:
      return absl::CivilDay(absl::CivilMonth(bucket) + 1);
    case Granularity::kQuarter:
      return absl::CivilDay(absl::CivilMonth(bucket) + 3);
    case Granularity::kYear:
      return absl::CivilDay(absl::CivilYear(bucket) + 1);
  }
  return bucket + 1;
}

std::vector<absl::CivilDay> Calendar::Buckets(absl::Time from, absl::Time to,
                                              Granularity g) const {
  std::vector<absl::CivilDay> out;
  for (absl::CivilDay b = BucketOf(absl::ToCivilDay(from, zone_), g);
       StartOf(b) < to; b = NextBucket(b, g)) {
    out.push_back(b);
  }
  return out;
}

}  // namespace mittari::domain::kpi
