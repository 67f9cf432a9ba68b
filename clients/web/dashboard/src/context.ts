// What every section of the dashboard queries with: the workspace, its
// zone and currency, the range, the granularity, the filters and min n.
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { kpi } from "./api.js";
import { bucketLabel, type Granularity as Grain } from "./format.js";
import { Granularity } from "../../src/gen/mittari/v1/common_pb.js";
import type { MetricPoint } from "../../src/gen/mittari/v1/kpi_pb.js";

export interface Settings {
  workspace: string;
  from: string;
  to: string;
  granularity: Exclude<Grain, "none">;
  survey: string;
  channel: string;
  touchpoint: string;
  segment: string;
  groupBy: string;
  minN: number;
}

export interface Context {
  settings: Settings;
  parent: string;
  timeZone: string;
  currency: string;
  start: Date;
  end: Date;
  signal: AbortSignal;
}

const grains: Record<Grain, Granularity> = {
  none: Granularity.NONE,
  day: Granularity.DAY,
  week: Granularity.WEEK,
  month: Granularity.MONTH,
  quarter: Granularity.QUARTER,
};

export interface Query {
  metric: string;
  granularity: Grain;
  groupBy?: string[];
  /** Which of the settings' filters apply (survey metrics take all four). */
  filters?: Array<"survey" | "channel" | "touchpoint" | "segment">;
  minN?: boolean;
}

/** The QueryMetric request a query and the settings make. */
export function request(ctx: Context, q: Query) {
  const filters: Record<string, string> = {};
  for (const f of q.filters ?? []) {
    const v = ctx.settings[f].trim();
    if (v !== "") filters[f] = v;
  }
  return {
    parent: ctx.parent,
    metric: q.metric,
    granularity: grains[q.granularity],
    range: { startTime: timestampFromDate(ctx.start), endTime: timestampFromDate(ctx.end) },
    filters,
    groupBy: q.groupBy ?? [],
    minN: BigInt(q.minN ? ctx.settings.minN : 0),
  };
}

export async function query(ctx: Context, q: Query): Promise<MetricPoint[]> {
  const res = await kpi.queryMetric(request(ctx, q), { signal: ctx.signal });
  return res.points;
}

export function label(ctx: Context, p: MetricPoint, granularity: Grain): string {
  return bucketLabel(p.bucketStart ? timestampDate(p.bucketStart) : undefined, granularity, ctx.timeZone);
}

/** The group's name: "email", or "chat · web" when grouped by several. */
export function groupName(p: MetricPoint): string {
  const values = Object.values(p.group);
  return values.length === 0 ? "all" : values.join(" · ");
}

/** Points of a series split by group, in first-seen order, and the bucket labels. */
export function byGroup(ctx: Context, points: MetricPoint[], granularity: Grain) {
  const labels: string[] = [];
  const groups = new Map<string, Map<string, MetricPoint>>();
  for (const p of points) {
    const l = label(ctx, p, granularity);
    if (!labels.includes(l)) labels.push(l);
    const g = groupName(p);
    if (!groups.has(g)) groups.set(g, new Map());
    groups.get(g)!.set(l, p);
  }
  return { labels, groups };
}
