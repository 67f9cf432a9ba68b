"""Backups through the real server and CLI: an online backup while ingest
goes on, an offline restore that brings back exactly the backed-up data,
erasures made after the backup applied again, and the audit log of it all."""
import os
import subprocess
import threading
import unittest

from harness import MITTARID, Server, cli
from kpi_test import GOLDEN, load_set
from privacy_test import files_containing

NAME = "Quirinus Backupson-Erased"
KPIS = [
    ("nps", "--filter", "survey=nps-relationship", "--group-by", "segment"),
    ("aov", "--granularity", "quarter"),
    ("dau", "--granularity", "month"),
    ("retention_rate", "--granularity", "quarter"),
]


class Backups(unittest.TestCase):
    def setUp(self):
        self.server = Server().start()
        self.addCleanup(self.server.cleanup)
        self.operator = self.server.key("operator")
        self.key = load_set(self.server, self.operator, "bk", GOLDEN,
                            "Europe/Helsinki")

    def kpis(self):
        out = []
        for metric, *rest in KPIS:
            _, got, _ = cli(self.server, self.key, "kpi", "query", metric,
                            "--from", "2025-01-01", "--to", "2026-07-01", *rest)
            out.append(got["points"])
        return out

    def test_backup_restore_and_erasures_after_it(self):
        k = self.key
        cli(self.server, k, "customers", "create", "bk-1", "--name", NAME,
            "--segment", "smb", "--acquired-at", "2025-02-01T10:00:00Z")
        cli(self.server, k, "purchases", "record", "bk-p1", "--customer",
            "bk-1", "--time", "2026-02-02T12:00:00Z", "--amount", "99")
        before = self.kpis()

        # Online: another workspace keeps writing while the backup is made.
        admin = self.server.key("admin")
        stop = threading.Event()
        written = []

        def ingest():
            cli(self.server, admin, "customers", "create", "live")
            n = 0
            while not stop.is_set():
                cli(self.server, admin, "purchases", "record", f"live-{n}",
                    "--customer", "live", "--time", "2026-02-02T12:00:00Z",
                    "--amount", "1")
                written.append(n)
                n += 1

        writer = threading.Thread(target=ingest)
        writer.start()
        try:
            _, backup, _ = cli(self.server, self.operator, "backup", "create")
        finally:
            stop.set()
            writer.join()
        self.assertEqual(backup["name"], "backups/1")
        self.assertGreater(int(backup["size_bytes"]), 0)
        self.assertTrue(written)
        _, listed, _ = cli(self.server, self.operator, "backup", "list")
        self.assertEqual([b["name"] for b in listed["backups"]], ["backups/1"])
        # Backups are the operator's: a workspace admin is refused.
        code, _, err = cli(self.server, k, "backup", "create", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("PERMISSION_DENIED", err)

        # After the backup: an erasure, and a purchase the restore drops.
        cli(self.server, k, "customers", "erase", "bk-1")
        cli(self.server, k, "customers", "create", "bk-later")
        cli(self.server, k, "purchases", "record", "bk-after", "--customer",
            "bk-later", "--time", "2026-02-03T12:00:00Z", "--amount", "5")
        self.assertEqual(self.server.stop(), 0)

        data = os.path.join(self.server.data_dir, "data")
        restore = subprocess.run(
            [MITTARID, f"--data_dir={data}",
             f"--restore_from={data}/backups"],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(restore.returncode, 0, restore.stderr)
        self.assertIn("restored backup 1", restore.stdout)
        self.assertIn("1 erasure(s)", restore.stdout)

        self.server.start()
        # What came after the backup is gone; the erasure holds anyway.
        for kind, record in (("customers", "bk-later"),
                             ("purchases", "bk-after")):
            code, _, err = cli(self.server, k, kind, "get", record,
                               check=False)
            self.assertIn("NOT_FOUND", err)
        code, _, err = cli(self.server, k, "customers", "get", "bk-1",
                           check=False)
        self.assertIn("NOT_FOUND", err)
        _, purchase, _ = cli(self.server, k, "purchases", "get", "bk-p1")
        self.assertNotEqual(purchase["customer_id"], "bk-1")
        # (The backup itself still holds the person until it ages out.)
        self.assertEqual(
            files_containing(os.path.join(data, "rocksdb"), [NAME]), [])
        self.assertEqual(self.kpis(), before)
        # The other workspace has what was acknowledged before the backup
        # began at least, and nothing half-written.
        _, live, _ = cli(self.server, admin, "purchases", "list",
                         "--customer", "live")
        ids = [p["name"].rsplit("/", 1)[1] for p in live["purchases"]]
        self.assertEqual(sorted(ids, key=lambda i: int(i.split("-")[1])),
                         [f"live-{n}" for n in range(len(ids))])

        # The audit log: the operator sees the server's and every
        # workspace's events; the workspace admin its own. No event names
        # the erased person.
        _, everything, _ = cli(self.server, self.operator, "audit", "list",
                               "--all")
        actions = [e["action"] for e in everything["audit_events"]]
        self.assertEqual(actions[0], "backup.restore")
        for action in ("backup.create", "customer.erase", "workspace.create"):
            self.assertIn(action, actions)
        _, own, _ = cli(self.server, k, "audit", "list")
        own_actions = [e["action"] for e in own["audit_events"]]
        self.assertEqual(own_actions, ["customer.erase", "workspace.create"])
        erase = own["audit_events"][0]
        self.assertEqual(erase["target"], "workspaces/bk/customers")
        self.assertTrue(erase["actor"].startswith("workspaces/bk/apiKeys/"))
        self.assertNotIn("bk-1", str(everything))
        code, _, err = cli(self.server, k, "audit", "list", "--all",
                           check=False)
        self.assertIn("PERMISSION_DENIED", err)


if __name__ == "__main__":
    unittest.main()
