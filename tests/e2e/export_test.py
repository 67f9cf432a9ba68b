"""`mittari workspace export DIR` through the real server and CLI: the
reference set, with a customer who came back and one who was erased,
exported as the import's CSV files and imported into an empty workspace,
gives every KPI of expected.json, and every event report, as the original
does."""
import csv
import json
import os
import tempfile
import unittest

from harness import Server, cli
from kpi_test import GOLDEN, KINDS, load_set, query_args


class Export(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.operator = cls.server.key("operator")
        with open(os.path.join(GOLDEN, "expected.json")) as f:
            cls.expected = json.load(f)
        cls.key = load_set(cls.server, cls.operator, "origin", GOLDEN,
                           cls.expected["timezone"])

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def kpis(self, key):
        out = []
        for q in self.expected["queries"]:
            _, got, _ = cli(self.server, key, *query_args(q))
            out.append(got["points"])
        for q in (["churn_rate", "--granularity", "quarter"],
                  ["retention_rate", "--granularity", "month",
                   "--group-by", "segment"]):
            _, got, _ = cli(self.server, key, "kpi", "query", *q, "--from",
                            "2025-01-01", "--to", "2026-07-01")
            out.append(got["points"])
        for e in self.expected["event_reports"]:
            _, got, _ = cli(self.server, key, "events", "report", e["event"])
            out.append(got)
        return out

    def test_export_then_import_gives_every_kpi(self):
        k = self.key
        # One who came back (an earlier interval), one who was erased (a
        # pseudonym in the facts), both with facts.
        cli(self.server, k, "customers", "create", "ex-back", "--segment",
            "smb", "--acquired-at", "2025-01-05T00:00:00Z")
        cli(self.server, k, "customers", "churn", "ex-back", "--time",
            "2025-08-10T00:00:00Z")
        cli(self.server, k, "customers", "reactivate", "ex-back", "--time",
            "2026-02-10T00:00:00Z")
        cli(self.server, k, "customers", "create", "ex-gone", "--name",
            "Gone Person", "--email", "gone@example.com", "--segment",
            "enterprise", "--acquired-at", "2025-03-01T00:00:00Z")
        for n, who in enumerate(("ex-back", "ex-gone")):
            cli(self.server, k, "purchases", "record", f"xp-{n}", "--customer",
                who, "--time", "2026-03-03T10:00:00Z", "--amount", "99.90")
            cli(self.server, k, "responses", "submit", "--id", f"xr-{n}",
                "--survey", "nps-relationship", "--customer", who, "--time",
                "2026-03-04T10:00:00Z", "--score", "4", "--comment",
                f"call {who} on 555")
        cli(self.server, k, "customers", "erase", "ex-gone")
        before = self.kpis(k)

        with tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR")) as d:
            _, out, _ = cli(self.server, k, "workspace", "export", d)
            files = {os.path.basename(f["file"]): f["rows"] for f in out["files"]}
            self.assertEqual(set(files), {f"{kind}.csv" for kind in KINDS})
            with open(os.path.join(GOLDEN, "responses.csv")) as f:
                golden_responses = sum(1 for _ in f) - 1
            self.assertEqual(files["responses.csv"], golden_responses + 2)
            # The import format: the reference set's header columns, and
            # nothing of the erased person.
            for kind in KINDS:
                with open(os.path.join(GOLDEN, f"{kind}.csv")) as f:
                    golden = next(csv.reader(f))
                with open(os.path.join(d, f"{kind}.csv")) as f:
                    text = f.read()
                header = next(csv.reader([text.splitlines()[0]]))
                self.assertTrue(set(golden) <= set(header), kind)
                for secret in ("ex-gone", "Gone Person", "gone@example.com"):
                    self.assertFalse(secret in text, f"{kind}: {secret}")
            with open(os.path.join(d, "customers.csv")) as f:
                back = next(r for r in csv.DictReader(f) if r["id"] == "ex-back")
            self.assertEqual(back["past_intervals"],
                             "2025-01-05T00:00:00Z/2025-08-10T00:00:00Z")

            _, created, _ = cli(self.server, self.operator, "workspace",
                                "create", "--id", "copy", "--display-name",
                                "Copy", "--time-zone",
                                self.expected["timezone"], "--currency", "EUR")
            copy = created["admin_key"]["secret"]
            for kind in KINDS:
                cli(self.server, copy, "import", kind,
                    os.path.join(d, f"{kind}.csv"))
        after = self.kpis(copy)
        self.assertEqual(len(before), len(after))
        for i, (b, a) in enumerate(zip(before, after)):
            self.assertEqual(b, a, f"KPI {i}")

    def test_only_an_admin_exports(self):
        _, key, _ = cli(self.server, self.key, "keys", "create", "--role",
                        "write")
        with tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR")) as d:
            code, _, err = cli(self.server, key["secret"], "workspace",
                               "export", d, check=False)
        self.assertEqual(code, 1)
        self.assertIn("PERMISSION_DENIED", err)


if __name__ == "__main__":
    unittest.main()
