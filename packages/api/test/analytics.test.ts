import { describe, expect, it } from "vitest";
import { expectFailure, insertExpenses } from "./analytics-helpers";
import { useTestEnv } from "./helpers";

describe("analytics.summary", () => {
  const env = useTestEnv();

  it("answers zeros and nulls for a ledger with no expenses", async () => {
    const u = await env.signUp();
    const s = await u.caller.analytics.summary();
    expect(s).toEqual({
      currency: "USD",
      from: null,
      to: null,
      count: 0,
      total: "0.00",
      average: null,
      largest: null,
      stdDev: null,
      sampleStdDev: null,
      byCategory: [],
    });
  });

  it("reports one expense with no spread and no sample deviation", async () => {
    const u = await env.signUp();
    const [id] = await insertExpenses(env.handle.db, [
      {
        userId: u.id,
        amountMinor: 1250n,
        currency: "USD",
        spentOn: "2026-03-04",
        baseCode: "FOOD",
      },
    ]);
    const s = await u.caller.analytics.summary({});
    expect(s.count).toBe(1);
    expect(s.total).toBe("12.50");
    expect(s.average).toBe("12.50");
    expect(s.stdDev).toBe("0.00");
    expect(s.sampleStdDev).toBeNull();
    expect(s.largest).toEqual({
      id,
      amount: "12.50",
      spentOn: "2026-03-04",
      baseCode: "FOOD",
      category: null,
    });
    expect(s.byCategory).toEqual([
      {
        code: "FOOD",
        name: "Food & Dining",
        total: "12.50",
        count: 1,
        average: "12.50",
        share: 1,
        subcategories: [{ code: null, name: null, total: "12.50", count: 1 }],
      },
    ]);
  });

  it("computes the original product's figures for a small ledger", async () => {
    const u = await env.signUp();
    const coffee = await u.caller.categories.create({ name: "Coffee", baseCode: "FOOD" });
    const rows = [
      { amountMinor: 1000n, baseCode: "FOOD", categoryId: coffee.id },
      { amountMinor: 2000n, baseCode: "FOOD" },
      { amountMinor: 4000n, baseCode: "RENT" },
      { amountMinor: 1001n, baseCode: "FOOD", categoryId: coffee.id },
    ];
    await insertExpenses(
      env.handle.db,
      rows.map((r) => ({ ...r, userId: u.id, currency: "USD", spentOn: "2026-01-10" })),
    );
    const s = await u.caller.analytics.summary({});
    // 80.01 / 4 = 20.0025 → 20.00; numpy.std([10, 20, 40, 10.01]) = 12.2454…, ddof=1 14.1397…
    expect(s).toMatchObject({ count: 4, total: "80.01", average: "20.00" });
    expect(s.stdDev).toBe("12.25");
    expect(s.sampleStdDev).toBe("14.14");
    expect(s.largest?.amount).toBe("40.00");
    expect(s.byCategory.map((c) => [c.code, c.total, c.count, c.average])).toEqual([
      ["FOOD", "40.01", 3, "13.34"],
      ["RENT", "40.00", 1, "40.00"],
    ]);
    expect(s.byCategory[0]?.subcategories).toEqual([
      { code: "FOOD.COFFEE", name: "Coffee", total: "20.01", count: 2 },
      { code: null, name: null, total: "20.00", count: 1 },
    ]);
    expect(s.byCategory[0]?.share).toBeCloseTo(40.01 / 80.01, 12);
  });

  it("rounds the average half away from zero", async () => {
    const u = await env.signUp();
    await insertExpenses(
      env.handle.db,
      [1n, 2n].map((amountMinor) => ({
        userId: u.id,
        amountMinor,
        currency: "USD",
        spentOn: "2026-01-01",
        baseCode: "MISC",
      })),
    );
    // 0.015 → 0.02 (not banker's 0.02/0.01 ambiguity: half goes up)
    expect((await u.caller.analytics.summary()).average).toBe("0.02");
  });

  it("never adds currencies together and formats each in its own decimals", async () => {
    const u = await env.signUp(undefined, { defaultCurrency: "EUR" });
    const base = { userId: u.id, spentOn: "2026-05-05", baseCode: "TRAVEL" };
    await insertExpenses(env.handle.db, [
      { ...base, amountMinor: 1500n, currency: "JPY" },
      { ...base, amountMinor: 2500n, currency: "JPY" },
      { ...base, amountMinor: 999n, currency: "EUR" },
      { ...base, amountMinor: 1234n, currency: "KWD" },
    ]);
    const eur = await u.caller.analytics.summary();
    expect(eur).toMatchObject({ currency: "EUR", count: 1, total: "9.99" });
    const jpy = await u.caller.analytics.summary({ currency: "JPY" });
    expect(jpy).toMatchObject({ currency: "JPY", count: 2, total: "4000", average: "2000" });
    expect(jpy.stdDev).toBe("500");
    expect(jpy.sampleStdDev).toBe("707");
    const kwd = await u.caller.analytics.summary({ currency: "KWD" });
    expect(kwd).toMatchObject({ total: "1.234", average: "1.234", stdDev: "0.000" });
    const usd = await u.caller.analytics.summary({ currency: "USD" });
    expect(usd).toMatchObject({ count: 0, total: "0.00", average: null });
  });

  it("counts only the given dates, inclusive, leap day included", async () => {
    const u = await env.signUp();
    const days = ["2024-02-28", "2024-02-29", "2024-03-01", "2025-02-28"];
    await insertExpenses(
      env.handle.db,
      days.map((spentOn, i) => ({
        userId: u.id,
        amountMinor: BigInt(100 * (i + 1)),
        currency: "USD",
        spentOn,
        baseCode: "BILLS",
      })),
    );
    const leap = await u.caller.analytics.summary({ from: "2024-02-29", to: "2024-02-29" });
    expect(leap).toMatchObject({ from: "2024-02-29", to: "2024-02-29", count: 1, total: "2.00" });
    const open = await u.caller.analytics.summary({ from: "2024-03-01" });
    expect(open).toMatchObject({ from: "2024-03-01", to: null, count: 2, total: "7.00" });
    const upTo = await u.caller.analytics.summary({ to: "2024-02-29" });
    expect(upTo).toMatchObject({ count: 2, total: "3.00" });
    const empty = await u.caller.analytics.summary({ from: "2030-01-01", to: "2030-12-31" });
    expect(empty).toMatchObject({ count: 0, total: "0.00", largest: null, byCategory: [] });
  });

  it("never counts or reveals another user's expenses", async () => {
    const a = await env.signUp();
    const b = await env.signUp();
    await insertExpenses(env.handle.db, [
      {
        userId: b.id,
        amountMinor: 99_999n,
        currency: "USD",
        spentOn: "2026-01-01",
        baseCode: "RENT",
      },
      { userId: a.id, amountMinor: 100n, currency: "USD", spentOn: "2026-01-01", baseCode: "FOOD" },
    ]);
    const s = await a.caller.analytics.summary();
    expect(s).toMatchObject({ count: 1, total: "1.00" });
    expect(s.largest?.amount).toBe("1.00");
  });

  it("refuses from after to, bad dates and unknown currencies, naming the field", async () => {
    const u = await env.signUp();
    await expectFailure(
      u.caller.analytics.summary({ from: "2026-02-01", to: "2026-01-31" }),
      "BAD_REQUEST",
      "from",
    );
    await expectFailure(u.caller.analytics.summary({ from: "2026-02-30" }), "BAD_REQUEST", "from");
    await expectFailure(u.caller.analytics.summary({ currency: "usd" }), "BAD_REQUEST", "currency");
    await expectFailure(u.caller.analytics.summary({ currency: "XXQ" }), "BAD_REQUEST", "currency");
    await expectFailure(u.caller.analytics.summary({ bogus: 1 } as never), "BAD_REQUEST");
  });

  it("needs a signed-in user", async () => {
    await expectFailure(env.anon.analytics.summary(), "UNAUTHORIZED");
    await expectFailure(env.anon.analytics.trend(), "UNAUTHORIZED");
  });
});

