import { REPORT_UTC_OFFSET_HOURS } from "../config/report-zone.js";
import type { ReportPeriod } from "./admin-service.js";

const HOUR_MS = 3600_000;
const PHNOM_PENH_OFFSET_MS = REPORT_UTC_OFFSET_HOURS * HOUR_MS;
const DAY_MS = 86_400_000;

/** The local (Asia/Phnom_Penh) calendar date of an instant, as YYYY-MM-DD. */
export function localDate(at: Date): string {
  return new Date(at.getTime() + PHNOM_PENH_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant local midnight of `date` (YYYY-MM-DD) begins. */
export function localMidnight(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - PHNOM_PENH_OFFSET_MS);
}

function isDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && localDate(localMidnight(text)) === text;
}

/** today | yesterday | 7d | 30d | YYYY-MM-DD..YYYY-MM-DD (inclusive days); null when not understood. */
export function parsePeriod(text: string | undefined, now: Date = new Date()): ReportPeriod | null {
  const arg = (text ?? "today").trim().toLowerCase();
  const today = localMidnight(localDate(now));
  const days = (from: Date, count: number, label: string): ReportPeriod => ({ from, to: new Date(from.getTime() + count * DAY_MS), label });
  if (arg === "" || arg === "today") return days(today, 1, localDate(today));
  if (arg === "yesterday") return days(new Date(today.getTime() - DAY_MS), 1, localDate(new Date(today.getTime() - DAY_MS)));
  const last = /^(\d{1,3})d$/.exec(arg);
  if (last) {
    const n = Number(last[1]);
    if (n < 1 || n > 366) return null;
    const from = new Date(today.getTime() - (n - 1) * DAY_MS);
    return days(from, n, `${localDate(from)}..${localDate(today)}`);
  }
  const range = /^(\S+)\.\.(\S+)$/.exec(arg);
  if (range && isDate(range[1]!) && isDate(range[2]!)) {
    const from = localMidnight(range[1]!);
    const to = localMidnight(range[2]!);
    if (to < from || to.getTime() - from.getTime() > 366 * DAY_MS) return null;
    return { from, to: new Date(to.getTime() + DAY_MS), label: `${range[1]}..${range[2]}` };
  }
  return null;
}

/** "2026-03-01 21:05:09", local time in the report time zone. */
export function localDateTime(at: Date): string {
  return new Date(at.getTime() + PHNOM_PENH_OFFSET_MS).toISOString().slice(0, 19).replace("T", " ");
}

/** The instant local midnight of the day `at` falls on began. */
export function startOfLocalDay(at: Date): Date {
  return localMidnight(localDate(at));
}

/** A one-day report is charted by hour, a longer one by day. */
export function chartUnitOf(period: ReportPeriod): "hour" | "day" {
  return period.to.getTime() - period.from.getTime() <= DAY_MS ? "hour" : "day";
}

export interface Bucket {
  label: string;
  from: Date;
  /** Exclusive. */
  to: Date;
}

/**
 * The chart's buckets: each hour ("00".."23") of a one-day period, else each local date, with the
 * instants each begins and ends (the database totals by these, so it needs no time-zone rules).
 */
export function bucketsOf(period: ReportPeriod): { unit: "hour" | "day"; buckets: Bucket[]; labelOf(at: Date): string } {
  const unit = chartUnitOf(period);
  const step = unit === "hour" ? HOUR_MS : DAY_MS;
  const labelOf = unit === "hour" ? (at: Date) => localDateTime(at).slice(11, 13) : localDate;
  const buckets: Bucket[] = [];
  for (let t = period.from.getTime(); t < period.to.getTime(); t += step) {
    buckets.push({ label: labelOf(new Date(t)), from: new Date(t), to: new Date(Math.min(t + step, period.to.getTime())) });
  }
  return { unit, buckets, labelOf };
}
