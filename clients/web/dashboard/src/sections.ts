// The dashboard's sections: each asks the API for what it shows, draws a
// chart, and puts the same numbers in a table beside it.
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ConnectError } from "@connectrpc/connect";
import { events, kpi } from "./api.js";
import { bars, lines } from "./charts.js";
import { byGroup, groupName, label, query, request, type Context } from "./context.js";
import { count, hours, money, one, plusMinus, two } from "./format.js";
import { failure, smallSample, table, type Row } from "./table.js";
import { AlertState, TargetStatus, type Alert, type MetricPoint } from "../../src/gen/mittari/v1/kpi_pb.js";
import type { EventReport } from "../../src/gen/mittari/v1/event_pb.js";

const surveyFilters = ["survey", "channel", "touchpoint", "segment"] as const;
const otherSurveyFilters = ["channel", "touchpoint", "segment"] as const;

// ---- Overview tiles ----

interface Tile {
  id: string;
  title: string;
  show: (p: MetricPoint | undefined) => string;
  ci?: boolean;
}

function tileElement(t: Tile): HTMLElement {
  let el = document.getElementById(`tile-${t.id}`);
  if (!el) {
    el = document.createElement("div");
    el.id = `tile-${t.id}`;
    el.className = "tile";
    el.setAttribute("role", "group");
    el.setAttribute("aria-label", t.title);
    document.getElementById("tiles")!.append(el);
  }
  return el;
}

function renderTile(ctx: Context, t: Tile, p: MetricPoint | undefined, live = false): void {
  const el = tileElement(t);
  const small = p !== undefined && ctx.settings.minN > 0 && Number(p.n) < ctx.settings.minN;
  el.classList.toggle("small-sample", small);
  el.innerHTML = "";
  const h = document.createElement("h3");
  h.textContent = t.title;
  if (live) {
    const badge = document.createElement("span");
    badge.className = "live";
    badge.textContent = "live";
    h.append(" ", badge);
  }
  const value = document.createElement("p");
  value.className = "value";
  value.dataset.metric = t.id;
  value.textContent = t.show(p);
  const detail = document.createElement("p");
  detail.className = "detail";
  const ci = t.ci && p ? plusMinus(p.value, p.ciLow, p.ciHigh) : "";
  detail.textContent = `${ci && ci !== "—" ? `${ci} · ` : ""}n = ${p ? count(p.n) : 0}`;
  if (small) {
    const mark = document.createElement("span");
    mark.className = "badge small";
    mark.textContent = "small sample";
    detail.append(" ", mark);
  }
  el.append(h, value, detail);
}

const tiles: Array<Tile & { metric: string; filters: readonly string[] }> = [
  { id: "csat", title: "CSAT %", metric: "csat", filters: otherSurveyFilters, show: (p) => one(p?.value), ci: true },
  { id: "ces", title: "CES", metric: "ces", filters: otherSurveyFilters, show: (p) => one(p?.value), ci: true },
  { id: "responses", title: "Responses", metric: "response_count", filters: otherSurveyFilters, show: (p) => (p ? count(p.n) : "0") },
  { id: "churn", title: "Churn %", metric: "churn_rate", filters: [], show: (p) => one(p?.value) },
  { id: "retention", title: "Retention %", metric: "retention_rate", filters: [], show: (p) => one(p?.value) },
  { id: "stickiness", title: "DAU / MAU", metric: "stickiness", filters: [], show: (p) => two(p?.value) },
  { id: "conversion", title: "Conversion %", metric: "conversion_rate", filters: [], show: (p) => one(p?.value), ci: true },
];

const npsTile: Tile = { id: "nps", title: "NPS", show: (p) => one(p?.value), ci: true };

export async function overview(ctx: Context): Promise<void> {
  document.getElementById("tiles")!.replaceChildren();
  renderTile(ctx, npsTile, undefined);
  await Promise.all(
    tiles.map(async (t) => {
      try {
        const [p] = await query(ctx, {
          metric: t.metric,
          granularity: "none",
          filters: t.filters as Array<"channel">,
          minN: true,
        });
        renderTile(ctx, t, p);
      } catch (e) {
        failure(tileElement(t).id, t.title, e);
      }
    }),
  );
}

