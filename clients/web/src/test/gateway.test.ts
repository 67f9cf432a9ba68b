// The gateway against a real mittarid: the TypeScript client calls through
// all three protocols (Connect and gRPC-Web over HTTP/1.1 on the plain
// port, gRPC over HTTP/2 on the TLS port), unary and streaming; keys,
// deadlines, error details and the caller's address pass through; CORS,
// size limits and the loopback rule hold.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { startGateway, type Gateway } from "../gateway/gateway.js";
import { BadRequestSchema, ErrorInfoSchema } from "../gen/google/rpc/error_details_pb.js";
import { AdminService } from "../gen/mittari/v1/admin_pb.js";
import { Granularity } from "../gen/mittari/v1/common_pb.js";
import { KpiService } from "../gen/mittari/v1/kpi_pb.js";
import { SurveyKind, SurveyService } from "../gen/mittari/v1/survey_pb.js";
import { selfSignedCert, startMittarid, type Mittarid } from "./server.js";

let server: Mittarid;
let plain: Gateway;
let tls: Gateway;
let certDir: string;
let cert: Buffer;

before(async () => {
  server = await startMittarid();
  const tlsFiles = selfSignedCert();
  certDir = tlsFiles.dir;
  cert = tlsFiles.cert;
  const common = {
    upstream: server.addr,
    insecure: false,
    allowOrigins: ["http://app.example"],
    maxRequestBytes: 64 * 1024,
  };
  plain = await startGateway({ ...common, listen: "127.0.0.1:0" });
  tls = await startGateway({
    ...common,
    listen: "127.0.0.1:0",
    tls: { cert, key: tlsFiles.key },
  });
});

after(async () => {
  await plain?.close();
  await tls?.close();
  await server?.stop();
  rmSync(certDir, { recursive: true, force: true });
});

function transports(): Array<[string, Transport]> {
  return [
    ["connect", createConnectTransport({ baseUrl: plain.url, httpVersion: "1.1" })],
    ["grpc-web", createGrpcWebTransport({ baseUrl: plain.url, httpVersion: "1.1" })],
    ["grpc", createGrpcTransport({ baseUrl: tls.url, nodeOptions: { ca: cert } })],
  ];
}

function auth(key: string) {
  return { headers: { authorization: `Bearer ${key}` } };
}

async function rejection(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (e) {
    return ConnectError.from(e);
  }
  assert.fail("the call succeeded");
}

