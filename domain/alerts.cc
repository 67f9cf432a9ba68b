#include "domain/alerts.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "domain/keys.h"
#include "domain/kpi/deviation.h"
#include "domain/kpi/registry.h"
#include "google/protobuf/util/message_differencer.h"
#include "storage/key_codec.h"

namespace mittari::domain {
namespace {

using storage::ColumnFamily;

constexpr absl::string_view kSequenceRecord = "alert_sequence";
// Inbox entries drained per evaluation; the rest wait for the next.
constexpr int kInboxRound = 1000;

std::string NameOf(absl::string_view ws, absl::string_view id) {
  return absl::StrCat("workspaces/", ws, "/alerts/", id);
}

std::string RuleStateKey(absl::string_view ws, absl::string_view rule_id) {
  return keys::CatalogRecord(ws, keys::WorkspaceTag::kAlertRuleState, rule_id);
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string Number(double v) { return absl::StrFormat("%.4g", v); }

// How bad a target status is, for "turns to missed (or at risk) from a
// better one": no data and met are not bad.
int Badness(int status) {
  switch (static_cast<TargetStatus>(status)) {
    case TargetStatus::kAtRisk:
      return 1;
    case TargetStatus::kMissed:
      return 2;
    default:
      return 0;
  }
}

absl::string_view StatusName(TargetStatus s) {
  switch (s) {
    case TargetStatus::kMet:
      return "met";
    case TargetStatus::kAtRisk:
      return "at_risk";
    case TargetStatus::kMissed:
      return "missed";
    case TargetStatus::kNoData:
      return "no_data";
  }
  return "";
}

bool Matches(const records::AlertRule& rule, const records::Response& r) {
  for (const auto& [key, value] : rule.filters()) {
    const std::string* field = nullptr;
    if (key == "survey") field = &r.survey_id();
    if (key == "channel") field = &r.channel();
    if (key == "touchpoint") field = &r.touchpoint();
    if (key == "event") field = &r.event_id();
    if (key == "segment") field = &r.segment();
    if (key == "region") field = &r.region();
    if (key == "customer_type") field = &r.customer_type();
    if (field == nullptr || *field != value) return false;
  }
  if (rule.has_score_max() &&
      (!r.has_score() || r.score() > rule.score_max())) {
    return false;
  }
  if (!rule.tag().empty() && std::find(r.tags().begin(), r.tags().end(),
                                       rule.tag()) == r.tags().end()) {
    return false;
  }
  return true;
}

records::Alert ResponseAlert(absl::string_view ws,
                             const records::AlertRule& rule,
                             const records::Response& r) {
  records::Alert a;
  a.set_rule_id(rule.id());
  a.set_rule_kind(rule.kind());
  a.set_state(static_cast<int>(AlertState::kOpen));
  a.set_n(1);
  if (r.has_score()) a.set_value(r.score());
  if (rule.has_score_max()) a.set_threshold(rule.score_max());
  auto& t = *a.mutable_trigger();
  t["response"] = absl::StrCat("workspaces/", ws, "/responses/", r.id());
  t["survey"] = r.survey_id();
  t["submit_time"] = Rfc3339(absl::FromUnixMicros(r.submit_time_us()));
  if (!r.touchpoint().empty()) t["touchpoint"] = r.touchpoint();
  if (!r.channel().empty()) t["channel"] = r.channel();
  if (!r.event_id().empty()) t["event"] = r.event_id();
  if (r.has_score()) t["score"] = absl::StrCat(r.score());
  if (!r.tags().empty()) t["tags"] = absl::StrJoin(r.tags(), ";");
  a.set_summary(absl::StrCat(
      "response ", r.id(), " to ", r.survey_id(),
      r.touchpoint().empty() ? "" : absl::StrCat(" at ", r.touchpoint()),
      r.has_score() ? absl::StrCat(": score ", r.score()) : "",
      rule.tag().empty() ? "" : absl::StrCat(", tagged ", rule.tag())));
  return a;
}

}  // namespace

Alerts::Alerts(storage::Store& store, Sources sources, const Clock& clock,
               Options options)
    : store_(store),
      sources_(sources),
      clock_(clock),
      options_(std::move(options)),
      table_(store, keys::WorkspaceTag::kAlert) {}

Alerts::~Alerts() { Stop(); }

absl::Status Alerts::Start() {
  RETURN_IF_ERROR(Load());
  thread_ = std::thread([this] { Loop(); });
  return absl::OkStatus();
}

absl::Status Alerts::Load() {
  ASSIGN_OR_RETURN(
      std::optional<std::string> seq,
      store_.Get(ColumnFamily::kMeta, keys::ServerRecord(kSequenceRecord)));
  uint64_t sequence = 0;
  if (seq.has_value()) {
    ASSIGN_OR_RETURN(sequence, storage::KeyDecoder(*seq).U64());
  }
  {
    absl::MutexLock lock(&write_mu_);
    next_sequence_ = sequence;
  }
  {
    absl::MutexLock lock(&mu_);
    published_ = sequence;
  }
  std::string after;
  for (;;) {
    ASSIGN_OR_RETURN(Page<records::Workspace> page,
                     sources_.workspaces.List(after, 1000));
    for (const records::Workspace& w : page.items) {
      RETURN_IF_ERROR(sources_.rules.Load(w.id()).status());
    }
    if (page.next_after.empty()) return absl::OkStatus();
    after = page.next_after;
  }
}

void Alerts::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool Alerts::stopped() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void Alerts::Extend(const storage::WriteBatch& batch,
                    storage::WriteBatch& extra) {
  if (!sources_.rules.AnyResponseRules()) return;
  // A new response puts its record and then, once, its id index
  // (responses.h); an erasure's rewrite of a record puts no id index. A
  // new response that one of its workspace's response rules matches
  // leaves an inbox entry; the others cost no more than this look.
  const auto record_tag = static_cast<uint8_t>(keys::WorkspaceTag::kResponse);
  const auto id_tag = static_cast<uint8_t>(keys::WorkspaceTag::kResponseId);
  absl::string_view last_encoded;
  std::string ws;
  std::shared_ptr<const RuleList> rules;
  absl::flat_hash_map<std::string, records::Response> records;
  for (const storage::WriteBatch::Op& op : batch.ops()) {
    if (op.kind != storage::WriteBatch::OpKind::kPut ||
        (op.cf != ColumnFamily::kFacts && op.cf != ColumnFamily::kIndex)) {
      continue;
    }
    const uint8_t tag = storage::ByteAfterFirstStr(op.key);
    const bool record = op.cf == ColumnFamily::kFacts && tag == record_tag;
    const bool id = op.cf == ColumnFamily::kIndex && tag == id_tag;
    if (!record && !id) continue;
    const absl::string_view encoded =
        storage::EncodedWorkspaceOf(op.cf, op.key);
    if (encoded != last_encoded) {
      last_encoded = encoded;
      absl::StatusOr<std::string> op_ws = storage::KeyDecoder(encoded).Str();
      ws = op_ws.ok() ? *op_ws : "";
      rules = sources_.rules.ResponseRulesOf(ws);
      records.clear();
    }
    if (rules == nullptr) continue;
    if (record) {
      records::Response r;
      if (r.ParseFromString(op.value)) records[r.id()] = std::move(r);
      continue;
    }
    storage::KeyDecoder key(
        absl::string_view(op.key).substr(encoded.size() + 1));
    absl::StatusOr<std::string> response_id = key.Str();
    if (!response_id.ok()) continue;
    auto it = records.find(*response_id);
    if (it == records.end()) continue;
    const records::Response& r = it->second;
    const bool matched =
        std::any_of(rules->begin(), rules->end(), [&](const auto& rule) {
          return rule.create_time_us() <= r.create_time_us() &&
                 Matches(rule, r);
        });
    if (matched) {
      extra.Put(ColumnFamily::kIndex, keys::AlertInbox(ws, *response_id),
                op.value);
    }
  }
}

void Alerts::Written(const storage::WriteBatch& batch) {
  // Facts and rollups are what rules judge; alerts' own writes are not.
  bool data = false;
  for (const storage::WriteBatch::Op& op : batch.ops()) {
    if (op.cf == ColumnFamily::kFacts || op.cf == ColumnFamily::kRollups) {
      data = true;
      break;
    }
  }
  if (!data) return;
  std::vector<std::string> written = storage::WorkspacesWritten(batch);
  absl::MutexLock lock(&mu_);
  for (std::string& ws : written) {
    if (sources_.rules.HasRules(ws)) dirty_.insert(std::move(ws));
  }
}

void Alerts::Loop() {
  absl::Time next_sweep = absl::Now();  // judge everything first
  for (;;) {
    // Workspaces to evaluate, and whether to judge their state rules too.
    std::vector<std::pair<std::string, bool>> due;
    bool sweep = false;
    {
      absl::MutexLock lock(&mu_);
      absl::Time wake = next_sweep;
      for (const std::string& ws : state_pending_) {
        wake = std::min(wake, last_judged_[ws] + options_.min_gap);
      }
      auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !dirty_.empty();
      };
      mu_.AwaitWithDeadline(absl::Condition(&ready), wake);
      if (stopping_) return;
      const absl::Time now = absl::Now();
      if (now >= next_sweep) {
        sweep = true;
        next_sweep = now + options_.sweep_interval;
        for (std::string& ws : sources_.rules.Workspaces()) {
          dirty_.insert(std::move(ws));
        }
      }
      // A written workspace has its inbox drained at once; its state
      // rules wait until min_gap has passed since they were last judged.
      for (const std::string& ws : dirty_) state_pending_.insert(ws);
      for (auto it = state_pending_.begin(); it != state_pending_.end();) {
        const bool judge = sweep || last_judged_[*it] + options_.min_gap <= now;
        if (judge || dirty_.contains(*it)) due.emplace_back(*it, judge);
        if (judge) {
          last_judged_[*it] = now;
          state_pending_.erase(it++);
        } else {
          ++it;
        }
      }
      dirty_.clear();
    }
    for (const auto& [ws, judge] : due) {
      absl::Status status = Evaluate(ws, judge);
      if (status.ok() && sweep) status = Prune(ws);
      if (!status.ok() && options_.on_error) options_.on_error(ws, status);
    }
  }
}

absl::Status Alerts::Evaluate(absl::string_view ws, bool state_rules) {
  ASSIGN_OR_RETURN(std::shared_ptr<const RuleList> rules,
                   sources_.rules.Load(ws));
  bool more = false;
  RETURN_IF_ERROR(DrainInbox(ws, *rules, more));
  if (more) {
    absl::MutexLock lock(&mu_);
    dirty_.insert(std::string(ws));
  }
  if (!state_rules) return absl::OkStatus();
  for (const records::AlertRule& rule : *rules) {
    if (rule.kind() == static_cast<int>(RuleKind::kResponse)) continue;
    absl::StatusOr<Finding> finding = Judge(ws, rule);
    if (absl::IsNotFound(finding.status())) {
      // Its target or event is gone: the condition holds no more.
      finding = Finding{};
    }
    RETURN_IF_ERROR(finding.status());
    RETURN_IF_ERROR(Apply(ws, rule, *finding));
  }
  return absl::OkStatus();
}

absl::Status Alerts::DrainInbox(absl::string_view ws, const RuleList& rules,
                                bool& more) {
  const std::string prefix =
      keys::InWorkspace(ws, keys::WorkspaceTag::kAlertInbox).key();
  std::vector<std::pair<std::string, int64_t>> entries;  // id, submit time
  absl::Status parse;
  RETURN_IF_ERROR(store_.ScanPrefix(
      ColumnFamily::kIndex, prefix,
      [&](absl::string_view key, absl::string_view value) {
        if (static_cast<int>(entries.size()) == kInboxRound) {
          more = true;
          return false;
        }
        absl::StatusOr<std::string> id =
            storage::KeyDecoder(key.substr(prefix.size())).Str();
        absl::StatusOr<int64_t> time = storage::KeyDecoder(value).I64();
        if (!id.ok() || !time.ok()) {
          parse = errors::DataLoss("unreadable alert inbox entry");
          return false;
        }
        entries.emplace_back(*std::move(id), *time);
        return true;
      }));
  RETURN_IF_ERROR(parse);
  if (entries.empty()) return absl::OkStatus();

  std::vector<std::pair<const records::AlertRule*, records::Alert>> raised;
  for (const auto& [id, time] : entries) {
    ASSIGN_OR_RETURN(
        std::optional<std::string> value,
        store_.Get(ColumnFamily::kFacts, keys::Response(ws, time, id)));
    if (!value.has_value()) continue;
    records::Response response;
    if (!response.ParseFromString(*value)) {
      return errors::DataLoss("unreadable response record");
    }
    for (const records::AlertRule& rule : rules) {
      // A rule judges the responses stored after it was made.
      if (rule.kind() != static_cast<int>(RuleKind::kResponse) ||
          rule.create_time_us() > response.create_time_us() ||
          !Matches(rule, response)) {
        continue;
      }
      raised.emplace_back(&rule, ResponseAlert(ws, rule, response));
    }
  }
  absl::MutexLock lock(&write_mu_);
  storage::WriteBatch batch;
  for (auto& [rule, alert] : raised) {
    alert.set_fire_time_us(absl::ToUnixMicros(clock_.Now()));
    AddVersion(batch, ws, *rule, alert);
  }
  // The inbox entries go in the same write as their alerts: a crash
  // before it leaves both to the next evaluation, none after.
  for (const auto& [id, time] : entries) {
    batch.Delete(ColumnFamily::kIndex, keys::AlertInbox(ws, id));
  }
  return Commit(batch);
}

absl::StatusOr<Finding> Alerts::Judge(absl::string_view ws,
                                      const records::AlertRule& rule) {
  switch (static_cast<RuleKind>(rule.kind())) {
    case RuleKind::kDeviation:
      return JudgeDeviation(ws, rule);
    case RuleKind::kTarget:
      return JudgeTarget(ws, rule);
    case RuleKind::kEventPace:
      return JudgeEventPace(ws, rule);
    default:
      return Finding{};
  }
}

absl::StatusOr<Finding> Alerts::JudgeDeviation(
    absl::string_view ws, const records::AlertRule& rule) const {
  const kpi::MetricDef* def = kpi::FindMetric(rule.metric());
  const std::optional<kpi::Granularity> g =
      kpi::GranularityOfNumber(rule.granularity());
  if (def == nullptr || !g.has_value() || g == kpi::Granularity::kNone) {
    return errors::DataLoss("a stored deviation rule has no metric or bucket");
  }
  ASSIGN_OR_RETURN(const kpi::MetricEngine* engine,
                   sources_.engines.For(rule.metric()));
  ASSIGN_OR_RETURN(absl::TimeZone zone, sources_.workspaces.TimeZoneOf(ws));
  const kpi::Calendar calendar(zone);
  auto previous = [&](absl::CivilDay bucket) {
    return calendar.BucketOf(bucket - 1, *g);
  };
  absl::CivilDay bucket =
      calendar.BucketOf(calendar.CivilOf(calendar.DayOf(clock_.Now())), *g);
  // Counts and totals grow through a bucket: only a closed one is judged.
  if (def->cumulative) bucket = previous(bucket);
  absl::CivilDay first = bucket;
  for (int i = 0; i < rule.window(); ++i) first = previous(first);

  kpi::MetricQuery q;
  q.metric = rule.metric();
  q.from = calendar.StartOf(first);
  q.to = calendar.StartOf(calendar.NextBucket(bucket, *g));
  q.granularity = *g;
  q.filters.insert(rule.filters().begin(), rule.filters().end());
  q.params.insert(rule.params().begin(), rule.params().end());
  ASSIGN_OR_RETURN(std::vector<kpi::MetricPoint> points, engine->Query(ws, q));
  const absl::Time bucket_start = calendar.StartOf(bucket);
  auto qualifies = [&](const kpi::MetricPoint& p) {
    return p.estimate.value.has_value() && !p.overflowed &&
           p.estimate.n >= rule.min_n();
  };
  const kpi::MetricPoint* current = nullptr;
  std::vector<double> baseline;
  for (const kpi::MetricPoint& p : points) {
    if (!p.group.empty() || !p.bucket_start.has_value()) continue;
    if (*p.bucket_start == bucket_start) {
      current = &p;
    } else if (qualifies(p)) {
      baseline.push_back(*p.estimate.value);
    }
  }
  Finding f;
  if (current == nullptr || !qualifies(*current)) return f;
  const double x = *current->estimate.value;
  std::optional<kpi::Deviation> dev =
      kpi::DeviationOf(x, baseline, rule.window());
  if (!dev.has_value()) return f;
  bool bad_side_only = rule.side() == static_cast<int>(DeviationSide::kBad);
  if (bad_side_only && def->good == kpi::Good::kHigher) {
    f.holds = dev->z <= -rule.k();
  } else if (bad_side_only && def->good == kpi::Good::kLower) {
    f.holds = dev->z >= rule.k();
  } else {
    f.holds = std::fabs(dev->z) >= rule.k();
  }
  f.value = x;
  f.n = current->estimate.n;
  f.threshold = dev->median + (dev->z < 0 ? -1 : 1) * rule.k() * dev->scale;
  f.summary =
      absl::StrCat(rule.metric(), " ", Number(x), " in the ",
                   absl::FormatCivilTime(bucket), " bucket is ", Number(dev->z),
                   " robust SDs from its median ", Number(dev->median));
  f.trigger = {{"metric", rule.metric()},
               {"bucket_start", Rfc3339(bucket_start)},
               {"z", Number(dev->z)},
               {"median", Number(dev->median)},
               {"scale", Number(dev->scale)}};
  return f;
}

absl::StatusOr<Finding> Alerts::JudgeTarget(
    absl::string_view ws, const records::AlertRule& rule) const {
  ASSIGN_OR_RETURN(records::Target target,
                   sources_.targets.Get(ws, rule.target_id()));
  ASSIGN_OR_RETURN(ScorecardEntry entry,
                   sources_.scorecards.BuildOne(ws, target, clock_.Now()));
  const int level = Badness(rule.fire_on());
  // The running period, else the one that just closed.
  const bool running = Badness(static_cast<int>(entry.status)) >= level;
  const bool closed = Badness(static_cast<int>(entry.previous_status)) >= level;
  Finding f;
  if (!running && !closed) return f;
  f.holds = true;
  const kpi::MetricPoint& p = running ? entry.current : entry.previous;
  const TargetStatus status = running ? entry.status : entry.previous_status;
  const absl::Time start =
      running ? entry.period_start
              : entry.period_start - (entry.period_end - entry.period_start);
  f.value = p.estimate.value;
  f.n = p.estimate.n;
  f.threshold = target.goal();
  f.summary = absl::StrCat(
      "target ", target.id(), " (", target.metric(), " ",
      target.direction() == static_cast<int>(GoalDirection::kAtMost) ? "≤ "
                                                                     : "≥ ",
      Number(target.goal()), ") is ", StatusName(status),
      running ? " this period" : " for the period that closed",
      p.estimate.value.has_value()
          ? absl::StrCat(": ", Number(*p.estimate.value))
          : "");
  f.trigger = {
      {"target", absl::StrCat("workspaces/", ws, "/targets/", target.id())},
      {"status", std::string(StatusName(status))},
      {"period_start", Rfc3339(start)}};
  return f;
}

absl::StatusOr<Finding> Alerts::JudgeEventPace(
    absl::string_view ws, const records::AlertRule& rule) const {
  ASSIGN_OR_RETURN(records::Event event,
                   sources_.events.Get(ws, rule.event_id()));
  Finding f;
  const int64_t now = absl::ToUnixMicros(clock_.Now());
  const int64_t created = event.create_time_us();
  const int64_t start = event.start_time_us();
  if (!event.goals().has_registrations() || now >= start || start <= created) {
    return f;
  }
  ASSIGN_OR_RETURN(std::vector<records::Registration> registrations,
                   sources_.events.Registrations(ws, event.id()));
  const auto goal = static_cast<double>(event.goals().registrations());
  const double expected =
      goal * static_cast<double>(std::max<int64_t>(0, now - created)) /
      static_cast<double>(start - created);
  const auto count = static_cast<int64_t>(registrations.size());
  f.holds = static_cast<double>(count) < std::floor(expected);
  f.value = static_cast<double>(count);
  f.n = count;
  f.threshold = std::floor(expected);
  f.summary = absl::StrCat("event ", event.id(), " has ", count,
                           " registrations; the pace to its goal of ",
                           event.goals().registrations(), " needs ",
                           Number(std::floor(expected)), " by now");
  f.trigger = {
      {"event", absl::StrCat("workspaces/", ws, "/events/", event.id())},
      {"goal", absl::StrCat(event.goals().registrations())},
      {"expected", Number(expected)},
      {"start_time", Rfc3339(absl::FromUnixMicros(start))}};
  return f;
}

absl::Status Alerts::Apply(absl::string_view ws, const records::AlertRule& rule,
                           const Finding& finding) {
  absl::MutexLock lock(&write_mu_);
  const std::string state_key = RuleStateKey(ws, rule.id());
  ASSIGN_OR_RETURN(std::optional<std::string> stored,
                   store_.Get(ColumnFamily::kIndex, state_key));
  records::AlertRuleState state;
  if (stored.has_value() && !state.ParseFromString(*stored)) {
    return errors::DataLoss("unreadable alert rule state");
  }
  std::optional<records::Alert> open;
  if (!state.open_alert_id().empty()) {
    ASSIGN_OR_RETURN(open, table_.Find(ws, state.open_alert_id()));
  }
  storage::WriteBatch batch;
  const int64_t now = absl::ToUnixMicros(clock_.Now());
  auto fill = [&](records::Alert& a) {
    if (finding.value.has_value()) {
      a.set_value(*finding.value);
    } else {
      a.clear_value();
    }
    a.set_n(finding.n);
    if (finding.threshold.has_value()) {
      a.set_threshold(*finding.threshold);
    } else {
      a.clear_threshold();
    }
    a.set_summary(finding.summary);
    a.mutable_trigger()->clear();
    for (const auto& [k, v] : finding.trigger) (*a.mutable_trigger())[k] = v;
  };
  if (finding.holds && !open.has_value()) {
    records::Alert a;
    a.set_rule_id(rule.id());
    a.set_rule_kind(rule.kind());
    a.set_state(static_cast<int>(AlertState::kOpen));
    a.set_fire_time_us(now);
    fill(a);
    AddVersion(batch, ws, rule, a);
    state.set_open_alert_id(a.id());
    batch.Put(ColumnFamily::kIndex, state_key, state.SerializeAsString());
  } else if (finding.holds) {
    if (open->state() == static_cast<int>(AlertState::kResolved)) {
      return absl::OkStatus();  // resolved by hand while it holds
    }
    records::Alert updated = *open;
    fill(updated);
    if (google::protobuf::util::MessageDifferencer::Equals(updated, *open)) {
      return absl::OkStatus();
    }
    AddVersion(batch, ws, rule, updated);
  } else if (open.has_value()) {
    if (open->state() != static_cast<int>(AlertState::kResolved)) {
      records::Alert resolved = *open;
      resolved.set_state(static_cast<int>(AlertState::kResolved));
      resolved.set_resolve_time_us(now);
      AddVersion(batch, ws, rule, resolved);
    }
    batch.Delete(ColumnFamily::kIndex, state_key);
  }
  return Commit(batch);
}

absl::Status Alerts::AddVersionByHand(storage::WriteBatch& batch,
                                      absl::string_view ws,
                                      records::Alert& alert) {
  absl::StatusOr<records::AlertRule> rule =
      sources_.rules.Get(ws, alert.rule_id());
  if (absl::IsNotFound(rule.status())) rule = records::AlertRule();
  RETURN_IF_ERROR(rule.status());
  AddVersion(batch, ws, *rule, alert);
  return absl::OkStatus();
}

void Alerts::AddVersion(storage::WriteBatch& batch, absl::string_view ws,
                        const records::AlertRule& rule, records::Alert& alert) {
  const uint64_t seq = ++next_sequence_;
  if (alert.id().empty()) alert.set_id(absl::StrFormat("%012d", seq));
  alert.set_version(alert.version() + 1);
  alert.set_sequence(seq);
  alert.set_update_time_us(absl::ToUnixMicros(clock_.Now()));
  table_.Put(batch, ws, alert);
  batch.Put(ColumnFamily::kIndex, keys::AlertLog(ws, seq),
            alert.SerializeAsString());
  batch.Put(ColumnFamily::kMeta, keys::ServerRecord(kSequenceRecord),
            storage::KeyEncoder().U64(seq).key());
  sources_.webhooks.AddDeliveries(batch, ws, rule.webhooks(), alert);
}

absl::Status Alerts::Commit(const storage::WriteBatch& batch) {
  if (batch.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(store_.Write(batch));
  absl::MutexLock lock(&mu_);
  published_ = next_sequence_;
  return absl::OkStatus();
}

absl::StatusOr<records::Alert> Alerts::Get(absl::string_view ws,
                                           absl::string_view id) const {
  return table_.Get(ws, id, NameOf(ws, id));
}

absl::StatusOr<Page<records::Alert>> Alerts::List(absl::string_view ws,
                                                  const AlertFilter& filter,
                                                  absl::string_view after,
                                                  int limit) const {
  return table_.List(ws, after, limit, [&](const records::Alert& a) {
    if (filter.state.has_value() &&
        a.state() != static_cast<int>(*filter.state)) {
      return false;
    }
    if (!filter.rule_id.empty() && a.rule_id() != filter.rule_id) return false;
    if (filter.fired_from_us.has_value() &&
        a.fire_time_us() < *filter.fired_from_us) {
      return false;
    }
    return !filter.fired_to_us.has_value() ||
           a.fire_time_us() < *filter.fired_to_us;
  });
}

absl::StatusOr<records::Alert> Alerts::Acknowledge(absl::string_view ws,
                                                   absl::string_view id,
                                                   absl::string_view by) {
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(records::Alert a, Get(ws, id));
  if (a.state() == static_cast<int>(AlertState::kResolved)) {
    return errors::FailedPrecondition(
        "ALERT_RESOLVED", absl::StrCat(NameOf(ws, id), " is resolved"));
  }
  if (a.state() == static_cast<int>(AlertState::kAcknowledged)) return a;
  a.set_state(static_cast<int>(AlertState::kAcknowledged));
  a.set_acknowledged_by(std::string(by));
  storage::WriteBatch batch;
  RETURN_IF_ERROR(AddVersionByHand(batch, ws, a));
  RETURN_IF_ERROR(Commit(batch));
  return a;
}

absl::StatusOr<records::Alert> Alerts::Resolve(absl::string_view ws,
                                               absl::string_view id,
                                               absl::string_view by) {
  absl::MutexLock lock(&write_mu_);
  ASSIGN_OR_RETURN(records::Alert a, Get(ws, id));
  if (a.state() == static_cast<int>(AlertState::kResolved)) return a;
  a.set_state(static_cast<int>(AlertState::kResolved));
  a.set_resolve_time_us(absl::ToUnixMicros(clock_.Now()));
  a.set_acknowledged_by(std::string(by));
  storage::WriteBatch batch;
  RETURN_IF_ERROR(AddVersionByHand(batch, ws, a));
  RETURN_IF_ERROR(Commit(batch));
  return a;
}

absl::StatusOr<std::vector<records::Alert>> Alerts::ChangesAfter(
    absl::string_view ws, uint64_t after, int limit) const {
  const std::string prefix =
      keys::InWorkspace(ws, keys::WorkspaceTag::kAlertLog).key();
  ASSIGN_OR_RETURN(std::optional<std::string> pruned,
                   store_.Get(ColumnFamily::kIndex, prefix));
  if (pruned.has_value()) {
    ASSIGN_OR_RETURN(uint64_t through, storage::KeyDecoder(*pruned).U64());
    if (after < through) {
      return errors::FailedPrecondition(
          "RESUME_TOKEN_EXPIRED",
          "resume_token is older than the alert log keeps; watch again "
          "without it and list the alerts");
    }
  }
  std::vector<records::Alert> out;
  absl::Status parse;
  RETURN_IF_ERROR(store_.Scan(
      ColumnFamily::kIndex, keys::AlertLog(ws, after + 1),
      storage::PrefixEnd(prefix),
      [&](absl::string_view, absl::string_view value) {
        records::Alert a;
        if (!a.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          parse = errors::DataLoss("unreadable alert log entry");
          return false;
        }
        out.push_back(std::move(a));
        return static_cast<int>(out.size()) < limit;
      }));
  RETURN_IF_ERROR(parse);
  return out;
}

uint64_t Alerts::sequence() const {
  absl::MutexLock lock(&mu_);
  return published_;
}

uint64_t Alerts::AwaitSequence(uint64_t seen, absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto moved = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || published_ > seen;
  };
  mu_.AwaitWithDeadline(absl::Condition(&moved), deadline);
  return published_;
}

absl::Status Alerts::Prune(absl::string_view ws) {
  const std::string prefix =
      keys::InWorkspace(ws, keys::WorkspaceTag::kAlertLog).key();
  const int64_t cutoff =
      absl::ToUnixMicros(clock_.Now() - options_.log_retention);
  storage::WriteBatch batch;
  uint64_t through = 0;
  absl::Status parse;
  RETURN_IF_ERROR(store_.Scan(
      ColumnFamily::kIndex, keys::AlertLog(ws, 0), storage::PrefixEnd(prefix),
      [&](absl::string_view key, absl::string_view value) {
        records::Alert a;
        if (!a.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          parse = errors::DataLoss("unreadable alert log entry");
          return false;
        }
        if (a.update_time_us() >= cutoff || batch.ops().size() >= 10'000) {
          return false;
        }
        through = a.sequence();
        batch.Delete(ColumnFamily::kIndex, std::string(key));
        return true;
      }));
  RETURN_IF_ERROR(parse);
  if (batch.empty()) return absl::OkStatus();
  batch.Put(ColumnFamily::kIndex, prefix,
            storage::KeyEncoder().U64(through).key());
  return store_.Write(batch);
}

}  // namespace mittari::domain
