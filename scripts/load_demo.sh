#!/usr/bin/env bash
# Loads the demo workspace: a year of data up to today from
# scripts/demo_data.py (an outage that dents support CSAT, promoters who
# spend more, one event that beat its goals and one that missed), targets
# that show every status on the scorecard, alert rules, and a few answers
# arriving live so that alerts fire. MITTARI_ADDR and MITTARI_KEY (an admin
# key) say where; the workspace should be empty. Extra arguments go to
# demo_data.py (e.g. --seed 2).
#
#   MITTARI_ADDR=127.0.0.1:50051 MITTARI_KEY=mk_... scripts/load_demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mittari=${MITTARI:-build/clients/cli/mittari}
csv=$(mktemp -d)
trap 'rm -rf "$csv"' EXIT

python3 scripts/demo_data.py "$csv" "$@" >/dev/null
"$mittari" workspace update --display-name "Demo" \
  --time-zone Europe/Helsinki --currency EUR >/dev/null
for kind in customers surveys events event_costs event_revenues \
    registrations tickets responses purchases sessions; do
  "$mittari" import "$kind" "$csv/$kind.csv" --output json |
    tr -d '\n' | sed 's/  */ /g'
  echo
done

# Targets: met, at risk, missed and no data.
"$mittari" targets create support-csat --display-name "Support CSAT" \
  --metric csat --filter survey=csat-support --goal 60 \
  --direction at_least --period month >/dev/null
"$mittari" targets create responses-year --display-name "Responses this year" \
  --metric response_count --goal 50000 --direction at_least \
  --period year >/dev/null
"$mittari" targets create relationship-nps --display-name "Relationship NPS" \
  --metric nps --filter survey=nps-relationship --goal 70 \
  --direction at_least --period quarter >/dev/null
"$mittari" targets create onboarding-nps --display-name "Onboarding NPS" \
  --metric nps --filter survey=nps-onboarding --goal 30 \
  --direction at_least --period quarter >/dev/null

# Alert rules, then answers arriving now: two unhappy support customers.
"$mittari" rules create support-detractor --display-name "Unhappy at support" \
  --kind response --filter survey=csat-support --score-max 2 >/dev/null
"$mittari" rules create nps-target --display-name "Relationship NPS off target" \
  --kind target --target relationship-nps --on missed >/dev/null
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
"$mittari" responses submit --id live-1 --survey csat-support --score 1 \
  --customer c00010 --channel chat --touchpoint support --time "$now" \
  --comment "Waited two hours for a reply." >/dev/null
"$mittari" responses submit --id live-2 --survey csat-support --score 2 \
  --customer c00011 --channel phone --touchpoint support --time "$now" >/dev/null
"$mittari" responses submit --id live-3 --survey nps-relationship --score 10 \
  --customer c00012 --channel email --time "$now" >/dev/null
echo "Demo data loaded into the workspace (Europe/Helsinki, EUR): a year up to today, targets, alert rules and the first alerts."
