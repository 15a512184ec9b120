import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DbHandle, rowsOf } from "../src/db/client";
import { statement } from "../src/db/statement";
import { getTestDb, resetDb } from "../src/testing";

describe("statement", () => {
  let handle: DbHandle;
  const CODE_AND_NAME = statement<{ code: string; min: number }>(
    sql`SELECT code, name, ${sql.placeholder("min")}::int AS min
        FROM base_categories WHERE code = ${sql.placeholder("code")}`,
  );

  beforeAll(async () => {
    handle = await getTestDb();
    await resetDb(handle);
  });
  afterAll(async () => {
    await resetDb(handle);
  });

  it("answers what db.execute answers for the same SQL, with each call's own values", async () => {
    for (const [code, min] of [
      ["FOOD", 1],
      ["RENT", 2],
      ["FOOD", 3],
      ["NOPE", 4],
    ] as const) {
      const direct = rowsOf(
        await handle.db.execute(
          sql`SELECT code, name, ${min}::int AS min FROM base_categories WHERE code = ${code}`,
        ),
      );
      expect(rowsOf(await CODE_AND_NAME(handle.db, { code, min }))).toEqual(direct);
    }
    expect(rowsOf(await CODE_AND_NAME(handle.db, { code: "RENT", min: 7 }))).toEqual([
      { code: "RENT", name: "Rent", min: 7 },
    ]);
  });

  it("runs inside a transaction, on the transaction's connection", async () => {
    await handle.db
      .transaction(async (tx) => {
        await tx.execute(sql`UPDATE base_categories SET name = 'Rent (moved)' WHERE code = 'RENT'`);
        // Only this transaction sees the new name yet.
        expect(rowsOf(await CODE_AND_NAME(tx, { code: "RENT", min: 0 }))).toEqual([
          { code: "RENT", name: "Rent (moved)", min: 0 },
        ]);
        tx.rollback();
      })
      .catch((err: unknown) => {
        if (!(err instanceof Error) || !/rollback/i.test(err.message)) throw err;
      });
    expect(rowsOf(await CODE_AND_NAME(handle.db, { code: "RENT", min: 0 }))).toEqual([
      { code: "RENT", name: "Rent", min: 0 },
    ]);
  });
});
