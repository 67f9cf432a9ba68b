// The dashboard in Debian's Chromium (headless, driven by playwright-core)
// against a real mittarid holding the reference data set, loaded through
// the gateway by the CLI: the numbers on screen equal QueryMetric's, the
// CI band is drawn, n labels and small samples are marked, the event table
// sorts, goals show as progress bars, and the live tiles and alerts move
// when data arrives. Screenshots go to the test output.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { chromium, type Browser, type Page } from "playwright-core";
import { startGateway, type Gateway } from "../gateway/gateway.js";
import { AdminService, Role } from "../gen/mittari/v1/admin_pb.js";
import { Granularity } from "../gen/mittari/v1/common_pb.js";
import { EventService } from "../gen/mittari/v1/event_pb.js";
import { AlertRuleKind, KpiService } from "../gen/mittari/v1/kpi_pb.js";
import { SurveyService } from "../gen/mittari/v1/survey_pb.js";
import { selfSignedCert, startMittarid, type Mittarid } from "./server.js";

const golden = process.env.MITTARI_GOLDEN ?? join(process.cwd(), "..", "..", "tests", "golden");
const output = process.env.MITTARI_TEST_OUTPUT ?? join(tmpdir(), "mittari-test-output");
const dashboard = join(process.cwd(), "dashboard", "dist");

let server: Mittarid;
let plain: Gateway;
let tls: Gateway;
let certDir: string;
let browser: Browser;
let page: Page;
let readKey: string;

const auth = () => ({ headers: { authorization: `Bearer ${server.adminKey}` } });
const transport = () => createConnectTransport({ baseUrl: plain.url, httpVersion: "1.1" });

// The reference set's year in its zone, Europe/Helsinki.
const from = "2025-07-01";
const to = "2026-07-01";
const range = {
  startTime: timestampFromDate(new Date("2025-06-30T21:00:00Z")),
  endTime: timestampFromDate(new Date("2026-06-30T21:00:00Z")),
};

// The gateway runs in this process: the CLI runs beside it, not blocking it.
async function cli(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.env.MITTARI ?? "mittari", ["--output", "json", ...args], {
    env: {
      ...process.env,
      MITTARI_ADDR: `127.0.0.1:${tls.port}`,
      MITTARI_CA_CERT: join(certDir, "cert.pem"),
      MITTARI_KEY: server.adminKey,
    },
    encoding: "utf8",
  });
  return stdout;
}

before(async () => {
  mkdirSync(output, { recursive: true });
  server = await startMittarid();
  const tlsFiles = selfSignedCert();
  certDir = tlsFiles.dir;
  const common = { upstream: server.addr, insecure: false, allowOrigins: [], maxRequestBytes: 4 << 20 };
  plain = await startGateway({ ...common, listen: "127.0.0.1:0", staticDir: dashboard });
  tls = await startGateway({
    ...common,
    listen: "127.0.0.1:0",
    tls: { cert: tlsFiles.cert, key: tlsFiles.key },
  });
  // The reference data, through the gateway (gRPC over HTTP/2 and TLS).
  await cli("workspace", "update", "--time-zone", "Europe/Helsinki", "--currency", "EUR");
  for (const kind of ["customers", "surveys", "events", "event_costs", "event_revenues", "registrations",
    "responses", "purchases", "sessions", "tickets"]) {
    await cli("import", kind, join(golden, `${kind}.csv`));
  }
  const key = await createClient(AdminService, transport()).createApiKey(
    { parent: "workspaces/default", apiKey: { displayName: "dashboard", role: Role.READ } },
    auth(),
  );
  readKey = key.secret;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
});

after(async () => {
  await browser?.close();
  await plain?.close();
  await tls?.close();
  await server?.stop();
  rmSync(certDir, { recursive: true, force: true });
});

async function open(params: Record<string, string>): Promise<void> {
  const q = new URLSearchParams({ from, to, ...params });
  await page.goto(`${plain.url}/?${q}`);
  await page.getByLabel("Read key").fill(readKey);
  await page.getByRole("button", { name: "Show" }).click();
  await page.locator("main[data-state=ready]").waitFor({ timeout: 60_000 });
}

async function rows(table: string): Promise<string[][]> {
  return page.getByRole("table", { name: table }).locator("tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? "").trim())),
  );
}

