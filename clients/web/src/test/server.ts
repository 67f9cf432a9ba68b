// A real mittarid on a free loopback port in a temporary directory, and a
// gateway in front of it: what the TypeScript and browser tests call.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export interface Mittarid {
  addr: string;
  dir: string;
  adminKey: string;
  operatorKey: string;
  stop(): Promise<void>;
}

export async function startMittarid(extraArgs: string[] = []): Promise<Mittarid> {
  const binary = process.env.MITTARID;
  if (!binary) throw new Error("MITTARID is not set: the path of the mittarid binary to test");
  const dir = mkdtempSync(join(process.env.TEST_TMPDIR ?? tmpdir(), "mittari-web-"));
  const log = openSync(join(dir, "mittarid.log"), "a");
  const proc: ChildProcess = spawn(
    binary,
    [
      "--listen=127.0.0.1:0",
      `--data_dir=${dir}/data`,
      "--metrics_listen=",
      `--admin_key_file=${dir}/admin.key`,
      `--operator_key_file=${dir}/operator.key`,
      ...extraArgs,
    ],
    { stdio: ["ignore", "pipe", log] },
  );
  const addr = await new Promise<string>((ok, bad) => {
    const timer = setTimeout(() => bad(new Error("mittarid did not start in 30 s")), 30_000);
    const lines = createInterface({ input: proc.stdout! });
    lines.on("line", (line) => {
      const m = /listening on (\S+:\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      bad(new Error(`mittarid exited with ${code}: ${readFileSync(join(dir, "mittarid.log"), "utf8")}`));
    });
  });
  return {
    addr,
    dir,
    adminKey: readFileSync(join(dir, "admin.key"), "utf8").trim(),
    operatorKey: readFileSync(join(dir, "operator.key"), "utf8").trim(),
    stop: () =>
      new Promise<void>((ok) => {
        proc.removeAllListeners("exit");
        proc.once("exit", () => {
          rmSync(dir, { recursive: true, force: true });
          ok();
        });
        proc.kill("SIGTERM");
      }),
  };
}

/** A self-signed certificate for localhost and 127.0.0.1, in a new directory. */
export function selfSignedCert(): { dir: string; certPath: string; cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(join(process.env.TEST_TMPDIR ?? tmpdir(), "mittari-cert-"));
  const certPath = join(dir, "cert.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-keyout", join(dir, "key.pem"), "-out", certPath,
  ], { stdio: "ignore" });
  return { dir, certPath, cert: readFileSync(certPath), key: readFileSync(join(dir, "key.pem")) };
}
