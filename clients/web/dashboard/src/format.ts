// What a person reads: one decimal for rates and scores, money in major
// units with its currency, bucket labels in the workspace's time zone
// (2026-W05, 2026-03, 2026-Q1, 2026-03-29), CIs as ±.

export type Granularity = "day" | "week" | "month" | "quarter" | "none";

interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const partFormats = new Map<string, Intl.DateTimeFormat>();

function localParts(instant: Date, timeZone: string): LocalParts {
  let f = partFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partFormats.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const { type, value } of f.formatToParts(instant)) p[type] = Number(value);
  return { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second };
}

/** The zone's offset from UTC at `instant`, in milliseconds. */
function offsetMs(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant a local date (YYYY-MM-DD) starts in `timeZone`. */
export function localMidnight(date: string, timeZone: string): Date {
  const [y, m, d] = date.split("-").map(Number);
  const guess = Date.UTC(y, m - 1, d);
  let t = guess - offsetMs(new Date(guess), timeZone);
  t = guess - offsetMs(new Date(t), timeZone);
  return new Date(t);
}

/** The local date (YYYY-MM-DD) of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** ISO week label of a local calendar date: 2026-W05. */
function isoWeek(year: number, month: number, day: number): string {
  const d = new Date(Date.UTC(year, month - 1, day));
  const weekday = d.getUTCDay() || 7; // Monday 1 ... Sunday 7
  d.setUTCDate(d.getUTCDate() + 4 - weekday); // the week's Thursday
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${pad(week)}`;
}

/** A bucket's label, as a person names it, in the workspace's zone. */
export function bucketLabel(start: Date | undefined, granularity: Granularity, timeZone: string): string {
  if (!start || granularity === "none") return "whole range";
  const p = localParts(start, timeZone);
  switch (granularity) {
    case "day":
      return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
    case "week":
      return isoWeek(p.year, p.month, p.day);
    case "month":
      return `${p.year}-${pad(p.month)}`;
    case "quarter":
      return `${p.year}-Q${Math.floor((p.month - 1) / 3) + 1}`;
  }
}

/** One decimal, or a dash for an absent value. */
export function one(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? "—" : value.toFixed(1);
}

/** Two decimals (ratios such as stickiness). */
export function two(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? "—" : value.toFixed(2);
}

/** "± 4.2" from a CI around a value; a dash when there is none. */
export function plusMinus(value: number | undefined, low: number | undefined, high: number | undefined): string {
  if (value === undefined || low === undefined || high === undefined) return "—";
  const half = (high - low) / 2;
  // A narrow interval of a mean score keeps two decimals, not "± 0.0".
  return `± ${half > 0 && half < 0.05 ? half.toFixed(2) : half.toFixed(1)}`;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Minor units (cents) as major units with the currency: €1,234.50. */
export function money(minor: number | bigint | undefined, currency: string): string {
  if (minor === undefined) return "—";
  let f = moneyFormats.get(currency);
  if (!f) {
    f = new Intl.NumberFormat("en-US", { style: "currency", currency });
    moneyFormats.set(currency, f);
  }
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(Number(minor) / 10 ** digits);
}

export function count(n: number | bigint): string {
  return Number(n).toLocaleString("en-US");
}

/** A duration in seconds as hours, one decimal: "12.5 h". */
export function hours(seconds: number | undefined): string {
  return seconds === undefined ? "—" : `${(seconds / 3600).toFixed(1)} h`;
}
