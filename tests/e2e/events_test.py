"""Customer events through the real server and CLI: the four events of the
reference table of metrics.md side by side, sorted and against their
series; a live report that changes as check-ins arrive; validation."""
import datetime
import unittest

from harness import Server, cli
from kpi_test import GOLDEN, load_set


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Events(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.key = load_set(cls.server, cls.server.key("operator"), "events",
                           GOLDEN, "Europe/Helsinki")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_reference_table_side_by_side(self):
        _, out, _ = cli(self.server, self.key, "events", "compare", "--series",
                        "2026 programme", "--sort", "conversion_rate", "--desc")
        rows = [(r["display_name"], r["budget"], r["attendees"],
                 round(r["conversion_rate"], 2)) for r in out["events"]]
        # Budget in minor units; Trade fair C records 8 conversions of 150.
        self.assertEqual(rows, [("Conference D", 120000, 400, 20.0),
                                ("Seminar B", 80000, 300, 15.0),
                                ("Webinar A", 50000, 200, 10.0),
                                ("Trade fair C", 100000, 150, 5.33)])
        by_id = {r["event"]: r for r in out["events"]}
        # Each against the mean of the earlier events of its series.
        self.assertEqual(by_id["ev-a"]["vs_series"], {})
        self.assertEqual(by_id["ev-b"]["series_mean"]["attendees"], 200)
        self.assertEqual(by_id["ev-d"]["series_mean"]["attendees"],
                         (200 + 300 + 150) / 3)
        self.assertAlmostEqual(by_id["ev-d"]["vs_series"]["attendees"],
                               400 - 650 / 3)
        _, webinars, _ = cli(self.server, self.key, "events", "compare",
                             "--kind", "webinar", "--from", "2026-01-01",
                             "--to", "2026-07-01")
        self.assertEqual([r["event"] for r in webinars["events"]], ["ev-a"])
        code, _, err = cli(self.server, self.key, "events", "compare",
                           "--sort", "colour", check=False)
        self.assertEqual(code, 1)
        self.assertIn("sort_by", err)

    def test_a_running_event_is_live(self):
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        k = self.key
        cli(self.server, k, "events", "create", "live-1", "--name", "Live webinar",
            "--kind", "webinar", "--series", "live", "--start",
            iso(now - datetime.timedelta(hours=1)), "--end",
            iso(now + datetime.timedelta(hours=2)), "--budget", "300",
            "--attendee-target", "2")
        for c in ("c00010", "c00011"):
            cli(self.server, k, "events", "register", "live-1", c,
                "--registered", iso(now - datetime.timedelta(days=2)))
        _, report, _ = cli(self.server, k, "events", "report", "live-1")
        self.assertTrue(report["live"])
        self.assertEqual((report["registrations"], report["attendees"]), (2, 0))
        self.assertEqual(report["attendance_rate"], 0.0)
        self.assertIsNone(report["conversion_rate"])   # no attendees yet
        cli(self.server, k, "events", "register", "live-1", "c00010",
            "--registered", iso(now - datetime.timedelta(days=2)),
            "--attended", "true", "--check-in", iso(now), "--minutes", "20")
        cli(self.server, k, "events", "signal", "live-1", "q-1", "--kind",
            "question", "--count", "3")
        _, report, _ = cli(self.server, k, "events", "report", "live-1")
        self.assertEqual((report["registrations"], report["attendees"]), (2, 1))
        self.assertEqual(report["attendance_rate"], 50.0)
        self.assertEqual(report["questions"], 3)
        self.assertEqual(report["goals"], [{"goal": "attendees", "target": 2.0,
                                            "actual": 1.0, "pct": 50.0,
                                            "met": False}])

    def test_invalid_registrations_are_refused(self):
        k = self.key
        code, _, err = cli(self.server, k, "events", "register", "ev-a",
                           "c00012", "--attended", "true", "--check-in",
                           "2026-02-09T09:00:00Z", check=False)
        self.assertEqual(code, 1)
        self.assertIn("check_in_time", err)
        self.assertIn("before the event opens", err)
        code, _, err = cli(self.server, k, "events", "register", "no-such",
                           "c00012", check=False)
        self.assertEqual(code, 1)
        self.assertIn("event_id", err)
        code, _, err = cli(self.server, k, "events", "register", "ev-a",
                           "c00012", "--converted", "true", check=False)
        self.assertEqual(code, 1)
        self.assertIn("converted", err)


if __name__ == "__main__":
    unittest.main()
