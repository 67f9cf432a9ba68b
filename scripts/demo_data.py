#!/usr/bin/env python3
"""Makes the demo workspace's data: a year up to today with a story a new
user sees at once on the dashboard.

- A login outage (tagged `outage`) about four months ago: for three weeks
  CSAT and CES at support dip, tickets pile up and wait longer for a first
  answer.
- Customers who recommend us spend more: each customer's satisfaction
  drives both their scores and how often and how much they buy.
- NPS improves through the year.
- Of the events, the spring webinar beats every goal and the autumn trade
  fair misses them (few registrations, low attendance, cost over revenue).

It writes the CSV files `mittari import` reads (the reference set's
columns) into DIR. The reference set in tests/golden is for correctness;
this one is for people. Deterministic for a seed and a day (run before
06:00 UTC on that day, its data ends a minute before the run).

    scripts/demo_data.py DIR [--seed 1] [--today 2026-11-26]
"""
import argparse
import csv
import datetime as dt
import math
import os
import random

DAY = dt.timedelta(days=1)


def iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def clamp(x, lo, hi):
    return max(lo, min(hi, x))


def write(directory, name, header, rows):
    with open(os.path.join(directory, f"{name}.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return len(rows)


class Demo:
    def __init__(self, seed: int, today: dt.date):
        self.r = random.Random(seed)
        # 06:00 UTC of the day, or the run's minute when that is earlier:
        # nothing may be dated in the future (the server refuses it).
        clock = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
        self.now = min(dt.datetime(today.year, today.month, today.day, 6,
                                   tzinfo=dt.timezone.utc), clock - dt.timedelta(minutes=1))
        first = dt.datetime(today.year - 1, today.month, 1, tzinfo=dt.timezone.utc)
        self.start = first                      # a year of history up to today
        self.outage = self.now - dt.timedelta(days=120)
        self.outage_end = self.outage + dt.timedelta(days=21)
        self.regs = []  # registrations, for the event NPS
        self.ts = []  # tickets, for the support surveys

    def at(self, lo: dt.datetime, hi: dt.datetime) -> dt.datetime:
        span = max(1.0, (hi - lo).total_seconds())
        return lo + dt.timedelta(seconds=int(self.r.random() * span))

    def in_outage(self, t: dt.datetime) -> bool:
        return self.outage <= t < self.outage_end

    def progress(self, t: dt.datetime) -> float:
        """0 at the start of the year, 1 today."""
        return clamp((t - self.start) / (self.now - self.start), 0.0, 1.0)

    # ---- customers ----
    def customers(self, n=2000):
        out = []
        for i in range(n):
            acquired = self.at(self.start - dt.timedelta(days=365), self.now - 7 * DAY)
            churned = None
            if self.r.random() < 0.14:
                churned = self.at(acquired + 30 * DAY, self.now + 60 * DAY)
                if churned >= self.now:
                    churned = None
            segment = self.r.choices(["enterprise", "smb", "consumer"], [2, 5, 8])[0]
            region = self.r.choice(["fi", "se", "de", "uk", "us"])
            sat = self.r.gauss(0, 1)
            out.append(dict(id=f"c{i:05d}", name=f"Customer {i}", email=f"c{i}@example.com",
                            segment=segment, region=region,
                            type="b2b" if segment != "consumer" else "b2c",
                            acquired=acquired, churned=churned, sat=sat))
        self.cs = out
        return [[c["id"], c["name"], c["email"], c["segment"], c["region"], c["type"],
                 iso(c["acquired"]), iso(c["churned"]) if c["churned"] else ""] for c in out]

    def active_span(self, c):
        lo = max(self.start, c["acquired"])
        hi = min(self.now, c["churned"] or self.now)
        return (lo, hi) if hi > lo else None

    # ---- surveys and responses ----
    SURVEYS = [
        ["nps-relationship", "nps", "How likely are you to recommend us to a colleague?", 0, 10, "", "loyalty", ""],
        ["csat-support", "csat", "How satisfied were you with our support?", 1, 5, "support", "service", ""],
        ["ces-support", "ces", "How easy did we make it to solve your issue?", 1, 7, "support", "service", ""],
        ["csat-checkout", "csat", "How satisfied are you with checking out?", 1, 5, "checkout", "purchase", ""],
        ["nps-events", "nps", "Would you recommend this event?", 0, 10, "event", "engagement", ""],
        ["nps-onboarding", "nps", "After onboarding, would you recommend us?", 0, 10, "onboarding", "onboarding", ""],
    ]

    def responses(self):
        rows = []
        n = 0

        def add(survey, c, t, score, channel, touchpoint, comment="", tags="", event=""):
            nonlocal n
            rows.append([f"r{n:06d}", survey, c["id"] if c else "", iso(t), score, channel,
                         touchpoint, comment, tags, event])
            n += 1

        for c in self.cs:
            span = self.active_span(c)
            if span is None:
                continue
            # Relationship NPS: a few answers a year each; better over time.
            for _ in range(self.r.choice([0, 1, 1, 2, 3])):
                t = self.at(*span)
                score = round(7.2 + 1.9 * c["sat"] + 1.4 * self.progress(t) + self.r.gauss(0, 1.4))
                add("nps-relationship", c, t, clamp(score, 0, 10),
                    self.r.choices(["email", "web", "mobile_app"], [5, 3, 2])[0], "")
            # Checkout CSAT after some purchases.
            for _ in range(self.r.choice([0, 0, 1, 2])):
                t = self.at(*span)
                score = round(4.0 + 0.5 * c["sat"] + self.r.gauss(0, 0.7))
                add("csat-checkout", c, t, clamp(score, 1, 5), self.r.choice(["web", "mobile_app"]),
                    "checkout", tags=self.r.choice(["", "", "", "price", "delivery"]))
        # Support CSAT and CES follow the tickets.
        for ticket in self.ts:
            if self.r.random() > 0.55:
                continue
            c, t, channel = ticket["customer"], ticket["created"] + 2 * DAY, ticket["channel"]
            if t >= self.now:
                continue
            hit = self.in_outage(ticket["created"])
            csat = round(4.15 + 0.45 * c["sat"] - (1.7 if hit else 0) + self.r.gauss(0, 0.75))
            tags = "outage;technical_issues" if hit else self.r.choice(["", "", "", "billing", "technical_issues"])
            comment = self.r.choice(["Could not log in for two days.", "Support was swamped during the outage.", ""]) if hit else ""
            add("csat-support", c, t, clamp(csat, 1, 5), channel, "support", comment, tags)
            ces = round(5.5 + 0.5 * c["sat"] - (1.6 if hit else 0) + self.r.gauss(0, 0.9))
            add("ces-support", c, t + dt.timedelta(minutes=3), clamp(ces, 1, 7), channel, "support", "",
                "outage" if hit else "")
        # Event NPS: the spring webinar delights, the autumn fair disappoints.
        for reg in self.regs:
            if not reg["attended"] or self.r.random() > 0.45:
                continue
            ev = self.events_by_id[reg["event"]]
            base = {"beat": 9.0, "missed": 5.4}.get(ev["story"], 7.5)
            score = round(base + 0.8 * reg["customer"]["sat"] + self.r.gauss(0, 1.1))
            add("nps-events", reg["customer"], ev["end"] + dt.timedelta(hours=self.r.randint(1, 48)),
                clamp(score, 0, 10), "email", "event", event=ev["id"],
                tags=self.r.choice(["", "content", "speakers"]))
        rows.sort(key=lambda row: row[3])
        return rows

    # ---- purchases ----
    def purchases(self):
        rows = []
        for c in self.cs:
            lo = c["acquired"]
            hi = min(self.now, c["churned"] or self.now)
            if hi <= lo:
                continue
            months = (hi - lo).days / 30.4
            # Promoters buy more often and more.
            rate = 0.45 * math.exp(0.45 * c["sat"]) * (2.5 if c["segment"] == "enterprise" else 1.0)
            for _ in range(self._poisson(rate * months)):
                t = self.at(lo, hi)
                amount = self.r.lognormvariate(math.log(95) + 0.3 * c["sat"], 0.5)
                if c["segment"] == "enterprise":
                    amount *= 4
                rows.append([None, c["id"], iso(t), f"{amount:.2f}", "EUR",
                             self.r.choices(["web", "mobile_app", "sales"], [5, 3, 2])[0]])
        rows.sort(key=lambda row: row[2])
        for i, row in enumerate(rows):
            row[0] = f"p{i:06d}"
        return rows

    def _poisson(self, lam):
        if lam <= 0:
            return 0
        if lam > 30:
            return max(0, round(self.r.gauss(lam, math.sqrt(lam))))
        k, p, limit = 0, 1.0, math.exp(-lam)
        while True:
            p *= self.r.random()
            if p <= limit:
                return k
            k += 1

    # ---- support tickets ----
    def tickets(self):
        rows = []
        day = self.start
        n = 0
        first = {"chat": 0.4, "email": 7.0, "phone": 0.15, "social": 3.0, "self_service": 10.0}
        while day < self.now:
            hit = self.in_outage(day)
            for _ in range(self._poisson(11 * (3.2 if hit else 1.0))):
                c = self.r.choice(self.cs)
                created = self.at(day, min(day + DAY, self.now))
                channel = self.r.choices(list(first), [4, 3, 2, 1, 1])[0]
                hours = self.r.lognormvariate(math.log(first[channel] * (2.8 if hit else 1.0)), 0.6)
                responded = created + dt.timedelta(hours=hours)
                resolved = responded + dt.timedelta(hours=self.r.lognormvariate(math.log(20), 0.8))
                rows.append([f"t{n:05d}", c["id"], channel, iso(created),
                             iso(responded) if responded < self.now else "",
                             iso(resolved) if resolved < self.now and self.r.random() < 0.9 else ""])
                self.ts.append(dict(customer=c, created=created, channel=channel))
                n += 1
            day += DAY
        return rows

    # ---- sessions ----
    def sessions(self, visitors=12000):
        rows = []
        conversion = {"email": 0.11, "paid_search": 0.07, "organic_search": 0.05, "social": 0.025,
                      "referral": 0.09, "direct": 0.045}
        sources = list(conversion)
        people = [c for c in self.cs if self.active_span(c)]
        for v in range(visitors):
            customer = self.r.choice(people) if self.r.random() < 0.35 else None
            source = self.r.choices(sources, [3, 2, 4, 2, 1, 3])[0]
            device = self.r.choices(["desktop", "mobile", "tablet"], [5, 4, 1])[0]
            span = self.active_span(customer) if customer else (self.start, self.now)
            for _ in range(1 + self._poisson(2.5)):
                # More visitors as the year goes on.
                t = self.at(*span)
                if self.r.random() > 0.55 + 0.45 * self.progress(t):
                    continue
                rows.append([None, f"v{v:05d}", customer["id"] if customer else "", iso(t),
                             int(self.r.lognormvariate(math.log(180), 0.8)), 1 + self._poisson(4),
                             source, device,
                             self.r.choice(["/", "/pricing", "/events", "/blog", "/product"]),
                             self.r.choice(["landing", "article", "event_page", "product_page"]),
                             self.r.choice(["", "", "cx analytics", "nps software"]) if source == "paid_search" else "",
                             "true" if self.r.random() < conversion[source] else "false"])
        rows.sort(key=lambda row: row[3])
        for i, row in enumerate(rows):
            row[0] = f"s{i:06d}"
        return rows

    # ---- events ----
    def events(self):
        def when(days_ago, hours):
            start = (self.now - days_ago * DAY).replace(hour=9, minute=0, second=0)
            return start, start + dt.timedelta(hours=hours)

        specs = [
            # id, name, kind, days ago, hours, reg target, attendance %, conversion %, budget, story
            ("ev-spring-webinar", "Spring webinar: measuring CX", "webinar", 230, 2, 200, 60, 10, 1500, "beat"),
            ("ev-summer-seminar", "Summer seminar", "seminar", 150, 6, 150, 70, 12, 6000, ""),
            ("ev-autumn-fair", "Autumn trade fair", "trade_fair", 70, 8, 400, 70, 15, 20000, "missed"),
            ("ev-winter-conference", "Customer conference", "conference", 25, 8, 300, 75, 15, 12000, ""),
        ]
        self.evs, self.events_by_id = [], {}
        rows, costs, revenues, regs = [], [], [], []
        people = [c for c in self.cs if self.active_span(c)]
        for (eid, name, kind, ago, hours, reg_target, att, conv, budget, story) in specs:
            start, end = when(ago, hours)
            ev = dict(id=eid, start=start, end=end, story=story)
            self.evs.append(ev)
            self.events_by_id[eid] = ev
            rows.append([eid, name, kind, f"{self.now.year} programme", iso(start), iso(end), reg_target,
                         att, conv, f"{budget:.2f}"])
            registered = {"beat": 1.6, "missed": 0.35}.get(story, 0.95) * reg_target
            attend = {"beat": 0.78, "missed": 0.42}.get(story, att / 100)
            convert = {"beat": 0.22, "missed": 0.03}.get(story, conv / 100 * 0.95)
            for c in self.r.sample(people, min(len(people), int(registered))):
                attended = self.r.random() < attend
                converted = attended and self.r.random() < convert
                reg = dict(event=eid, customer=c, attended=attended)
                regs.append([eid, c["id"], iso(start - dt.timedelta(days=self.r.randint(1, 30))),
                             "true" if attended else "false",
                             self.r.randint(20, hours * 60) if attended else 0,
                             "true" if converted else "false"])
                self.regs.append(reg)
            spend = {"beat": 0.8, "missed": 1.2}.get(story, 0.95) * budget
            costs += [[f"{eid}-venue", eid, "venue", f"{spend * 0.5:.2f}"],
                      [f"{eid}-marketing", eid, "marketing", f"{spend * 0.3:.2f}"],
                      [f"{eid}-staff", eid, "staff", f"{spend * 0.2:.2f}"]]
            revenue = {"beat": 4.5, "missed": 0.35}.get(story, 1.3) * budget
            revenues.append([f"{eid}-tickets", eid, "tickets", f"{revenue:.2f}"])
        return rows, costs, revenues, regs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    demo = Demo(args.seed, args.today)
    counts = {}
    counts["customers"] = write(args.dir, "customers",
                                ["id", "name", "email", "segment", "region", "customer_type",
                                 "acquired_at", "churned_at"], demo.customers())
    events, costs, revenues, regs = demo.events()
    counts["events"] = write(args.dir, "events",
                             ["id", "name", "kind", "series", "starts_at", "ends_at",
                              "registration_target", "attendance_target_pct", "conversion_target",
                              "budget"], events)
    counts["event_costs"] = write(args.dir, "event_costs", ["id", "event_id", "category", "amount"], costs)
    counts["event_revenues"] = write(args.dir, "event_revenues", ["id", "event_id", "category", "amount"],
                                     revenues)
    counts["registrations"] = write(args.dir, "registrations",
                                    ["event_id", "customer_id", "registered_at", "attended",
                                     "minutes_attended", "converted"], regs)
    counts["tickets"] = write(args.dir, "tickets",
                              ["id", "customer_id", "channel", "created_at", "first_response_at",
                               "resolved_at"], demo.tickets())
    counts["surveys"] = write(args.dir, "surveys",
                              ["id", "kind", "question", "scale_min", "scale_max", "touchpoint",
                               "journey_stage", "event_id"], Demo.SURVEYS)
    counts["responses"] = write(args.dir, "responses",
                                ["id", "survey_id", "customer_id", "submitted_at", "score", "channel",
                                 "touchpoint", "comment", "tags", "event_id"], demo.responses())
    counts["purchases"] = write(args.dir, "purchases",
                                ["id", "customer_id", "occurred_at", "amount", "currency", "channel"],
                                demo.purchases())
    counts["sessions"] = write(args.dir, "sessions",
                               ["id", "visitor_id", "customer_id", "started_at", "duration_seconds",
                                "page_views", "source", "device", "landing_page", "content_type",
                                "keyword", "converted"], demo.sessions())
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    print(f"range {demo.start.date()} .. {demo.now.date()}; outage {demo.outage.date()} .. "
          f"{demo.outage_end.date()}")


if __name__ == "__main__":
    main()
