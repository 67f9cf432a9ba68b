// JSON shapes of API messages that more than one program prints: an alert
// as `mittari alerts watch` prints it and as webhooks post it (snake_case
// keys, null for an absent value, times in RFC 3339 UTC with Z).
#ifndef MITTARI_PROTO_JSON_ALERT_JSON_H_
#define MITTARI_PROTO_JSON_ALERT_JSON_H_

#include <string>

#include "mittari/v1/kpi.pb.h"
#include "nlohmann/json.hpp"

namespace mittari::json {

// {"alert", "rule", "state", "value", "n", "threshold", "fired_at",
// "resume_token", "version", "summary", "trigger"}.
nlohmann::ordered_json AlertJson(const v1::Alert& alert,
                                 const std::string& resume_token);

}  // namespace mittari::json

#endif  // MITTARI_PROTO_JSON_ALERT_JSON_H_
