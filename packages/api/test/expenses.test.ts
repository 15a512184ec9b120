import { describe, expect, it } from "vitest";
import { useTestEnv } from "./helpers";
import { execSql, expectFailure } from "./ledger-helpers";

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MISSING_ID = "00000000-0000-4000-8000-000000000000";

describe("expenses: create and get", () => {
  const env = useTestEnv();

  it("creates an expense with exact, normalised money and reads it back", async () => {
    const u = await env.signUp();
    const e = await u.caller.expenses.create({
      amount: "12.5",
      category: "FOOD",
      spentOn: "2026-11-20",
      note: "Lunch",
    });
    expect(e).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      amount: "12.50",
      currency: "USD",
      spentOn: "2026-11-20",
      baseCode: "FOOD",
      category: null,
      note: "Lunch",
      version: 1,
      createdAt: expect.stringMatching(ISO_UTC),
      updatedAt: expect.stringMatching(ISO_UTC),
    });
    expect(Math.abs(Date.parse(e.createdAt) - Date.now())).toBeLessThan(60_000);
    expect(await u.caller.expenses.get({ id: e.id })).toEqual(e);
  });

  it("takes the user's default currency and each currency's decimals", async () => {
    const u = await env.signUp(undefined, { defaultCurrency: "EUR" });
    const eur = await u.caller.expenses.create({
      amount: "3",
      category: "FOOD",
      spentOn: "2026-01-01",
    });
    expect([eur.amount, eur.currency]).toEqual(["3.00", "EUR"]);
    const jpy = await u.caller.expenses.create({
      amount: "1500",
      currency: "JPY",
      category: "FOOD",
      spentOn: "2026-01-01",
    });
    expect(jpy.amount).toBe("1500");
    const kwd = await u.caller.expenses.create({
      amount: "1.5",
      currency: "KWD",
      category: "FOOD",
      spentOn: "2026-01-01",
    });
    expect(kwd.amount).toBe("1.500");
    const max = await u.caller.expenses.create({
      amount: "999999999.99",
      currency: "USD",
      category: "FOOD",
      spentOn: "2026-01-01",
    });
    expect(max.amount).toBe("999999999.99");
  });

  it("files under a user category by code and shows it", async () => {
    const u = await env.signUp();
    await u.caller.categories.create({ name: "Coffee", baseCode: "FOOD" });
    const e = await u.caller.expenses.create({
      amount: "4.20",
      category: "FOOD.COFFEE",
      spentOn: "2026-01-01",
    });
    expect(e.baseCode).toBe("FOOD");
    expect(e.category).toEqual({ code: "FOOD.COFFEE", name: "Coffee" });
  });

  it("an empty note is no note; 500 characters are allowed", async () => {
    const u = await env.signUp();
    const a = await u.caller.expenses.create({
      amount: "1",
      category: "FOOD",
      spentOn: "2026-01-01",
      note: "",
    });
    expect(a.note).toBeNull();
    const long = "é".repeat(500);
    const b = await u.caller.expenses.create({
      amount: "1",
      category: "FOOD",
      spentOn: "2026-01-01",
      note: long,
    });
    expect(b.note).toBe(long);
  });

  it("accepts the date bounds 1900-01-01 and 2999-12-31, and future dates", async () => {
    const u = await env.signUp();
    for (const spentOn of ["1900-01-01", "2999-12-31", "2024-02-29"]) {
      const e = await u.caller.expenses.create({ amount: "1", category: "MISC", spentOn });
      expect(e.spentOn).toBe(spentOn);
    }
  });
});

