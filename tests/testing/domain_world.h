// Every domain object over one store, wired as the server wires them
// (service/server.cc), for tests that drive several ledgers and engines at
// once. A fixture declares its store first and its world after it.
#ifndef MITTARI_TESTS_TESTING_DOMAIN_WORLD_H_
#define MITTARI_TESTS_TESTING_DOMAIN_WORLD_H_

#include "absl/time/time.h"
#include "domain/activity.h"
#include "domain/api_keys.h"
#include "domain/customers.h"
#include "domain/events.h"
#include "domain/kpi/activity_metrics.h"
#include "domain/kpi/survey_metrics.h"
#include "domain/privacy.h"
#include "domain/responses.h"
#include "domain/surveys.h"
#include "domain/workspaces.h"
#include "storage/store.h"
#include "tests/testing/fake_clock.h"

namespace mittari::testing {

struct DomainWorld {
  DomainWorld(storage::Store& store, absl::Time now)
      : clock(now),
        keys(store, clock),
        workspaces(store, keys, clock),
        surveys(store, clock),
        customers(store, workspaces, clock),
        responses(store, workspaces, surveys, customers, clock),
        purchases(store, workspaces, customers, clock),
        sessions(store, workspaces, customers, clock),
        tickets(store, workspaces, customers, clock),
        metrics(store, workspaces),
        survey_metrics(store, workspaces, surveys),
        events(store, customers, purchases, survey_metrics, clock),
        privacy(store, workspaces, customers, responses, purchases, sessions,
                tickets, events) {}

  FakeClock clock;
  domain::KeyRing keys;
  domain::WorkspaceDirectory workspaces;
  domain::SurveyCatalog surveys;
  domain::CustomerDirectory customers;
  domain::ResponseLedger responses;
  domain::PurchaseLedger purchases;
  domain::SessionLedger sessions;
  domain::TicketLedger tickets;
  domain::kpi::ActivityMetrics metrics;
  domain::kpi::SurveyMetrics survey_metrics;
  domain::Events events;
  domain::Privacy privacy;
};

}  // namespace mittari::testing

#endif  // MITTARI_TESTS_TESTING_DOMAIN_WORLD_H_
