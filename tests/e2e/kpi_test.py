"""Every query, event report and value-of-CX report of the golden
expected.json (survey, customer, purchase, session, ticket and event KPIs,
and what experience is worth) through the real server
and the real CLI, on the reference set and on sets made by golden.py with
other seeds and time zones."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from harness import GOLDEN, KINDS, Server, cli

HERE = os.path.dirname(os.path.abspath(__file__))
# The generator of reference sets sits beside the project's root.
GENERATOR = os.path.join(HERE, "..", "..", "..", "shared", "tools", "golden.py")


def load_set(server, operator, workspace_id, directory, zone):
    _, created, _ = cli(server, operator, "workspace", "create", "--id",
                        workspace_id, "--display-name", workspace_id,
                        "--time-zone", zone, "--currency", "EUR")
    key = created["admin_key"]["secret"]
    for kind in KINDS:
        cli(server, key, "import", kind, os.path.join(directory, f"{kind}.csv"))
    return key


def query_args(q):
    args = ["kpi", "query", q["metric"], "--from", q["from"], "--to", q["to"],
            "--granularity", q["granularity"].lower()]
    for dim in q["group_by"]:
        args += ["--group-by", dim]
    for k, v in q["filters"].items():
        args += ["--filter", f"{k}={v}"]
    for k, v in q.get("params", {}).items():
        args += [f"--{k}", v]
    return args


class GoldenKpis(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.operator = cls.server.key("operator")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def assert_matches(self, want, have, tolerance, where):
        """Every key of `want` in `have`: floats within the tolerance,
        everything else (null included) equal."""
        for k, v in want.items():
            if isinstance(v, float):
                self.assertIsNotNone(have[k], f"{where} {k}")
                self.assertAlmostEqual(have[k], v, delta=tolerance,
                                       msg=f"{where} {k}")
            else:
                self.assertEqual(have[k], v, f"{where} {k}")

    def check_set(self, workspace_id, directory):
        with open(os.path.join(directory, "expected.json")) as f:
            expected = json.load(f)
        key = load_set(self.server, self.operator, workspace_id, directory,
                       expected["timezone"])
        tolerance = expected["tolerance"]
        checked = 0
        for q in expected["queries"]:
            _, out, _ = cli(self.server, key, *query_args(q))
            got = out["points"]
            where = f"{workspace_id} {q['metric']} {q['granularity']} {q['group_by']}"
            self.assertEqual(len(got), len(q["points"]), where)
            for e, g in zip(q["points"], got):
                self.assert_matches(e, g, tolerance, f"{where} {e['bucket_start']}")
            checked += 1
        self.assertEqual(checked, len(expected["queries"]))
        self.assertGreaterEqual(checked, 25)
        for e in expected["event_reports"]:
            _, got, _ = cli(self.server, key, "events", "report", e["event"],
                            "--output", "json")
            where = f"{workspace_id} event {e['event']}"
            self.assert_matches(e, got, tolerance, where)
            self.assertEqual({g["goal"] for g in got["goals"]},
                             {"registrations", "attendance_rate",
                              "conversions"}, where)
        self.assertEqual(len(expected["event_reports"]), 4)
        self.check_value_of_cx(key, expected, workspace_id)
        self.check_forecast(key, expected, workspace_id)

    def test_touchpoints_and_baselines(self):
        """A touchpoint joins the responses that carry its id; its baseline
        computed over a period equals the metric queried there."""
        key = load_set(self.server, self.operator, "journey", GOLDEN, "UTC")
        _, tp, _ = cli(self.server, key, "touchpoints", "create", "support",
                       "--display-name", "Support", "--stage", "service",
                       "--order", "60")
        self.assertEqual(tp["name"], "workspaces/journey/touchpoints/support")
        cli(self.server, key, "touchpoints", "create", "onboarding",
            "--display-name", "Onboarding", "--stage", "onboarding",
            "--order", "40")
        _, listed, _ = cli(self.server, key, "touchpoints", "list")
        self.assertEqual([t["name"].rsplit("/", 1)[1]
                          for t in listed["touchpoints"]],
                         ["onboarding", "support"])
        period = ["--from", "2025-07-01", "--to", "2026-01-01"]
        _, tp, _ = cli(self.server, key, "touchpoints", "baseline", "support",
                       "--metric", "csat", *period, "--filter",
                       "survey=csat-support")
        _, q, _ = cli(self.server, key, "kpi", "query", "csat", *period,
                      "--filter", "survey=csat-support", "--filter",
                      "touchpoint=support")
        baseline = tp["baselines"][0]
        self.assertEqual(baseline["metric"], "csat")
        self.assertGreater(int(baseline["n"]), 0)
        self.assertEqual(int(baseline["n"]), q["points"][0]["n"])
        self.assertAlmostEqual(baseline["value"], q["points"][0]["value"])
        _, tp, _ = cli(self.server, key, "touchpoints", "update", "support",
                       "--order", "65")
        self.assertEqual(tp["order"], 65)
        self.assertEqual(len(tp["baselines"]), 1)
        code, _, err = cli(self.server, key, "touchpoints", "create", "x",
                           "--display-name", "X", "--stage", "Bad Stage",
                           check=False)
        self.assertEqual(code, 1)
        self.assertIn("touchpoint.journey_stage", err)

    def test_targets_and_scorecard(self):
        """`scorecard` prints the shape scripts rely on, judged on the
        reference set as of a day in it."""
        key = load_set(self.server, self.operator, "steer", GOLDEN, "UTC")
        cli(self.server, key, "touchpoints", "create", "support",
            "--display-name", "Support", "--stage", "service")
        cli(self.server, key, "touchpoints", "baseline", "support",
            "--metric", "csat", "--value", "70")
        _, t, _ = cli(self.server, key, "targets", "create", "csat-support",
                      "--metric", "csat", "--goal", "80", "--direction",
                      "at_least", "--period", "month", "--filter",
                      "touchpoint=support", "--filter", "survey=csat-support",
                      "--benchmark", "78", "--benchmark-source",
                      "industry CSAT", "--min-n", "5")
        self.assertEqual(t["name"], "workspaces/steer/targets/csat-support")
        cli(self.server, key, "targets", "create", "aov", "--metric", "aov",
            "--goal", "5000", "--direction", "at_least", "--period", "quarter")
        _, card, _ = cli(self.server, key, "scorecard", "--as-of",
                         "2026-03-15")
        keys = ["target", "metric", "kpi_class", "touchpoint",
                "journey_stage", "status", "value", "n", "ci_low", "ci_high",
                "goal", "direction", "benchmark", "period_start", "baseline",
                "previous_value", "previous_n", "change", "significant",
                "forecast"]
        self.assertEqual(len(card["targets"]), 2)
        for entry in card["targets"]:
            self.assertEqual(list(entry.keys()), keys)
            self.assertIn(entry["status"],
                          ("met", "at_risk", "missed", "no_data"))
        # Tactical (AOV) first, then operational.
        aov, csat = card["targets"]
        self.assertEqual((aov["metric"], aov["kpi_class"]), ("aov", "tactical"))
        self.assertEqual(csat["kpi_class"], "operational")
        self.assertEqual(csat["touchpoint"], "support")
        self.assertEqual(csat["journey_stage"], "service")
        self.assertEqual(csat["baseline"], 70)
        self.assertEqual(csat["benchmark"], 78)
        self.assertEqual(csat["period_start"], "2026-03-01T00:00:00Z")
        _, q, _ = cli(self.server, key, "kpi", "query", "csat", "--from",
                      "2026-03-01", "--to", "2026-04-01", "--filter",
                      "touchpoint=support", "--filter", "survey=csat-support")
        self.assertEqual(csat["n"], q["points"][0]["n"])
        self.assertAlmostEqual(csat["value"], q["points"][0]["value"])
        code, _, err = cli(self.server, key, "targets", "create", "bad",
                           "--metric", "csat", "--goal", "80", "--period",
                           "day", check=False)
        self.assertEqual(code, 1)
        self.assertIn("target.period", err)
        self.assertIn("target.direction", err)

    def check_forecast(self, key, expected, workspace_id):
        """`forecast` prints the history exactly as `kpi query` does, then
        the next buckets, each inside its intervals and NPS's bounds."""
        q = next(q for q in expected["queries"]
                 if q["metric"] == "nps" and q["granularity"] != "NONE"
                 and not q["group_by"])
        args = ["--from", q["from"], "--to", q["to"], "--granularity",
                q["granularity"].lower()]
        for k, v in q["filters"].items():
            args += ["--filter", f"{k}={v}"]
        _, history, _ = cli(self.server, key, "kpi", "query", "nps", *args)
        _, out, _ = cli(self.server, key, "forecast", "nps", *args,
                        "--horizon", "3")
        where = f"{workspace_id} forecast"
        self.assertEqual(out["points"], history["points"], where)
        self.assertIn(out["model"]["method"], ("holt", "holt_winters"), where)
        self.assertEqual(len(out["forecast"]), 3, where)
        starts = [p["bucket_start"] for p in out["forecast"]]
        self.assertEqual(starts, sorted(starts), where)
        self.assertGreater(starts[0], history["points"][-1]["bucket_start"])
        for f in out["forecast"]:
            self.assertLessEqual(-100, f["pi95_low"])
            self.assertLessEqual(f["pi95_low"], f["pi80_low"])
            self.assertLessEqual(f["pi80_low"], f["value"])
            self.assertLessEqual(f["value"], f["pi80_high"])
            self.assertLessEqual(f["pi80_high"], f["pi95_high"])
            self.assertLessEqual(f["pi95_high"], 100)
        code, _, err = cli(self.server, key, "forecast", "nps", *args,
                           check=False)
        self.assertEqual(code, 2, where)  # --horizon is required
        self.assertIn("--horizon", err)

    def check_value_of_cx(self, key, expected, workspace_id):
        """value-report prints value_of_cx[] exactly: the same keys, all
        three groups best first, null where absent, values within the
        tolerance."""
        tolerance = expected["tolerance"]
        cases = expected["value_of_cx"]
        self.assertEqual(len(cases), 2)
        for e in cases:
            _, got, _ = cli(self.server, key, "value-report", "--kind",
                            e["kind"], "--from", e["from"], "--to", e["to"],
                            "--output", "json")
            where = f"{workspace_id} value_of_cx {e['kind']}"
            self.assertEqual(list(got.keys()), list(e.keys()), where)
            self.assertEqual(got["from"], e["from"], where)
            self.assertEqual(got["to"], e["to"], where)
            self.assertEqual([g["group"] for g in got["groups"]],
                             [g["group"] for g in e["groups"]], where)
            pairs = list(zip(e["groups"], got["groups"]))
            pairs.append((e["headline"], got["headline"]))
            for want, have in pairs:
                self.assertEqual(set(have.keys()), set(want.keys()), where)
                self.assert_matches(want, have, tolerance, where)

    def test_reference_set(self):
        self.check_set("golden", GOLDEN)

    def test_other_seeds_and_zones(self):
        # The generator sits in ../shared beside the project, on every
        # machine that runs these tests: its absence is a failure.
        self.assertTrue(os.path.exists(GENERATOR),
                        f"{GENERATOR} is missing: ../shared must sit beside the project")
        for seed, zone in ((7, "America/New_York"), (11, "Asia/Kolkata")):
            out = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
            self.addCleanup(shutil.rmtree, out)
            subprocess.run([sys.executable, GENERATOR, out, "--seed", str(seed),
                            "--scale", "1", "--tz", zone], check=True,
                           capture_output=True)
            self.check_set(f"seed-{seed}", out)

    def test_comparison_and_dimension_values(self):
        key = load_set(self.server, self.operator, "compare", GOLDEN,
                       "Europe/Helsinki")
        _, out, _ = cli(self.server, key, "kpi", "compare", "nps", "--from",
                        "2026-03-01", "--to", "2026-04-01", "--filter",
                        "survey=nps-relationship")
        self.assertEqual(out["previous_range"]["start_time"], "2026-01-31T22:00:00Z")
        c = out["comparisons"][0]
        self.assertAlmostEqual(c["change"],
                               c["current"]["value"] - c["previous"]["value"])
        self.assertIsInstance(c["significant"], bool)
        _, values, _ = cli(self.server, key, "kpi", "values", "channel",
                           "--metric", "nps")
        self.assertEqual(values["values"],
                         ["chat", "email", "mobile_app", "phone", "web"])
        _, values, _ = cli(self.server, key, "kpi", "values", "channel")
        self.assertIn("store", values["values"])   # a purchase channel
        self.assertIn("self_service", values["values"])   # a ticket channel
        _, values, _ = cli(self.server, key, "kpi", "values", "source",
                           "--metric", "conversion_rate")
        self.assertEqual(values["values"],
                         ["direct", "email", "organic_search", "paid_search",
                          "referral", "social"])
        code, _, err = cli(self.server, key, "kpi", "query", "nps", "--from",
                           "2026-01-01", "--to", "2026-02-01", "--group-by",
                           "colour", check=False)
        self.assertEqual(code, 1)
        self.assertIn("group_by", err)


if __name__ == "__main__":
    unittest.main()
