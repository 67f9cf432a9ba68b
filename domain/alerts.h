// Alerts: what the rules (alert_rules.h) find, evaluated by the server as
// data arrives (metrics.md "Targets and alerts").
//
// The write path feeds it through its seam (storage/observed_store.h):
// - a new response in a workspace with response rules leaves an inbox
//   entry in the response's own atomic write, so no response escapes its
//   rules across a crash; the evaluator drains the inbox;
// - every durable write marks its workspace for evaluation of the other
//   rules, which judge state (a target's status, a bucket's deviation, an
//   event's pace) and so catch up after a restart by judging again.
// The evaluator runs on its own thread: a write waits for none of it. It
// also sweeps every workspace with rules on a timer (time alone moves a
// period's end or an event's pace, and imports bypass the seam).
//
// Every change of an alert is one atomic write of the alert, its entry in
// the workspace's change log under a server-wide sequence (WatchAlerts'
// resume tokens; kept `log_retention`) and the sequence itself. A
// condition that goes on holding keeps one alert, updated; it is resolved
// when the condition stops holding, or by hand. Alerts hold no personal
// data: a response is named by its resource name only, so an erasure
// leaves nothing in them to erase.
#ifndef MITTARI_DOMAIN_ALERTS_H_
#define MITTARI_DOMAIN_ALERTS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "domain/alert_rules.h"
#include "domain/events.h"
#include "domain/kpi/engines.h"
#include "domain/page.h"
#include "domain/records.pb.h"
#include "domain/scorecard.h"
#include "domain/targets.h"
#include "domain/webhooks.h"
#include "domain/workspaces.h"
#include "storage/observed_store.h"

namespace mittari::domain {

// records::Alert's states, by the API's numbers.
enum class AlertState { kOpen = 1, kAcknowledged = 2, kResolved = 3 };

struct AlertFilter {
  std::optional<AlertState> state;
  std::string rule_id;
  std::optional<int64_t> fired_from_us;  // inclusive
  std::optional<int64_t> fired_to_us;    // exclusive
};

// What a rule's condition says now: whether it holds, and the alert it
// would raise.
struct Finding {
  bool holds = false;
  std::optional<double> value;
  int64_t n = 0;
  std::optional<double> threshold;
  std::string summary;
  std::vector<std::pair<std::string, std::string>> trigger;
};

class Alerts final : public storage::WriteObserver {
 public:
  struct Options {
    // How often every workspace with rules is judged again without a
    // write.
    absl::Duration sweep_interval = absl::Minutes(1);
    // The least time between two judgings of one workspace's target,
    // deviation and event-pace rules (each reads KPIs); response rules
    // are judged as their responses arrive.
    absl::Duration min_gap = absl::Seconds(1);
    // How long the change log keeps an alert's versions.
    absl::Duration log_retention = absl::Hours(24 * 8);
    // Told of an evaluation that failed (the evaluator goes on).
    std::function<void(absl::string_view ws, const absl::Status&)> on_error;
  };
  struct Sources {
    AlertRules& rules;
    const Targets& targets;
    const Scorecards& scorecards;
    const Events& events;
    const WorkspaceDirectory& workspaces;
    const kpi::Engines& engines;
    // Where versions of alerts whose rules name endpoints are delivered.
    const Webhooks& webhooks;
  };

  Alerts(storage::Store& store, Sources sources, const Clock& clock,
         Options options);
  ~Alerts() override;
  Alerts(const Alerts&) = delete;
  Alerts& operator=(const Alerts&) = delete;

  // Load(), then starts the evaluator, which first judges every workspace
  // with rules.
  absl::Status Start();
  // Reads the sequence and every workspace's rules; enough for Evaluate
  // on the caller's thread (tests).
  absl::Status Load();
  // Stops the evaluator and wakes every watcher for good.
  void Stop();

  // The write path's seam.
  void Extend(const storage::WriteBatch& batch,
              storage::WriteBatch& extra) override;
  void Written(const storage::WriteBatch& batch) override;

  absl::StatusOr<records::Alert> Get(absl::string_view ws,
                                     absl::string_view id) const;
  // In the order they fired.
  absl::StatusOr<Page<records::Alert>> List(absl::string_view ws,
                                            const AlertFilter& filter,
                                            absl::string_view after,
                                            int limit) const;
  // Open -> acknowledged; FAILED_PRECONDITION for a resolved alert.
  absl::StatusOr<records::Alert> Acknowledge(absl::string_view ws,
                                             absl::string_view id,
                                             absl::string_view by);
  // Any state -> resolved (resolved again: unchanged).
  absl::StatusOr<records::Alert> Resolve(absl::string_view ws,
                                         absl::string_view id,
                                         absl::string_view by);

  // The alert versions of the workspace after sequence `after`, oldest
  // first, at most `limit`; FAILED_PRECONDITION (RESUME_TOKEN_EXPIRED)
  // when the log no longer reaches back to `after`.
  absl::StatusOr<std::vector<records::Alert>> ChangesAfter(absl::string_view ws,
                                                           uint64_t after,
                                                           int limit) const;
  // The latest sequence handed out.
  uint64_t sequence() const;
  // Waits until the sequence passes `seen`, `deadline` comes or the
  // alerts stop; returns the sequence then.
  uint64_t AwaitSequence(uint64_t seen, absl::Time deadline) const;
  bool stopped() const;

  // Judges the workspace now, on the caller's thread (tests, and the
  // evaluator itself): the new responses of its inbox, and with
  // `state_rules` its other rules.
  absl::Status Evaluate(absl::string_view ws, bool state_rules = true);

 private:
  absl::Status DrainInbox(absl::string_view ws, const RuleList& rules,
                          bool& more);
  absl::StatusOr<Finding> Judge(absl::string_view ws,
                                const records::AlertRule& rule);
  absl::StatusOr<Finding> JudgeDeviation(absl::string_view ws,
                                         const records::AlertRule& rule) const;
  absl::StatusOr<Finding> JudgeTarget(absl::string_view ws,
                                      const records::AlertRule& rule) const;
  absl::StatusOr<Finding> JudgeEventPace(absl::string_view ws,
                                         const records::AlertRule& rule) const;
  // Opens, updates or resolves the rule's alert after `finding`.
  absl::Status Apply(absl::string_view ws, const records::AlertRule& rule,
                     const Finding& finding);
  // Adds the writes of a new version of `alert`, a rule of `rule`, to
  // `batch` (its webhook deliveries too).
  void AddVersion(storage::WriteBatch& batch, absl::string_view ws,
                  const records::AlertRule& rule, records::Alert& alert)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // AddVersion for a change by hand: the rule is looked up (its webhooks).
  absl::Status AddVersionByHand(storage::WriteBatch& batch,
                                absl::string_view ws, records::Alert& alert)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // Writes `batch`, then publishes the sequences it took.
  absl::Status Commit(const storage::WriteBatch& batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::Status Prune(absl::string_view ws);
  void Loop();

  storage::Store& store_;
  Sources sources_;
  const Clock& clock_;
  const Options options_;
  CatalogTable<records::Alert> table_;

  // Serializes every change of an alert (the evaluator's and by hand).
  absl::Mutex write_mu_;
  uint64_t next_sequence_ ABSL_GUARDED_BY(write_mu_) = 0;

  mutable absl::Mutex mu_;
  uint64_t published_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_set<std::string> dirty_ ABSL_GUARDED_BY(mu_);
  // Written workspaces whose state rules wait for min_gap, and when each
  // workspace's were last judged.
  absl::flat_hash_set<std::string> state_pending_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::Time> last_judged_
      ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_ALERTS_H_
