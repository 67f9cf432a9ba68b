// Customer events (webinars, seminars, trade fairs, conferences,
// workshops): the events with their goals, their cost and revenue lines,
// registrations with check-ins and conversions, and signals (leads, social
// mentions and shares, questions, poll answers, chat messages); and the
// event report and comparison table of metrics.md, computed live from them.
#ifndef MITTARI_DOMAIN_EVENTS_H_
#define MITTARI_DOMAIN_EVENTS_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "domain/activity.h"
#include "domain/catalog_table.h"
#include "domain/customers.h"
#include "domain/group_committer.h"
#include "domain/kpi/survey_metrics.h"
#include "domain/records.pb.h"
#include "domain/roles.h"

namespace mittari::domain {

// One event's KPIs (metrics.md, customer events).
struct EventReport {
  records::Event event;
  bool live = false;  // the event is running now
  int64_t registrations = 0;
  int64_t attendees = 0;
  int64_t conversions = 0;
  int64_t cost = 0;
  int64_t revenue = 0;
  int64_t leads = 0;
  int64_t social_reach = 0;  // mentions and shares
  int64_t questions = 0;
  int64_t poll_answers = 0;
  int64_t chat_messages = 0;
  std::map<std::string, int64_t> cost_by_category;
  std::map<std::string, int64_t> revenue_by_category;
  std::optional<double> attendance_rate;
  std::optional<double> conversion_rate;
  std::optional<double> roi;
  std::optional<double> cost_per_attendee;
  std::optional<double> cost_per_registration;
  std::optional<double> cost_per_conversion;
  std::optional<double> cost_per_lead;
  std::optional<double> revenue_per_attendee;
  std::optional<double> avg_minutes_attended;
  std::optional<double> registration_goal_pct;
  std::optional<bool> attendance_goal_met;
  std::optional<double> nps;
  int64_t nps_n = 0;
  std::optional<double> csat;
  int64_t csat_n = 0;
  struct Goal {
    std::string goal;
    double target = 0;
    std::optional<double> actual;
    std::optional<double> pct;
    bool met = false;
  };
  std::vector<Goal> goals;
  // The attendees' purchases in the window before the start and after the
  // end.
  int window_days = 90;
  int64_t purchases_before = 0;
  int64_t revenue_before = 0;
  int64_t purchases_after = 0;
  int64_t revenue_after = 0;
};

struct EventFilter {
  std::string kind;
  std::string series;
  std::optional<absl::Time> from;  // events starting in [from, to)
  std::optional<absl::Time> to;
};

struct EventComparisonRow {
  EventReport report;
  // KPI -> the mean over the earlier events of the same series, and this
  // event's value minus that mean.
  std::map<std::string, double> series_mean;
  std::map<std::string, double> vs_series;
};

// The KPIs a comparison sorts by and sets against the series.
// `workspaces/{ws}/events/{event}/registrations/{customer}`.
std::string RegistrationName(absl::string_view ws, absl::string_view event_id,
                             absl::string_view customer_id);

const std::vector<std::string>& EventKpiNames();
std::optional<double> EventKpi(const EventReport& r, absl::string_view name);

class Events {
 public:
  Events(storage::Store& store, const CustomerDirectory& customers,
         const PurchaseLedger& purchases,
         const kpi::SurveyMetrics& survey_metrics, const Clock& clock)
      : store_(store),
        customers_(customers),
        purchases_(purchases),
        survey_metrics_(survey_metrics),
        clock_(clock),
        table_(store, keys::WorkspaceTag::kEvent) {}

  absl::StatusOr<records::Event> Create(absl::string_view ws,
                                        records::Event event);
  absl::StatusOr<records::Event> Get(absl::string_view ws,
                                     absl::string_view id) const;
  absl::StatusOr<Page<records::Event>> List(absl::string_view ws,
                                            absl::string_view after, int limit,
                                            const EventFilter& filter) const;
  // Creates or replaces every event, all or nothing ("events[i].…").
  absl::StatusOr<ImportCounts> Import(absl::string_view ws,
                                      std::vector<records::Event> events);