/** The NPS tile, fed by WatchMetric: the current value, then each change. */
export async function liveNps(ctx: Context, onUpdate: () => void): Promise<void> {
  const q = request(ctx, { metric: "nps", granularity: "none", filters: [...surveyFilters], minN: true });
  try {
    for await (const update of kpi.watchMetric({ query: q }, { signal: ctx.signal })) {
      renderTile(ctx, npsTile, update.points[0], true);
      onUpdate();
    }
  } catch (e) {
    if (!ctx.signal.aborted) failure(tileElement(npsTile).id, "NPS", e);
  }
}

// ---- Survey sections ----

export async function npsTrend(ctx: Context): Promise<void> {
  const g = ctx.settings.granularity;
  const groupBy = ctx.settings.groupBy ? [ctx.settings.groupBy] : [];
  const points = await query(ctx, { metric: "nps", granularity: g, groupBy, filters: [...surveyFilters], minN: true });
  const { labels, groups } = byGroup(ctx, points, g);
  const grouped = groupBy.length > 0;
  const series = [...groups.entries()].map(([name, byLabel]) => {
    const at = labels.map((l) => byLabel.get(l));
    const band = !grouped || groups.size <= 2;
    return {
      name: grouped ? name : "NPS",
      values: at.map((p) => p?.value),
      low: band ? at.map((p) => p?.ciLow) : undefined,
      high: band ? at.map((p) => p?.ciHigh) : undefined,
    };
  });
  lines("chart-nps", labels, series, ["NPS"]);
  if (!grouped) {
    const only = groups.values().next().value ?? new Map<string, MetricPoint>();
    const at = labels.map((l) => only.get(l));
    bars(
      "chart-nps-split",
      labels,
      [
        { name: "Promoters", values: at.map((p) => (p?.promoters === undefined ? undefined : Number(p.promoters))), stack: "split", color: "#15803d" },
        { name: "Passives", values: at.map((p) => (p?.passives === undefined ? undefined : Number(p.passives))), stack: "split", color: "#a3a3a3" },
        { name: "Detractors", values: at.map((p) => (p?.detractors === undefined ? undefined : Number(p.detractors))), stack: "split", color: "#b91c1c" },
      ],
      ["responses"],
    );
  }
  document.getElementById("chart-nps-split")!.hidden = grouped;
  const rows: Row[] = points.map((p) => [
    label(ctx, p, g),
    ...(grouped ? [groupName(p)] : []),
    { text: one(p.value), sort: p.value ?? -Infinity },
    plusMinus(p.value, p.ciLow, p.ciHigh),
    smallSample(p.n, ctx.settings.minN),
    p.promoters === undefined ? "—" : count(p.promoters),
    p.passives === undefined ? "—" : count(p.passives),
    p.detractors === undefined ? "—" : count(p.detractors),
  ]);
  table(
    "table-nps",
    `NPS by ${g}`,
    ["Period", ...(grouped ? ["Group"] : []), "NPS", "95 % CI", "n", "Promoters", "Passives", "Detractors"],
    rows,
  );
}

/** CSAT over time (all CSAT surveys, or the filters'), with its band:
 * where a support outage shows. */
export async function csatTrend(ctx: Context): Promise<void> {
  const g = ctx.settings.granularity;
  const points = await query(ctx, { metric: "csat", granularity: g, filters: [...otherSurveyFilters], minN: true });
  const labels = points.map((p) => label(ctx, p, g));
  lines("chart-csat-trend", labels, [
    {
      name: "CSAT %",
      values: points.map((p) => p.value),
      low: points.map((p) => p.ciLow),
      high: points.map((p) => p.ciHigh),
    },
  ], ["CSAT %"]);
  table("table-csat-trend", `CSAT by ${g}`, ["Period", "CSAT %", "95 % CI", "n"], points.map((p, i) => [
    labels[i],
    one(p.value),
    plusMinus(p.value, p.ciLow, p.ciHigh),
    smallSample(p.n, ctx.settings.minN),
  ]));
}

