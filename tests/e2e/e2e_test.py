"""End to end: the real mittarid, called by the real mittari CLI and by a
generic gRPC client (buf curl) through server reflection."""
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

from harness import MITTARID, Server, buf_available, buf_curl, cli

# Without the npm tools (MITTARI_SKIP_NPM=1) the buf checks are skipped;
# everywhere else, a missing buf is a failure.
NEED_BUF = os.environ.get("MITTARI_SKIP_NPM") != "1"


class AdminEndToEnd(unittest.TestCase):
    def setUp(self):
        self.server = Server().start()
        self.addCleanup(self.server.cleanup)
        self.admin = self.server.key("admin")
        self.operator = self.server.key("operator")

    def test_first_start_writes_keys_to_private_files(self):
        for which in ("admin", "operator"):
            path = os.path.join(self.server.data_dir, f"{which}.key")
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
            self.assertTrue(self.server.key(which).startswith("mk_"))
        self.assertNotIn(self.admin, "".join(self.server.output))

    def test_first_start_keys_go_to_private_files_by_default(self):
        # No key-file flags: the keys go to files in the data directory,
        # which is its owner's alone, and never to the output.
        with tempfile.TemporaryDirectory(
                dir=os.environ.get("TEST_TMPDIR")) as tmp:
            data = os.path.join(tmp, "data")
            proc = subprocess.Popen(
                [MITTARID, "--listen=127.0.0.1:0", "--metrics_listen=",
                 f"--data_dir={data}"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            output = []
            try:
                for line in proc.stdout:
                    output.append(line)
                    if "listening on" in line:
                        break
            finally:
                proc.terminate()
                rest, _ = proc.communicate(timeout=30)
                output.append(rest)
            self.assertEqual(os.stat(data).st_mode & 0o777, 0o700)
            for which in ("admin", "operator"):
                path = os.path.join(data, f"{which}.key")
                self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
                with open(path) as f:
                    secret = f.read().strip()
                self.assertTrue(secret.startswith("mk_"))
                self.assertNotIn(secret, "".join(output))
            self.assertIn("written to", "".join(output))

    def test_workspace_get_and_update(self):
        _, ws, _ = cli(self.server, self.admin, "workspace", "get")
        self.assertEqual(ws["name"], "workspaces/default")
        self.assertEqual(ws["time_zone"], "UTC")
        self.assertEqual(ws["currency_code"], "EUR")
        _, ws, _ = cli(self.server, self.admin, "workspace", "update",
                       "--time-zone", "Europe/Helsinki", "--display-name", "Acme")
        self.assertEqual(ws["time_zone"], "Europe/Helsinki")
        self.assertEqual(ws["display_name"], "Acme")

    def test_invalid_input_names_the_field_and_changes_nothing(self):
        code, _, err = cli(self.server, self.admin, "workspace", "update",
                           "--time-zone", "Mars/Olympus", check=False)
        self.assertEqual(code, 1)
        self.assertIn("INVALID_ARGUMENT", err)
        self.assertIn("workspace.time_zone", err)
        code, _, err = cli(self.server, self.operator, "workspace", "create",
                           "--display-name", "", check=False)
        self.assertEqual(code, 1)
        self.assertIn("workspace.display_name", err)
        _, ws, _ = cli(self.server, self.admin, "workspace", "get")
        self.assertEqual(ws["time_zone"], "UTC")

    def test_keys_and_roles(self):
        _, key, _ = cli(self.server, self.admin, "keys", "create", "--role",
                        "ingest", "--display-name", "iOS app")
        self.assertEqual(key["role"], "ingest")
        self.assertTrue(key["secret"].startswith("mk_"))
        self.assertIsNone(key["revoke_time"])
        code, _, err = cli(self.server, key["secret"], "keys", "list",
                           check=False)
        self.assertEqual(code, 1)
        self.assertIn("PERMISSION_DENIED", err)
        _, listing, _ = cli(self.server, self.admin, "keys", "list")
        names = [k["name"] for k in listing["api_keys"]]
        self.assertIn(key["name"], names)
        self.assertTrue(all("secret" not in k for k in listing["api_keys"]))
        key_id = key["name"].rsplit("/", 1)[1]
        _, revoked, _ = cli(self.server, self.admin, "keys", "revoke", key_id)
        self.assertIsNotNone(revoked["revoke_time"])
        code, _, err = cli(self.server, key["secret"], "server", "info",
                           check=False)
        self.assertIn("UNAUTHENTICATED", err)

    def test_operator_creates_isolated_workspaces(self):
        _, created, _ = cli(self.server, self.operator, "workspace", "create",
                            "--display-name", "Beta", "--time-zone",
                            "America/New_York", "--currency", "USD", "--id", "beta")
        self.assertEqual(created["workspace"]["name"], "workspaces/beta")
        beta_admin = created["admin_key"]["secret"]
        _, ws, _ = cli(self.server, beta_admin, "workspace", "get")
        self.assertEqual(ws["currency_code"], "USD")
        code, _, err = cli(self.server, self.admin, "workspace", "get", "beta",
                           check=False)
        self.assertEqual(code, 1)
        self.assertIn("PERMISSION_DENIED", err)
        _, listing, _ = cli(self.server, self.operator, "workspace", "list")
        self.assertEqual([w["name"] for w in listing["workspaces"]],
                         ["workspaces/beta", "workspaces/default"])

    def test_sigterm_exits_cleanly_and_a_restart_keeps_everything(self):
        _, created, _ = cli(self.server, self.operator, "workspace", "create",
                            "--display-name", "Kept", "--id", "kept")
        self.assertEqual(self.server.stop(), 0)
        self.assertIn("stopped", "".join(self.server.output))
        self.server.start()
        self.assertNotIn("First start", "".join(self.server.output))
        _, ws, _ = cli(self.server, created["admin_key"]["secret"],
                       "workspace", "get")
        self.assertEqual(ws["display_name"], "Kept")
        self.assertEqual(self.server.stop(), 0)

    @unittest.skipUnless(NEED_BUF or buf_available(), "npm tools not installed")
    def test_health_and_reflection_through_a_generic_client(self):
        url = f"http://{self.server.addr}"
        code, out, err = buf_curl(self.server, "--list-services", url)
        self.assertEqual(code, 0, err)
        services = out.split()
        for name in ("grpc.health.v1.Health", "mittari.v1.AdminService",
                     "grpc.reflection.v1alpha.ServerReflection"):
            self.assertIn(name, services)
        code, out, err = buf_curl(self.server,
                                  f"{url}/grpc.health.v1.Health/Check")
        self.assertEqual(code, 0, err)
        self.assertIn('"SERVING"', out)
        code, out, err = buf_curl(
            self.server, "-H", f"authorization: Bearer {self.admin}",
            "-d", '{"name": "workspaces/default"}',
            f"{url}/mittari.v1.AdminService/GetWorkspace")
        self.assertEqual(code, 0, err)
        self.assertIn('"timeZone": "UTC"', out)


class TlsEndToEnd(unittest.TestCase):
    def test_tls_beyond_loopback(self):
        certs = tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR"))
        self.addCleanup(certs.cleanup)
        cert, key = (os.path.join(certs.name, n) for n in ("cert.pem", "key.pem"))
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
             "-subj", "/CN=localhost", "-addext",
             "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", key, "-out", cert],
            check=True, capture_output=True)
        # All interfaces is refused without TLS ...
        plain = subprocess.run(
            [os.environ.get("MITTARID", "mittarid"), "--listen=0.0.0.0:0",
             "--metrics_listen=",
             f"--data_dir={certs.name}/plain"],
            capture_output=True, text=True, timeout=30)
        self.assertEqual(plain.returncode, 1)
        self.assertIn("without TLS", plain.stdout + plain.stderr)
        # ... and served with it.
        server = Server(extra_args=["--listen=0.0.0.0:0", f"--tls_cert={cert}",
                                    f"--tls_key={key}"]).start()
        self.addCleanup(server.cleanup)
        port = server.addr.rsplit(":", 1)[1]
        _, ws, _ = cli(server, server.key("admin"), "--ca-cert", cert,
                       "workspace", "get", addr=f"localhost:{port}")
        self.assertEqual(ws["name"], "workspaces/default")
        code, _, _ = cli(server, server.key("admin"), "workspace", "get",
                         addr=f"localhost:{port}", check=False)
        self.assertNotEqual(code, 0)  # plaintext to a TLS server fails
        self.assertEqual(server.stop(), 0)