  // Create or replace by key, all or nothing; violations are named
  // "<list_field>[i].<field>".
  absl::StatusOr<ImportCounts> RecordLines(
      absl::string_view ws, std::vector<records::EventLine> lines,
      absl::string_view list_field);
  // With kAddOnly, a stored registration may only gain its first check-in
  // (not attended -> attended, with its time and minutes); any other change
  // is ALREADY_EXISTS.
  absl::StatusOr<ImportCounts> RecordRegistrations(
      absl::string_view ws, std::vector<records::Registration> registrations,
      absl::string_view list_field,
      WriteMode mode = WriteMode::kCreateOrReplace);
  // RecordRegistrations of one registration without blocking: the
  // committer thread checks and stores it together with the others
  // waiting at that moment, in one synced write (group_committer.h);
  // `done` runs on that thread once it is durable.
  void RecordRegistrationAsync(
      absl::string_view ws, records::Registration registration, WriteMode mode,
      std::function<void(absl::StatusOr<ImportCounts>)> done);
  // Unary registrations waiting for the committer.
  size_t queued() const { return committer_.queued(); }
  absl::StatusOr<ImportCounts> RecordSignals(
      absl::string_view ws, std::vector<records::EventSignal> signals,
      absl::string_view list_field);
  absl::StatusOr<std::vector<records::Registration>> Registrations(
      absl::string_view ws, absl::string_view event_id) const;
  // The event's cost and revenue lines.
  absl::StatusOr<std::vector<records::EventLine>> Lines(
      absl::string_view ws, absl::string_view event_id) const;

  absl::StatusOr<EventReport> Report(absl::string_view ws, absl::string_view id,
                                     int window_days) const;
  // Reports of the events that pass `filter`, sorted by `sort_by` (an
  // EventKpiNames() name; start time when empty), each against the earlier
  // events of its series.
  absl::StatusOr<std::vector<EventComparisonRow>> Compare(
      absl::string_view ws, const EventFilter& filter,
      absl::string_view sort_by, bool descending) const;

  // The registrations of a customer (export), and the writes that move
  // them to `token` (erasure).
  absl::StatusOr<std::vector<records::Registration>> RegistrationsOf(
      absl::string_view ws, absl::string_view customer_id) const;
  absl::Status AddAnonymization(storage::WriteBatch& batch,
                                absl::string_view ws,
                                absl::string_view customer_id,
                                absl::string_view token) const;

 private:
  absl::StatusOr<EventReport> ReportOf(absl::string_view ws,
                                       const records::Event& event,
                                       int window_days) const;

  // A unary registration waiting for the committer.
  struct PendingRegistration {
    std::string ws;
    records::Registration record;
    WriteMode mode;
    std::function<void(absl::StatusOr<ImportCounts>)> done;
  };
  void CommitGroup(std::vector<PendingRegistration>& group);
  // Checks `registrations` and writes them, or with `staged` adds their
  // writes there. The caller holds the erasure gate and mu_.
  absl::StatusOr<ImportCounts> UpsertRegistrations(
      absl::string_view ws, std::vector<records::Registration>& registrations,
      absl::string_view list_field, WriteMode mode,
      storage::WriteBatch* staged);

  storage::Store& store_;
  const CustomerDirectory& customers_;
  const PurchaseLedger& purchases_;
  const kpi::SurveyMetrics& survey_metrics_;
  const Clock& clock_;
  CatalogTable<records::Event> table_;
  absl::Mutex mu_;  // serializes writers
  // Last: stopped (its queue committed) before anything it uses goes.
  GroupCommitter<PendingRegistration> committer_{
      [this](std::vector<PendingRegistration>& group) { CommitGroup(group); }};
};

}  // namespace mittari::domain

#endif  // MITTARI_DOMAIN_EVENTS_H_
