import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { migrate } from "drizzle-orm/pglite/migrator";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, migrationsFolder, rowsOf } from "../src/db/client";
import { rollupDrift } from "../src/services/analytics-rollups";

/**
 * A ledger written before the rollups existed gets them on upgrade: the migrations fill
 * the rollup tables from the expenses already there, then the triggers take over.
 * (On an embedded database of its own, whatever DATABASE_URL says.)
 */
describe("rollup migrations on an existing ledger", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** The migrations folder as it was up to and including `lastTag`. */
  function folderUpTo(lastTag: string): string {
    const dir = mkdtempSync(join(tmpdir(), "lf-migrations-"));
    dirs.push(dir);
    cpSync(migrationsFolder(), dir, { recursive: true });
    const journalPath = join(dir, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalPath, "utf8")) as {
      entries: { tag: string }[];
    };
    const last = journal.entries.findIndex((e) => e.tag === lastTag);
    expect(last).toBeGreaterThanOrEqual(0);
    journal.entries = journal.entries.slice(0, last + 1);
    writeFileSync(journalPath, JSON.stringify(journal));
    return dir;
  }

  it("backfills exact day, month and day-total rollups", async () => {
    const handle = await createDb({ dataDir: "memory://" });
    try {
      await migrate(handle.db as never, {
        migrationsFolder: folderUpTo("0001_seed_base_categories"),
      });
      await handle.db.execute(sql`
        INSERT INTO users (id, email, password_hash)
        VALUES ('11111111-1111-4111-8111-111111111111', 'old@example.com', 'x')`);
      await handle.db.execute(sql`
        INSERT INTO user_categories (id, user_id, base_code, slug, code, name)
        VALUES ('22222222-2222-4222-8222-222222222222', '11111111-1111-4111-8111-111111111111',
                'FOOD', 'COFFEE', 'FOOD.COFFEE', 'Coffee')`);
      await handle.db.execute(sql`
        INSERT INTO expenses (user_id, amount_minor, currency, spent_on, base_code, category_id)
        SELECT '11111111-1111-4111-8111-111111111111', 1 + (i * 7919) % 50000,
               CASE WHEN i % 4 = 0 THEN 'JPY' ELSE 'USD' END,
               date '2024-01-15' + (i % 90),
               CASE WHEN i % 3 = 0 THEN 'RENT' ELSE 'FOOD' END,
               CASE WHEN i % 3 = 1 THEN '22222222-2222-4222-8222-222222222222'::uuid END
        FROM generate_series(1, 500) i`);

      await handle.migrate();
      const [counts] = rowsOf<{ days: number; months: number; totals: number }>(
        await handle.db.execute(sql`
          SELECT (SELECT count(*) FROM expense_rollup_days)::int AS days,
                 (SELECT count(*) FROM expense_rollup_months)::int AS months,
                 (SELECT count(*) FROM expense_rollup_day_totals)::int AS totals`),
      );
      expect(counts?.days).toBeGreaterThan(0);
      expect(counts?.months).toBeGreaterThan(0);
      expect(counts?.totals).toBeGreaterThan(0);
      expect(await rollupDrift(handle.db)).toEqual({ days: 0, months: 0, totals: 0 });

      // And the triggers keep them from then on.
      await handle.db.execute(sql`DELETE FROM expenses WHERE amount_minor % 5 = 0`);
      await handle.db.execute(sql`UPDATE expenses SET spent_on = spent_on + 31`);
      expect(await rollupDrift(handle.db)).toEqual({ days: 0, months: 0, totals: 0 });
    } finally {
      await handle.close();
    }
  });
});