describe("expenses: validation", () => {
  const env = useTestEnv();
  const ok = { amount: "1.00", category: "FOOD", spentOn: "2026-01-01" };

  it("refuses each malformed amount, naming the field", async () => {
    const u = await env.signUp();
    const cases: [string, string | undefined][] = [
      ["-1", undefined],
      ["+1", undefined],
      ["1e3", undefined],
      ["1,000", undefined],
      ["1,5", undefined],
      [" 1", undefined],
      ["1 ", undefined],
      [".5", undefined],
      ["5.", undefined],
      ["", undefined],
      ["0", undefined],
      ["0.00", undefined],
      ["12.345", "USD"],
      ["1500.0", "JPY"],
      ["1.5", "JPY"],
      ["1.2345", "KWD"],
      ["1000000000", "USD"],
      ["1000000000.00", "EUR"],
      ["100000000000", "JPY"],
    ];
    for (const [amount, currency] of cases) {
      const f = await expectFailure(
        u.caller.expenses.create({ ...ok, amount, ...(currency ? { currency } : {}) }),
        "BAD_REQUEST",
        "amount",
      );
      expect(f.message, `${amount} ${currency}`).toMatch(/amount/);
    }
    await expectFailure(
      u.caller.expenses.create({ ...ok, amount: 12.5 as unknown as string }),
      "BAD_REQUEST",
      "amount",
    );
    expect((await u.caller.expenses.list()).items).toEqual([]);
  });

  it("checks the amount against the user's default currency when none is given", async () => {
    const u = await env.signUp(undefined, { defaultCurrency: "JPY" });
    await expectFailure(
      u.caller.expenses.create({ ...ok, amount: "12.50" }),
      "BAD_REQUEST",
      "amount",
    );
    expect((await u.caller.expenses.create({ ...ok, amount: "1200" })).currency).toBe("JPY");
  });

  it("refuses lower-case, unknown and malformed currencies", async () => {
    const u = await env.signUp();
    for (const currency of ["eur", "Eur", "XXX", "US", "USDD", "", "XAU"]) {
      await expectFailure(u.caller.expenses.create({ ...ok, currency }), "BAD_REQUEST", "currency");
    }
  });

  it("refuses dates out of range, impossible or malformed", async () => {
    const u = await env.signUp();
    for (const spentOn of [
      "1899-12-31",
      "3000-01-01",
      "2026-02-30",
      "2025-02-29",
      "2026-13-01",
      "2026-00-10",
      "2026-1-1",
      "20260101",
      "2026-01-01T00:00:00Z",
      "",
    ]) {
      await expectFailure(u.caller.expenses.create({ ...ok, spentOn }), "BAD_REQUEST", "spentOn");
    }
  });

  it("refuses a note over 500 characters", async () => {
    const u = await env.signUp();
    await expectFailure(
      u.caller.expenses.create({ ...ok, note: "x".repeat(501) }),
      "BAD_REQUEST",
      "note",
    );
  });

  it("refuses idempotency keys outside 1..255 characters", async () => {
    const u = await env.signUp();
    await expectFailure(
      u.caller.expenses.create({ ...ok, idempotencyKey: "" }),
      "BAD_REQUEST",
      "idempotencyKey",
    );
    await expectFailure(
      u.caller.expenses.create({ ...ok, idempotencyKey: "k".repeat(256) }),
      "BAD_REQUEST",
      "idempotencyKey",
    );
    const e = await u.caller.expenses.create({ ...ok, idempotencyKey: "k".repeat(255) });
    expect(e.version).toBe(1);
  });

  it("refuses unknown, lower-case, inactive and someone else's categories as BAD_REQUEST", async () => {
    const u = await env.signUp();
    const other = await env.signUp();
    await other.caller.categories.create({ name: "Secret", baseCode: "FOOD" });
    for (const category of ["food", "NOPE", "FOOD.NOPE", "FOOD.SECRET", "FOOD.", ".X", ""]) {
      await expectFailure(u.caller.expenses.create({ ...ok, category }), "BAD_REQUEST", "category");
    }
    await execSql(env.handle, "UPDATE base_categories SET active = false WHERE code = 'TRAVEL'");
    try {
      const f = await expectFailure(
        u.caller.expenses.create({ ...ok, category: "TRAVEL" }),
        "BAD_REQUEST",
        "category",
      );
      expect(f.message).toMatch(/inactive/);
    } finally {
      await execSql(env.handle, "UPDATE base_categories SET active = true WHERE code = 'TRAVEL'");
    }
  });

  it("refuses inputs that try to set an owner, id, version or timestamps", async () => {
    const u = await env.signUp();
    const other = await env.signUp();
    for (const extra of [
      { userId: other.id },
      { id: MISSING_ID },
      { version: 7 },
      { createdAt: "2020-01-01T00:00:00.000Z" },
      { baseCode: "RENT" },
    ]) {
      await expectFailure(u.caller.expenses.create({ ...ok, ...extra } as never), "BAD_REQUEST");
    }
    const e = await u.caller.expenses.create(ok);
    await expectFailure(
      u.caller.expenses.update({ id: e.id, userId: other.id } as never),
      "BAD_REQUEST",
    );
    await expectFailure(
      u.caller.expenses.update({ id: e.id, updatedAt: "2020-01-01T00:00:00.000Z" } as never),
      "BAD_REQUEST",
    );
    expect((await other.caller.expenses.list()).items).toEqual([]);
  });

  it("a malformed id is BAD_REQUEST on id; an unknown one NOT_FOUND", async () => {
    const u = await env.signUp();
    for (const id of ["nope", "123", "00000000-0000-4000-8000-00000000000g", ""]) {
      await expectFailure(u.caller.expenses.get({ id }), "BAD_REQUEST", "id");
      await expectFailure(u.caller.expenses.update({ id, amount: "1" }), "BAD_REQUEST", "id");
      await expectFailure(u.caller.expenses.delete({ id }), "BAD_REQUEST", "id");
    }
    await expectFailure(u.caller.expenses.get({ id: MISSING_ID }), "NOT_FOUND");
    await expectFailure(u.caller.expenses.update({ id: MISSING_ID, amount: "1" }), "NOT_FOUND");
    await expectFailure(u.caller.expenses.delete({ id: MISSING_ID }), "NOT_FOUND");
  });

  it("bad list parameters are BAD_REQUEST on their field", async () => {
    const u = await env.signUp();
    const bad: [Record<string, unknown>, string][] = [
      [{ limit: 0 }, "limit"],
      [{ limit: 101 }, "limit"],
      [{ limit: 1.5 }, "limit"],
      [{ limit: "10" }, "limit"],
      [{ from: "2026-02-30" }, "from"],
      [{ to: "3000-01-01" }, "to"],
      [{ from: "2026-02-01", to: "2026-01-31" }, "to"],
      [{ currency: "usd" }, "currency"],
      [{ category: "NOPE" }, "category"],
      [{ category: "FOOD.NOPE" }, "category"],
      [{ minAmount: "-1" }, "minAmount"],
      [{ maxAmount: "1e2" }, "maxAmount"],
      [{ minAmount: "0.001", currency: "USD" }, "minAmount"],
      [{ minAmount: "0.00001" }, "minAmount"],
      [{ minAmount: "10", maxAmount: "5" }, "maxAmount"],
      [{ q: "" }, "q"],
      [{ cursor: "not a cursor!" }, "cursor"],
      [{ cursor: "eyJhIjoxfQ" }, "cursor"],
      [{ cursor: Buffer.from('["2026-01-01","x","y"]').toString("base64url") }, "cursor"],
      [{ userId: u.id }, ""],
    ];
    for (const [input, path] of bad) {
      const f = await expectFailure(u.caller.expenses.list(input as never), "BAD_REQUEST");
      if (path) expect(f.paths, JSON.stringify(input)).toContain(path);
    }
  });
});

