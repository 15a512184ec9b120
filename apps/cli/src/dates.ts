import { usageError } from "./errors";

const DAY_MS = 86_400_000;

/** Today's date in UTC, the server's notion of "today". */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** `today`, `yesterday` or `YYYY-MM-DD`, as a `YYYY-MM-DD` date. */
export function parseDate(value: string, option: string, now: Date = new Date()): string {
  const v = value.trim().toLowerCase();
  if (v === "today") return todayUtc(now);
  if (v === "yesterday") return todayUtc(new Date(now.getTime() - DAY_MS));
  if (isCalendarDate(v)) return v;
  throw usageError(
    `${option} must be today, yesterday or a date YYYY-MM-DD, not '${value}'.`,
    `For example: ${option} 2026-11-20`,
  );
}
