import { describe, expect, it } from "vitest";
import { useTestEnv } from "./helpers";
import { execSql, expectFailure } from "./ledger-helpers";

const BASE = [
  ["FOOD", "Food & Dining"],
  ["TRANSPORT", "Transport"],
  ["GROCERIES", "Groceries"],
  ["BILLS", "Bills & Utilities"],
  ["RENT", "Rent"],
  ["ENTERTAINMENT", "Entertainment"],
  ["SHOPPING", "Shopping"],
  ["HEALTH", "Health & Medical"],
  ["EDUCATION", "Education"],
  ["TRAVEL", "Travel"],
  ["MISC", "Miscellaneous"],
];

describe("categories", () => {
  const env = useTestEnv();

  // Base categories are reference data that resetDb keeps: put back what a test changed.
  const deactivated = new Set<string>();
  async function deactivate(code: string) {
    deactivated.add(code);
    await execSql(env.handle, `UPDATE base_categories SET active = false WHERE code = '${code}'`);
  }
  async function reactivateAll() {
    for (const code of deactivated) {
      await execSql(env.handle, `UPDATE base_categories SET active = true WHERE code = '${code}'`);
    }
    deactivated.clear();
  }

  it("lists the eleven seeded base categories and no user ones at first", async () => {
    const u = await env.signUp();
    const list = await u.caller.categories.list();
    expect(list.base.map((b) => [b.code, b.name])).toEqual(BASE);
    expect(list.base.every((b) => b.active)).toBe(true);
    expect(list.user).toEqual([]);
  });

  it("creates a category with the code <BASE>.<SLUG>", async () => {
    const u = await env.signUp();
    const c = await u.caller.categories.create({ name: "Coffee & Tea", baseCode: "FOOD" });
    expect(c).toMatchObject({ code: "FOOD.COFFEE_TEA", name: "Coffee & Tea", baseCode: "FOOD" });
    expect(c.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(c.createdAt).toISOString()).toBe(c.createdAt);
    const list = await u.caller.categories.list({});
    expect(list.user).toEqual([c]);
  });

  it("folds names to ASCII upper-case slugs", async () => {
    const u = await env.signUp();
    const cases: [string, string][] = [
      ["  Café crème ", "FOOD.CAFE_CREME"],
      ["__Lunch--at--work__", "FOOD.LUNCH_AT_WORK"],
      ["Straße 2", "FOOD.STRASSE_2"],
      ["a", "FOOD.A"],
    ];
    for (const [name, code] of cases) {
      const c = await u.caller.categories.create({ name, baseCode: "FOOD" });
      expect(c.code).toBe(code);
      expect(c.name).toBe(name.trim());
    }
  });

  it("refuses a name with no letter or digit, an empty or a too long name", async () => {
    const u = await env.signUp();
    for (const name of ["&&", "  ", "", "日本", "x".repeat(101)]) {
      await expectFailure(
        u.caller.categories.create({ name, baseCode: "FOOD" }),
        "BAD_REQUEST",
        "name",
      );
    }
  });

  it("refuses unknown keys such as userId or id", async () => {
    const u = await env.signUp();
    const other = await env.signUp();
    await expectFailure(
      u.caller.categories.create({ name: "X", baseCode: "FOOD", userId: other.id } as never),
      "BAD_REQUEST",
    );
    await expectFailure(
      u.caller.categories.create({
        name: "X",
        baseCode: "FOOD",
        id: "00000000-0000-4000-8000-000000000000",
      } as never),
      "BAD_REQUEST",
    );
  });

  it("refuses an unknown, lower-case or inactive base", async () => {
    const u = await env.signUp();
    await expectFailure(
      u.caller.categories.create({ name: "X", baseCode: "NOPE" }),
      "BAD_REQUEST",
      "baseCode",
    );
    await expectFailure(
      u.caller.categories.create({ name: "X", baseCode: "food" }),
      "BAD_REQUEST",
      "baseCode",
    );
    await deactivate("RENT");
    try {
      await expectFailure(
        u.caller.categories.create({ name: "Flat", baseCode: "RENT" }),
        "BAD_REQUEST",
        "baseCode",
      );
      const list = await u.caller.categories.list();
      expect(list.base.map((b) => b.code)).not.toContain("RENT");
      const all = await u.caller.categories.list({ includeInactive: true });
      expect(all.base.find((b) => b.code === "RENT")).toEqual({
        code: "RENT",
        name: "Rent",
        active: false,
      });
    } finally {
      await reactivateAll();
    }
  });

  it("a name that clashes case-insensitively, or a clashing code, is CONFLICT", async () => {
    const u = await env.signUp();
    await u.caller.categories.create({ name: "Coffee", baseCode: "FOOD" });
    await expectFailure(
      u.caller.categories.create({ name: "COFFEE", baseCode: "TRAVEL" }),
      "CONFLICT",
      "name",
    );
    await u.caller.categories.create({ name: "Coffee & Tea", baseCode: "FOOD" });
    // Another name, same slug under the same base.
    await expectFailure(
      u.caller.categories.create({ name: "Coffee  Tea!", baseCode: "FOOD" }),
      "CONFLICT",
      "name",
    );
    // Same slug under another base is another code.
    const t = await u.caller.categories.create({ name: "coffee-tea", baseCode: "TRAVEL" });
    expect(t.code).toBe("TRAVEL.COFFEE_TEA");
  });

  it("names are unique per user, not across users", async () => {
    const a = await env.signUp();
    const b = await env.signUp();
    const ca = await a.caller.categories.create({ name: "Coffee", baseCode: "FOOD" });
    const cb = await b.caller.categories.create({ name: "Coffee", baseCode: "FOOD" });
    expect(ca.code).toBe(cb.code);
    expect(ca.id).not.toBe(cb.id);
    expect((await a.caller.categories.list()).user.map((c) => c.id)).toEqual([ca.id]);
  });

  it("a rename keeps the code", async () => {
    const u = await env.signUp();
    const c = await u.caller.categories.create({ name: "Coffee", baseCode: "FOOD" });
    const r = await u.caller.categories.update({ id: c.id, name: "Espresso bars" });
    expect(r).toEqual({ ...c, name: "Espresso bars" });
    // Renaming to its own name in another case is not a clash with itself.
    const r2 = await u.caller.categories.update({ id: c.id, name: "ESPRESSO BARS" });
    expect(r2.name).toBe("ESPRESSO BARS");
    await u.caller.categories.create({ name: "Tea", baseCode: "FOOD" });
    await expectFailure(u.caller.categories.update({ id: c.id, name: "tea" }), "CONFLICT", "name");
  });

  it("a move re-parents the code and the expenses' baseCode", async () => {
    const u = await env.signUp();
    const c = await u.caller.categories.create({ name: "Taxi", baseCode: "FOOD" });
    const e = await u.caller.expenses.create({
      amount: "12.50",
      category: "FOOD.TAXI",
      spentOn: "2026-01-02",
    });
    const other = await u.caller.expenses.create({
      amount: "1",
      category: "FOOD",
      spentOn: "2026-01-02",
    });
    const moved = await u.caller.categories.update({ id: c.id, baseCode: "TRANSPORT" });
    expect(moved).toEqual({ ...c, code: "TRANSPORT.TAXI", baseCode: "TRANSPORT" });
    const after = await u.caller.expenses.get({ id: e.id });
    expect(after.baseCode).toBe("TRANSPORT");
    expect(after.category).toEqual({ code: "TRANSPORT.TAXI", name: "Taxi" });
    expect((await u.caller.expenses.get({ id: other.id })).baseCode).toBe("FOOD");
    // The old code is gone, the new one files expenses.
    await expectFailure(
      u.caller.expenses.create({ amount: "1", category: "FOOD.TAXI", spentOn: "2026-01-02" }),
      "BAD_REQUEST",
      "category",
    );
    const page = await u.caller.expenses.list({ category: "TRANSPORT" });
    expect(page.items.map((i) => i.id)).toEqual([e.id]);
  });

  it("a move onto a code that exists is CONFLICT; to an inactive base BAD_REQUEST", async () => {
    const u = await env.signUp();
    const a = await u.caller.categories.create({ name: "Taxi", baseCode: "FOOD" });
    await u.caller.categories.create({ name: "Taxi!", baseCode: "TRANSPORT" });
    await expectFailure(
      u.caller.categories.update({ id: a.id, baseCode: "TRANSPORT" }),
      "CONFLICT",
      "baseCode",
    );
    await deactivate("TRAVEL");
    try {
      await expectFailure(
        u.caller.categories.update({ id: a.id, baseCode: "TRAVEL" }),
        "BAD_REQUEST",
        "baseCode",
      );
      await expectFailure(
        u.caller.categories.update({ id: a.id, baseCode: "NOPE" }),
        "BAD_REQUEST",
        "baseCode",
      );
      expect((await u.caller.categories.list()).user.find((c) => c.id === a.id)?.code).toBe(
        "FOOD.TAXI",
      );
    } finally {
      await reactivateAll();
    }
  });

  it("subcategories under an inactive base keep working for existing rows and filters", async () => {
    const u = await env.signUp();
    const c = await u.caller.categories.create({ name: "Gym", baseCode: "HEALTH" });
    const e = await u.caller.expenses.create({
      amount: "30",
      category: "HEALTH.GYM",
      spentOn: "2026-03-01",
    });
    await deactivate("HEALTH");
    try {
      await expectFailure(
        u.caller.expenses.create({ amount: "1", category: "HEALTH.GYM", spentOn: "2026-03-01" }),
        "BAD_REQUEST",
        "category",
      );
      await expectFailure(
        u.caller.expenses.create({ amount: "1", category: "HEALTH", spentOn: "2026-03-01" }),
        "BAD_REQUEST",
        "category",
      );
      expect((await u.caller.categories.list()).user).toEqual([]);
      expect((await u.caller.categories.list({ includeInactive: true })).user).toEqual([c]);
      expect((await u.caller.expenses.list({ category: "HEALTH.GYM" })).items).toHaveLength(1);
      expect((await u.caller.expenses.list({ category: "HEALTH" })).items).toHaveLength(1);
      // The expense itself can still be edited, and renaming the category still works.
      const upd = await u.caller.expenses.update({ id: e.id, amount: "31" });
      expect(upd.category?.code).toBe("HEALTH.GYM");
      await u.caller.categories.update({ id: c.id, name: "Gym & Pool" });
    } finally {
      await reactivateAll();
    }
  });

  it("delete reports how many expenses it detached; they keep their base", async () => {
    const u = await env.signUp();
    const other = await env.signUp();
    const c = await u.caller.categories.create({ name: "Coffee", baseCode: "FOOD" });
    await other.caller.categories.create({ name: "Coffee", baseCode: "FOOD" });
    const ids: string[] = [];
    for (const amount of ["1", "2", "3"]) {
      ids.push(
        (await u.caller.expenses.create({ amount, category: "FOOD.COFFEE", spentOn: "2026-01-01" }))
          .id,
      );
    }
    const plain = await u.caller.expenses.create({
      amount: "4",
      category: "FOOD",
      spentOn: "2026-01-01",
    });
    const theirs = await other.caller.expenses.create({
      amount: "5",
      category: "FOOD.COFFEE",
      spentOn: "2026-01-01",
    });
    const res = await u.caller.categories.delete({ id: c.id });
    expect(res).toEqual({ ok: true, detachedExpenses: 3 });
    for (const id of ids) {
      const e = await u.caller.expenses.get({ id });
      expect(e.baseCode).toBe("FOOD");
      expect(e.category).toBeNull();
    }
    expect((await u.caller.expenses.get({ id: plain.id })).category).toBeNull();
    expect((await other.caller.expenses.get({ id: theirs.id })).category?.code).toBe("FOOD.COFFEE");
    expect((await u.caller.categories.list()).user).toEqual([]);
    await expectFailure(u.caller.categories.delete({ id: c.id }), "NOT_FOUND");
    // The code is free again.
    const again = await u.caller.categories.create({ name: "Coffee", baseCode: "FOOD" });
    expect(again.code).toBe("FOOD.COFFEE");
    expect(await u.caller.categories.delete({ id: again.id })).toEqual({
      ok: true,
      detachedExpenses: 0,
    });
  });

  it("a malformed id is BAD_REQUEST, an unknown one NOT_FOUND", async () => {
    const u = await env.signUp();
    await expectFailure(u.caller.categories.update({ id: "nope", name: "x" }), "BAD_REQUEST", "id");
    await expectFailure(u.caller.categories.delete({ id: "123" }), "BAD_REQUEST", "id");
    await expectFailure(
      u.caller.categories.update({ id: "00000000-0000-4000-8000-000000000000", name: "x" }),
      "NOT_FOUND",
    );
  });
});