describe("expenses: update and delete", () => {
  const env = useTestEnv();

  async function oneExpense() {
    const u = await env.signUp();
    const e = await u.caller.expenses.create({
      amount: "12.50",
      category: "FOOD",
      spentOn: "2026-05-01",
      note: "first",
    });
    return { u, e };
  }

  it("changes only the given fields and increments version on every update", async () => {
    const { u, e } = await oneExpense();
    const a = await u.caller.expenses.update({ id: e.id, amount: "13" });
    expect(a).toMatchObject({ amount: "13.00", note: "first", spentOn: "2026-05-01", version: 2 });
    expect(a.createdAt).toBe(e.createdAt);
    expect(Date.parse(a.updatedAt)).toBeGreaterThanOrEqual(Date.parse(e.updatedAt));
    const b = await u.caller.expenses.update({ id: e.id, version: 2, spentOn: "2026-05-02" });
    expect(b).toMatchObject({ amount: "13.00", spentOn: "2026-05-02", version: 3 });
    const c = await u.caller.expenses.update({ id: e.id });
    expect(c.version).toBe(4);
    expect(await u.caller.expenses.get({ id: e.id })).toEqual(c);
  });

  it("a stale version is CONFLICT and changes nothing", async () => {
    const { u, e } = await oneExpense();
    await u.caller.expenses.update({ id: e.id, version: 1, amount: "20" });
    const f = await expectFailure(
      u.caller.expenses.update({ id: e.id, version: 1, amount: "30" }),
      "CONFLICT",
      "version",
    );
    expect(f.message).toMatch(/version 2/);
    const now = await u.caller.expenses.get({ id: e.id });
    expect([now.amount, now.version]).toEqual(["20.00", 2]);
    await expectFailure(
      u.caller.expenses.update({ id: e.id, version: 0 }),
      "BAD_REQUEST",
      "version",
    );
    await expectFailure(
      u.caller.expenses.update({ id: e.id, version: 1.5 }),
      "BAD_REQUEST",
      "version",
    );
  });

  it("two concurrent updates naming one version: exactly one wins", async () => {
    const { u, e } = await oneExpense();
    const results = await Promise.allSettled([
      u.caller.expenses.update({ id: e.id, version: 1, amount: "1" }),
      u.caller.expenses.update({ id: e.id, version: 1, amount: "2" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const now = await u.caller.expenses.get({ id: e.id });
    expect(now.version).toBe(2);
  });

  it("note: null clears the note; leaving it out keeps it", async () => {
    const { u, e } = await oneExpense();
    expect((await u.caller.expenses.update({ id: e.id, amount: "1" })).note).toBe("first");
    expect((await u.caller.expenses.update({ id: e.id, note: null })).note).toBeNull();
    expect((await u.caller.expenses.update({ id: e.id, note: "again" })).note).toBe("again");
    await expectFailure(
      u.caller.expenses.update({ id: e.id, note: "x".repeat(501) }),
      "BAD_REQUEST",
      "note",
    );
  });

  it("changing currency re-validates the amount for the new currency", async () => {
    const { u, e } = await oneExpense();
    const f = await expectFailure(
      u.caller.expenses.update({ id: e.id, currency: "JPY" }),
      "BAD_REQUEST",
      "amount",
    );
    expect(f.message).toMatch(/JPY/);
    expect((await u.caller.expenses.get({ id: e.id })).currency).toBe("USD");
    const kwd = await u.caller.expenses.update({ id: e.id, currency: "KWD" });
    expect([kwd.amount, kwd.currency]).toEqual(["12.500", "KWD"]);
    const jpy = await u.caller.expenses.update({ id: e.id, currency: "JPY", amount: "1800" });
    expect([jpy.amount, jpy.currency]).toEqual(["1800", "JPY"]);
    await expectFailure(
      u.caller.expenses.update({ id: e.id, amount: "1.5" }),
      "BAD_REQUEST",
      "amount",
    );
    const usd = await u.caller.expenses.update({ id: e.id, currency: "USD" });
    expect(usd.amount).toBe("1800.00");
    await expectFailure(
      u.caller.expenses.update({ id: e.id, currency: "eur" }),
      "BAD_REQUEST",
      "currency",
    );
  });

  it("recategorises by code, and refuses unknown, inactive or foreign categories", async () => {
    const { u, e } = await oneExpense();
    const other = await env.signUp();
    await other.caller.categories.create({ name: "Theirs", baseCode: "RENT" });
    await u.caller.categories.create({ name: "Bus", baseCode: "TRANSPORT" });
    const a = await u.caller.expenses.update({ id: e.id, category: "TRANSPORT.BUS" });
    expect([a.baseCode, a.category]).toEqual(["TRANSPORT", { code: "TRANSPORT.BUS", name: "Bus" }]);
    const b = await u.caller.expenses.update({ id: e.id, category: "RENT" });
    expect([b.baseCode, b.category]).toEqual(["RENT", null]);
    for (const category of ["RENT.THEIRS", "NOPE", "rent"]) {
      await expectFailure(
        u.caller.expenses.update({ id: e.id, category }),
        "BAD_REQUEST",
        "category",
      );
    }
    await execSql(env.handle, "UPDATE base_categories SET active = false WHERE code = 'SHOPPING'");
    try {
      await expectFailure(
        u.caller.expenses.update({ id: e.id, category: "SHOPPING" }),
        "BAD_REQUEST",
        "category",
      );
    } finally {
      await execSql(env.handle, "UPDATE base_categories SET active = true WHERE code = 'SHOPPING'");
    }
    expect((await u.caller.expenses.get({ id: e.id })).baseCode).toBe("RENT");
  });

  it("reports every bad field of an update at once", async () => {
    const { u, e } = await oneExpense();
    const f = await expectFailure(
      u.caller.expenses.update({ id: e.id, amount: "1.234", category: "NOPE" }),
      "BAD_REQUEST",
    );
    expect(f.paths.sort()).toEqual(["amount", "category"]);
  });

  it("delete removes it for good", async () => {
    const { u, e } = await oneExpense();
    expect(await u.caller.expenses.delete({ id: e.id })).toEqual({ ok: true });
    await expectFailure(u.caller.expenses.get({ id: e.id }), "NOT_FOUND");
    await expectFailure(u.caller.expenses.delete({ id: e.id }), "NOT_FOUND");
    await expectFailure(u.caller.expenses.update({ id: e.id, amount: "1" }), "NOT_FOUND");
    expect((await u.caller.expenses.list()).items).toEqual([]);
  });
});

describe("expenses: idempotency", () => {
  const env = useTestEnv();
  const item = { amount: "9.99", category: "FOOD", spentOn: "2026-02-02", note: "x" };

  it("a retry with the same key and content returns the first expense, once", async () => {
    const u = await env.signUp();
    const a = await u.caller.expenses.create({ ...item, idempotencyKey: "k1" });
    const b = await u.caller.expenses.create({ ...item, idempotencyKey: "k1" });
    expect(b).toEqual(a);
    // Same money written differently is the same content; an explicit default currency too.
    const c = await u.caller.expenses
      .create({
        ...item,
        amount: "9.990",
        idempotencyKey: "k1",
      })
      .catch((err: unknown) => err);
    // "9.990" has more decimals than USD: refused before the key is consulted.
    expect(c).toBeInstanceOf(Error);
    const d = await u.caller.expenses.create({ ...item, currency: "USD", idempotencyKey: "k1" });
    expect(d.id).toBe(a.id);
    expect((await u.caller.expenses.list()).items).toHaveLength(1);
  });

  it("the replay is the expense as it is now", async () => {
    const u = await env.signUp();
    const a = await u.caller.expenses.create({ ...item, idempotencyKey: "k2" });
    const changed = await u.caller.expenses.update({ id: a.id, note: "edited" });
    const again = await u.caller.expenses.create({ ...item, idempotencyKey: "k2" });
    expect(again).toEqual(changed);
    expect(again.version).toBe(2);
  });

  it("the same key with other content is CONFLICT and writes nothing", async () => {
    const u = await env.signUp();
    await u.caller.expenses.create({ ...item, idempotencyKey: "k3" });
    for (const change of [
      { amount: "10" },
      { note: "y" },
      { spentOn: "2026-02-03" },
      { category: "MISC" },
      { currency: "EUR" },
    ]) {
      await expectFailure(
        u.caller.expenses.create({ ...item, ...change, idempotencyKey: "k3" }),
        "CONFLICT",
        "idempotencyKey",
      );
    }
    expect((await u.caller.expenses.list()).items).toHaveLength(1);
  });

  it("keys are per user", async () => {
    const a = await env.signUp();
    const b = await env.signUp();
    const ea = await a.caller.expenses.create({ ...item, idempotencyKey: "shared" });
    const eb = await b.caller.expenses.create({ ...item, idempotencyKey: "shared" });
    expect(eb.id).not.toBe(ea.id);
    expect((await b.caller.expenses.get({ id: eb.id })).id).toBe(eb.id);
    await expectFailure(b.caller.expenses.get({ id: ea.id }), "NOT_FOUND");
  });

  it("concurrent creates with one key make one expense and all get it", async () => {
    const u = await env.signUp();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        u.caller.expenses.create({ ...item, idempotencyKey: "race" }),
      ),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect((await u.caller.expenses.list()).items).toHaveLength(1);
  });

  it("a key is free again once its expense is deleted", async () => {
    const u = await env.signUp();
    const a = await u.caller.expenses.create({ ...item, idempotencyKey: "k4" });
    await u.caller.expenses.delete({ id: a.id });
    const b = await u.caller.expenses.create({ ...item, amount: "1", idempotencyKey: "k4" });
    expect(b.id).not.toBe(a.id);
  });
});
