import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DbHandle, rowsOf } from "../src/db/client";
import { isForeignKeyViolation } from "../src/db/pg-errors";
import { rollupDrift } from "../src/services/analytics-rollups";
import { getTestDb, resetDb } from "../src/testing";

/**
 * The references of expenses are kept by statement-level triggers (migration 0005) rather
 * than by foreign keys: each rule a foreign key kept must still hold, in plain SQL too.
 */
describe("expense references", () => {
  let handle: DbHandle;
  let owner: string;
  let other: string;
  let coffee: string;
  let theirs: string;

  const one = async <T>(q: ReturnType<typeof sql>) => rowsOf<T>(await handle.db.execute(q))[0] as T;
  const count = async (q: ReturnType<typeof sql>) =>
    Number((await one<{ n: number | string }>(q)).n);
  const refused = async (q: ReturnType<typeof sql>) => {
    const err = await handle.db.execute(q).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err, "the statement should have been refused").not.toBeNull();
    expect(isForeignKeyViolation(err)).toBe(true);
  };
  /** The refusal's DETAIL, which names the missing key as a foreign key's would. */
  const refusedDetail = async (q: ReturnType<typeof sql>): Promise<string> => {
    const err = await handle.db.execute(q).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isForeignKeyViolation(err)).toBe(true);
    let e: unknown = err;
    for (let depth = 0; depth < 4 && e && typeof e === "object"; depth++) {
      const detail = (e as { detail?: unknown }).detail;
      if (typeof detail === "string") return detail;
      e = (e as { cause?: unknown }).cause;
    }
    return "";
  };
  const addExpense = (user: string, base = "FOOD", category: string | null = null) =>
    handle.db.execute(sql`
      INSERT INTO expenses (user_id, amount_minor, currency, spent_on, base_code, category_id)
      VALUES (${user}, 1250, 'USD', '2026-03-01', ${base}, ${category})`);

  beforeAll(async () => {
    handle = await getTestDb();
  });
  afterAll(async () => {
    await resetDb(handle);
  });
  beforeEach(async () => {
    await resetDb(handle);
    const user = (email: string) =>
      one<{ id: string }>(sql`
        INSERT INTO users (email, password_hash) VALUES (${email}, 'x') RETURNING id::text AS id`);
    owner = (await user("owner@example.com")).id;
    other = (await user("other@example.com")).id;
    const cat = (u: string) =>
      one<{ id: string }>(sql`
        INSERT INTO user_categories (user_id, base_code, slug, code, name)
        VALUES (${u}, 'FOOD', 'coffee', 'FOOD.COFFEE', 'Coffee') RETURNING id::text AS id`);
    coffee = (await cat(owner)).id;
    theirs = (await cat(other)).id;
  });

  it("refuses an expense of an unknown owner, base category or subcategory", async () => {
    await refused(sql`
      INSERT INTO expenses (user_id, amount_minor, currency, spent_on, base_code)
      VALUES ('00000000-0000-4000-8000-000000000001', 1, 'USD', '2026-03-01', 'FOOD')`);
    await refused(sql`
      INSERT INTO expenses (user_id, amount_minor, currency, spent_on, base_code)
      VALUES (${owner}, 1, 'USD', '2026-03-01', 'NOT_A_BASE')`);
    await refused(sql`
      INSERT INTO expenses (user_id, amount_minor, currency, spent_on, base_code, category_id)
      VALUES (${owner}, 1, 'USD', '2026-03-01', 'FOOD', '00000000-0000-4000-8000-000000000002')`);
    // One bad row among good ones fails the whole statement.
    await refused(sql`
      INSERT INTO expenses (user_id, amount_minor, currency, spent_on, base_code)
      SELECT ${owner}::uuid, g, 'USD', '2026-03-01', CASE WHEN g = 300 THEN 'NOPE' ELSE 'FOOD' END
      FROM generate_series(1, 500) g`);
    expect(await count(sql`SELECT count(*) AS n FROM expenses`)).toBe(0);
  });

  it("refuses another owner's subcategory, which a foreign key could not", async () => {
    await refused(sql`
      INSERT INTO expenses (user_id, amount_minor, currency, spent_on, base_code, category_id)
      VALUES (${owner}, 1, 'USD', '2026-03-01', 'FOOD', ${theirs})`);
    await addExpense(owner, "FOOD", coffee);
    await refused(sql`UPDATE expenses SET category_id = ${theirs} WHERE user_id = ${owner}`);
    await refused(sql`UPDATE expenses SET user_id = ${other} WHERE user_id = ${owner}`);
    await refused(sql`UPDATE expenses SET base_code = 'NOPE' WHERE user_id = ${owner}`);
    expect(await one<{ c: string }>(sql`SELECT category_id::text AS c FROM expenses`)).toEqual({
      c: coffee,
    });
  });

  it("names the missing key, and checks each row's subcategory against its own owner", async () => {
    const ghost = "00000000-0000-4000-8000-000000000009";
    expect(
      await refusedDetail(sql`
        INSERT INTO expenses (user_id, amount_minor, currency, spent_on, base_code)
        VALUES (${owner}, 1, 'USD', '2026-03-01', 'FOOD'), (${ghost}, 1, 'USD', '2026-03-01', 'FOOD')`),
    ).toBe(`Key (user_id)=(${ghost}) is not present in table "users".`);
    expect(
      await refusedDetail(sql`
        INSERT INTO expenses (user_id, amount_minor, currency, spent_on, base_code)
        VALUES (${owner}, 1, 'USD', '2026-03-01', 'FOOD'), (${owner}, 1, 'USD', '2026-03-01', 'NOPE')`),
    ).toBe(`Key (base_code)=(NOPE) is not present in table "base_categories".`);
    // One owner: a subcategory that exists but is someone else's.
    expect(
      await refusedDetail(sql`
        INSERT INTO expenses (user_id, amount_minor, currency, spent_on, base_code, category_id)
        VALUES (${owner}, 1, 'USD', '2026-03-01', 'FOOD', ${coffee}),
               (${owner}, 1, 'USD', '2026-03-01', 'FOOD', ${theirs})`),
    ).toBe(`Key (category_id)=(${theirs}) is not a category of the expense's owner.`);
    // Two owners in one statement: each subcategory must be its own row's owner's, so the
    // same two subcategories are refused crossed over and accepted the right way round.
    expect(
      await refusedDetail(sql`
        INSERT INTO expenses (user_id, amount_minor, currency, spent_on, base_code, category_id)
        VALUES (${owner}, 1, 'USD', '2026-03-01', 'FOOD', ${theirs}),
               (${other}, 1, 'USD', '2026-03-01', 'FOOD', ${coffee})`),
    ).toMatch(/^Key \(category_id\)=\((.+)\) is not a category of the expense's owner\.$/);
    expect(await count(sql`SELECT count(*) AS n FROM expenses`)).toBe(0);
    await handle.db.execute(sql`
      INSERT INTO expenses (user_id, amount_minor, currency, spent_on, base_code, category_id)
      VALUES (${owner}, 1, 'USD', '2026-03-01', 'FOOD', ${coffee}),
             (${other}, 1, 'USD', '2026-03-01', 'FOOD', ${theirs}),
             (${owner}, 2, 'USD', '2026-03-02', 'RENT', NULL)`);
    expect(await count(sql`SELECT count(*) AS n FROM expenses`)).toBe(3);
    expect(await rollupDrift(handle.db)).toEqual({ days: 0, months: 0, totals: 0 });
  });

  it("deleting an owner deletes their expenses and rollups, and no one else's", async () => {
    await addExpense(owner);
    await addExpense(owner, "RENT", coffee);
    await addExpense(other);
    await handle.db.execute(sql`DELETE FROM users WHERE id = ${owner}`);
    expect(await count(sql`SELECT count(*) AS n FROM expenses WHERE user_id = ${owner}`)).toBe(0);
    expect(await count(sql`SELECT count(*) AS n FROM expenses WHERE user_id = ${other}`)).toBe(1);
    for (const table of [
      "expense_rollup_days",
      "expense_rollup_months",
      "expense_rollup_day_totals",
    ]) {
      expect(
        await count(
          sql`SELECT count(*) AS n FROM ${sql.identifier(table)} WHERE user_id = ${owner}`,
        ),
      ).toBe(0);
    }
    expect(await rollupDrift(handle.db)).toEqual({ days: 0, months: 0, totals: 0 });
  });

  it("deleting a subcategory files its expenses under the base, rollups included", async () => {
    await addExpense(owner, "FOOD", coffee);
    await addExpense(owner, "FOOD", coffee);
    await handle.db.execute(sql`DELETE FROM user_categories WHERE id = ${coffee}`);
    expect(
      await count(
        sql`SELECT count(*) AS n FROM expenses WHERE user_id = ${owner} AND category_id IS NULL`,
      ),
    ).toBe(2);
    expect(await rollupDrift(handle.db)).toEqual({ days: 0, months: 0, totals: 0 });
  });

  it("keeps the keys that expenses refer to", async () => {
    await addExpense(owner, "FOOD");
    await refused(sql`DELETE FROM base_categories WHERE code = 'FOOD'`);
    await refused(sql`UPDATE base_categories SET code = 'FOOD2' WHERE code = 'FOOD'`);
    await refused(
      sql`UPDATE users SET id = '00000000-0000-4000-8000-000000000003' WHERE id = ${owner}`,
    );
    await refused(sql`
      UPDATE user_categories SET id = '00000000-0000-4000-8000-000000000004' WHERE id = ${coffee}`);
    await refused(sql`TRUNCATE base_categories CASCADE`);
    // Renames and unused base categories are fine.
    await handle.db.execute(
      sql`UPDATE base_categories SET name = 'Food & drink' WHERE code = 'FOOD'`,
    );
    await handle.db.execute(sql`UPDATE base_categories SET code = 'TRAVEL2' WHERE code = 'TRAVEL'`);
    await handle.db.execute(sql`UPDATE base_categories SET code = 'TRAVEL' WHERE code = 'TRAVEL2'`);
    expect(await count(sql`SELECT count(*) AS n FROM base_categories`)).toBe(11);
  });

  it("emptying owners or subcategories does what deleting them would", async () => {
    await addExpense(owner, "FOOD", coffee);
    await handle.db.execute(sql`TRUNCATE user_categories`);
    expect(await count(sql`SELECT count(*) AS n FROM expenses WHERE category_id IS NOT NULL`)).toBe(
      0,
    );
    await handle.db.execute(sql`TRUNCATE users CASCADE`);
    expect(await count(sql`SELECT count(*) AS n FROM expenses`)).toBe(0);
    expect(await count(sql`SELECT count(*) AS n FROM expense_rollup_days`)).toBe(0);
  });

  it.runIf(process.env.DATABASE_URL)(
    "an owner deleted while an import is in flight takes the import's rows too",
    async () => {
      const pg = handle.sql;
      if (!pg) throw new Error("expected the postgres driver");
      // The writer holds its insert open; the owner's deletion must wait for it and then
      // remove what it wrote, as ON DELETE CASCADE would.
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let inserted!: () => void;
      const didInsert = new Promise<void>((r) => {
        inserted = r;
      });
      const writer = pg.begin(async (tx) => {
        await tx`
          INSERT INTO expenses (user_id, amount_minor, currency, spent_on, base_code)
          SELECT ${owner}::uuid, g, 'USD', '2026-03-01', 'FOOD' FROM generate_series(1, 50) g`;
        inserted();
        await held;
      });
      await didInsert;
      const deleting = pg`DELETE FROM users WHERE id = ${owner}`.then(() => "deleted");
      const first = await Promise.race([
        deleting,
        new Promise((r) => setTimeout(() => r("waiting"), 300)),
      ]);
      expect(first).toBe("waiting");
      release();
      await writer;
      await deleting;
      expect(await count(sql`SELECT count(*) AS n FROM expenses WHERE user_id = ${owner}`)).toBe(0);

      // The other way round: an owner deleted first makes the late writer fail once the
      // deletion commits.
      let late: Promise<unknown> = Promise.resolve(null);
      await pg.begin(async (tx) => {
        await tx`DELETE FROM users WHERE id = ${other}`;
        late = addExpense(other).then(
          () => null,
          (err: unknown) => err,
        );
        await new Promise((r) => setTimeout(r, 200));
      });
      expect(isForeignKeyViolation(await late)).toBe(true);
      expect(await count(sql`SELECT count(*) AS n FROM expenses WHERE user_id = ${other}`)).toBe(0);
    },
  );
});
