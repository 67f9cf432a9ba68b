"""GDPR through the real server and CLI: a customer's export holds their
name, e-mail and comments; after erasure no RocksDB file holds them, the
customer is gone, and every KPI is what it was."""
import os
import unittest

from harness import Server, cli
from kpi_test import GOLDEN, load_set

NAME = "Zelda Quintessa-Erasure"
EMAIL = "zelda.q@erase-me.example"
COMMENT = "Xylophone-42 remark that only Zelda wrote"
KPIS = [
    ("nps", "--filter", "survey=nps-relationship", "--group-by", "segment"),
    ("repeat_purchase_rate", "--group-by", "region"),
    ("aov", "--granularity", "quarter"),
    ("conversion_rate", "--group-by", "source"),
    ("dau", "--granularity", "month"),
    ("churn_rate", "--granularity", "quarter", "--group-by", "segment"),
    ("retention_rate", "--granularity", "quarter"),
    ("clv_historical", "--granularity", "quarter"),
    ("clv_predictive", "--group-by", "segment"),
    ("engagement_rate", "--granularity", "month"),
    ("ticket_volume", "--granularity", "month"),
]


def files_containing(root, needles):
    found = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                data = f.read()
            for needle in needles:
                if needle.encode() in data:
                    found.append((path, needle))
    return found


class Erasure(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.key = load_set(cls.server, cls.server.key("operator"), "gdpr",
                           GOLDEN, "Europe/Helsinki")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def kpis(self):
        _, report, _ = cli(self.server, self.key, "events", "report", "ev-a")
        out = [report]
        for metric, *rest in KPIS:
            _, got, _ = cli(self.server, self.key, "kpi", "query", metric,
                            "--from", "2025-01-01", "--to", "2026-07-01", *rest)
            out.append(got["points"])
        return out

    def test_export_then_erase(self):
        k = self.key
        cli(self.server, k, "customers", "create", "zq-1", "--name", NAME,
            "--email", EMAIL, "--segment", "smb", "--region", "fi",
            "--type", "b2c", "--acquired-at", "2025-02-01T10:00:00Z")
        cli(self.server, k, "responses", "submit", "--id", "zq-r1",
            "--survey", "nps-relationship", "--customer", "zq-1",
            "--time", "2026-03-03T10:00:00Z", "--score", "3",
            "--comment", COMMENT)
        for i, day in enumerate(("2026-02-02", "2026-02-20", "2026-05-05")):
            cli(self.server, k, "purchases", "record", f"zq-p{i}", "--customer",
                "zq-1", "--time", f"{day}T12:00:00Z", "--amount", "120.50")
        cli(self.server, k, "purchases", "record", "zq-refund", "--customer",
            "zq-1", "--time", "2026-05-06T12:00:00Z", "--amount", "-20.50",
            "--refund-of", "zq-p2")
        cli(self.server, k, "sessions", "record", "zq-s1", "--visitor", "zq-v",
            "--customer", "zq-1", "--time", "2026-03-03T09:00:00Z",
            "--duration", "300", "--page-views", "4", "--source", "email",
            "--device", "mobile", "--converted", "true")
        cli(self.server, k, "tickets", "record", "zq-t1", "--customer", "zq-1",
            "--channel", "chat", "--created", "2026-03-04T08:00:00Z",
            "--first-response", "2026-03-04T08:30:00Z")
        cli(self.server, k, "events", "register", "ev-a", "zq-1",
            "--registered", "2026-02-01T10:00:00Z", "--attended", "true",
            "--minutes", "45")
        cli(self.server, k, "customers", "churn", "zq-1", "--time",
            "2026-06-01T00:00:00Z")

        _, export, _ = cli(self.server, k, "customers", "export", "zq-1")
        self.assertEqual(export["customer"]["display_name"], NAME)
        self.assertEqual(export["customer"]["email"], EMAIL)
        self.assertEqual([r["comment"] for r in export["responses"]], [COMMENT])
        self.assertEqual(len(export["purchases"]), 4)
        self.assertEqual(len(export["sessions"]), 1)
        self.assertEqual(len(export["tickets"]), 1)
        self.assertEqual([r["event_id"] for r in export["registrations"]],
                         ["ev-a"])
        before = self.kpis()
        data = os.path.join(self.server.data_dir, "data")
        # Before erasure the strings are somewhere in the store's files
        # (the log at least): the check below is not vacuous.
        self.assertTrue(files_containing(data, [NAME]))

        _, erased, _ = cli(self.server, k, "customers", "erase", "zq-1")
        self.assertEqual(erased, {"responses": 1, "purchases": 4,
                                  "sessions": 1, "tickets": 1,
                                  "registrations": 1})
        self.assertEqual(files_containing(data, [NAME, EMAIL, COMMENT]), [])
        code, _, err = cli(self.server, k, "customers", "get", "zq-1",
                           check=False)
        self.assertEqual(code, 1)
        self.assertIn("NOT_FOUND", err)
        _, purchase, _ = cli(self.server, k, "purchases", "get", "zq-p0")
        self.assertNotEqual(purchase["customer_id"], "zq-1")
        _, response, _ = cli(self.server, k, "responses", "get", "zq-r1")
        self.assertEqual(response["comment"], "")
        self.assertEqual(response["score"], 3)
        self.assertEqual(self.kpis(), before)

        # After a restart too: nothing comes back from the log.
        self.server.stop()
        self.server.start()
        self.assertEqual(files_containing(data, [NAME, EMAIL, COMMENT]), [])
        self.assertEqual(self.kpis(), before)


if __name__ == "__main__":
    unittest.main()
