import { schema } from "@ledgerflow/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  insertExpenses,
  isRoundedSqrt,
  type LedgerRow,
  minorOf,
  nextDay,
  periodLabelOf,
  roundHalfUp,
  statsOf,
} from "./analytics-helpers";
import { useTestEnv } from "./helpers";

const FIRST_DAY = Date.UTC(2023, 11, 1);
const anyDayArb = fc
  .integer({ min: 0, max: 480 })
  .map((i) => new Date(FIRST_DAY + i * 86_400_000).toISOString().slice(0, 10));
// First and last days of months often, since reports split ranges at month edges.
const dayArb = fc.oneof(
  anyDayArb,
  anyDayArb.map((d) => `${d.slice(0, 7)}-01`),
  anyDayArb.map((d) => {
    const next = new Date(`${d.slice(0, 7)}-01T00:00:00Z`);
    next.setUTCMonth(next.getUTCMonth() + 1);
    return new Date(next.getTime() - 86_400_000).toISOString().slice(0, 10);
  }),
);
const amountArb = fc.oneof(
  fc.bigInt({ min: 1n, max: 5_000n }),
  fc.bigInt({ min: 1n, max: 99_999_999_999n }),
);
const currencyArb = fc.constantFrom("USD", "JPY", "KWD");

interface Slot {
  baseCode: string;
  sub: string | null;
}
const SLOTS: Slot[] = [
  { baseCode: "FOOD", sub: null },
  { baseCode: "FOOD", sub: "FOOD.COFFEE" },
  { baseCode: "FOOD", sub: "FOOD.LUNCH" },
  { baseCode: "RENT", sub: null },
  { baseCode: "RENT", sub: "RENT.FLAT" },
  { baseCode: "MISC", sub: null },
];

const expenseArb = fc.record({
  amountMinor: amountArb,
  currency: currencyArb,
  spentOn: dayArb,
  slot: fc.integer({ min: 0, max: SLOTS.length - 1 }),
  mine: fc.integer({ min: 0, max: 4 }).map((i) => i > 0),
});

interface Generated {
  amountMinor: bigint;
  currency: string;
  spentOn: string;
  slot: number;
  mine: boolean;
}

