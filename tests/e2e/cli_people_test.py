"""The CLI for people against a real server with the reference data: tables
rounded and labelled in the workspace's zone with n and small samples,
the terminal chart, CSV, completion, per-command help, and the Batch*
RPCs fed from JSON lines."""
import csv
import io
import json
import os
import subprocess
import tempfile
import unittest

from harness import MITTARI, Server, cli, load_golden
from harness import expected_query as expected


WEEKLY = ["kpi", "query", "nps", "--from", "2025-12-01", "--to", "2026-02-02",
          "--granularity", "week", "--filter", "survey=nps-relationship"]


class CliForPeople(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.key = cls.server.key("admin")
        load_golden(cls.server, cls.key)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    def run_cli(self, *args, stdin=None):
        env = dict(os.environ, MITTARI_ADDR=self.server.addr, MITTARI_KEY=self.key)
        return subprocess.run([MITTARI, *args], env=env, capture_output=True, text=True,
                              input=stdin, timeout=60)

    def test_table_reads_as_people_read(self):
        out = self.run_cli(*WEEKLY, "--min-n", "15")
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["PERIOD", "VALUE", "95%", "CI", "N", "PROMOTERS",
                                            "PASSIVES", "DETRACTORS"])
        points = expected("nps", "WEEK")["points"]
        self.assertEqual(len(lines) - 1, len(points))
        weeks = ["2025-W49", "2025-W50", "2025-W51", "2025-W52", "2026-W01", "2026-W02",
                 "2026-W03", "2026-W04", "2026-W05"]
        for line, p, week in zip(lines[1:], points, weeks):
            self.assertTrue(line.startswith(week + " "), line)
            if p["n"] < 15:
                self.assertIn(f"{p['n']} small sample", line)
                self.assertIn("—", line)
            else:
                half = (p["ci_high"] - p["ci_low"]) / 2
                self.assertIn(f"{p['value']:.1f}", line.split())
                self.assertIn(f"± {half:.1f}", line)
                self.assertNotIn("small", line)
        aov = expected("aov", "QUARTER")
        money = self.run_cli("kpi", "query", "aov", "--from", aov["from"], "--to",
                             aov["to"], "--granularity", "quarter").stdout.splitlines()
        self.assertEqual(money[1].split()[:3],
                         ["2025-Q1", f"{aov['points'][0]['value'] / 100:,.2f}", "EUR"])

    def test_json_stays_as_it_was(self):
        out = json.loads(self.run_cli("--output", "json", *WEEKLY).stdout)
        points = expected("nps", "WEEK")["points"]
        self.assertEqual(out["points"][0]["bucket_start"], points[0]["bucket_start"])
        self.assertEqual(out["points"][0]["value"], points[0]["value"])

    def test_csv_for_spreadsheets(self):
        out = self.run_cli("--output", "csv", *WEEKLY)
        self.assertEqual(out.returncode, 0, out.stderr)
        rows = list(csv.DictReader(io.StringIO(out.stdout)))
        points = expected("nps", "WEEK")["points"]
        self.assertEqual(len(rows), len(points))
        for row, p in zip(rows, points):
            self.assertEqual(row["bucket_start"], p["bucket_start"])
            self.assertAlmostEqual(float(row["value"]), p["value"], places=9)
            self.assertEqual(int(row["n"]), p["n"])
            self.assertEqual(int(row["promoters"]), p["promoters"])

    def test_chart(self):
        out = self.run_cli("kpi", "chart", "nps", "--from", "2025-12-01", "--to",
                           "2026-02-02", "--filter", "survey=nps-relationship")
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertTrue(lines[0].startswith("nps  "))
        self.assertEqual(len(lines[0].split()[1]), 9)  # a sparkline, one block a week
        bars = [l for l in lines if l.startswith(("2025-W", "2026-W"))]
        self.assertEqual(len(bars), 9)
        for line in bars:
            self.assertIn("●", line)
            self.assertIn("├", line)
        self.assertTrue(lines[-1].startswith("scale "))

    def test_completion_and_help(self):
        script = self.run_cli("completion", "bash").stdout
        probe = ("source /dev/stdin; COMP_WORDS=(mittari kpi ''); COMP_CWORD=2; _mittari; "
                 "echo ${COMPREPLY[@]}; COMP_WORDS=(mittari kpi query nps --gr); COMP_CWORD=4; "
                 "_mittari; echo ${COMPREPLY[@]}")
        words = subprocess.run(["bash", "-c", probe], input=script, capture_output=True,
                               text=True).stdout.splitlines()
        self.assertIn("chart", words[0].split())
        self.assertIn("query", words[0].split())
        self.assertEqual(words[1].split(), ["--granularity", "--group-by"])
        self.assertTrue(self.run_cli("completion", "zsh").stdout.startswith("#compdef mittari"))
        self.assertEqual(self.run_cli("completion", "fish").returncode, 2)
        help_ = self.run_cli("kpi", "query", "--help")
        self.assertEqual(help_.returncode, 0)
        self.assertIn("--granularity", help_.stdout)
        self.assertIn("example:\n  mittari kpi query nps", help_.stdout)

    def test_review_report(self):
        out_dir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        path = os.path.join(out_dir, "review.html")
        out = self.run_cli("report", "--from", "2025-07-01", "--to", "2026-07-01",
                           "--survey", "nps-relationship", "--granularity", "quarter",
                           "--out", path)
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(path) as f:
            html = f.read()
        for title in ("NPS trend", "CSAT by channel", "CES by touchpoint", "Responses",
                      "Churn and retention by month", "Active visitors",
                      "Conversion by source", "Tickets by channel", "Events", "Scorecard",
                      "Alerts"):
            self.assertIn(f"<h2>{title}</h2>", html)
        self.assertIn('class="band"', html)  # the NPS CI band
        _, q, _ = cli(self.server, self.key, "kpi", "query", "nps", "--from", "2025-07-01",
                      "--to", "2026-07-01", "--granularity", "quarter", "--filter",
                      "survey=nps-relationship")
        for p, quarter in zip(q["points"], ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]):
            half = (p["ci_high"] - p["ci_low"]) / 2
            self.assertIn(f'<th scope="row">{quarter}</th><td>{p["value"]:.1f}</td>'
                          f'<td>± {half:.1f}</td><td>{p["n"]:,}</td>', html)
        self.assertIn("Webinar A", html)
        bad = self.run_cli("report", "--from", "2025-07-01", "--to", "2026-07-01")
        self.assertEqual(bad.returncode, 2)

    def test_batches_from_json_lines(self):
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False,
                                         dir=os.environ.get("TEST_TMPDIR")) as f:
            for i in range(1500):
                f.write(json.dumps({"response_id": f"b-{i}", "response": {
                    "survey_id": "nps-relationship", "score": i % 11,
                    "submit_time": "2026-06-10T10:00:00Z"}}) + "\n")
            good = f.name
        self.addCleanup(os.remove, good)
        out = self.run_cli("--output", "json", "responses", "batch", "--from-file", good)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout), {"received": 1500, "stored": 1500,
                                                  "duplicates": 0})
        again = json.loads(self.run_cli("--output", "json", "responses", "batch",
                                        "--from-file", good).stdout)
        self.assertEqual(again["duplicates"], 1500)
        bad = self.run_cli("responses", "batch", "--from-file", "-",
                           stdin='{"response_id": "x-1", "response": {"score": 3}}\n{"oops"\n')
        self.assertEqual(bad.returncode, 1)
        self.assertIn("-:2:", bad.stderr)
        self.assertIn("INVALID_ARGUMENT", bad.stderr)
        _, got, _ = cli(self.server, self.key, "responses", "get", "x-1", check=False)
        self.assertIsNone(got)


if __name__ == "__main__":
    unittest.main()
