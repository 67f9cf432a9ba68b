"""Alert rules and the live streams through the real CLI: `rules create`,
`alerts watch` printing one JSON line per alert as it comes and resuming
by token, `alerts list|ack|resolve`, and `kpi watch` printing the value
first and each change; Ctrl-C ends a watch cleanly."""
import json
import os
import queue
import signal
import subprocess
import threading
import unittest
from datetime import datetime, timezone

from harness import MITTARI, Server, cli

NOW = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
WATCH_KEYS = ["alert", "rule", "state", "value", "n", "threshold", "fired_at",
              "resume_token"]


class Watch:
    """A `mittari --output json ... watch` process whose lines are read on a
    thread of their own."""

    def __init__(self, server, key, *args):
        env = dict(os.environ, MITTARI_ADDR=server.addr, MITTARI_KEY=key)
        self.proc = subprocess.Popen([MITTARI, "--output", "json", *args],
                                     env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))

    def next(self, timeout=20):
        return self.lines.get(timeout=timeout)

    def interrupt(self):
        """Ctrl-C; the exit code."""
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=20)
        self.reader.join(timeout=20)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return code


class Alerts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(
            extra_args=["--alert_sweep_interval=500ms"]).start()
        operator = cls.server.key("operator")
        _, created, _ = cli(cls.server, operator, "workspace", "create", "--id",
                            "live", "--display-name", "Live", "--time-zone",
                            "UTC", "--currency", "EUR")
        cls.key = created["admin_key"]["secret"]
        cli(cls.server, cls.key, "surveys", "create", "nps", "--kind", "nps",
            "--question", "Recommend us?")
        cls.next_id = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def answer(self, score, touchpoint="checkout"):
        Alerts.next_id += 1
        rid = f"r-{Alerts.next_id}"
        cli(self.server, self.key, "responses", "submit", "--id", rid,
            "--survey", "nps", "--time", NOW, "--score", str(score),
            "--touchpoint", touchpoint)
        return rid

    def test_rules_alerts_and_watch(self):
        k = self.key
        _, rule, _ = cli(self.server, k, "rules", "create", "detractors",
                         "--kind", "response", "--filter",
                         "touchpoint=checkout", "--score-max", "6")
        self.assertEqual(rule["name"], "workspaces/live/alertRules/detractors")
        self.assertEqual(rule["kind"], "response")
        code, _, err = cli(self.server, k, "rules", "create", "bad", "--kind",
                           "deviation", "--metric", "nps", "--granularity",
                           "day", "--window", "7", "--k", "0", check=False)
        self.assertEqual(code, 1)
        self.assertIn("alert_rule.k", err)

        watch = Watch(self.server, k, "alerts", "watch")
        # The watch is on once the server has it; a moment is plenty.
        threading.Event().wait(0.5)
        self.answer(9)
        rid = self.answer(2)
        line = watch.next()
        self.assertEqual(list(line)[:len(WATCH_KEYS)], WATCH_KEYS)
        self.assertEqual(line["rule"], "workspaces/live/alertRules/detractors")
        self.assertEqual(line["state"], "open")
        self.assertEqual(line["value"], 2)
        self.assertEqual(line["threshold"], 6)
        self.assertEqual(line["trigger"]["response"],
                         f"workspaces/live/responses/{rid}")
        self.assertEqual(watch.interrupt(), 0)
        token = line["resume_token"]

        # Missed while away: acknowledged, and a new one.
        alert_id = line["alert"].rsplit("/", 1)[1]
        _, acked, _ = cli(self.server, k, "alerts", "ack", alert_id)
        self.assertEqual(acked["state"], "acknowledged")
        rid2 = self.answer(0)
        resumed = Watch(self.server, k, "alerts", "watch", "--resume-token",
                        token)
        first, second = resumed.next(), resumed.next()
        self.assertEqual(first["state"], "acknowledged")
        self.assertEqual(first["version"], 2)
        self.assertEqual(second["trigger"]["response"],
                         f"workspaces/live/responses/{rid2}")
        self.assertEqual(resumed.interrupt(), 0)

        _, listed, _ = cli(self.server, k, "alerts", "list", "--state", "open")
        self.assertEqual(len(listed["alerts"]), 1)
        _, resolved, _ = cli(self.server, k, "alerts", "resolve",
                             listed["alerts"][0]["name"])
        self.assertEqual(resolved["state"], "resolved")
        _, listed, _ = cli(self.server, k, "alerts", "list", "--state", "open")
        self.assertEqual(listed["alerts"], [])
        _, rules, _ = cli(self.server, k, "rules", "list")
        self.assertEqual([r["name"] for r in rules["rules"]],
                         ["workspaces/live/alertRules/detractors"])

    def test_kpi_watch(self):
        watch = Watch(self.server, self.key, "kpi", "watch", "nps",
                      "--filter", "touchpoint=lobby")
        first = watch.next()
        self.assertEqual(first["points"][0]["n"], 0)
        self.answer(10, "lobby")
        changed = watch.next()
        self.assertEqual(changed["points"][0]["n"], 1)
        self.assertEqual(changed["points"][0]["value"], 100)
        self.assertEqual(list(changed["points"][0])[:4],
                         ["bucket_start", "group", "value", "n"])
        self.assertEqual(watch.interrupt(), 0)


if __name__ == "__main__":
    unittest.main()
