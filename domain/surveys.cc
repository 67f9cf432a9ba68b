#include "domain/surveys.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/keys.h"
#include "domain/kpi/rollups.h"
#include "google/protobuf/util/message_differencer.h"

namespace mittari::domain {
namespace {

constexpr size_t kMaxQuestion = 1000;
constexpr size_t kMaxLabel = 64;
constexpr size_t kMaxVocabulary = 200;
constexpr int kMaxScalePoints = 101;
// Scale ends: small enough that no score arithmetic comes near overflow.
constexpr int kMaxScaleValue = 1000;

std::string SurveyName(absl::string_view ws, absl::string_view id) {
  return absl::StrCat("workspaces/", ws, "/surveys/", id);
}

bool HigherIsBetter(const records::Survey& s) {
  return s.direction() != static_cast<int>(Direction::kLowerIsBetter);
}

// The default number of top boxes for a scale of `points` points.
int TopBoxes(int points) {
  if (points <= 3) return 1;
  if (points >= 10) return 3;
  return 2;
}

// Whether `after` changes what a response is checked and counted by: the
// kind, scale, direction or thresholds.
bool ScaleChanged(const records::Survey& before, const records::Survey& after) {
  return before.kind() != after.kind() ||
         before.scale_min() != after.scale_min() ||
         before.scale_max() != after.scale_max() ||
         before.direction() != after.direction() ||
         before.positive_threshold() != after.positive_threshold() ||
         before.low_threshold() != after.low_threshold();
}

// Content that matters for idempotency: everything but the times.
bool SameContent(records::Survey a, records::Survey b) {
  for (records::Survey* s : {&a, &b}) {
    s->clear_create_time_us();
    s->clear_update_time_us();
    s->clear_archive_time_us();
  }
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

}  // namespace

bool IsPositive(const records::Survey& survey, int score) {
  if (!survey.has_positive_threshold()) return false;
  return HigherIsBetter(survey) ? score >= survey.positive_threshold()
                                : score <= survey.positive_threshold();
}

bool IsLow(const records::Survey& survey, int score) {
  if (!survey.has_low_threshold()) return false;
  return HigherIsBetter(survey) ? score <= survey.low_threshold()
                                : score >= survey.low_threshold();
}

void SurveyCatalog::Normalize(records::Survey& s, Violations& v) {
  v.Id("survey_id", s.id());
  auto kind = static_cast<SurveyKind>(s.kind());
  if (s.kind() < static_cast<int>(SurveyKind::kNps) ||
      s.kind() > static_cast<int>(SurveyKind::kChoice)) {
    v.Add("survey.kind", "is required: nps, csat, ces, rating, text or choice");
    return;
  }
  v.Required("survey.question", s.question());
  v.MaxLength("survey.question", s.question(), kMaxQuestion);
  if (s.direction() == 0)
    s.set_direction(static_cast<int>(Direction::kHigherIsBetter));
  if (s.direction() != static_cast<int>(Direction::kHigherIsBetter) &&
      s.direction() != static_cast<int>(Direction::kLowerIsBetter)) {
    v.Add("survey.direction", "must be higher_is_better or lower_is_better");
  }
  if (s.state() == 0) s.set_state(static_cast<int>(SurveyState::kOpen));
  if (s.state() != static_cast<int>(SurveyState::kOpen) &&
      s.state() != static_cast<int>(SurveyState::kClosed)) {
    v.Add("survey.state", "must be open or closed");
  }
  for (const auto& [field, value] :
       {std::pair<const char*, const std::string*>{"survey.touchpoint",
                                                   &s.touchpoint()},
        {"survey.journey_stage", &s.journey_stage()},
        {"survey.channel", &s.channel()}}) {
    v.MaxLength(field, *value, kMaxLabel);
  }
  if (!s.event_id().empty()) v.Id("survey.event_id", s.event_id());
  if (s.tag_vocabulary_size() > static_cast<int>(kMaxVocabulary)) {
    v.Add("survey.tag_vocabulary",
          absl::StrCat("has more than ", kMaxVocabulary, " tags"));
  }
  std::set<std::string> seen;
  for (const std::string& tag : s.tag_vocabulary()) {
    if (tag.empty() || tag.size() > kMaxLabel) {
      v.Add("survey.tag_vocabulary", "tags must be 1-64 characters");
    } else if (!seen.insert(tag).second) {
      v.Add("survey.tag_vocabulary", absl::StrCat("'", tag, "' is repeated"));
    }
  }

  if (kind == SurveyKind::kText) {
    if (s.has_scale_min() || s.has_scale_max() || s.has_positive_threshold() ||
        s.has_low_threshold()) {
      v.Add("survey.scale_min", "a text survey has no scale");
    }
    return;
  }
  int default_min = kind == SurveyKind::kNps ? 0 : 1;
  int default_max = kind == SurveyKind::kNps      ? 10
                    : kind == SurveyKind::kCes    ? 7
                    : kind == SurveyKind::kChoice ? 2
                                                  : 5;
  if (!s.has_scale_min()) s.set_scale_min(default_min);
  if (!s.has_scale_max()) s.set_scale_max(default_max);
  if (kind == SurveyKind::kNps && (s.scale_min() != 0 || s.scale_max() != 10)) {
    v.Add("survey.scale_min", "an NPS survey is on the 0-10 scale");
    return;
  }
  if (s.scale_min() < -kMaxScaleValue || s.scale_min() > kMaxScaleValue ||
      s.scale_max() < -kMaxScaleValue || s.scale_max() > kMaxScaleValue) {
    v.Add("survey.scale_max",
          absl::StrCat("the scale lies within -", kMaxScaleValue, " and ",
                       kMaxScaleValue));
    return;
  }
  if (s.scale_min() >= s.scale_max()) {
    v.Add("survey.scale_max", "must be greater than scale_min");
    return;
  }
  int points = s.scale_max() - s.scale_min() + 1;
  if (points > kMaxScalePoints || points < 2) {
    v.Add("survey.scale_max",
          absl::StrCat("a scale has at most ", kMaxScalePoints, " points"));
    return;
  }
  bool higher = HigherIsBetter(s);
  if (!s.has_positive_threshold()) {
    int top = kind == SurveyKind::kNps ? 2 : TopBoxes(points);
    s.set_positive_threshold(higher ? s.scale_max() - top + 1
                                    : s.scale_min() + top - 1);
  }
  // Low scores by default only where metrics.md defines them: NPS
  // detractors (0-6) and CSAT's bottom two boxes. Other kinds list low
  // scores for follow-up when the survey sets its own threshold.
  if (!s.has_low_threshold()) {
    if (kind == SurveyKind::kNps) s.set_low_threshold(6);
    if (kind == SurveyKind::kCsat) {
      s.set_low_threshold(higher ? s.scale_min() + 1 : s.scale_max() - 1);
    }
  }
  for (const auto& [field, value] :
       {std::pair<const char*, std::optional<int>>{"survey.positive_threshold",
                                                   s.positive_threshold()},
        {"survey.low_threshold", s.has_low_threshold()
                                     ? std::optional<int>(s.low_threshold())
                                     : std::nullopt}}) {
    if (value && (*value < s.scale_min() || *value > s.scale_max())) {
      v.Add(field, absl::StrCat("must be on the scale ", s.scale_min(), "-",
                                s.scale_max()));
    }
  }
}

absl::Status SurveyCatalog::CheckChangeAllowed(absl::string_view workspace_id,
                                               const records::Survey& before,
                                               const records::Survey& after,
                                               Violations& v) const {
  if (!ScaleChanged(before, after)) return absl::OkStatus();
  ASSIGN_OR_RETURN(bool has_responses,
                   kpi::SurveyHasResponses(store_, workspace_id, before.id()));
  if (has_responses) {
    v.Add("survey.kind",
          "kind, scale, direction and thresholds cannot change once the "
          "survey has responses");
  }
  return absl::OkStatus();
}

absl::StatusOr<records::Survey> SurveyCatalog::Create(
    absl::string_view workspace_id, records::Survey survey) {
  Violations v;
  Normalize(survey, v);
  RETURN_IF_ERROR(v.ToStatus());
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(table_.Insert(workspace_id, survey, clock_.Now(),
                                SurveyName(workspace_id, survey.id())));
  return survey;
}

absl::StatusOr<records::Survey> SurveyCatalog::Get(
    absl::string_view workspace_id, absl::string_view id) const {
  return table_.Get(workspace_id, id, SurveyName(workspace_id, id));
}

absl::StatusOr<Page<records::Survey>> SurveyCatalog::List(
    absl::string_view workspace_id, absl::string_view after_id, int limit,
    int kind, bool show_archived) const {
  return table_.List(workspace_id, after_id, limit,
                     [&](const records::Survey& s) {
                       return (kind == 0 || s.kind() == kind) &&
                              (show_archived || s.archive_time_us() == 0);
                     });
}

absl::StatusOr<records::Survey> SurveyCatalog::Update(
    absl::string_view workspace_id, absl::string_view id,
    const records::Survey& values, const std::vector<std::string>& fields) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(records::Survey before, Get(workspace_id, id));
  records::Survey after = before;
  const auto* descriptor = records::Survey::descriptor();
  const auto* reflection = records::Survey::GetReflection();
  Violations v;
  for (const std::string& field : fields) {
    const auto* f = descriptor->FindFieldByName(field);
    static const std::set<std::string> kUpdatable = {
        "kind",      "question",           "scale_min",
        "scale_max", "positive_threshold", "low_threshold",
        "direction", "touchpoint",         "journey_stage",
        "channel",   "event_id",           "tag_vocabulary",
        "state"};
    if (f == nullptr || !kUpdatable.contains(field)) {
      v.Add("update_mask", absl::StrCat("'", field, "' is not updatable"));
      continue;
    }
    reflection->ClearField(&after, f);
    if (f->is_repeated() || !f->has_presence() ||
        reflection->HasField(values, f)) {
      if (f->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(values, f); ++i) {
          reflection->AddString(&after, f,
                                reflection->GetRepeatedString(values, f, i));
        }
      } else if (f->cpp_type() ==
                 google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
        reflection->SetString(&after, f, reflection->GetString(values, f));
      } else {
        reflection->SetInt32(&after, f, reflection->GetInt32(values, f));
      }
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  // A scale changed without its thresholds gets their defaults again.
  bool scale_touched =
      std::find_if(fields.begin(), fields.end(), [](const std::string& f) {
        return f == "scale_min" || f == "scale_max" || f == "kind" ||
               f == "direction";
      }) != fields.end();
  if (scale_touched) {
    if (std::find(fields.begin(), fields.end(), "positive_threshold") ==
        fields.end()) {
      after.clear_positive_threshold();
    }
    if (std::find(fields.begin(), fields.end(), "low_threshold") ==
        fields.end()) {
      after.clear_low_threshold();
    }
  }
  Normalize(after, v);
  absl::WriterMutexLock gate(&scale_gate(workspace_id).mutex());
  RETURN_IF_ERROR(CheckChangeAllowed(workspace_id, before, after, v));
  RETURN_IF_ERROR(v.ToStatus());
  after.set_update_time_us(absl::ToUnixMicros(clock_.Now()));
  storage::WriteBatch batch;
  table_.Put(batch, workspace_id, after);
  RETURN_IF_ERROR(store_.Write(batch));
  if (ScaleChanged(before, after)) scale_gate(workspace_id).Count();
  return after;
}

absl::StatusOr<records::Survey> SurveyCatalog::Archive(
    absl::string_view workspace_id, absl::string_view id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(records::Survey survey, Get(workspace_id, id));
  if (survey.archive_time_us() != 0) return survey;
  survey.set_state(static_cast<int>(SurveyState::kClosed));
  survey.set_archive_time_us(absl::ToUnixMicros(clock_.Now()));
  survey.set_update_time_us(survey.archive_time_us());
  storage::WriteBatch batch;
  table_.Put(batch, workspace_id, survey);
  RETURN_IF_ERROR(store_.Write(batch));
  return survey;
}

absl::StatusOr<ImportCounts> SurveyCatalog::Import(
    absl::string_view workspace_id, std::vector<records::Survey> surveys) {
  ImportCounts counts;
  counts.received = static_cast<int64_t>(surveys.size());
  absl::MutexLock lock(&mu_);
  absl::WriterMutexLock gate(&scale_gate(workspace_id).mutex());
  bool any_scale_changed = false;
  Violations all;
  storage::WriteBatch batch;
  std::set<std::string> ids;
  int64_t now = absl::ToUnixMicros(clock_.Now());
  for (size_t i = 0; i < surveys.size(); ++i) {
    records::Survey& s = surveys[i];
    Violations v(absl::StrCat("surveys[", i, "]."));
    Normalize(s, v);
    if (!ids.insert(s.id()).second)
      v.Add("survey_id", "is repeated in the import");
    ASSIGN_OR_RETURN(std::optional<records::Survey> existing,
                     table_.Find(workspace_id, s.id()));
    if (v.empty() && existing.has_value()) {
      if (SameContent(*existing, s)) {
        ++counts.unchanged;
        continue;
      }
      RETURN_IF_ERROR(CheckChangeAllowed(workspace_id, *existing, s, v));
      any_scale_changed = any_scale_changed || ScaleChanged(*existing, s);
      s.set_create_time_us(existing->create_time_us());
      ++counts.updated;
    } else {
      s.set_create_time_us(now);
      ++counts.created;
    }
    s.set_update_time_us(now);
    all.Merge(v.ToStatus());
    table_.Put(batch, workspace_id, s);
  }
  RETURN_IF_ERROR(all.ToStatus());
  if (!batch.empty()) RETURN_IF_ERROR(store_.Write(batch));
  if (any_scale_changed) scale_gate(workspace_id).Count();
  return counts;
}

}  // namespace mittari::domain