const one = (v: number | undefined) => (v === undefined ? "—" : v.toFixed(1));
const pm = (lo: number | undefined, hi: number | undefined) => {
  if (lo === undefined || hi === undefined) return "—";
  const half = (hi - lo) / 2;
  return `± ${half > 0 && half < 0.05 ? half.toFixed(2) : half.toFixed(1)}`;
};

describe("dashboard", () => {
  test("NPS by month on screen equals QueryMetric, with its CI band and n", async () => {
    await open({ granularity: "month", survey: "nps-relationship", minN: "30" });
    const api = await createClient(KpiService, transport()).queryMetric(
      { parent: "workspaces/default", metric: "nps", range, granularity: Granularity.MONTH, filters: { survey: "nps-relationship" }, minN: 30n },
      auth(),
    );
    const shown = await rows("NPS by month");
    assert.equal(shown.length, 12);
    assert.equal(shown.length, api.points.length);
    const months = ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12",
      "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"];
    api.points.forEach((p, i) => {
      const [period, nps, ci, n, promoters, passives, detractors] = shown[i];
      assert.equal(period, months[i], "bucket labels in Helsinki time");
      assert.equal(nps, one(p.value));
      assert.equal(ci, pm(p.ciLow, p.ciHigh));
      assert.equal(n.replace(/\s*small sample$/, "").replace(/,/g, ""), String(p.n));
      assert.equal(promoters, String(p.promoters));
      assert.equal(passives, String(p.passives));
      assert.equal(detractors, String(p.detractors));
    });
    // The band: a filled area drawn between ci_low and ci_high.
    const bands = await page.locator("#chart-nps svg path[fill-opacity='0.18']").count();
    assert.ok(bands >= 1, "a CI band in the NPS chart");
    // The overview's NPS is the whole range's.
    const whole = await createClient(KpiService, transport()).queryMetric(
      { parent: "workspaces/default", metric: "nps", range, granularity: Granularity.NONE, filters: { survey: "nps-relationship" }, minN: 30n },
      auth(),
    );
    const tile = page.getByRole("group", { name: "NPS" });
    assert.equal(await tile.locator(".value").textContent(), one(whole.points[0].value));
    assert.match((await tile.locator(".detail").textContent()) ?? "", new RegExp(`n = ${whole.points[0].n.toLocaleString("en-US")}`));
    await page.screenshot({ path: join(output, "dashboard.png"), fullPage: true });
  });

  test("small samples are marked and hold no value", async () => {
    await open({ granularity: "week", survey: "nps-relationship", minN: "25" });
    const api = await createClient(KpiService, transport()).queryMetric(
      { parent: "workspaces/default", metric: "nps", range, granularity: Granularity.WEEK, filters: { survey: "nps-relationship" }, minN: 25n },
      auth(),
    );
    const shown = await rows("NPS by week");
    assert.equal(shown.length, api.points.length);
    let small = 0;
    api.points.forEach((p, i) => {
      assert.match(shown[i][0], /^\d{4}-W\d{2}$/);
      if (Number(p.n) < 25) {
        small++;
        assert.equal(shown[i][1], "—");
        assert.match(shown[i][3], /small sample/);
      } else {
        assert.equal(shown[i][1], one(p.value));
        assert.doesNotMatch(shown[i][3], /small sample/);
      }
    });
    assert.ok(small > 0, "some weeks have fewer than 25 answers");
  });

  test("CSAT, CES, conversion and tickets equal the API", async () => {
    await open({ granularity: "month" });
    const kpi = createClient(KpiService, transport());
    const grouped = async (metric: string, dim: string, minN = 30n) =>
      (await kpi.queryMetric({ parent: "workspaces/default", metric, range, granularity: Granularity.NONE, groupBy: [dim], minN }, auth())).points;
    for (const [metric, dim, name] of [["csat", "channel", "CSAT by channel"], ["ces", "touchpoint", "CES by touchpoint"],
      ["conversion_rate", "source", "Conversion by source"]] as const) {
      const api = await grouped(metric, dim);
      const shown = await rows(name);
      assert.equal(shown.length, api.length, name);
      api.forEach((p, i) => {
        assert.equal(shown[i][0], p.group[dim], name);
        assert.equal(shown[i][1], one(p.value), name);
        assert.equal(shown[i][2], pm(p.ciLow, p.ciHigh), name);
      });
    }
    const csatMonthly = (await kpi.queryMetric({ parent: "workspaces/default", metric: "csat", range, granularity: Granularity.MONTH, minN: 30n }, auth())).points;
    const shownCsat = await rows("CSAT by month");
    assert.equal(shownCsat.length, csatMonthly.length);
    csatMonthly.forEach((p, i) => {
      assert.equal(shownCsat[i][1], one(p.value));
      assert.equal(shownCsat[i][2], pm(p.ciLow, p.ciHigh));
    });
    const frt = await grouped("first_response_time", "channel", 0n);
    const tickets = await rows("Tickets by channel");
    frt.forEach((p, i) => assert.equal(tickets[i][2], `${((p.value ?? 0) / 3600).toFixed(1)} h`));
    const churn = (await kpi.queryMetric({ parent: "workspaces/default", metric: "churn_rate", range, granularity: Granularity.MONTH }, auth())).points;
    const shownChurn = await rows("Churn and retention by month");
    churn.forEach((p, i) => assert.equal(shownChurn[i][1], one(p.value)));
  });

  test("the event table sorts, and a report shows its goals as progress bars", async () => {
    await open({ granularity: "month" });
    const api = await createClient(EventService, transport()).compareEvents(
      { parent: "workspaces/default", range, sortBy: "roi", descending: true },
      auth(),
    );
    const roiHeader = page.getByRole("button", { name: "ROI" });
    await roiHeader.click();
    await roiHeader.click();
    assert.equal(await page.locator("th[aria-sort=descending]").count(), 1);
    const shown = await rows("Event comparison");
    assert.deepEqual(shown.map((r) => r[0]), api.events.map((e) => e.report!.displayName));
    const first = api.events[0].report!;
    await page.getByRole("button", { name: `Report of ${first.displayName}` }).click();
    const goals = page.getByRole("list", { name: "Goals" }).getByRole("progressbar");
    await goals.first().waitFor();
    assert.equal(await goals.count(), first.goals.length);
    const registrations = first.goals.find((g) => g.goal === "registrations")!;
    const bar = page.getByRole("progressbar", { name: "Registrations goal" });
    assert.equal(await bar.getAttribute("aria-valuenow"), Math.min(100, registrations.pct ?? 0).toFixed(1));
    await page.locator("#h-events").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(output, "dashboard-events.png"), fullPage: false });
  });

  test("the NPS tile and the alerts move live as answers arrive", async () => {
    const kpi = createClient(KpiService, transport());
    await kpi.createAlertRule(
      {
        parent: "workspaces/default",
        alertRuleId: "low-nps",
        alertRule: { displayName: "Detractor", kind: AlertRuleKind.RESPONSE, filters: { survey: "nps-relationship" }, scoreMax: 6 },
      },
      auth(),
    );
    await open({ granularity: "month", survey: "nps-relationship", minN: "30" });
    await page.locator("main[data-live=nps]").waitFor();
    const tile = page.getByRole("group", { name: "NPS" });
    const before = (await tile.locator(".detail").textContent()) ?? "";
    const n = Number(/n = ([\d,]+)/.exec(before)![1].replace(/,/g, ""));
    await createClient(SurveyService, transport()).submitResponse(
      {
        parent: "workspaces/default",
        responseId: "live-1",
        response: { surveyId: "nps-relationship", score: 2, submitTime: timestampFromDate(new Date("2026-06-15T09:00:00Z")), comment: "slow support" },
      },
      auth(),
    );
    await page.waitForFunction(
      (want) => document.querySelector("#tile-nps .detail")?.textContent?.includes(`n = ${want}`),
      (n + 1).toLocaleString("en-US"),
      { timeout: 15_000 },
    );
    const alert = page.getByRole("list", { name: "Alerts, newest first" }).getByRole("listitem").first();
    await page.waitForFunction(() => (document.querySelector("#alerts li")?.textContent ?? "").includes("open"), undefined, { timeout: 15_000 });
    assert.match((await alert.textContent()) ?? "", /open/);
    assert.equal(await page.locator("#alerts-live").isVisible(), true);
    await page.locator("#h-scorecard").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(output, "dashboard-live.png"), fullPage: false });
  });

  test("the printed review keeps the charts and drops the controls", async () => {
    await open({ granularity: "quarter", survey: "nps-relationship" });
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.locator("#controls").isVisible(), false);
    assert.ok((await page.locator("#chart-nps svg").count()) === 1);
    await page.screenshot({ path: join(output, "dashboard-print.png"), fullPage: true });
    await page.pdf({ path: join(output, "review.pdf"), format: "A4", printBackground: true });
    await page.emulateMedia({ media: "screen" });
  });
});
