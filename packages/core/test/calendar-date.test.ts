import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isCalendarDate } from "../src/schemas/common";

/** The reference: what JavaScript's own calendar makes of the string. */
function byDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const pad = (n: number, w: number) => String(n).padStart(w, "0");

describe("isCalendarDate", () => {
  it("agrees with the JavaScript calendar on every day-like string", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        (y, m, d) => {
          const s = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
          expect(isCalendarDate(s)).toBe(byDate(s));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it("knows the leap years", () => {
    expect(isCalendarDate("2024-02-29")).toBe(true);
    expect(isCalendarDate("2000-02-29")).toBe(true);
    expect(isCalendarDate("1900-02-29")).toBe(false);
    expect(isCalendarDate("2023-02-29")).toBe(false);
    expect(isCalendarDate("2026-04-31")).toBe(false);
    expect(isCalendarDate("2026-12-31")).toBe(true);
  });

  it("refuses anything not shaped YYYY-MM-DD", () => {
    for (const s of [
      "2026-1-01",
      "2026-01-1",
      "20260101",
      "2026/01/01",
      "2026-01-01 ",
      "２０２６-01-01",
      "2026-0a-01",
      "+2026-01-01",
      "",
    ]) {
      expect(isCalendarDate(s)).toBe(false);
    }
  });
});
