import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  countPeriods,
  dateOf,
  dayNumber,
  isoWeekLabel,
  listPeriods,
  periodStart,
} from "../src/services/analytics-periods";
import { splitRange } from "../src/services/analytics-rollups";

const dateArb = fc
  .integer({ min: dayNumber("1900-01-01"), max: dayNumber("2999-12-31") })
  .map(dateOf);
// Month edges matter most to the range split: pick them often.
const edgyDateArb = fc.oneof(
  dateArb,
  dateArb.map((d) => `${d.slice(0, 7)}-01`),
  dateArb.map((d) => dateOf(dayNumber(`${d.slice(0, 7)}-01`) - 1)),
);
const rangeArb = fc
  .tuple(edgyDateArb, fc.integer({ min: 0, max: 900 }))
  .map(
    ([from, len]) =>
      [from, dateOf(Math.min(dayNumber(from) + len, dayNumber("2999-12-31")))] as const,
  );

/** ISO week by the textbook rule, independent of the code under test. */
function isoWeek(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const year = d.getUTCFullYear();
  const week = Math.ceil(((d.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${String(year).padStart(4, "0")}-W${String(week).padStart(2, "0")}`;
}

describe("trend periods", () => {
  it("label ISO weeks as the textbook rule does, across year ends", () => {
    fc.assert(
      fc.property(dateArb, (d) => {
        expect(isoWeekLabel(periodStart(d, "week"))).toBe(isoWeek(d));
      }),
      { numRuns: 2000 },
    );
    expect(isoWeekLabel("2025-12-29")).toBe("2026-W01");
    expect(isoWeekLabel("2026-12-28")).toBe("2026-W53");
    expect(isoWeekLabel("2027-01-04")).toBe("2027-W01");
  });

  it("tile the range: contiguous, whole periods, counted without listing", () => {
    fc.assert(
      fc.property(
        rangeArb,
        fc.constantFrom("day", "week", "month") as fc.Arbitrary<"day" | "week" | "month">,
        ([from, to], g) => {
          const periods = listPeriods(from, to, g);
          expect(periods.length).toBe(countPeriods(from, to, g));
          const first = periods[0];
          const last = periods.at(-1);
          expect(first && first.start <= from && from <= first.end).toBe(true);
          expect(last && last.start <= to && to <= last.end).toBe(true);
          for (const [i, p] of periods.entries()) {
            const next = periods[i + 1];
            if (next) expect(dayNumber(next.start)).toBe(dayNumber(p.end) + 1);
            expect(periodStart(p.end, g)).toBe(p.start);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("splitRange", () => {
  it("covers every day of the range exactly once, months only whole", () => {
    fc.assert(
      fc.property(rangeArb, ([from, to]) => {
        const split = splitRange(from, to);
        const covered: number[] = [];
        for (const d of split.days) {
          for (let n = dayNumber(d.from); n <= dayNumber(d.to); n++) covered.push(n);
        }
        if (split.months) {
          const a = split.months.from ?? "";
          const b = split.months.until ?? "";
          expect(a.endsWith("-01") && b.endsWith("-01")).toBe(true);
          for (let n = dayNumber(a); n < dayNumber(b); n++) covered.push(n);
        }
        covered.sort((x, y) => x - y);
        const want = Array.from(
          { length: dayNumber(to) - dayNumber(from) + 1 },
          (_, i) => dayNumber(from) + i,
        );
        expect(covered).toEqual(want);
        expect(split.days.length).toBeLessThanOrEqual(2);
        for (const d of split.days) expect(dayNumber(d.to) - dayNumber(d.from)).toBeLessThan(62);
      }),
      { numRuns: 500 },
    );
  });

  it("leaves an open end open", () => {
    expect(splitRange(null, null)).toEqual({ months: { from: null, until: null }, days: [] });
    expect(splitRange("2024-02-15", null)).toEqual({
      months: { from: "2024-03-01", until: null },
      days: [{ from: "2024-02-15", to: "2024-02-29" }],
    });
    expect(splitRange(null, "2024-02-29")).toEqual({
      months: { from: null, until: "2024-03-01" },
      days: [],
    });
  });
});
