import { analyticsService, formatMoney, schema } from "@ledgerflow/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { insertExpenses, minorOf, periodLabelOf, rawSql, statsOf } from "./analytics-helpers";
import { useTestEnv } from "./helpers";

/**
 * The report fast path reads rollups that triggers keep. After random creates, updates,
 * deletes, batches and category moves and deletes, through the routers and straight
 * SQL alike, the rollups must equal a full recomputation over `expenses`, and the
 * reports must equal figures recomputed from the ledger as it now is.
 */

// Few days, bases and amounts, so that writes often share a rollup row and its maximum.
const BASES = ["FOOD", "RENT"] as const;
const CURRENCIES = ["USD", "JPY"] as const;
const FIRST_DAY = Date.UTC(2025, 11, 28);
const dayArb = fc
  .integer({ min: 0, max: 8 })
  .map((i) => new Date(FIRST_DAY + i * 86_400_000).toISOString().slice(0, 10));
const amountArb = fc.oneof(
  fc.constantFrom(100n, 200n, 300n),
  fc.bigInt({ min: 1n, max: 3_000n }),
  fc.bigInt({ min: 1n, max: 99_999_999_999n }),
);

const opArb = fc.oneof(
  fc.record({
    op: fc.constant("create" as const),
    amount: amountArb,
    currency: fc.constantFrom(...CURRENCIES),
    spentOn: dayArb,
    pick: fc.nat(),
  }),
  fc.record({
    op: fc.constant("createMany" as const),
    n: fc.integer({ min: 1, max: 6 }),
    amount: amountArb,
    spentOn: dayArb,
    pick: fc.nat(),
  }),
  fc.record({
    op: fc.constant("update" as const),
    target: fc.nat(),
    amount: fc.option(amountArb, { nil: undefined }),
    currency: fc.option(fc.constantFrom(...CURRENCIES), { nil: undefined }),
    spentOn: fc.option(dayArb, { nil: undefined }),
    pick: fc.option(fc.nat(), { nil: undefined }),
    note: fc.boolean(),
  }),
  fc.record({ op: fc.constant("delete" as const), target: fc.nat() }),
  fc.record({
    op: fc.constant("sqlBulkUpdate" as const),
    day: dayArb,
    shift: fc.integer({ min: -3, max: 3 }),
  }),
  fc.record({ op: fc.constant("moveCategory" as const), target: fc.nat(), base: fc.nat() }),
  fc.record({ op: fc.constant("deleteCategory" as const), target: fc.nat() }),
  fc.record({ op: fc.constant("createCategory" as const), base: fc.nat() }),
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

function at<T>(items: readonly T[], i: number): T | undefined {
  return items.length ? items[i % items.length] : undefined;
}

describe("rollups stay exact", () => {
  const env = useTestEnv();

  it("after random writes the fast path equals a full recomputation", async () => {
    const me = await env.signUp();
    const other = await env.signUp();
    let made = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops: Op[]) => {
        await env.handle.db.delete(schema.expenses);
        await env.handle.db.delete(schema.userCategories);
        const ids: string[] = [];
        let cats: { id: string; code: string }[] = [];
        for (const name of ["Coffee", "Flat"]) {
          made += 1;
          const c = await me.caller.categories.create({
            name: `${name} ${made}`,
            baseCode: name === "Flat" ? "RENT" : "FOOD",
          });
          cats.push({ id: c.id, code: c.code });
        }
        // Another user's ledger on the same days must stay out of every figure.
        await insertExpenses(env.handle.db, [
          {
            userId: other.id,
            amountMinor: 77n,
            currency: "USD",
            spentOn: "2025-12-01",
            baseCode: "FOOD",
          },
        ]);
        const categoryOf = (pick: number) => {
          const codes = [...BASES, ...cats.map((c) => c.code)];
          return at(codes, pick) ?? "MISC";
        };

        for (const op of ops) {
          switch (op.op) {
            case "create": {
              const e = await me.caller.expenses.create({
                amount: formatMoney(op.amount, op.currency),
                currency: op.currency,
                spentOn: op.spentOn,
                category: categoryOf(op.pick),
              });
              ids.push(e.id);
              break;
            }
            case "createMany": {
              const res = await me.caller.expenses.createMany({
                items: Array.from({ length: op.n }, (_, i) => ({
                  amount: formatMoney(
                    op.amount > BigInt(i) ? op.amount - BigInt(i) : op.amount,
                    "USD",
                  ),
                  currency: "USD",
                  spentOn: op.spentOn,
                  category: categoryOf(op.pick + i),
                })),
              });
              ids.push(...res.items.map((e) => e.id));
              break;
            }
            case "update": {
              const id = at(ids, op.target);
              if (!id) break;
              const currency = op.currency;
              const amount = op.amount ?? (currency ? 1234n : undefined);
              await me.caller.expenses
                .update({
                  id,
                  ...(amount !== undefined
                    ? { amount: formatMoney(amount, currency ?? "JPY") }
                    : {}),
                  ...(currency ? { currency } : {}),
                  ...(op.spentOn ? { spentOn: op.spentOn } : {}),
                  ...(op.pick !== undefined ? { category: categoryOf(op.pick) } : {}),
                  ...(op.note ? { note: `edited ${op.target}` } : {}),
                })
                .catch((err: { code?: string }) => {
                  // A JPY-formatted amount is valid in USD too; the reverse may be refused.
                  if (err.code !== "BAD_REQUEST") throw err;
                });
              break;
            }
            case "delete": {
              const id = at(ids, op.target);
              if (!id) break;
              await me.caller.expenses.delete({ id });
              ids.splice(ids.indexOf(id), 1);
              break;
            }
            case "sqlBulkUpdate": {
              // Any writer, not only the services: one statement moving many rows at once.
              await rawSql(
                env.handle,
                `UPDATE expenses SET spent_on = spent_on + $1::int, amount_minor = amount_minor + 1
                 WHERE user_id = $2 AND spent_on >= $3::date`,
                [op.shift, me.id, op.day],
              );
              break;
            }
            case "moveCategory": {
              const c = at(cats, op.target);
              const base = at(BASES, op.base);
              if (!c || !base) break;
              const moved = await me.caller.categories
                .update({ id: c.id, baseCode: base })
                .catch((err: { code?: string }) => {
                  if (err.code !== "CONFLICT") throw err;
                  return null;
                });
              if (moved) c.code = moved.code;
              break;
            }
            case "deleteCategory": {
              const c = at(cats, op.target);
              if (!c) break;
              await me.caller.categories.delete({ id: c.id });
              cats = cats.filter((x) => x.id !== c.id);
              break;
            }
            case "createCategory": {
              made += 1;
              const c = await me.caller.categories.create({
                name: `Extra ${made}`,
                baseCode: at(BASES, op.base) ?? "MISC",
              });
              cats.push({ id: c.id, code: c.code });
              break;
            }
          }
        }

        expect(await analyticsService.rollupDrift(env.handle.db)).toEqual({
          days: 0,
          months: 0,
          totals: 0,
        });

        // The reports against the ledger as it is now, read back in full.
        const ledger = await env.handle.db.query.expenses.findMany({
          where: (e, { eq }) => eq(e.userId, me.id),
        });
        const catCode = new Map(
          (await env.handle.db.query.userCategories.findMany()).map((c) => [c.id, c.code]),
        );
        for (const [from, to] of [
          [undefined, undefined],
          ["2025-12-01", "2026-01-31"],
          ["2025-11-25", "2026-02-10"],
          ["2025-12-30", "2026-01-02"],
          ["2026-01-01", "2026-01-01"],
        ] as const) {
          for (const currency of CURRENCIES) {
            const s = await me.caller.analytics.summary({ currency, from, to });
            const rows = ledger.filter(
              (r) =>
                r.currency === currency &&
                (from === undefined || r.spentOn >= from) &&
                (to === undefined || r.spentOn <= to),
            );
            const st = statsOf(rows.map((r) => r.amountMinor));
            expect(s.count).toBe(st.count);
            expect(minorOf(s.total, currency)).toBe(st.total);
            let max = 0n;
            for (const r of rows) if (r.amountMinor > max) max = r.amountMinor;
            expect(s.largest ? minorOf(s.largest.amount, currency) : 0n).toBe(max);
            for (const c of s.byCategory) {
              const inBase = rows.filter((r) => r.baseCode === c.code);
              expect(minorOf(c.total, currency)).toBe(
                statsOf(inBase.map((r) => r.amountMinor)).total,
              );
              for (const sub of c.subcategories) {
                const mine = inBase.filter(
                  (r) => (r.categoryId ? (catCode.get(r.categoryId) ?? "?") : null) === sub.code,
                );
                expect(sub.count).toBe(mine.length);
              }
            }
            if (from && to) {
              const t = await me.caller.analytics.trend({
                currency,
                from,
                to,
                granularity: "week",
              });
              for (const p of t.points) {
                const inWeek = rows.filter((r) => periodLabelOf(r.spentOn, "week") === p.period);
                expect(minorOf(p.total, currency)).toBe(
                  statsOf(inWeek.map((r) => r.amountMinor)).total,
                );
              }
            }
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it("rolls back with the transaction that wrote", async () => {
    const me = await env.signUp();
    await expect(
      env.handle.db.transaction(async (tx) => {
        await insertExpenses(tx as never, [
          {
            userId: me.id,
            amountMinor: 500n,
            currency: "USD",
            spentOn: "2026-01-01",
            baseCode: "FOOD",
          },
        ]);
        throw new Error("abandon");
      }),
    ).rejects.toThrow("abandon");
    expect((await me.caller.analytics.summary()).count).toBe(0);
    expect(await analyticsService.rollupDrift(env.handle.db)).toEqual({
      days: 0,
      months: 0,
      totals: 0,
    });
  });

  it("forgets a deleted user's rollups with the user", async () => {
    const me = await env.signUp();
    await insertExpenses(env.handle.db, [
      {
        userId: me.id,
        amountMinor: 500n,
        currency: "USD",
        spentOn: "2026-01-01",
        baseCode: "FOOD",
      },
    ]);
    await rawSql(env.handle, "DELETE FROM users WHERE id = $1", [me.id]);
    expect(await analyticsService.rollupDrift(env.handle.db)).toEqual({
      days: 0,
      months: 0,
      totals: 0,
    });
    expect(await env.handle.db.select().from(schema.expenseRollupDays)).toEqual([]);
  });
});
