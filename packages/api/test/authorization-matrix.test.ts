import { describe, expect, it } from "vitest";
import { useTestEnv } from "./helpers";
import { expectFailure } from "./ledger-helpers";

type Env = ReturnType<typeof useTestEnv>;
type Caller = Env["anon"];

interface World {
  categoryId: string;
  expenseId: string;
}

/**
 * Each procedure called three ways. `call` is the same request whoever makes it;
 * `other` says what another signed-in user gets: NOT_FOUND for someone else's object,
 * BAD_REQUEST for someone else's category code, or only their own (empty) data.
 */
interface Row {
  procedure: string;
  call: (c: Caller, w: World) => Promise<unknown>;
  other: "NOT_FOUND" | "BAD_REQUEST" | ((result: unknown) => void);
  /** What the owner sees after making the call, to prove the call reaches their data. */
  owner: (result: unknown, w: World) => void;
}

const expense = (category: string) => ({ amount: "7.70", category, spentOn: "2026-08-08" });

const MATRIX: Row[] = [
  {
    procedure: "categories.list",
    call: (c) => c.categories.list({ includeInactive: true }),
    other: (r) => expect((r as { user: unknown[] }).user).toEqual([]),
    owner: (r, w) =>
      expect((r as { user: { id: string }[] }).user.map((u) => u.id)).toEqual([w.categoryId]),
  },
  {
    procedure: "categories.create",
    call: (c) => c.categories.create({ name: "Second", baseCode: "FOOD" }),
    // Another user may make a category of the same name: in their own space only.
    other: (r) => expect((r as { code: string }).code).toBe("FOOD.SECOND"),
    owner: (r) => expect((r as { code: string }).code).toBe("FOOD.SECOND"),
  },
  {
    procedure: "categories.update (rename)",
    call: (c, w) => c.categories.update({ id: w.categoryId, name: "Renamed" }),
    other: "NOT_FOUND",
    owner: (r) => expect((r as { name: string }).name).toBe("Renamed"),
  },
  {
    procedure: "categories.update (move)",
    call: (c, w) => c.categories.update({ id: w.categoryId, baseCode: "TRAVEL" }),
    other: "NOT_FOUND",
    owner: (r) => expect((r as { code: string }).code).toBe("TRAVEL.MINE"),
  },
  {
    procedure: "categories.delete",
    call: (c, w) => c.categories.delete({ id: w.categoryId }),
    other: "NOT_FOUND",
    owner: (r) => expect(r).toEqual({ ok: true, detachedExpenses: 1 }),
  },
  {
    procedure: "expenses.create",
    call: (c) => c.expenses.create(expense("FOOD.MINE")),
    other: "BAD_REQUEST",
    owner: (r) =>
      expect((r as { category: unknown }).category).toEqual({ code: "FOOD.MINE", name: "Mine" }),
  },
  {
    procedure: "expenses.createMany",
    call: (c) => c.expenses.createMany({ items: [expense("FOOD"), expense("FOOD.MINE")] }),
    other: "BAD_REQUEST",
    owner: (r) => expect((r as { items: unknown[] }).items).toHaveLength(2),
  },
  {
    procedure: "expenses.get",
    call: (c, w) => c.expenses.get({ id: w.expenseId }),
    other: "NOT_FOUND",
    owner: (r, w) => expect((r as { id: string }).id).toBe(w.expenseId),
  },
  {
    procedure: "expenses.update",
    call: (c, w) => c.expenses.update({ id: w.expenseId, version: 1, amount: "1", note: null }),
    other: "NOT_FOUND",
    owner: (r) =>
      expect(r as { amount: string; version: number }).toMatchObject({
        amount: "1.00",
        version: 2,
      }),
  },
  {
    procedure: "expenses.delete",
    call: (c, w) => c.expenses.delete({ id: w.expenseId }),
    other: "NOT_FOUND",
    owner: (r) => expect(r).toEqual({ ok: true }),
  },
  {
    procedure: "expenses.list",
    call: (c) => c.expenses.list({ category: "FOOD" }),
    other: (r) => expect(r).toEqual({ items: [], nextCursor: null }),
    owner: (r, w) =>
      expect((r as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([w.expenseId]),
  },
  {
    procedure: "expenses.list (by the owner's category code)",
    call: (c) => c.expenses.list({ category: "FOOD.MINE" }),
    other: "BAD_REQUEST",
    owner: (r) => expect((r as { items: unknown[] }).items).toHaveLength(1),
  },
];

describe("authorization matrix: categories.* and expenses.*", () => {
  const env = useTestEnv();

  async function setUp() {
    const owner = await env.signUp();
    const other = await env.signUp();
    const cat = await owner.caller.categories.create({ name: "Mine", baseCode: "FOOD" });
    const exp = await owner.caller.expenses.create({ ...expense("FOOD.MINE"), note: "private" });
    const world: World = { categoryId: cat.id, expenseId: exp.id };
    return { owner, other, world };
  }

  /** Everything the owner has, as they see it. */
  async function snapshot(c: Caller, w: World) {
    return {
      categories: await c.categories.list({ includeInactive: true }),
      expenses: await c.expenses.list({ limit: 100 }),
      expense: await c.expenses.get({ id: w.expenseId }),
    };
  }

  for (const row of MATRIX) {
    it(`${row.procedure}: anonymous is UNAUTHORIZED, another user sees and changes nothing`, async () => {
      const { owner, other, world } = await setUp();
      const before = await snapshot(owner.caller, world);

      await expectFailure(row.call(env.anon, world), "UNAUTHORIZED");
      if (typeof row.other === "string") {
        await expectFailure(row.call(other.caller, world), row.other);
      } else {
        row.other(await row.call(other.caller, world));
      }
      expect(await snapshot(owner.caller, world)).toEqual(before);
      // Nothing of the owner's leaked into the other user's view either.
      const theirs = await other.caller.expenses.list({ limit: 100 });
      expect(theirs.items.map((i) => i.id)).not.toContain(world.expenseId);
      expect(JSON.stringify(theirs)).not.toContain("private");

      row.owner(await row.call(owner.caller, world), world);
    });
  }

  it("covers every categories.* and expenses.* procedure of the router", async () => {
    const { appRouter } = await import("../src/root");
    const procedures = Object.keys(appRouter._def.procedures).filter(
      (p) => p.startsWith("categories.") || p.startsWith("expenses."),
    );
    const covered = new Set(MATRIX.map((r) => r.procedure.split(" ")[0]));
    expect(procedures.length).toBeGreaterThanOrEqual(10);
    for (const p of procedures) expect(covered, p).toContain(p);
  });
});
