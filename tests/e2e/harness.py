"""Runs the real mittarid and mittari binaries for end-to-end tests.

The binaries come from the environment (MITTARID, MITTARI), set by ctest.
"""
import json
import os
import re
import signal
import subprocess
import tempfile
import time

MITTARID = os.environ.get("MITTARID", "mittarid")
# The reference data set (a copy of ../shared/golden) and its files, in the
# order of product.md.
GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden")
KINDS = ("customers", "surveys", "events", "event_costs", "event_revenues",
         "registrations", "responses", "purchases", "sessions", "tickets")
MITTARI = os.environ.get("MITTARI", "mittari")
BUF = os.environ.get("MITTARI_BUF", "buf")


class Server:
    """A mittarid process on a free loopback port with its own data dir."""

    def __init__(self, data_dir=None, extra_args=()):
        self._tmp = None
        if data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(
                dir=os.environ.get("TEST_TMPDIR"))
            data_dir = self._tmp.name
        self.data_dir = data_dir
        self.proc = None
        self.addr = None
        self.metrics_url = None
        self._log = None
        self.output = []
        self.extra_args = list(extra_args)

    def start(self):
        self.output = []
        # The JSON logs go to a file (a pipe nobody reads would fill and
        # stall the server); `self.log_lines()` reads them.
        self.log_path = os.path.join(self.data_dir, "mittarid.log")
        self._log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [MITTARID, "--listen=127.0.0.1:0", f"--data_dir={self.data_dir}/data",
             "--metrics_listen=127.0.0.1:0",
             f"--admin_key_file={self.data_dir}/admin.key",
             f"--operator_key_file={self.data_dir}/operator.key",
             *self.extra_args],
            stdout=subprocess.PIPE, stderr=self._log, text=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.output.append(line)
            m = re.search(r"metrics on (http://\S+)", line)
            if m:
                self.metrics_url = m.group(1)
            m = re.search(r"listening on (\S+:\d+)", line)
            if m:
                self.addr = m.group(1)
                return self
        with open(self.log_path) as f:
            self.output.append(f.read())
        raise RuntimeError("mittarid did not start:\n" + "".join(self.output))

    def log_lines(self):
        """The server's JSON log lines so far, parsed."""
        with open(self.log_path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self):
        """SIGTERM; returns the exit code."""
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        rest, _ = self.proc.communicate(timeout=30)
        self.output.append(rest)
        code = self.proc.returncode
        self.proc = None
        self._log.close()
        return code

    def key(self, which):
        with open(os.path.join(self.data_dir, f"{which}.key")) as f:
            return f.read().strip()

    def cleanup(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self._log.close()
        if self._tmp is not None:
            self._tmp.cleanup()


def cli(server, key, *args, check=True, addr=None):
    """Runs `mittari --output json ARGS`; returns (exit code, json or None,
    stderr)."""
    env = dict(os.environ, MITTARI_ADDR=addr or server.addr,
               MITTARI_KEY=key or "")
    proc = subprocess.run([MITTARI, "--output", "json", *args], env=env,
                          capture_output=True, text=True, timeout=60)
    out = json.loads(proc.stdout) if proc.stdout.strip() else None
    if check and proc.returncode != 0:
        raise AssertionError(
            f"mittari {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc.returncode, out, proc.stderr


def buf_curl(server, *args):
    proc = subprocess.run(
        [BUF, "curl", "--protocol", "grpc", "--http2-prior-knowledge", *args],
        capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def buf_available():
    return os.path.exists(BUF) or subprocess.run(
        ["sh", "-c", f"command -v {BUF}"], capture_output=True).returncode == 0


def load_golden(server, key, zone="Europe/Helsinki"):
    """Loads the reference set into the key's workspace, in its zone."""
    cli(server, key, "workspace", "update", "--time-zone", zone)
    for kind in KINDS:
        cli(server, key, "import", kind, os.path.join(GOLDEN, f"{kind}.csv"))


def expected_query(metric, granularity, group_by=()):
    """The reference set's expected answer to a query of `metric`."""
    with open(os.path.join(GOLDEN, "expected.json")) as f:
        for q in json.load(f)["queries"]:
            if (q["metric"], q["granularity"], tuple(q["group_by"])) == (
                    metric, granularity, tuple(group_by)):
                return q
    raise KeyError(f"{metric} {granularity} {group_by}")
