"""The demo workspace (scripts/load_demo.sh) tells its story: the scorecard
shows every status, alerts are in the history, support CSAT dips during
the tagged outage, promoters spend more, and one event beat its goals while
another missed them."""
import os
import subprocess
import time
import unittest

from harness import MITTARI, Server, cli

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


class Demo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.key = cls.server.key("admin")
        env = dict(os.environ, MITTARI_ADDR=cls.server.addr, MITTARI_KEY=cls.key,
                   MITTARI=os.path.abspath(MITTARI))
        load = subprocess.run(
            [os.path.join(ROOT, "scripts", "load_demo.sh"), "--today", "2026-11-26"],
            env=env, capture_output=True, text=True, timeout=240)
        if load.returncode != 0:
            cls.server.stop()
            cls.server.cleanup()
            raise AssertionError(f"load_demo.sh exited {load.returncode}:\n{load.stderr}")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    def cli(self, *args):
        return cli(self.server, self.key, *args)[1]

    def test_scorecard_shows_every_status(self):
        entries = self.cli("scorecard")["targets"]
        self.assertEqual({e["status"] for e in entries}, {"met", "at_risk", "missed", "no_data"})

    def test_alerts_are_in_the_history(self):
        # Alerts are evaluated as data arrives, after the write returns:
        # the last live answers' alerts may still be on their way.
        deadline = time.time() + 60
        while True:
            alerts = self.cli("alerts", "list")["alerts"]
            if len(alerts) >= 2 or time.time() > deadline:
                break
            time.sleep(0.2)
        kinds = {a["kind"] for a in alerts}
        self.assertIn("response", kinds)
        self.assertGreaterEqual(len(alerts), 2)

    def test_support_csat_dips_during_the_outage(self):
        outage = self.cli("kpi", "query", "csat", "--from", "2026-07-29", "--to", "2026-08-19",
                          "--filter", "survey=csat-support")["points"][0]
        before = self.cli("kpi", "query", "csat", "--from", "2026-06-01", "--to", "2026-07-29",
                          "--filter", "survey=csat-support")["points"][0]
        self.assertLess(outage["ci_high"], before["ci_low"])
        tagged = self.cli("kpi", "query", "tag_share", "--from", "2026-07-29", "--to",
                          "2026-08-19", "--filter", "survey=csat-support", "--tag",
                          "outage")["points"][0]
        self.assertGreater(tagged["value"], 50)

    def test_promoters_spend_more(self):
        report = self.cli("value-report", "--kind", "nps", "--from", "2025-11-01", "--to",
                          "2026-11-27")
        self.assertTrue(report["headline"]["spend_significant"])
        self.assertGreater(report["headline"]["spend_uplift_pct"], 0)

    def test_one_event_beat_its_goals_and_one_missed(self):
        beat = self.cli("events", "report", "ev-spring-webinar")
        missed = self.cli("events", "report", "ev-autumn-fair")
        self.assertTrue(all(g["met"] for g in beat["goals"]))
        self.assertFalse(any(g["met"] for g in missed["goals"]))
        self.assertGreater(beat["roi"], 0)
        self.assertLess(missed["roi"], 0)


if __name__ == "__main__":
    unittest.main()