describe("analytics.trend", () => {
  const env = useTestEnv();

  it("defaults to twelve calendar months ending with the current one", async () => {
    const u = await env.signUp();
    const t = await u.caller.analytics.trend();
    expect(t.granularity).toBe("month");
    expect(t.currency).toBe("USD");
    expect(t.points).toHaveLength(12);
    const now = new Date().toISOString().slice(0, 7);
    expect(t.points[11]?.period).toBe(now);
    expect(t.points.every((p) => p.total === "0.00" && p.count === 0)).toBe(true);
  });

  it("fills every day, with the leap day and whole months bounds", async () => {
    const u = await env.signUp();
    await insertExpenses(env.handle.db, [
      { userId: u.id, amountMinor: 500n, currency: "USD", spentOn: "2024-02-29", baseCode: "FOOD" },
      { userId: u.id, amountMinor: 700n, currency: "USD", spentOn: "2024-02-29", baseCode: "FOOD" },
      { userId: u.id, amountMinor: 300n, currency: "USD", spentOn: "2024-03-01", baseCode: "FOOD" },
    ]);
    const days = await u.caller.analytics.trend({
      from: "2024-02-28",
      to: "2024-03-01",
      granularity: "day",
    });
    expect(days.points).toEqual([
      { period: "2024-02-28", start: "2024-02-28", end: "2024-02-28", total: "0.00", count: 0 },
      { period: "2024-02-29", start: "2024-02-29", end: "2024-02-29", total: "12.00", count: 2 },
      { period: "2024-03-01", start: "2024-03-01", end: "2024-03-01", total: "3.00", count: 1 },
    ]);
    const months = await u.caller.analytics.trend({ from: "2024-02-15", to: "2024-03-01" });
    expect(months.points).toEqual([
      { period: "2024-02", start: "2024-02-01", end: "2024-02-29", total: "12.00", count: 2 },
      { period: "2024-03", start: "2024-03-01", end: "2024-03-31", total: "3.00", count: 1 },
    ]);
  });

  it("labels ISO weeks across year ends, week 53 of 2026 included", async () => {
    const u = await env.signUp();
    const base = { userId: u.id, currency: "USD", baseCode: "MISC" };
    await insertExpenses(env.handle.db, [
      { ...base, amountMinor: 100n, spentOn: "2025-12-31" }, // 2026-W01
      { ...base, amountMinor: 200n, spentOn: "2026-12-31" }, // 2026-W53
      { ...base, amountMinor: 400n, spentOn: "2027-01-03" }, // 2026-W53 (Sunday)
      { ...base, amountMinor: 800n, spentOn: "2027-01-04" }, // 2027-W01
      { ...base, amountMinor: 1600n, spentOn: "2027-01-05" }, // after `to`: not counted
    ]);
    const early = await u.caller.analytics.trend({
      from: "2025-12-24",
      to: "2026-01-05",
      granularity: "week",
    });
    expect(early.points.map((p) => [p.period, p.start, p.end, p.total])).toEqual([
      ["2025-W52", "2025-12-22", "2025-12-28", "0.00"],
      ["2026-W01", "2025-12-29", "2026-01-04", "1.00"],
      ["2026-W02", "2026-01-05", "2026-01-11", "0.00"],
    ]);
    const late = await u.caller.analytics.trend({
      from: "2026-12-20",
      to: "2027-01-04",
      granularity: "week",
    });
    expect(late.points.map((p) => [p.period, p.start, p.end, p.total, p.count])).toEqual([
      ["2026-W51", "2026-12-14", "2026-12-20", "0.00", 0],
      ["2026-W52", "2026-12-21", "2026-12-27", "0.00", 0],
      ["2026-W53", "2026-12-28", "2027-01-03", "6.00", 2],
      ["2027-W01", "2027-01-04", "2027-01-10", "8.00", 1],
    ]);
  });

  it("filters by base category (subcategories included) or by one subcategory", async () => {
    const u = await env.signUp();
    const other = await env.signUp();
    const coffee = await u.caller.categories.create({ name: "Coffee", baseCode: "FOOD" });
    const theirs = await other.caller.categories.create({ name: "Tea", baseCode: "FOOD" });
    const base = { userId: u.id, currency: "USD", spentOn: "2026-06-10" };
    await insertExpenses(env.handle.db, [
      { ...base, amountMinor: 100n, baseCode: "FOOD", categoryId: coffee.id },
      { ...base, amountMinor: 200n, baseCode: "FOOD" },
      { ...base, amountMinor: 400n, baseCode: "RENT" },
    ]);
    const range = { from: "2026-06-01", to: "2026-06-30" };
    const all = await u.caller.analytics.trend(range);
    expect(all.points).toEqual([
      { period: "2026-06", start: "2026-06-01", end: "2026-06-30", total: "7.00", count: 3 },
    ]);
    const food = await u.caller.analytics.trend({ ...range, category: "FOOD" });
    expect(food.points[0]).toMatchObject({ total: "3.00", count: 2 });
    const sub = await u.caller.analytics.trend({ ...range, category: "FOOD.COFFEE" });
    expect(sub.points[0]).toMatchObject({ total: "1.00", count: 1 });
    await expectFailure(
      u.caller.analytics.trend({ ...range, category: "NOPE" }),
      "BAD_REQUEST",
      "category",
    );
    await expectFailure(
      u.caller.analytics.trend({ ...range, category: theirs.code.replace("TEA", "TEA") }),
      "BAD_REQUEST",
      "category",
    );
  });

  it("refuses from after to and more than 1000 points", async () => {
    const u = await env.signUp();
    await expectFailure(
      u.caller.analytics.trend({ from: "2026-02-01", to: "2026-01-31" }),
      "BAD_REQUEST",
      "from",
    );
    await expectFailure(
      u.caller.analytics.trend({ from: "2020-01-01", to: "2026-01-01", granularity: "day" }),
      "BAD_REQUEST",
      "granularity",
    );
    const ok = await u.caller.analytics.trend({
      from: "2026-01-01",
      to: "2028-09-26",
      granularity: "day",
    });
    expect(ok.points).toHaveLength(1000);
    await expectFailure(
      u.caller.analytics.trend({ granularity: "year" } as never),
      "BAD_REQUEST",
      "granularity",
    );
  });
});
