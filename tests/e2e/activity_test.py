"""Purchases, sessions and tickets through the real server and CLI: import
with file:line:column errors, idempotent re-import, replacement by id
without double counting, refunds, and churn with re-activation."""
import os
import shutil
import tempfile
import unittest

from harness import Server, cli
from kpi_test import GOLDEN, load_set

RANGE = ("--from", "2025-07-01", "--to", "2026-07-01")


class Activity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.key = load_set(cls.server, cls.server.key("operator"), "acts",
                           GOLDEN, "Europe/Helsinki")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def query(self, metric, *args):
        _, out, _ = cli(self.server, self.key, "kpi", "query", metric, *RANGE,
                        *args)
        return out["points"]

    def test_reimport_changes_nothing(self):
        for kind in ("purchases", "sessions", "tickets"):
            _, summary, _ = cli(self.server, self.key, "import", kind,
                                os.path.join(GOLDEN, f"{kind}.csv"))
            self.assertEqual(summary["created"], 0, kind)
            self.assertEqual(summary["updated"], 0, kind)
            self.assertEqual(summary["unchanged"], summary["received"], kind)

    def test_bad_rows_name_file_line_and_column_and_store_nothing(self):
        tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        self.addCleanup(shutil.rmtree, tmp)
        cases = [
            ("purchases.csv", "id,customer_id,occurred_at,amount,currency,channel\n"
             "bp1,c00001,2026-01-02T10:00:00Z,10.00,EUR,web\n"
             "bp2,c00001,2026-01-02T10:00:00Z,10.00,SEK,web\n",
             ":3: column currency"),
            ("purchases.csv", "id,customer_id,occurred_at,amount,currency,channel\n"
             "bp3,c00001,2026-01-02T10:00:00Z,-10.00,EUR,web\n",
             ":2: column amount"),
            ("purchases.csv", "id,customer_id,occurred_at,amount,currency,channel\n"
             "bp4,nobody,2026-01-02T10:00:00Z,1.00,EUR,web\n",
             ":2: column customer_id"),
            ("tickets.csv", "id,customer_id,channel,created_at,first_response_at,resolved_at\n"
             "bt1,c00001,chat,2026-01-02T10:00:00Z,2026-01-02T09:00:00Z,\n",
             ":2: column first_response_at"),
            ("sessions.csv", "id,visitor_id,customer_id,started_at,duration_seconds,"
             "page_views,source,device,landing_page,content_type,keyword,converted\n"
             "bs1,v1,,2026-01-02T10:00:00Z,-5,1,direct,mobile,/,page,,false\n",
             ":2: column duration_seconds"),
        ]
        for name, text, where in cases:
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.write(text)
            code, _, err = cli(self.server, self.key, "import",
                               name.split(".")[0], path, check=False)
            self.assertEqual(code, 1, text)
            self.assertIn(path + where, err)
        for kind, record in (("purchases", "bp1"), ("tickets", "bt1"),
                             ("sessions", "bs1")):
            code, _, _ = cli(self.server, self.key, kind, "get", record,
                             check=False)
            self.assertEqual(code, 1)

    def test_a_ticket_updated_as_it_moves_counts_once(self):
        def channel(points, name):
            return next(p for p in points if p["group"]["channel"] == name)
        before_rate = channel(self.query("resolution_rate", "--group-by",
                                         "channel"), "phone")
        before_volume = sum(p["value"] for p in self.query(
            "ticket_volume", "--filter", "channel=phone"))
        cli(self.server, self.key, "tickets", "record", "mv-1", "--customer",
            "c00002", "--channel", "phone", "--created", "2026-02-01T10:00:00Z")
        cli(self.server, self.key, "tickets", "record", "mv-1", "--customer",
            "c00002", "--channel", "phone", "--created", "2026-02-01T10:00:00Z",
            "--first-response", "2026-02-01T10:10:00Z",
            "--resolved", "2026-02-02T10:00:00Z")
        after = channel(self.query("resolution_rate", "--group-by", "channel"),
                        "phone")
        self.assertEqual(after["n"], before_rate["n"] + 1)
        resolved = round(before_rate["value"] * before_rate["n"] / 100)
        self.assertAlmostEqual(after["value"],
                               100 * (resolved + 1) / (before_rate["n"] + 1))
        volume = sum(p["value"] for p in self.query(
            "ticket_volume", "--filter", "channel=phone"))
        self.assertEqual(volume, before_volume + 1)

    def test_refunds_net_revenue_but_are_no_orders(self):
        args = ("--from", "2026-06-20", "--to", "2026-06-21")
        _, base, _ = cli(self.server, self.key, "kpi", "query", "aov", *args)
        n = base["points"][0]["n"]
        revenue = (base["points"][0]["value"] or 0) * n
        cli(self.server, self.key, "purchases", "record", "rf-1", "--customer",
            "c00003", "--time", "2026-06-20T08:00:00Z", "--amount", "100")
        cli(self.server, self.key, "purchases", "record", "rf-2", "--customer",
            "c00003", "--time", "2026-06-20T09:00:00Z", "--amount", "-40",
            "--refund-of", "rf-1")
        _, aov, _ = cli(self.server, self.key, "kpi", "query", "aov", *args)
        self.assertEqual(aov["points"][0]["n"], n + 1)
        self.assertAlmostEqual(aov["points"][0]["value"],
                               (revenue + 6000) / (n + 1))
        for amount in ("-120", "-80"):   # alone, or with the first refund
            code, _, err = cli(self.server, self.key, "purchases", "record",
                               "rf-3", "--customer", "c00003", "--time",
                               "2026-06-20T09:00:00Z", "--amount", amount,
                               "--refund-of", "rf-1", check=False)
            self.assertEqual(code, 1, amount)
            self.assertIn("purchase.amount", err)
        # The first refund may be changed: it replaces itself.
        cli(self.server, self.key, "purchases", "record", "rf-2", "--customer",
            "c00003", "--time", "2026-06-20T09:00:00Z", "--amount", "-100",
            "--refund-of", "rf-1")

    def test_a_returning_customer_opens_a_new_interval(self):
        k = self.key
        cli(self.server, k, "customers", "create", "ret-1", "--segment",
            "returning", "--acquired-at", "2025-01-05T00:00:00Z")
        cli(self.server, k, "customers", "churn", "ret-1", "--time",
            "2025-08-10T00:00:00Z")
        cli(self.server, k, "customers", "reactivate", "ret-1", "--time",
            "2026-02-10T00:00:00Z")
        points = self.query("churn_rate", "--granularity", "quarter",
                            "--filter", "segment=returning")
        got = [(p["start"], p["new"], p["lost"], p["end"]) for p in points]
        self.assertEqual(got, [(1, 0, 1, 0), (0, 0, 0, 0), (0, 1, 0, 1),
                               (1, 0, 0, 1)])
        code, _, err = cli(self.server, k, "customers", "reactivate", "ret-1",
                           "--time", "2026-03-01T00:00:00Z", check=False)
        self.assertEqual(code, 1)
        self.assertIn("FAILED_PRECONDITION", err)


if __name__ == "__main__":
    unittest.main()
