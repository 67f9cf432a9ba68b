"""The Python client against a real mittarid holding the reference data:
the example prints NPS by week as expected.json says, List calls page,
query_metric returns typed rows, UNAVAILABLE is retried, keys stay off
non-loopback cleartext."""
import datetime as dt
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..")
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

import grpc  # noqa: E402

import mittari  # noqa: E402
from harness import GOLDEN, Server, expected_query as expected, load_golden  # noqa: E402
from mittari.v1 import customer_pb2, survey_pb2  # noqa: E402


class PythonClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.key = cls.server.key("admin")
        load_golden(cls.server, cls.key)
        cls.client = mittari.Client(cls.server.addr, cls.key)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.server.stop()
        cls.server.cleanup()

    def test_example_prints_nps_by_week(self):
        env = dict(os.environ, MITTARI_ADDR=self.server.addr, MITTARI_KEY=self.key)
        out = subprocess.run(
            [sys.executable, os.path.join(HERE, "..", "examples", "nps_by_week.py"),
             "--survey", "nps-relationship", "--from", "2025-12-01", "--to", "2026-02-02"],
            env=env, capture_output=True, text=True, check=True).stdout.splitlines()
        want = expected("nps", "WEEK")["points"]
        self.assertEqual(out[0].split(), ["week", "NPS", "95", "%", "CI", "n"])
        self.assertEqual(len(out) - 1, len(want))
        for line, p in zip(out[1:], want):
            start = dt.datetime.fromisoformat(p["bucket_start"].replace("Z", "+00:00"))
            year, week, _ = (start + dt.timedelta(hours=3)).isocalendar()
            half = (p["ci_high"] - p["ci_low"]) / 2
            self.assertEqual(line.split(), [f"{year}-W{week:02d}", f"{p['value']:.1f}",
                                            "±", f"{half:.1f}", str(p["n"])])

    def test_query_metric_returns_typed_rows(self):
        q = expected("nps", "NONE")
        [row] = self.client.query_metric("nps", q["from"], q["to"], filters=q["filters"])
        want = q["points"][0]
        self.assertIsNone(row.bucket_start)
        self.assertAlmostEqual(row.value, want["value"], places=9)
        self.assertEqual(row.n, want["n"])
        self.assertAlmostEqual(row.ci_low, want["ci_low"], places=9)
        self.assertEqual((row.promoters, row.passives, row.detractors),
                         (want["promoters"], want["passives"], want["detractors"]))
        weekly = self.client.query_metric("nps", dt.datetime(2025, 11, 30, 22),
                                          dt.datetime(2026, 2, 1, 22), granularity="week",
                                          filters={"survey": "nps-relationship"}, min_n=15)
        self.assertEqual(weekly[0].bucket_start,
                         dt.datetime(2025, 11, 30, 22, tzinfo=dt.timezone.utc))
        small = [r for r in weekly if r.n < 15]
        self.assertTrue(small and all(r.value is None and r.suppressed for r in small))
        with self.assertRaises(ValueError):
            self.client.query_metric("nps", "2026-01-01", "2026-02-01", granularity="fortnight")

    def test_dataframe_when_pandas_is_installed(self):
        try:
            import pandas  # noqa: F401
        except ImportError:
            with self.assertRaises(ImportError):
                self.client.query_metric_frame("nps", "2026-01-01", "2026-02-01")
            return
        frame = self.client.query_metric_frame("csat", "2025-07-01", "2026-07-01",
                                               group_by=["channel"])
        self.assertIn("channel", frame.columns)
        self.assertIn("value", frame.columns)

    def test_lists_page_through_everything(self):
        with open(os.path.join(GOLDEN, "customers.csv")) as f:
            customers = sum(1 for _ in f) - 1
        items = list(self.client.list(self.client.customers.ListCustomers,
                                      customer_pb2.ListCustomersRequest(page_size=37)))
        self.assertEqual(len(items), customers)
        self.assertEqual(len({c.name for c in items}), customers)
        surveys = list(self.client.list(self.client.surveys.ListSurveys,
                                        survey_pb2.ListSurveysRequest(page_size=1)))
        with open(os.path.join(GOLDEN, "surveys.csv")) as f:
            self.assertEqual(len(surveys), sum(1 for _ in f) - 1)

    def test_errors_keep_their_code(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.query_metric("no_such_metric", "2026-01-01", "2026-02-01")
        self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("metric", caught.exception.details())

    def test_unavailable_is_retried_with_backoff(self):
        # Nothing listens on port 1: every attempt is UNAVAILABLE.
        with mittari.Client("127.0.0.1:1", "mk_x", retries=3, retry_delay=0.01,
                            timeout=5) as down:
            with self.assertRaises(grpc.RpcError) as caught:
                down.query_metric("nps", "2026-01-01", "2026-02-01")
            self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)
            self.assertEqual(down.retries, 2)

    def test_environment_and_key_safety(self):
        env = {"MITTARI_ADDR": self.server.addr, "MITTARI_KEY": self.key}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            with mittari.Client() as from_env:
                self.assertEqual(len(from_env.query_metric("response_count", "2025-07-01",
                                                           "2026-07-01")), 1)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        with self.assertRaises(ValueError):
            mittari.Client("192.0.2.1:50051", "mk_secret")


if __name__ == "__main__":
    unittest.main()