async function scoreByGroup(ctx: Context, metric: string, dimension: string, id: string, title: string, name: string) {
  const points = await query(ctx, {
    metric,
    granularity: "none",
    groupBy: [dimension],
    filters: [...otherSurveyFilters],
    minN: true,
  });
  const labels = points.map(groupName);
  bars(`chart-${id}`, labels, [
    { name, values: points.map((p) => p.value) },
    { name: "95 % CI low", values: points.map((p) => p.ciLow), type: "line" },
    { name: "95 % CI high", values: points.map((p) => p.ciHigh), type: "line" },
  ], [name]);
  table(`table-${id}`, title, [dimension[0].toUpperCase() + dimension.slice(1), name, "95 % CI", "n"], points.map((p) => [
    groupName(p),
    one(p.value),
    plusMinus(p.value, p.ciLow, p.ciHigh),
    smallSample(p.n, ctx.settings.minN),
  ]));
}

export const csatByChannel = (ctx: Context) => scoreByGroup(ctx, "csat", "channel", "csat", "CSAT by channel", "CSAT %");
export const cesByTouchpoint = (ctx: Context) => scoreByGroup(ctx, "ces", "touchpoint", "ces", "CES by touchpoint", "CES");

export async function responses(ctx: Context): Promise<void> {
  const g = ctx.settings.granularity;
  const points = await query(ctx, { metric: "response_count", granularity: g, filters: [...otherSurveyFilters] });
  const labels = points.map((p) => label(ctx, p, g));
  bars("chart-responses", labels, [{ name: "Responses", values: points.map((p) => Number(p.n)) }], ["responses"]);
  table("table-responses", `Responses by ${g}`, ["Period", "Responses"], points.map((p, i) => [labels[i], count(p.n)]));
}

// ---- Customers and activity ----

export async function customers(ctx: Context): Promise<void> {
  const [churn, retention] = await Promise.all([
    query(ctx, { metric: "churn_rate", granularity: "month" }),
    query(ctx, { metric: "retention_rate", granularity: "month" }),
  ]);
  const labels = churn.map((p) => label(ctx, p, "month"));
  lines("chart-customers", labels, [
    { name: "Churn %", values: churn.map((p) => p.value) },
    { name: "Retention %", values: retention.map((p) => p.value), axis: 1 },
  ], ["churn %", "retention %"]);
  table("table-customers", "Churn and retention by month", ["Month", "Churn %", "Retention %", "Customers at start"], churn.map((p, i) => [
    labels[i],
    one(p.value),
    one(retention[i]?.value),
    count(p.n),
  ]));
}

export async function activity(ctx: Context): Promise<void> {
  const [dau, mau, stickiness] = await Promise.all(
    ["dau", "mau", "stickiness"].map((metric) => query(ctx, { metric, granularity: "day" })),
  );
  const labels = dau.map((p) => label(ctx, p, "day"));
  lines("chart-activity", labels, [
    { name: "DAU", values: dau.map((p) => p.value) },
    { name: "MAU", values: mau.map((p) => p.value) },
    { name: "DAU / MAU", values: stickiness.map((p) => p.value), axis: 1 },
  ], ["visitors", "DAU / MAU"]);
  table("table-activity", "DAU, MAU and stickiness by day", ["Day", "DAU", "MAU", "DAU / MAU"], dau.map((p, i) => [
    labels[i],
    p.value === undefined ? "—" : count(p.value),
    mau[i]?.value === undefined ? "—" : count(mau[i].value!),
    two(stickiness[i]?.value),
  ]));
}

export async function conversion(ctx: Context): Promise<void> {
  const points = await query(ctx, { metric: "conversion_rate", granularity: "none", groupBy: ["source"], minN: true });
  const labels = points.map(groupName);
  bars("chart-conversion", labels, [{ name: "Conversion %", values: points.map((p) => p.value) }], ["%"], true);
  table("table-conversion", "Conversion by source", ["Source", "Conversion %", "95 % CI", "Visitors"], points.map((p) => [
    groupName(p),
    one(p.value),
    plusMinus(p.value, p.ciLow, p.ciHigh),
    smallSample(p.n, ctx.settings.minN),
  ]));
}

export async function tickets(ctx: Context): Promise<void> {
  const g = ctx.settings.granularity;
  const [volume, firstResponse] = await Promise.all([
    query(ctx, { metric: "ticket_volume", granularity: g, groupBy: ["channel"] }),
    query(ctx, { metric: "first_response_time", granularity: "none", groupBy: ["channel"] }),
  ]);
  const { labels, groups } = byGroup(ctx, volume, g);
  bars("chart-tickets", labels, [...groups.entries()].map(([name, at]) => ({
    name,
    values: labels.map((l) => at.get(l)?.value),
    stack: "tickets",
  })), ["tickets"]);
  const totals = new Map<string, number>();
  for (const p of volume) totals.set(groupName(p), (totals.get(groupName(p)) ?? 0) + Number(p.n));
  table("table-tickets", "Tickets by channel", ["Channel", "Tickets", "Mean first response", "Answered"], firstResponse.map((p) => [
    groupName(p),
    count(totals.get(groupName(p)) ?? 0),
    hours(p.value),
    count(p.n),
  ]));
}