describe("analytics against an independent computation", () => {
  const env = useTestEnv();

  async function ledger() {
    const me = await env.signUp();
    const other = await env.signUp();
    const ids = new Map<string, string>();
    for (const [name, baseCode] of [
      ["Coffee", "FOOD"],
      ["Lunch", "FOOD"],
      ["Flat", "RENT"],
    ] as const) {
      const c = await me.caller.categories.create({ name, baseCode });
      ids.set(c.code, c.id);
      // The other user has categories of the same codes: they must never be mixed up.
      await other.caller.categories.create({ name, baseCode });
    }
    const write = async (gen: Generated[]) => {
      await env.handle.db.delete(schema.expenses);
      const rows: (LedgerRow & { sub: string | null })[] = gen.map((g) => {
        const slot = SLOTS[g.slot] ?? { baseCode: "MISC", sub: null };
        return {
          userId: g.mine ? me.id : other.id,
          amountMinor: g.amountMinor,
          currency: g.currency,
          spentOn: g.spentOn,
          baseCode: slot.baseCode,
          categoryId: g.mine && slot.sub ? (ids.get(slot.sub) ?? null) : null,
          sub: g.mine ? slot.sub : null,
        };
      });
      const inserted = await insertExpenses(env.handle.db, rows);
      return rows
        .map((r, i) => ({ ...r, id: inserted[i] ?? "" }))
        .filter((r) => r.userId === me.id);
    };
    return { me, write };
  }

  it("summary: exact totals and counts, rounded means and deviations, slices that add up", async () => {
    const { me, write } = await ledger();
    await fc.assert(
      fc.asyncProperty(
        fc.array(expenseArb, { maxLength: 60 }),
        currencyArb,
        fc.option(dayArb, { nil: undefined }),
        fc.option(dayArb, { nil: undefined }),
        async (gen, currency, a, b) => {
          const [from, to] = a && b && a > b ? [b, a] : [a, b];
          const mine = await write(gen);
          const s = await me.caller.analytics.summary({ currency, from, to });
          const rows = mine.filter(
            (r) =>
              r.currency === currency &&
              (from === undefined || r.spentOn >= from) &&
              (to === undefined || r.spentOn <= to),
          );
          const st = statsOf(rows.map((r) => r.amountMinor));
          const n = BigInt(st.count);
          expect(s.currency).toBe(currency);
          expect(s.count).toBe(st.count);
          expect(minorOf(s.total, currency)).toBe(st.total);
          if (st.count === 0) {
            expect(s.average).toBeNull();
            expect(s.stdDev).toBeNull();
            expect(s.largest).toBeNull();
            expect(s.byCategory).toEqual([]);
            return;
          }
          expect(minorOf(s.average ?? "", currency)).toBe(roundHalfUp(st.total, n));
          const d = n * st.s2 - st.total * st.total;
          expect(isRoundedSqrt(minorOf(s.stdDev ?? "", currency), d, n * n)).toBe(true);
          if (st.count > 1) {
            const sample = minorOf(s.sampleStdDev ?? "", currency);
            expect(isRoundedSqrt(sample, d, n * (n - 1n))).toBe(true);
          } else {
            expect(s.sampleStdDev).toBeNull();
          }

          let max = 0n;
          for (const r of rows) if (r.amountMinor > max) max = r.amountMinor;
          const tops = rows.filter((r) => r.amountMinor === max);
          const latest = tops
            .map((r) => r.spentOn)
            .sort()
            .at(-1);
          expect(minorOf(s.largest?.amount ?? "", currency)).toBe(max);
          expect(s.largest?.spentOn).toBe(latest);
          const top = tops.find((r) => r.id === s.largest?.id);
          expect(top).toBeDefined();
          expect(s.largest?.baseCode).toBe(top?.baseCode);
          expect(s.largest?.category?.code ?? null).toBe(top?.sub ?? null);

          const byBase = new Map<string, bigint[]>();
          for (const r of rows)
            byBase.set(r.baseCode, [...(byBase.get(r.baseCode) ?? []), r.amountMinor]);
          expect(s.byCategory.map((c) => c.code).sort()).toEqual([...byBase.keys()].sort());
          let shareSum = 0;
          let sliceSum = 0n;
          for (const [i, c] of s.byCategory.entries()) {
            const bs = statsOf(byBase.get(c.code) ?? []);
            const total = minorOf(c.total, currency);
            expect(total).toBe(bs.total);
            expect(c.count).toBe(bs.count);
            expect(minorOf(c.average, currency)).toBe(roundHalfUp(bs.total, BigInt(bs.count)));
            expect(c.share).toBeCloseTo(Number(bs.total) / Number(st.total), 12);
            const previous = s.byCategory[i - 1];
            if (previous) expect(minorOf(previous.total, currency) >= total).toBe(true);
            shareSum += c.share;
            sliceSum += total;
            let subSum = 0n;
            let subCount = 0;
            for (const sub of c.subcategories) {
              const subRows = rows.filter((r) => r.baseCode === c.code && r.sub === sub.code);
              const ss = statsOf(subRows.map((r) => r.amountMinor));
              expect(minorOf(sub.total, currency)).toBe(ss.total);
              expect(sub.count).toBe(ss.count);
              expect(sub.count).toBeGreaterThan(0);
              subSum += ss.total;
              subCount += ss.count;
            }
            expect(subSum).toBe(total);
            expect(subCount).toBe(c.count);
          }
          expect(sliceSum).toBe(st.total);
          expect(shareSum).toBeCloseTo(1, 12);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("trend: every period present, contiguous, each total exact", async () => {
    const { me, write } = await ledger();
    await fc.assert(
      fc.asyncProperty(
        fc.array(expenseArb, { maxLength: 60 }),
        currencyArb,
        dayArb,
        dayArb,
        fc.constantFrom("day" as const, "week" as const, "month" as const),
        fc.constantFrom(undefined, "FOOD", "FOOD.COFFEE", "RENT"),
        async (gen, currency, a, b, granularity, category) => {
          const [from, to] = a > b ? [b, a] : [a, b];
          const mine = await write(gen);
          const t = await me.caller.analytics.trend({ currency, from, to, granularity, category });
          const rows = mine.filter(
            (r) =>
              r.currency === currency &&
              r.spentOn >= from &&
              r.spentOn <= to &&
              (category === undefined || r.baseCode === category || r.sub === category),
          );
          const expected = new Map<string, { total: bigint; count: number }>();
          for (const r of rows) {
            const key = periodLabelOf(r.spentOn, granularity);
            const e = expected.get(key) ?? { total: 0n, count: 0 };
            expected.set(key, { total: e.total + r.amountMinor, count: e.count + 1 });
          }
          const first = t.points[0];
          const last = t.points.at(-1);
          expect(first && first.start <= from && from <= first.end).toBe(true);
          expect(last && last.start <= to && to <= last.end).toBe(true);
          let count = 0;
          for (const [i, p] of t.points.entries()) {
            const previous = t.points[i - 1];
            if (previous) expect(p.start).toBe(nextDay(previous.end));
            expect(p.period).toBe(periodLabelOf(p.start, granularity));
            expect(periodLabelOf(p.end, granularity)).toBe(p.period);
            expect(periodLabelOf(nextDay(p.end), granularity)).not.toBe(p.period);
            const e = expected.get(p.period) ?? { total: 0n, count: 0 };
            expect(minorOf(p.total, currency)).toBe(e.total);
            expect(p.count).toBe(e.count);
            count += p.count;
          }
          expect(count).toBe(rows.length);
        },
      ),
      { numRuns: 30 },
    );
  });
});