def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_ca(directory, name):
    """A self-signed CA; returns (cert, key) paths."""
    cert, key = (os.path.join(directory, f"{name}{s}.pem")
                 for s in ("", "-key"))
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", f"/CN={name}", "-keyout", key, "-out", cert)
    return cert, key


def make_cert(directory, name, ca, san=None):
    """A certificate signed by `ca` (cert, key); returns (cert, key)."""
    cert, key, csr, ext = (os.path.join(directory, f"{name}{s}")
                           for s in (".pem", "-key.pem", ".csr", ".ext"))
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-subj", f"/CN={name}", "-keyout", key, "-out", csr)
    with open(ext, "w") as f:
        f.write(f"subjectAltName={san}\n" if san else
                "extendedKeyUsage=clientAuth\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1],
            "-CAcreateserial", "-days", "1", "-extfile", ext, "-out", cert)
    return cert, key


class MutualTlsEndToEnd(unittest.TestCase):
    """Service-to-service clients present a certificate of the client CA;
    renewed server files are served without a restart."""

    def test_client_certificates_and_reload(self):
        tmp = tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR"))
        self.addCleanup(tmp.cleanup)
        d = tmp.name
        server_ca = make_ca(d, "server-ca")
        client_ca = make_ca(d, "client-ca")
        san = "DNS:localhost,IP:127.0.0.1"
        served = make_cert(d, "server", server_ca, san)
        good = make_cert(d, "service", client_ca)
        rogue = make_cert(d, "rogue", make_ca(d, "rogue-ca"))
        # The server watches these two paths.
        cert, key = os.path.join(d, "tls.pem"), os.path.join(d, "tls-key.pem")
        shutil.copy(served[0], cert)
        shutil.copy(served[1], key)

        server = Server(extra_args=[
            f"--tls_cert={cert}", f"--tls_key={key}",
            f"--tls_client_ca={client_ca[0]}",
            "--tls_reload_interval=1s"]).start()
        self.addCleanup(server.cleanup)
        self.assertIn("(mutual TLS)", "".join(server.output))
        admin = server.key("admin")

        def call(ca, client=None):
            args = ["--ca-cert", ca]
            if client:
                args += ["--client-cert", client[0], "--client-key", client[1]]
            return cli(server, admin, *args, "workspace", "get", check=False)

        code, ws, err = call(server_ca[0], good)
        self.assertEqual(code, 0, err)
        self.assertEqual(ws["name"], "workspaces/default")
        # No certificate, or one of another CA, or no TLS at all: refused
        # before any key is looked at.
        self.assertNotEqual(call(server_ca[0])[0], 0)
        self.assertNotEqual(call(server_ca[0], rogue)[0], 0)
        code, _, _ = cli(server, admin, "workspace", "get", check=False)
        self.assertNotEqual(code, 0)
        # A half-given client identity is a usage error of the CLI.
        code, _, err = cli(server, admin, "--ca-cert", server_ca[0],
                           "--client-cert", good[0], "workspace", "get",
                           check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("--client-key", err)

        # Renewal: a certificate of a new CA replaces the served one in
        # place (key first, each by rename, as certificate tools do).
        renewed_ca = make_ca(d, "renewed-ca")
        renewed = make_cert(d, "renewed", renewed_ca, san)
        for source, target in ((renewed[1], key), (renewed[0], cert)):
            shutil.copy(source, target + ".new")
            os.replace(target + ".new", target)
        deadline = time.time() + 60
        while call(renewed_ca[0], good)[0] != 0:
            self.assertLess(time.time(), deadline, "renewal not served")
            time.sleep(0.5)
        self.assertNotEqual(call(server_ca[0], good)[0], 0)
        self.assertEqual(server.stop(), 0)



def scrape(server):
    """The server's Prometheus metrics: {(name, frozenset(labels)): value}."""
    with urllib.request.urlopen(server.metrics_url, timeout=30) as reply:
        text = reply.read().decode()
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^(\w+)(?:\{(.*)\})? (\S+)$', line)
        labels = frozenset(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        samples[(m.group(1), labels)] = float(m.group(3))
    return samples


def sample(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


class Observability(unittest.TestCase):
    """Prometheus metrics on their own port, JSON logs with request ids, and
    neither carries a key or personal data."""

    def test_metrics_and_logs(self):
        server = Server(extra_args=["--log_level=debug"]).start()
        self.addCleanup(server.cleanup)
        self.assertTrue(server.metrics_url)
        admin = server.key("admin")
        get = dict(grpc_service="mittari.v1.AdminService",
                   grpc_method="GetWorkspace", grpc_type="unary")
        before = scrape(server)
        cli(server, admin, "workspace", "get")
        cli(server, admin, "customers", "create", "person-7", "--segment",
            "vip")
        for n in range(3):
            cli(server, admin, "purchases", "record", f"p-{n}", "--customer",
                "person-7", "--time", "2026-06-20T09:00:00Z", "--amount", "10")
        code, _, err = cli(server, admin, "purchases", "record", "p-bad",
                           "--customer", "person-7", "--time",
                           "1960-06-20T09:00:00Z", "--amount", "1",
                           check=False)
        self.assertIn("INVALID_ARGUMENT", err)
        code, _, _ = cli(server, "mk_bad", "workspace", "get", check=False)
        self.assertNotEqual(code, 0)
        after = scrape(server)

        def grew(name, by, **labels):
            self.assertEqual(sample(after, name, **labels) -
                             sample(before, name, **labels), by,
                             (name, labels))

        grew("grpc_server_started_total", 1, **get)
        grew("grpc_server_handled_total", 1, grpc_code="OK", **get)
        grew("grpc_server_handling_seconds_count", 1, **get)
        grew("grpc_server_handled_total", 1, grpc_code="InvalidArgument",
             grpc_service="mittari.v1.CustomerService",
             grpc_method="RecordPurchase", grpc_type="unary")
        unauthenticated = [v for (name, labels), v in after.items()
                           if name == "grpc_server_handled_total" and
                           ("grpc_code", "Unauthenticated") in labels]
        self.assertEqual(sum(unauthenticated), 1)
        self.assertGreater(sample(after, "grpc_server_handling_seconds_bucket",
                                  le="+Inf", **get), 0)
        grew("mittari_records_written_total", 3, kind="purchase")
        grew("mittari_records_written_total", 1, kind="customer")
        self.assertGreater(sample(after, "mittari_rollup_writes_total"), 0)
        for gauge in ("mittari_rocksdb_cur_size_all_mem_tables",
                      "mittari_rocksdb_estimate_pending_compaction_bytes",
                      "mittari_rocksdb_is_write_stopped",
                      "mittari_rocksdb_background_errors"):
            self.assertIn((gauge, frozenset()), after)
        for records in ("responses", "purchases", "sessions", "tickets",
                        "registrations"):
            self.assertIn(("mittari_submit_queue_depth",
                           frozenset({("records", records)})), after)
        self.assertEqual(sample(after, "mittari_rocksdb_background_errors"), 0)
        self.assertIn(("mittari_rate_limit_refusals_total",
                       frozenset({("limit", "calls")})), after)

        # A request id and trace context the client chose come back and
        # reach the log line of the call.
        trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        if buf_available():
            code, out, err = buf_curl(
                server, "-v", "-H", f"authorization: Bearer {admin}",
                "-H", "x-request-id: req-42", "-H", f"traceparent: {trace}",
                "-d", '{"name": "workspaces/default"}',
                f"http://{server.addr}/mittari.v1.AdminService/GetWorkspace")
            self.assertEqual(code, 0, err)
            self.assertIn("x-request-id: req-42", err.lower())
        time.sleep(0.5)
        lines = server.log_lines()
        calls = [l for l in lines if l["msg"] == "call"]
        self.assertGreaterEqual(len(calls), 7)
        for line in lines:
            self.assertTrue({"time", "level", "msg"} <= set(line), line)
        for call in calls:
            self.assertRegex(call["request_id"], r"^[\w.-]{1,64}$")
        if buf_available():
            tagged = [c for c in calls if c["request_id"] == "req-42"]
            self.assertEqual(len(tagged), 1)
            self.assertEqual(tagged[0]["traceparent"], trace)
            self.assertEqual(tagged[0]["code"], "OK")
        refused = [c for c in calls if c["code"] == "InvalidArgument"]
        self.assertEqual(refused[0]["method"], "RecordPurchase")
        with open(server.log_path) as f:
            text = f.read()
        for secret in (admin, server.key("operator"), "person-7", "vip"):
            self.assertNotIn(secret, text)
        self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main()
