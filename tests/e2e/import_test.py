"""The golden data set imported through the real CLI into the real server:
exactly the rows of the files are stored, a second import changes nothing,
a file with one bad row stores nothing and names the row, and the follow-up
list equals the low scores of responses.csv, newest first."""
import csv
import os
import shutil
import tempfile
import unittest

from harness import Server, cli

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden")


def rows(name):
    with open(os.path.join(GOLDEN, f"{name}.csv"), newline="") as f:
        return list(csv.DictReader(f))


class GoldenImport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.admin = cls.server.key("admin")
        cli(cls.server, cls.admin, "workspace", "update", "--time-zone",
            "Europe/Helsinki", "--currency", "EUR")
        cls.first = {}
        for kind in ("customers", "surveys", "responses"):
            _, cls.first[kind], _ = cli(cls.server, cls.admin, "import", kind,
                                        os.path.join(GOLDEN, f"{kind}.csv"))

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def list_responses(self, *extra):
        _, out, _ = cli(self.server, self.admin, "responses", "list",
                        "--limit", "1000000", *extra)
        return out["responses"]

    def test_imports_exactly_the_rows_of_the_files(self):
        self.assertEqual(self.first["customers"]["created"], len(rows("customers")))
        self.assertEqual(self.first["surveys"]["created"], len(rows("surveys")))
        self.assertEqual(self.first["responses"]["stored"], len(rows("responses")))

        _, customers, _ = cli(self.server, self.admin, "customers", "list")
        by_id = {c["name"].rsplit("/", 1)[1]: c for c in customers["customers"]}
        expected = rows("customers")
        self.assertEqual(sorted(by_id), sorted(r["id"] for r in expected))
        for r in expected[::97]:
            c = by_id[r["id"]]
            self.assertEqual(c["display_name"], r["name"])
            self.assertEqual(c["email"], r["email"])
            self.assertEqual(c["segment"], r["segment"])
            self.assertEqual(c["region"], r["region"])
            self.assertEqual(c["customer_type"], r["customer_type"])
            self.assertEqual(c["acquire_time"], r["acquired_at"])
            self.assertEqual(c["churn_time"], r["churned_at"] or None)

        stored = {x["name"].rsplit("/", 1)[1]: x for x in self.list_responses()}
        expected = rows("responses")
        self.assertEqual(len(stored), len(expected))
        for r in expected[::53]:
            x = stored[r["id"]]
            self.assertEqual(x["survey_id"], r["survey_id"])
            self.assertEqual(x["customer_id"], r["customer_id"])
            self.assertEqual(x["submit_time"], r["submitted_at"])
            self.assertEqual(x["score"], int(r["score"]))
            self.assertEqual(x["channel"], r["channel"])
            self.assertEqual(x["touchpoint"], r["touchpoint"])
            self.assertEqual(x["comment"], r["comment"])
            self.assertEqual(x["tags"], [t for t in r["tags"].split(";") if t])
            self.assertEqual(x["event_id"], r["event_id"])

    def test_a_second_import_changes_nothing(self):
        for kind, key in (("customers", "unchanged"), ("surveys", "unchanged"),
                          ("responses", "duplicates")):
            _, again, _ = cli(self.server, self.admin, "import", kind,
                              os.path.join(GOLDEN, f"{kind}.csv"))
            self.assertEqual(again[key], len(rows(kind)), kind)
            self.assertEqual(again.get("created", 0) + again.get("updated", 0)
                             + again.get("stored", 0), 0, kind)
        self.assertEqual(len(self.list_responses()), len(rows("responses")))

    def test_a_file_with_one_bad_row_stores_nothing_and_names_it(self):
        tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        self.addCleanup(shutil.rmtree, tmp)
        bad = os.path.join(tmp, "responses.csv")
        with open(os.path.join(GOLDEN, "responses.csv")) as src, open(bad, "w") as out:
            lines = src.read().splitlines()
            header, body = lines[0], lines[1:40]
            body = [line.replace(line.split(",")[0], "new" + line.split(",")[0], 1)
                    for line in body]
            fields = body[20].split(",")
            fields[4] = "11"  # off the 0-10 scale
            body[20] = ",".join(fields)
            out.write("\n".join([header] + body) + "\n")
        before = len(self.list_responses())
        code, _, err = cli(self.server, self.admin, "import", "responses", bad,
                           check=False)
        self.assertEqual(code, 1)
        self.assertIn(f"{bad}:22: column score", err)
        self.assertIn("nothing of", err)
        self.assertEqual(len(self.list_responses()), before)
        code, _, _ = cli(self.server, self.admin, "responses", "get",
                         "new" + lines[1].split(",")[0], check=False)
        self.assertEqual(code, 1)

    def test_a_bad_row_in_a_late_message_stores_nothing_and_names_it(self):
        # 1,200 rows travel in three messages; the server refuses the third.
        tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        self.addCleanup(shutil.rmtree, tmp)
        bad = os.path.join(tmp, "responses.csv")
        golden = rows("responses")
        late = []
        for i in range(1200):
            row = dict(golden[i % len(golden)], id=f"late{i}")
            if i == 1100:
                row["score"] = "11"  # off the 0-10 scale
            late.append(row)

        def write():
            with open(bad, "w", newline="") as out:
                writer = csv.DictWriter(out, fieldnames=list(golden[0]))
                writer.writeheader()
                writer.writerows(late)

        write()
        before = len(self.list_responses())
        code, _, err = cli(self.server, self.admin, "import", "responses", bad,
                           check=False)
        self.assertEqual(code, 1)
        self.assertIn(f"{bad}:1102: column score", err)
        self.assertIn("nothing of", err)
        self.assertEqual(len(self.list_responses()), before)
        # A bad cell the CLI finds itself, after two messages were sent,
        # cancels the job: nothing of it is stored either.
        late[1100]["score"] = "5"
        late[1100]["submitted_at"] = "not-a-time"
        write()
        code, _, err = cli(self.server, self.admin, "import", "responses", bad,
                           check=False)
        self.assertEqual(code, 1)
        self.assertIn(f"{bad}:1102: column submitted_at", err)
        self.assertEqual(len(self.list_responses()), before)

    def test_follow_up_list_is_the_low_scores_newest_first(self):
        kinds = {s["id"]: s["kind"] for s in rows("surveys")}
        low = [r for r in rows("responses")
               if (kinds[r["survey_id"]] == "nps" and int(r["score"]) <= 6)
               or (kinds[r["survey_id"]] == "csat" and int(r["score"]) <= 2)]
        low.sort(key=lambda r: r["id"])
        low.sort(key=lambda r: r["submitted_at"], reverse=True)
        _, out, _ = cli(self.server, self.admin, "responses", "follow-up",
                        "--limit", "1000000")
        got = out["follow_ups"]
        self.assertEqual([f["response"]["name"].rsplit("/", 1)[1] for f in got],
                         [r["id"] for r in low])
        customers = {c["id"]: c for c in rows("customers")}
        for f in got[::25]:
            cid = f["response"]["customer_id"]
            self.assertEqual(f["customer"]["email"], customers[cid]["email"])

        # A range: plain dates are local midnight in the workspace's zone.
        _, out, _ = cli(self.server, self.admin, "responses", "follow-up",
                        "--from", "2026-01-01", "--to", "2026-02-01")
        ids = [f["response"]["name"].rsplit("/", 1)[1] for f in out["follow_ups"]]
        self.assertEqual(ids, [r["id"] for r in low
                               if "2025-12-31T22:00:00Z" <= r["submitted_at"]
                               < "2026-01-31T22:00:00Z"])


if __name__ == "__main__":
    unittest.main()
