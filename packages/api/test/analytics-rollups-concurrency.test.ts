import { analyticsService } from "@ledgerflow/core";
import { describe, expect, it } from "vitest";
import { useTestEnv } from "./helpers";

/**
 * Writers at once on the same days and categories (truly in parallel on PostgreSQL,
 * one after another on PGlite): the rollups must come out exact, without deadlocks.
 */
describe("rollups under concurrent writers", () => {
  const env = useTestEnv();

  it("stay exact when creates, updates and deletes race on the same rows", async () => {
    const me = await env.signUp();
    const days = ["2026-02-27", "2026-02-28", "2026-03-01"];
    const seed = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        me.caller.expenses.create({
          amount: `${(i % 5) + 1}.00`,
          category: i % 2 ? "FOOD" : "RENT",
          spentOn: days[i % days.length] ?? "2026-03-01",
        }),
      ),
    );
    const work: Promise<unknown>[] = [];
    for (const [i, e] of seed.entries()) {
      if (i % 3 === 0) work.push(me.caller.expenses.delete({ id: e.id }));
      else if (i % 3 === 1) {
        work.push(
          me.caller.expenses.update({
            id: e.id,
            amount: `${9 - (i % 4)}.50`,
            spentOn: days[(i + 1) % days.length] ?? "2026-03-01",
          }),
        );
      }
      work.push(
        me.caller.expenses.create({
          amount: `${(i % 7) + 1}.25`,
          category: i % 2 ? "RENT" : "FOOD",
          spentOn: days[(i + 2) % days.length] ?? "2026-03-01",
        }),
      );
    }
    const results = await Promise.allSettled(work);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(await analyticsService.rollupDrift(env.handle.db)).toEqual({
      days: 0,
      months: 0,
      totals: 0,
    });
    const s = await me.caller.analytics.summary();
    expect(s.count).toBe(24 - 8 + 24);
  });

  it("never deadlock when expenses cross between the same rows in opposite directions", async () => {
    const me = await env.signUp();
    const make = (category: string, spentOn: string) =>
      me.caller.expenses.create({ amount: "3.00", category, spentOn });
    const pairs = await Promise.all(
      Array.from({ length: 12 }, async () => [
        await make("FOOD", "2026-05-01"),
        await make("RENT", "2026-05-02"),
      ]),
    );
    for (let round = 0; round < 3; round++) {
      const flip = round % 2 === 1;
      const results = await Promise.allSettled(
        pairs.flatMap(([a, b]) => [
          a &&
            me.caller.expenses.update({
              id: a.id,
              category: flip ? "FOOD" : "RENT",
              spentOn: flip ? "2026-05-01" : "2026-05-02",
            }),
          b &&
            me.caller.expenses.update({
              id: b.id,
              category: flip ? "RENT" : "FOOD",
              spentOn: flip ? "2026-05-02" : "2026-05-01",
            }),
        ]),
      );
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    }
    expect(await analyticsService.rollupDrift(env.handle.db)).toEqual({
      days: 0,
      months: 0,
      totals: 0,
    });
  });

  it("never deadlock when moves cross currencies while imports mix them", async () => {
    const me = await env.signUp();
    const make = (currency: string) =>
      me.caller.expenses.create({
        amount: "3.00",
        currency,
        category: "FOOD",
        spentOn: "2026-06-01",
      });
    const pairs = await Promise.all(
      Array.from({ length: 10 }, async () => [await make("USD"), await make("EUR")]),
    );
    // One batch spans both currencies, so it needs both locks, as each move does.
    const batch = (n: number) =>
      me.caller.expenses.createMany({
        items: Array.from({ length: 40 }, (_, i) => ({
          amount: `${(i % 9) + 1}.${n}0`,
          currency: i % 2 ? "USD" : "EUR",
          category: i % 3 ? "FOOD" : "RENT",
          spentOn: i % 4 ? "2026-06-01" : "2026-06-02",
        })),
      });
    for (let round = 0; round < 3; round++) {
      const flip = round % 2 === 1;
      const results = await Promise.allSettled([
        ...pairs.flatMap(([a, b]) => [
          a && me.caller.expenses.update({ id: a.id, currency: flip ? "USD" : "EUR" }),
          b && me.caller.expenses.update({ id: b.id, currency: flip ? "EUR" : "USD" }),
        ]),
        batch(round),
        batch(round + 3),
      ]);
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    }
    expect(await analyticsService.rollupDrift(env.handle.db)).toEqual({
      days: 0,
      months: 0,
      totals: 0,
    });
    const usd = await me.caller.analytics.summary({ currency: "USD" });
    const eur = await me.caller.analytics.summary({ currency: "EUR" });
    expect(usd.count + eur.count).toBe(20 + 6 * 40);
  });
});
