import { describe, expect, it } from "vitest";
import { useTestEnv } from "./helpers";
import { useApps } from "./http-helpers";
import { expectFailure } from "./ledger-helpers";

const good = (i: number) => ({
  amount: `${i + 1}.25`,
  category: "FOOD",
  spentOn: "2026-07-01",
  note: `item ${i}`,
});

describe("expenses.createMany", () => {
  const env = useTestEnv();
  const makeApp = useApps(env);

  it("creates every item, in input order, with each its own currency and category", async () => {
    const u = await env.signUp(undefined, { defaultCurrency: "EUR" });
    await u.caller.categories.create({ name: "Coffee", baseCode: "FOOD" });
    const res = await u.caller.expenses.createMany({
      items: [
        { amount: "1.5", category: "FOOD.COFFEE", spentOn: "2026-07-01" },
        {
          amount: "1500",
          currency: "JPY",
          category: "TRAVEL",
          spentOn: "2026-07-02",
          note: "taxi",
        },
        { amount: "0.125", currency: "KWD", category: "MISC", spentOn: "2026-07-03" },
      ],
    });
    expect(
      res.items.map((e) => [e.amount, e.currency, e.baseCode, e.category?.code ?? null]),
    ).toEqual([
      ["1.50", "EUR", "FOOD", "FOOD.COFFEE"],
      ["1500", "JPY", "TRAVEL", null],
      ["0.125", "KWD", "MISC", null],
    ]);
    for (const e of res.items) {
      expect(await u.caller.expenses.get({ id: e.id })).toEqual(e);
    }
  });

  it("keeps notes and keys with quotes, backslashes, braces and commas exactly", async () => {
    const u = await env.signUp();
    const odd = ['say "hi"', "back\\slash \\", "{a,b}", "NULL", " padded ", "ünï ☕ 🧾", "'; --"];
    const res = await u.caller.expenses.createMany({
      items: odd.map((note, i) => ({
        amount: "1",
        category: "MISC",
        spentOn: "2026-07-01",
        note,
        idempotencyKey: `${note}#${i}`,
      })),
    });
    expect(res.items.map((e) => e.note)).toEqual(odd);
    for (const e of res.items) {
      expect((await u.caller.expenses.get({ id: e.id })).note).toBe(e.note);
    }
    // The keys were stored as sent: a retry finds every one of them.
    const again = await u.caller.expenses.createMany({
      items: odd.map((note, i) => ({
        amount: "1",
        category: "MISC",
        spentOn: "2026-07-01",
        note,
        idempotencyKey: `${note}#${i}`,
      })),
    });
    expect(again.items.map((e) => e.id)).toEqual(res.items.map((e) => e.id));
  });

  it("keeps each row's own values when only some items have a note or a key", async () => {
    const u = await env.signUp();
    const items = Array.from({ length: 6 }, (_, i) => ({
      amount: `${i + 1}`,
      category: "MISC",
      spentOn: `2026-07-0${i + 1}`,
      ...(i === 4 ? { note: "only me" } : {}),
      ...(i === 2 ? { idempotencyKey: "only-key" } : {}),
    }));
    const res = await u.caller.expenses.createMany({ items });
    expect(res.items.map((e) => [e.amount, e.spentOn, e.note])).toEqual(
      items.map((it, i) => [`${i + 1}.00`, it.spentOn, i === 4 ? "only me" : null]),
    );
    for (const e of res.items) expect(await u.caller.expenses.get({ id: e.id })).toEqual(e);
    // Retried: the keyed item is the same expense, the unkeyed ones are new.
    const again = await u.caller.expenses.createMany({ items });
    expect(again.items[2]?.id).toBe(res.items[2]?.id);
    const fresh = again.items.filter((_, i) => i !== 2).map((e) => e.id);
    expect(fresh.some((id) => res.items.some((e) => e.id === id))).toBe(false);
    const none = await u.caller.expenses.createMany({
      items: items.map(({ note: _n, idempotencyKey: _k, ...rest }) => rest),
    });
    expect(none.items.every((e) => e.note === null)).toBe(true);
  });

  it("takes 500 items in one call and refuses 501 or none", async () => {
    const u = await env.signUp();
    const items = Array.from({ length: 500 }, (_, i) => good(i));
    const res = await u.caller.expenses.createMany({ items });
    expect(res.items).toHaveLength(500);
    expect(new Set(res.items.map((e) => e.id)).size).toBe(500);
    const total = res.items.reduce((sum, e) => sum + BigInt(e.amount.replace(".", "")), 0n);
    // 1.25 + 2.25 + ... + 500.25 = 125250 + 125.00
    expect(total).toBe(12_537_500n);
    await expectFailure(
      u.caller.expenses.createMany({ items: [...items, good(500)] }),
      "BAD_REQUEST",
      "items",
    );
    await expectFailure(u.caller.expenses.createMany({ items: [] }), "BAD_REQUEST", "items");
    expect((await u.caller.expenses.list({ limit: 100 })).nextCursor).not.toBeNull();
  });

  it("writes nothing when any item is bad, and lists every bad item and field", async () => {
    const u = await env.signUp();
    const other = await env.signUp();
    await other.caller.categories.create({ name: "Theirs", baseCode: "FOOD" });
    const items: unknown[] = Array.from({ length: 10 }, (_, i) => good(i));
    items[1] = { ...good(1), amount: "1.234" };
    items[3] = { ...good(3), category: "FOOD.THEIRS" };
    items[4] = { ...good(4), spentOn: "2026-02-30", currency: "eur" };
    items[6] = { ...good(6), userId: other.id };
    items[7] = "not an object";
    items[9] = { ...good(9), amount: "1.5", currency: "JPY", note: "n".repeat(501) };
    const f = await expectFailure(
      u.caller.expenses.createMany({ items: items as never }),
      "BAD_REQUEST",
    );
    expect(f.paths.sort()).toEqual(
      [
        "items.1.amount",
        "items.3.category",
        "items.4.currency",
        "items.4.spentOn",
        "items.6",
        "items.7",
        "items.9.note",
      ].sort(),
    );
    expect((await u.caller.expenses.list()).items).toEqual([]);
    expect((await other.caller.expenses.list()).items).toEqual([]);
  });

  it("checks amounts against each item's currency once the format is right", async () => {
    const u = await env.signUp();
    const f = await expectFailure(
      u.caller.expenses.createMany({
        items: [
          { ...good(0), amount: "1.5", currency: "JPY" },
          { ...good(1), amount: "0" },
          { ...good(2), amount: "1000000000" },
          good(3),
        ],
      }),
      "BAD_REQUEST",
    );
    expect(f.paths).toEqual(["items.0.amount", "items.1.amount", "items.2.amount"]);
    expect((await u.caller.expenses.list()).items).toEqual([]);
  });

  it("a retried batch with idempotency keys returns the same expenses, once", async () => {
    const u = await env.signUp();
    const items = Array.from({ length: 20 }, (_, i) => ({
      ...good(i),
      idempotencyKey: `imp-${i}`,
    }));
    const first = await u.caller.expenses.createMany({ items });
    const again = await u.caller.expenses.createMany({ items });
    expect(again.items).toEqual(first.items);
    // A partly new batch: old keys replay, new ones are created.
    const more = [...items.slice(10), { ...good(20), idempotencyKey: "imp-20" }];
    const third = await u.caller.expenses.createMany({ items: more });
    expect(third.items.slice(0, 10).map((e) => e.id)).toEqual(
      first.items.slice(10).map((e) => e.id),
    );
    expect(first.items.map((e) => e.id)).not.toContain(third.items[10]?.id);
    expect((await u.caller.expenses.list({ limit: 100 })).items).toHaveLength(21);
  });

  it("a key used with other content is CONFLICT and rolls back the whole batch", async () => {
    const u = await env.signUp();
    await u.caller.expenses.create({ ...good(0), idempotencyKey: "used" });
    const f = await expectFailure(
      u.caller.expenses.createMany({
        items: [good(1), { ...good(2), idempotencyKey: "used" }, good(3)],
      }),
      "CONFLICT",
    );
    expect(f.paths).toEqual(["items.1.idempotencyKey"]);
    expect((await u.caller.expenses.list()).items).toHaveLength(1);
  });

  it("one key twice in a batch: same content is one expense, other content CONFLICT", async () => {
    const u = await env.signUp();
    const same = await u.caller.expenses.createMany({
      items: [
        { ...good(0), idempotencyKey: "dup" },
        { ...good(0), idempotencyKey: "dup" },
      ],
    });
    expect(same.items[0]?.id).toBe(same.items[1]?.id);
    await expectFailure(
      u.caller.expenses.createMany({
        items: [
          { ...good(5), idempotencyKey: "dup2" },
          { ...good(6), idempotencyKey: "dup2" },
        ],
      }),
      "CONFLICT",
      "items.1.idempotencyKey",
    );
    expect((await u.caller.expenses.list()).items).toHaveLength(1);
  });

  it("over HTTP the refusal carries fieldErrors with every item's path", async () => {
    const u = await env.signUp();
    const app = await makeApp();
    const res = await app.inject({
      method: "POST",
      url: "/api/expenses.createMany",
      headers: {
        authorization: `Bearer ${u.tokens.accessToken}`,
        "content-type": "application/json",
      },
      payload: JSON.stringify({
        items: [good(0), { ...good(1), amount: "1,5" }, { ...good(2), category: "NOPE" }],
      }),
    });
    expect(res.statusCode).toBe(400);
    const body = res.json() as {
      error: {
        message: string;
        data: { code: string; fieldErrors: { path: string; message: string }[] };
      };
    };
    expect(body.error.data.code).toBe("BAD_REQUEST");
    expect(body.error.data.fieldErrors.map((e) => e.path)).toEqual([
      "items.1.amount",
      "items.2.category",
    ]);
    expect(body.error.message).toMatch(/items\.1\.amount/);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  });
});
