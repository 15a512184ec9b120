import type { Granularity } from "../schemas/analytics";

/**
 * Calendar arithmetic for trends, on whole UTC days counted from 1970-01-01, so that no
 * time zone or daylight saving shift can move a date.
 */

const DAY_MS = 86_400_000;

export function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** ISO weekday, Monday 1 .. Sunday 7. */
function isoWeekday(day: number): number {
  // 1970-01-01 was a Thursday.
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

function ymd(date: string): { y: number; m: number } {
  return { y: Number(date.slice(0, 4)), m: Number(date.slice(5, 7)) };
}

function monthStart(y: number, m: number): string {
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-01`;
}

export function addMonths(date: string, months: number): string {
  const { y, m } = ymd(date);
  const index = y * 12 + (m - 1) + months;
  return monthStart(Math.floor(index / 12), (index % 12) + 1);
}

export interface Period {
  /** `2026-11-20`, `2026-W47` or `2026-11`. */
  period: string;
  start: string;
  end: string;
}

/** The first day of the period holding `date`. */
export function periodStart(date: string, granularity: Granularity): string {
  if (granularity === "day") return date;
  if (granularity === "month") return `${date.slice(0, 7)}-01`;
  const day = dayNumber(date);
  return dateOf(day - isoWeekday(day) + 1);
}

/** `2026-W01` for the week starting 2025-12-29: the ISO year is the year of its Thursday. */
export function isoWeekLabel(monday: string): string {
  const thursday = dayNumber(monday) + 3;
  const year = Number(dateOf(thursday).slice(0, 4));
  const week = Math.floor((thursday - dayNumber(`${year}-01-01`)) / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

export function periodOf(start: string, granularity: Granularity): Period {
  if (granularity === "day") return { period: start, start, end: start };
  if (granularity === "week") {
    return { period: isoWeekLabel(start), start, end: dateOf(dayNumber(start) + 6) };
  }
  const next = addMonths(start, 1);
  return { period: start.slice(0, 7), start, end: dateOf(dayNumber(next) - 1) };
}

/** How many periods overlap `from`..`to`, without listing them. */
export function countPeriods(from: string, to: string, granularity: Granularity): number {
  if (granularity === "day") return dayNumber(to) - dayNumber(from) + 1;
  if (granularity === "week") {
    return (dayNumber(periodStart(to, "week")) - dayNumber(periodStart(from, "week"))) / 7 + 1;
  }
  const a = ymd(from);
  const b = ymd(to);
  return (b.y - a.y) * 12 + (b.m - a.m) + 1;
}

/** Every period overlapping `from`..`to`, in order, each with its own full bounds. */
export function listPeriods(from: string, to: string, granularity: Granularity): Period[] {
  if (granularity === "day") return listDays(from, to);
  const out: Period[] = [];
  let start = periodStart(from, granularity);
  while (start <= to) {
    const p = periodOf(start, granularity);
    out.push(p);
    start = dateOf(dayNumber(p.end) + 1);
  }
  return out;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

// A thousand-day trend lists its days by plain calendar counting, without a Date each.
function listDays(from: string, to: string): Period[] {
  const out: Period[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  let d = Number(from.slice(8, 10));
  for (;;) {
    const date = `${String(y).padStart(4, "0")}-${m < 10 ? "0" : ""}${m}-${d < 10 ? "0" : ""}${d}`;
    if (date > to) return out;
    out.push({ period: date, start: date, end: date });
    d += 1;
    if (d > daysInMonth(y, m)) {
      d = 1;
      m += 1;
      if (m > 12) {
        m = 1;
        y += 1;
      }
    }
  }
}
