// The dashboard: paste a read key, choose a range, granularity, filters
// and group-by, and every section loads in the workspace's time zone.
import { admin, setKey, surveys } from "./api.js";
import { resizeAll } from "./charts.js";
import type { Context, Settings } from "./context.js";
import { localDate, localMidnight } from "./format.js";
import * as sections from "./sections.js";
import { failure } from "./table.js";
import { SurveyKind } from "../../src/gen/mittari/v1/survey_pb.js";

const form = document.getElementById("controls") as HTMLFormElement;
const status = document.getElementById("status")!;
const main = document.getElementById("dashboard")!;
const fields = ["workspace", "from", "to", "granularity", "survey", "channel", "touchpoint", "segment", "groupBy", "minN"] as const;

function input(name: string): HTMLInputElement | HTMLSelectElement {
  return document.getElementById(name) as HTMLInputElement | HTMLSelectElement;
}

/** Defaults: the last twelve whole months. Then the URL's settings. */
function restore(): void {
  const today = new Date();
  const to = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1));
  const from = new Date(Date.UTC(to.getUTCFullYear() - 1, to.getUTCMonth(), 1));
  input("from").value = from.toISOString().slice(0, 10);
  input("to").value = to.toISOString().slice(0, 10);
  const params = new URLSearchParams(window.location.search);
  for (const f of fields) {
    const v = params.get(f);
    if (v === null) continue;
    const el = input(f);
    if (el instanceof HTMLSelectElement && ![...el.options].some((o) => o.value === v)) el.add(new Option(v, v));
    el.value = v;
  }
  input("key").value = sessionStorage.getItem("mittari-key") ?? "";
}

function settings(): Settings {
  const v = (f: string) => input(f).value.trim();
  return {
    workspace: v("workspace"),
    from: v("from"),
    to: v("to"),
    granularity: v("granularity") as Settings["granularity"],
    survey: v("survey"),
    channel: v("channel"),
    touchpoint: v("touchpoint"),
    segment: v("segment"),
    groupBy: v("groupBy"),
    minN: Number(v("minN") || 0),
  };
}

let current: AbortController | undefined;

async function fillChoices(ctx: Context): Promise<void> {
  const select = input("survey") as HTMLSelectElement;
  const res = await surveys.listSurveys({ parent: ctx.parent, kind: SurveyKind.NPS, pageSize: 200 }, { signal: ctx.signal });
  for (const s of res.surveys) {
    const id = s.name.split("/").pop()!;
    if (![...select.options].some((o) => o.value === id)) select.add(new Option(s.question ? `${id}: ${s.question}` : id, id));
  }
}

async function load(): Promise<void> {
  current?.abort();
  const abort = new AbortController();
  current = abort;
  const s = settings();
  setKey(input("key").value);
  sessionStorage.setItem("mittari-key", input("key").value.trim());
  const url = new URL(window.location.href);
  url.search = "";
  for (const f of fields) if (s[f] !== "" && s[f] !== 0) url.searchParams.set(f, String(s[f]));
  history.replaceState(null, "", url);

  main.dataset.state = "loading";
  status.textContent = "Loading…";
  const parent = `workspaces/${s.workspace}`;
  let ws;
  try {
    ws = await admin.getWorkspace({ name: parent }, { signal: abort.signal });
  } catch (e) {
    status.textContent = `Cannot read ${parent}: ${e instanceof Error ? e.message : String(e)}`;
    main.dataset.state = "error";
    return;
  }
  if (s.from >= s.to) {
    status.textContent = "From must be before To.";
    main.dataset.state = "error";
    return;
  }
  const ctx: Context = {
    settings: s,
    parent,
    timeZone: ws.timeZone || "UTC",
    currency: ws.currencyCode || "EUR",
    start: localMidnight(s.from, ws.timeZone || "UTC"),
    end: localMidnight(s.to, ws.timeZone || "UTC"),
    signal: abort.signal,
  };
  main.hidden = false;
  document.getElementById("context")!.textContent =
    `${ws.displayName || parent} · ${s.from} to ${s.to} (exclusive) in ${ctx.timeZone} · by ${s.granularity}` +
    (s.minN > 0 ? ` · values with n below ${s.minN} are hidden and marked “small sample”` : "");

  const run = (container: string, what: string, f: (c: Context) => Promise<void>) =>
    f(ctx).catch((e) => {
      if (!abort.signal.aborted) failure(container, what, e);
    });
  await Promise.all([
    fillChoices(ctx).catch(() => undefined),
    run("tiles", "Overview", sections.overview),
    run("table-nps", "NPS trend", sections.npsTrend),
    run("table-csat-trend", "CSAT trend", sections.csatTrend),
    run("table-csat", "CSAT by channel", sections.csatByChannel),
    run("table-ces", "CES by touchpoint", sections.cesByTouchpoint),
    run("table-responses", "Responses", sections.responses),
    run("table-customers", "Churn and retention", sections.customers),
    run("table-activity", "Active visitors", sections.activity),
    run("table-conversion", "Conversion", sections.conversion),
    run("table-tickets", "Tickets", sections.tickets),
    run("table-events", "Events", sections.eventTable),
    run("scorecard", "Scorecard", sections.scorecard),
    run("alerts", "Alerts", sections.alerts),
  ]);
  if (abort.signal.aborted) return;
  resizeAll();
  // The live parts keep running until the next load.
  void sections.liveNps(ctx, () => {
    main.dataset.live = "nps";
  });
  void sections.liveAlerts(ctx);
  main.dataset.state = "ready";
  const now = new Date();
  status.textContent = `Updated ${localDate(now, ctx.timeZone)} ${now.toLocaleTimeString("en-GB", { timeZone: ctx.timeZone })} (${ctx.timeZone}).`;
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  void load();
});
window.addEventListener("resize", resizeAll);
window.addEventListener("beforeprint", resizeAll);
restore();
if (input("key").value !== "") void load();
