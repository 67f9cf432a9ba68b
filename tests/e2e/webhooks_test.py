"""Webhooks through the real server: a rule's endpoint gets each alert as a
signed JSON POST; a receiver that fails first gets it again (at least
once, the same alert and version), and a delivery pending while the server
stops goes out after it starts again."""
import hashlib
import hmac
import json
import threading
import time
import unittest
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import Server, cli

NOW = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Receiver:
    """A local HTTP endpoint that answers 500 to its first `fail` POSTs,
    then 200, and keeps every request."""

    def __init__(self, fail=0, port=0):
        self.requests = []
        self.fail = fail
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.lock:
                    outer.requests.append((dict(self.headers), body))
                    failing = outer.fail > 0
                    outer.fail -= 1
                self.send_response(500 if failing else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def wait_for(self, n, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.requests) >= n:
                    return list(self.requests)
            time.sleep(0.05)
        with self.lock:
            return list(self.requests)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Webhooks(unittest.TestCase):
    def setUp(self):
        self.server = Server().start()
        _, created, _ = cli(self.server, self.server.key("operator"),
                            "workspace", "create", "--id", "hooks",
                            "--display-name", "Hooks", "--time-zone", "UTC",
                            "--currency", "EUR")
        self.key = created["admin_key"]["secret"]
        cli(self.server, self.key, "surveys", "create", "nps", "--kind", "nps",
            "--question", "Recommend us?")
        _, s, _ = cli(self.server, self.key, "webhooks", "secret")
        self.secret = s["secret"]
        self.assertEqual(len(self.secret), 64)

    def tearDown(self):
        self.server.cleanup()

    def detractor(self, rid):
        cli(self.server, self.key, "responses", "submit", "--id", rid,
            "--survey", "nps", "--time", NOW, "--score", "1")

    def check_signed(self, headers, body):
        want = "sha256=" + hmac.new(self.secret.encode(), body,
                                    hashlib.sha256).hexdigest()
        self.assertEqual(headers["X-Mittari-Signature"], want)

    def test_a_failing_receiver_gets_the_alert_again(self):
        receiver = Receiver(fail=1)
        self.addCleanup(receiver.close)
        cli(self.server, self.key, "rules", "create", "low", "--kind",
            "response", "--score-max", "6", "--webhook", receiver.url())
        self.detractor("r-1")
        got = receiver.wait_for(2)
        self.assertEqual(len(got), 2)
        (h1, b1), (h2, b2) = got
        self.assertEqual(b1, b2)  # the same delivery, again
        for headers, body in got:
            self.check_signed(headers, body)
        alert = json.loads(b2)
        self.assertEqual(alert["rule"], "workspaces/hooks/alertRules/low")
        self.assertEqual(alert["state"], "open")
        self.assertEqual(alert["version"], 1)
        self.assertEqual(alert["trigger"]["response"],
                         "workspaces/hooks/responses/r-1")
        self.assertEqual(h2["X-Mittari-Alert"], alert["alert"])
        # The shape `alerts watch` prints.
        self.assertEqual(list(alert)[:8],
                         ["alert", "rule", "state", "value", "n",
                          "threshold", "fired_at", "resume_token"])
        # Acknowledging is a new version, delivered too.
        cli(self.server, self.key, "alerts", "ack", alert["alert"])
        got = receiver.wait_for(3)
        self.assertEqual(json.loads(got[2][1])["version"], 2)
        self.assertEqual(json.loads(got[2][1])["state"], "acknowledged")
        # A bad endpoint is refused, naming it.
        code, _, err = cli(self.server, self.key, "rules", "create", "bad",
                           "--kind", "response", "--score-max", "6",
                           "--webhook", "ftp://example.invalid/x",
                           check=False)
        self.assertEqual(code, 1)
        self.assertIn("alert_rule.webhooks[0]", err)

    def test_a_delivery_pending_at_a_stop_goes_out_after_the_start(self):
        # The endpoint is down: nothing listens on its port yet.
        placeholder = Receiver()
        port = placeholder.port
        placeholder.close()
        url = f"http://127.0.0.1:{port}/hook"
        cli(self.server, self.key, "rules", "create", "low", "--kind",
            "response", "--score-max", "6", "--webhook", url)
        self.detractor("r-9")
        time.sleep(1.5)  # a refused attempt or two
        self.assertEqual(self.server.stop(), 0)
        receiver = Receiver(port=port)
        self.addCleanup(receiver.close)
        self.server.start()
        got = receiver.wait_for(1)
        self.assertGreaterEqual(len(got), 1)
        headers, body = got[0]
        self.check_signed(headers, body)
        self.assertEqual(json.loads(body)["trigger"]["response"],
                         "workspaces/hooks/responses/r-9")


if __name__ == "__main__":
    unittest.main()