// ---- Events ----

function pct(v: number | undefined): string {
  return v === undefined ? "—" : `${v.toFixed(1)} %`;
}

export async function eventTable(ctx: Context): Promise<void> {
  const res = await events.compareEvents(
    { parent: ctx.parent, range: { startTime: timestampFromDate(ctx.start), endTime: timestampFromDate(ctx.end) } },
    { signal: ctx.signal },
  );
  const reports = res.events.map((e) => e.report!).filter((r) => r !== undefined);
  table(
    "table-events",
    "Event comparison",
    ["Event", "Kind", "Registrations", "Attendees", "Attendance", "Conversion", "Cost", "Revenue", "ROI", "NPS"],
    reports.map((r) => [
      {
        text: r.displayName || r.event,
        sort: r.displayName,
        action: { label: `Report of ${r.displayName || r.event}`, run: () => void eventReport(ctx, `${ctx.parent}/events/${r.event}`) },
      },
      r.kind,
      { text: count(r.registrations), sort: Number(r.registrations) },
      { text: count(r.attendees), sort: Number(r.attendees) },
      { text: pct(r.attendanceRate), sort: r.attendanceRate ?? -Infinity },
      { text: pct(r.conversionRate), sort: r.conversionRate ?? -Infinity },
      { text: money(r.cost, ctx.currency), sort: Number(r.cost) },
      { text: money(r.revenue, ctx.currency), sort: Number(r.revenue) },
      { text: pct(r.roi), sort: r.roi ?? -Infinity },
      { text: one(r.nps), sort: r.nps ?? -Infinity },
    ]),
    true,
  );
  document.getElementById("event-report")!.replaceChildren();
}

const goalNames: Record<string, string> = {
  registrations: "Registrations",
  attendees: "Attendees",
  attendance_rate: "Attendance rate",
  conversions: "Conversions",
  revenue: "Revenue",
  nps: "NPS",
};

const countGoals = new Set(["registrations", "attendees", "conversions"]);

export async function eventReport(ctx: Context, name: string): Promise<void> {
  const box = document.getElementById("event-report")!;
  let r: EventReport;
  try {
    r = await events.getEventReport({ name }, { signal: ctx.signal });
  } catch (e) {
    failure("event-report", "Event report", e);
    return;
  }
  const section = document.createElement("article");
  section.setAttribute("aria-label", `Report of ${r.displayName}`);
  const h = document.createElement("h3");
  h.textContent = `${r.displayName} (${r.kind}${r.series ? `, ${r.series}` : ""})`;
  const facts = document.createElement("p");
  facts.textContent =
    `ROI ${pct(r.roi)} · cost ${money(r.cost, ctx.currency)} · revenue ${money(r.revenue, ctx.currency)} · ` +
    `cost per attendee ${r.costPerAttendee === undefined ? "—" : money(r.costPerAttendee, ctx.currency)} · ` +
    `NPS ${one(r.nps)} (n = ${count(r.npsN)}) · purchases ${r.windowDays} days before / after: ` +
    `${count(r.purchasesBefore)} / ${count(r.purchasesAfter)}`;
  const goals = document.createElement("ul");
  goals.className = "goals";
  goals.setAttribute("aria-label", "Goals");
  for (const g of r.goals) {
    const li = document.createElement("li");
    const title = goalNames[g.goal] ?? g.goal;
    const bar = document.createElement("div");
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-label", `${title} goal`);
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    const shown = Math.max(0, Math.min(100, g.pct ?? 0));
    bar.setAttribute("aria-valuenow", shown.toFixed(1));
    bar.setAttribute("aria-valuetext", `${pct(g.pct)} of the goal`);
    bar.className = `progress ${g.met ? "met" : "missed"}`;
    const fill = document.createElement("span");
    fill.style.width = `${shown}%`;
    bar.append(fill);
    const text = document.createElement("span");
    text.className = "goal-text";
    // Counts read whole, money in major units, rates and scores with one decimal.
    const show = (v: number) =>
      g.goal === "revenue" ? money(v, ctx.currency) : countGoals.has(g.goal) ? count(Math.round(v)) : one(v);
    const actual = g.actual === undefined ? "—" : show(g.actual);
    const target = show(g.target);
    text.textContent = `${title}: ${actual} of ${target} (${pct(g.pct)}) ${g.met ? "met" : "not met"}`;
    li.append(text, bar);
    goals.append(li);
  }
  section.append(h, facts, goals);
  box.replaceChildren(section);
}

