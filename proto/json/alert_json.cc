#include "proto/json/alert_json.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"

namespace mittari::json {

nlohmann::ordered_json AlertJson(const v1::Alert& a,
                                 const std::string& resume_token) {
  using Json = nlohmann::ordered_json;
  Json j = Json::object();
  j["alert"] = a.name();
  j["rule"] = a.rule();
  j["state"] = absl::AsciiStrToLower(
      absl::StripPrefix(v1::AlertState_Name(a.state()), "ALERT_STATE_"));
  j["value"] = a.has_value() ? Json(a.value()) : Json();
  j["n"] = a.n();
  j["threshold"] = a.has_threshold() ? Json(a.threshold()) : Json();
  j["fired_at"] =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ",
                       absl::FromUnixSeconds(a.fire_time().seconds()) +
                           absl::Nanoseconds(a.fire_time().nanos()),
                       absl::UTCTimeZone());
  j["resume_token"] = resume_token;
  j["version"] = a.version();
  j["summary"] = a.summary();
  Json trigger = Json::object();
  const std::map<std::string, std::string> sorted(a.trigger().begin(),
                                                  a.trigger().end());
  for (const auto& [k, v] : sorted) trigger[k] = v;
  j["trigger"] = trigger;
  return j;
}

}  // namespace mittari::json
