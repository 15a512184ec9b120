import { describe, expect, it } from "vitest";
import { useTestEnv } from "./helpers";
import { expectFailure } from "./ledger-helpers";

type Caller = Awaited<ReturnType<ReturnType<typeof useTestEnv>["signUp"]>>["caller"];

/** Every page of a listing, following nextCursor; `between` runs after each page. */
async function walk(
  caller: Caller,
  input: Record<string, unknown>,
  between?: (page: number) => Promise<void>,
) {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const res = await caller.expenses.list({ ...input, ...(cursor ? { cursor } : {}) });
    ids.push(...res.items.map((i) => i.id));
    if (!res.nextCursor) return ids;
    expect(res.items.length).toBe(input.limit ?? 20);
    cursor = res.nextCursor;
    if (between) await between(page);
  }
  throw new Error("the walk did not end");
}

describe("expenses.list", () => {
  const env = useTestEnv();

  it("orders newest spentOn first, then newest created", async () => {
    const u = await env.signUp();
    const make = (spentOn: string) =>
      u.caller.expenses.create({ amount: "1", category: "FOOD", spentOn });
    const a = await make("2026-01-02");
    const b = await make("2026-01-03");
    const c = await make("2026-01-02");
    const d = await make("2025-12-31");
    const res = await u.caller.expenses.list();
    expect(res.items.map((i) => i.id)).toEqual([b.id, c.id, a.id, d.id]);
    expect(res.nextCursor).toBeNull();
  });

  it("limit defaults to 20 and caps each page", async () => {
    const u = await env.signUp();
    await u.caller.expenses.createMany({
      items: Array.from({ length: 25 }, (_, i) => ({
        amount: `${i + 1}`,
        category: "MISC",
        spentOn: "2026-03-01",
      })),
    });
    const first = await u.caller.expenses.list();
    expect(first.items).toHaveLength(20);
    expect(first.nextCursor).toEqual(expect.any(String));
    const rest = await u.caller.expenses.list({ cursor: first.nextCursor ?? "" });
    expect(rest.items).toHaveLength(5);
    expect(rest.nextCursor).toBeNull();
    expect((await u.caller.expenses.list({ limit: 1 })).items).toHaveLength(1);
    expect((await u.caller.expenses.list({ limit: 100 })).items).toHaveLength(25);
    // Exactly a page full: no empty page after it.
    const exact = await u.caller.expenses.list({ limit: 25 });
    expect(exact.nextCursor).toBeNull();
  });

  it("a cursor walk returns every expense exactly once, in order", async () => {
    const u = await env.signUp();
    // Many rows share a day, and batches share a creation time: the id breaks ties.
    const items = Array.from({ length: 157 }, (_, i) => ({
      amount: `${(i % 13) + 1}.0${i % 10}`,
      category: "FOOD",
      spentOn: `2026-0${(i % 3) + 1}-1${i % 5}`,
    }));
    const created = [
      ...(await u.caller.expenses.createMany({ items: items.slice(0, 100) })).items,
      ...(await u.caller.expenses.createMany({ items: items.slice(100) })).items,
    ];
    for (const limit of [1, 7, 20, 100]) {
      const ids = await walk(u.caller, { limit });
      expect(ids).toHaveLength(created.length);
      expect(new Set(ids)).toEqual(new Set(created.map((e) => e.id)));
    }
    const full = (await u.caller.expenses.list({ limit: 100 })).items;
    for (let i = 1; i < full.length; i++) {
      const prev = full[i - 1];
      const cur = full[i];
      if (!prev || !cur) continue;
      expect(prev.spentOn >= cur.spentOn).toBe(true);
      if (prev.spentOn === cur.spentOn) expect(prev.createdAt >= cur.createdAt).toBe(true);
    }
  });

  it("a walk while new expenses arrive still returns each earlier one exactly once", async () => {
    const u = await env.signUp();
    const before = (
      await u.caller.expenses.createMany({
        items: Array.from({ length: 60 }, (_, i) => ({
          amount: "1",
          category: "FOOD",
          spentOn: `2026-04-${String((i % 28) + 1).padStart(2, "0")}`,
        })),
      })
    ).items.map((e) => e.id);
    const added: string[] = [];
    const ids = await walk(u.caller, { limit: 9 }, async (page) => {
      // Some land above the cursor (newer days), some below it (older), some on its day.
      for (const spentOn of ["2026-05-01", "2026-04-15", "2026-03-01", `2026-04-${10 + page}`]) {
        added.push((await u.caller.expenses.create({ amount: "2", category: "MISC", spentOn })).id);
      }
    });
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of before) expect(ids.filter((x) => x === id)).toHaveLength(1);
    expect(ids.every((id) => before.includes(id) || added.includes(id))).toBe(true);
    // The ones dated before the start (older than everything) are reached by the walk.
    expect(ids.length).toBeGreaterThan(before.length);
  });

  it("filters by inclusive dates, currency and category (a base takes its subcategories)", async () => {
    const u = await env.signUp();
    await u.caller.categories.create({ name: "Coffee", baseCode: "FOOD" });
    const mk = (spentOn: string, category: string, currency = "USD") =>
      u.caller.expenses.create({ amount: "5", category, spentOn, currency });
    const e1 = await mk("2026-01-01", "FOOD");
    const e2 = await mk("2026-01-15", "FOOD.COFFEE");
    const e3 = await mk("2026-01-31", "TRAVEL", "EUR");
    const e4 = await mk("2026-02-01", "FOOD.COFFEE", "EUR");
    const ids = async (input: Record<string, unknown>) =>
      (await u.caller.expenses.list(input)).items.map((i) => i.id).sort();
    const sorted = (...xs: { id: string }[]) => xs.map((x) => x.id).sort();
    expect(await ids({ from: "2026-01-01", to: "2026-01-31" })).toEqual(sorted(e1, e2, e3));
    expect(await ids({ from: "2026-01-31" })).toEqual(sorted(e3, e4));
    expect(await ids({ to: "2026-01-01" })).toEqual(sorted(e1));
    expect(await ids({ from: "2026-01-15", to: "2026-01-15" })).toEqual(sorted(e2));
    expect(await ids({ category: "FOOD" })).toEqual(sorted(e1, e2, e4));
    expect(await ids({ category: "FOOD.COFFEE" })).toEqual(sorted(e2, e4));
    expect(await ids({ category: "TRAVEL" })).toEqual(sorted(e3));
    expect(await ids({ category: "RENT" })).toEqual([]);
    expect(await ids({ currency: "EUR" })).toEqual(sorted(e3, e4));
    expect(await ids({ currency: "EUR", category: "FOOD" })).toEqual(sorted(e4));
    expect(await ids({ currency: "JPY" })).toEqual([]);
  });

  it("minAmount and maxAmount are inclusive, in each expense's own currency", async () => {
    const u = await env.signUp();
    const mk = (amount: string, currency: string) =>
      u.caller.expenses.create({ amount, currency, category: "MISC", spentOn: "2026-01-01" });
    const usd10 = await mk("10.00", "USD");
    const usd1005 = await mk("10.05", "USD");
    const usd999 = await mk("9.99", "USD");
    const jpy10 = await mk("10", "JPY");
    const jpy1500 = await mk("1500", "JPY");
    const kwd = await mk("10.001", "KWD");
    const ids = async (input: Record<string, unknown>) =>
      (await u.caller.expenses.list(input)).items.map((i) => i.id).sort();
    const sorted = (...xs: { id: string }[]) => xs.map((x) => x.id).sort();
    expect(await ids({ minAmount: "10", maxAmount: "10" })).toEqual(sorted(usd10, jpy10));
    expect(await ids({ minAmount: "10.001" })).toEqual(sorted(usd1005, jpy1500, kwd));
    expect(await ids({ maxAmount: "9.99" })).toEqual(sorted(usd999));
    expect(await ids({ minAmount: "10", maxAmount: "10.05", currency: "USD" })).toEqual(
      sorted(usd10, usd1005),
    );
    expect(await ids({ minAmount: "1000", currency: "JPY" })).toEqual(sorted(jpy1500));
    expect(await ids({ minAmount: "0" })).toHaveLength(6);
    // An amount the currency cannot hold is refused, not rounded.
    await expectFailure(
      u.caller.expenses.list({ minAmount: "10.5", currency: "JPY" }),
      "BAD_REQUEST",
      "minAmount",
    );
  });

  it("q searches the note case-insensitively, wildcards taken literally", async () => {
    const u = await env.signUp();
    const mk = (note: string | null) =>
      u.caller.expenses.create({ amount: "1", category: "MISC", spentOn: "2026-01-01", note });
    const coffee = await mk("Morning COFFEE with Anna");
    const pct = await mk("50% off");
    const fiveHundred = await mk("500 off");
    const under = await mk("a_b");
    const axb = await mk("axb");
    const slash = await mk("C:\\temp");
    await mk(null);
    const ids = async (q: string) =>
      (await u.caller.expenses.list({ q })).items.map((i) => i.id).sort();
    expect(await ids("coffee")).toEqual([coffee.id]);
    expect(await ids("ANNA")).toEqual([coffee.id]);
    expect(await ids("50%")).toEqual([pct.id]);
    expect(await ids("%")).toEqual([pct.id]);
    expect(await ids("a_b")).toEqual([under.id]);
    expect(await ids("_")).toEqual([under.id]);
    expect(await ids("\\")).toEqual([slash.id]);
    expect(await ids(" off")).toEqual([pct.id, fiveHundred.id].sort());
    expect(await ids("x")).toEqual([axb.id]);
    expect(await ids("nothing like it")).toEqual([]);
  });

  it("filters combine with the cursor", async () => {
    const u = await env.signUp();
    const items = Array.from({ length: 30 }, (_, i) => ({
      amount: `${i + 1}`,
      category: i % 2 === 0 ? "FOOD" : "RENT",
      spentOn: `2026-06-${String(i + 1).padStart(2, "0")}`,
      note: i % 3 === 0 ? "tagged" : null,
    }));
    await u.caller.expenses.createMany({ items });
    const ids = await walk(u.caller, { limit: 2, category: "FOOD", q: "tag", minAmount: "3" });
    const expected = items.filter((it, i) => i % 2 === 0 && i % 3 === 0 && Number(it.amount) >= 3);
    expect(ids).toHaveLength(expected.length);
  });
});