// ---- Steering: scorecard and alerts ----

const statusNames: Record<number, string> = {
  [TargetStatus.MET]: "met",
  [TargetStatus.AT_RISK]: "at risk",
  [TargetStatus.MISSED]: "missed",
  [TargetStatus.NO_DATA]: "no data",
};

export async function scorecard(ctx: Context): Promise<void> {
  const res = await kpi.getScorecard({ parent: ctx.parent }, { signal: ctx.signal });
  const t = table("scorecard", "Scorecard", ["Target", "Metric", "Goal", "Current", "n", "Status"], res.entries.map((e) => [
    e.target?.displayName || e.target?.name || "",
    e.target?.metric ?? "",
    one(e.target?.goal),
    `${one(e.current?.value)} ${plusMinus(e.current?.value, e.current?.ciLow, e.current?.ciHigh)}`.replace(/ —$/, ""),
    count(e.current?.n ?? 0n),
    statusNames[e.status] ?? "—",
  ]));
  t.querySelectorAll("tbody tr").forEach((tr) => {
    const status = tr.lastElementChild;
    if (status) status.className = `status ${status.textContent?.replace(" ", "-")}`;
  });
}

const stateNames: Record<number, string> = {
  [AlertState.OPEN]: "open",
  [AlertState.ACKNOWLEDGED]: "acknowledged",
  [AlertState.RESOLVED]: "resolved",
};

function showAlert(ctx: Context, a: Alert, prepend: boolean): void {
  const list = document.getElementById("alerts")!;
  const id = `alert-${a.name.replace(/[^A-Za-z0-9-]/g, "-")}`;
  let li = document.getElementById(id);
  if (!li) {
    li = document.createElement("li");
    li.id = id;
    if (prepend) list.prepend(li);
    else list.append(li);
  }
  const when = a.fireTime ? timestampDate(a.fireTime) : undefined;
  const local = when
    ? when.toLocaleString("en-GB", { timeZone: ctx.timeZone, dateStyle: "medium", timeStyle: "short" })
    : "";
  li.className = `alert ${stateNames[a.state] ?? ""}`;
  li.textContent = `${local} · ${stateNames[a.state] ?? "?"} · ${a.summary}`;
}

export async function alerts(ctx: Context): Promise<void> {
  const list = document.getElementById("alerts")!;
  list.replaceChildren();
  const res = await kpi.listAlerts({ parent: ctx.parent, pageSize: 20 }, { signal: ctx.signal });
  const newestFirst = [...res.alerts].sort(
    (a, b) => Number(b.fireTime?.seconds ?? 0n) - Number(a.fireTime?.seconds ?? 0n),
  );
  for (const a of newestFirst) showAlert(ctx, a, false);
  if (newestFirst.length === 0) {
    const li = document.createElement("li");
    li.id = "alerts-none";
    li.textContent = "No alerts.";
    list.append(li);
  }
}

/** Alerts as they fire, from WatchAlerts. */
export async function liveAlerts(ctx: Context): Promise<void> {
  const badge = document.getElementById("alerts-live")!;
  try {
    // Without a resume token the stream starts with what happens next.
    for await (const update of kpi.watchAlerts({ parent: ctx.parent }, { signal: ctx.signal })) {
      badge.hidden = false;
      document.getElementById("alerts-none")?.remove();
      if (update.alert) showAlert(ctx, update.alert, true);
    }
  } catch (e) {
    badge.hidden = true;
    if (!ctx.signal.aborted && !(e instanceof ConnectError && e.code === 1)) {
      const li = document.createElement("li");
      li.className = "error";
      li.textContent = `Live alerts stopped: ${e instanceof Error ? e.message : String(e)}`;
      document.getElementById("alerts")!.prepend(li);
    }
  }
}