describe("gateway", () => {
  test("every protocol reaches every kind of method", async () => {
    let n = 0;
    for (const [protocol, transport] of transports()) {
      const admin = createClient(AdminService, transport);
      const surveys = createClient(SurveyService, transport);
      const kpi = createClient(KpiService, transport);
      const ws = await admin.getWorkspace({ name: "workspaces/default" }, auth(server.adminKey));
      assert.equal(ws.name, "workspaces/default", protocol);

      const surveyId = `nps-${protocol}`;
      await surveys.createSurvey(
        { parent: ws.name, surveyId, survey: { kind: SurveyKind.NPS, question: "Recommend us?" } },
        auth(server.adminKey),
      );
      const time = new Date(Date.UTC(2026, 0, 10, 12));
      for (const [i, score] of [10, 9, 3].entries()) {
        await surveys.submitResponse(
          {
            parent: ws.name,
            responseId: `${protocol}-${i}`,
            response: { surveyId, score, submitTime: timestampFromDate(time) },
          },
          auth(server.adminKey),
        );
      }
      n += 3;
      const range = {
        startTime: timestampFromDate(new Date(Date.UTC(2026, 0, 1))),
        endTime: timestampFromDate(new Date(Date.UTC(2026, 1, 1))),
      };
      const res = await kpi.queryMetric(
        { parent: ws.name, metric: "nps", range, granularity: Granularity.NONE, filters: { survey: surveyId } },
        auth(server.adminKey),
      );
      assert.equal(res.points.length, 1, protocol);
      assert.equal(res.points[0].n, 3n, protocol);
      assert.ok(Math.abs((res.points[0].value ?? NaN) - 100 / 3) < 1e-9, protocol);

      // Server streaming: WatchMetric answers with the current value first.
      const abort = new AbortController();
      for await (const update of kpi.watchMetric(
        { query: { parent: ws.name, metric: "nps", range, granularity: Granularity.NONE } },
        { ...auth(server.adminKey), signal: abort.signal },
      )) {
        assert.equal(update.points[0].n, BigInt(n), protocol);
        abort.abort();
        break;
      }
    }
  });

  test("client streams (imports) pass through on HTTP/2", async () => {
    const transport = createGrpcTransport({ baseUrl: tls.url, nodeOptions: { ca: cert } });
    const surveys = createClient(SurveyService, transport);
    const summary = await surveys.importSurveys(
      (async function* () {
        yield {
          parent: "workspaces/default",
          surveys: [{ surveyId: "csat-import", survey: { kind: SurveyKind.CSAT, question: "Happy?" } }],
        };
      })(),
      auth(server.adminKey),
    );
    assert.equal(summary.created, 1n);
  });

  test("errors keep their code and details", async () => {
    for (const [protocol, transport] of transports()) {
      const surveys = createClient(SurveyService, transport);
      const bad = await rejection(
        surveys.submitResponse(
          {
            parent: "workspaces/default",
            responseId: "x",
            response: { surveyId: "nps-connect", score: 11, submitTime: timestampFromDate(new Date(Date.UTC(2026, 0, 10))) },
          },
          auth(server.adminKey),
        ),
      );
      assert.equal(bad.code, Code.InvalidArgument, protocol);
      const [violations] = bad.findDetails(BadRequestSchema);
      assert.ok(violations, `${protocol}: a BadRequest detail`);
      assert.match(violations.fieldViolations[0].field, /score/, protocol);
      const [info] = bad.findDetails(ErrorInfoSchema);
      assert.ok(info?.reason, `${protocol}: an ErrorInfo detail`);

      const anonymous = await rejection(createClient(AdminService, transport).getWorkspace({ name: "workspaces/default" }));
      assert.equal(anonymous.code, Code.Unauthenticated, protocol);
    }
  });

  test("deadlines reach mittarid", async () => {
    const kpi = createClient(KpiService, createConnectTransport({ baseUrl: plain.url, httpVersion: "1.1" }));
    const started = Date.now();
    const err = await rejection(
      (async () => {
        for await (const _ of kpi.watchMetric(
          {
            query: {
              parent: "workspaces/default",
              metric: "nps",
              granularity: Granularity.NONE,
              range: {
                startTime: timestampFromDate(new Date(Date.UTC(2026, 0, 1))),
                endTime: timestampFromDate(new Date(Date.UTC(2026, 1, 1))),
              },
            },
          },
          { ...auth(server.adminKey), timeoutMs: 300 },
        )) {
          // the first answer; then the stream waits for changes until the deadline
        }
      })(),
    );
    assert.equal(err.code, Code.DeadlineExceeded);
    assert.ok(Date.now() - started < 10_000);
  });

  test("the caller's address is the gateway's peer, not what it claims", async () => {
    // Each call claims another address; mittarid sees the gateway's
    // x-forwarded-for (the socket's address) and soon stops the wrong keys.
    // One wrong key a second per caller, on a server of its own.
    const strict = await startMittarid(["--failed_auth_per_peer=1"]);
    const gateway = await startGateway({
      listen: "127.0.0.1:0",
      upstream: strict.addr,
      insecure: false,
      allowOrigins: [],
      maxRequestBytes: 1024,
    });
    try {
      const admin = createClient(AdminService, createConnectTransport({ baseUrl: gateway.url, httpVersion: "1.1" }));
      const codes: Code[] = [];
      for (let i = 0; i < 5; i++) {
        const err = await rejection(
          admin.getWorkspace(
            { name: "workspaces/default" },
            { headers: { authorization: "Bearer mk_wrong", "x-forwarded-for": `203.0.113.${i}` } },
          ),
        );
        codes.push(err.code);
      }
      assert.equal(codes[0], Code.Unauthenticated);
      assert.ok(codes.includes(Code.ResourceExhausted), `codes ${codes.join(",")}`);
    } finally {
      await gateway.close();
      await strict.stop();
    }
  });

  test("CORS answers allowed origins only", async () => {
    const path = `${plain.url}/mittari.v1.AdminService/GetWorkspace`;
    const preflight = (origin: string) =>
      fetch(path, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization,content-type,connect-protocol-version",
        },
      });
    const ok = await preflight("http://app.example");
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get("access-control-allow-origin"), "http://app.example");
    assert.match(ok.headers.get("access-control-allow-headers") ?? "", /authorization/i);
    const no = await preflight("http://evil.example");
    assert.equal(no.status, 403);
    assert.equal(no.headers.get("access-control-allow-origin"), null);
  });

  test("requests beyond the size limit are refused", async () => {
    const surveys = createClient(SurveyService, createConnectTransport({ baseUrl: plain.url, httpVersion: "1.1" }));
    const err = await rejection(
      surveys.submitResponse(
        {
          parent: "workspaces/default",
          responseId: "big",
          response: { surveyId: "nps-connect", score: 9, comment: "x".repeat(100 * 1024) },
        },
        auth(server.adminKey),
      ),
    );
    assert.equal(err.code, Code.ResourceExhausted);
  });

  test("it will not listen beyond loopback without TLS unless told", async () => {
    await assert.rejects(
      startGateway({ listen: "0.0.0.0:0", upstream: server.addr, insecure: false, allowOrigins: [], maxRequestBytes: 1024 }),
      /beyond loopback without TLS/,
    );
  });

  test("a stopped mittarid is UNAVAILABLE", async () => {
    const gone = await startGateway({
      listen: "127.0.0.1:0",
      upstream: "127.0.0.1:1",
      insecure: false,
      allowOrigins: [],
      maxRequestBytes: 1024,
    });
    try {
      const admin = createClient(AdminService, createConnectTransport({ baseUrl: gone.url, httpVersion: "1.1" }));
      const err = await rejection(admin.getWorkspace({ name: "workspaces/default" }, auth("mk_x")));
      assert.equal(err.code, Code.Unavailable);
    } finally {
      await gone.close();
    }
  });
});
