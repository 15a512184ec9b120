import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle, migrationsFolder, rowsOf } from "../src/db/client";
import { migrationStatus } from "../src/db/status";

/** API.md: the original product's eleven codes and names, in its order. */
const BASE_CATEGORIES = [
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
] as const;

const SCHEMAS = "('public', 'drizzle')";

async function rows<T>(handle: DbHandle, query: string): Promise<T[]> {
  return rowsOf<T>(await handle.db.execute(sql.raw(query)));
}

/** Everything a migration could change: tables, columns, indexes, constraints, data. */
async function snapshot(handle: DbHandle) {
  return {
    columns: await rows(
      handle,
      `SELECT table_schema, table_name, column_name, data_type, is_nullable, column_default,
              character_maximum_length
         FROM information_schema.columns WHERE table_schema IN ${SCHEMAS}
        ORDER BY table_schema, table_name, ordinal_position`,
    ),
    indexes: await rows(
      handle,
      `SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname IN ${SCHEMAS} ORDER BY schemaname, indexname`,
    ),
    constraints: await rows(
      handle,
      `SELECT c.conrelid::regclass::text AS rel, c.conname, pg_get_constraintdef(c.oid) AS def
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname IN ${SCHEMAS} ORDER BY rel, c.conname`,
    ),
    sequences: await rows(
      handle,
      `SELECT schemaname, sequencename, last_value::text AS last_value FROM pg_sequences
        WHERE schemaname IN ${SCHEMAS} ORDER BY schemaname, sequencename`,
    ),
    baseCategories: await rows(
      handle,
      "SELECT code, name, active, sort_order FROM base_categories ORDER BY code",
    ),
    migrations: await rows(
      handle,
      "SELECT id, hash, created_at::text AS created_at FROM drizzle.__drizzle_migrations ORDER BY id",
    ),
  };
}

function journalEntries(): { tag: string }[] {
  return (
    JSON.parse(readFileSync(join(migrationsFolder(), "meta", "_journal.json"), "utf8")) as {
      entries: { tag: string }[];
    }
  ).entries;
}

/**
 * A database nobody has touched: an in-memory PGlite, or with DATABASE_URL a PostgreSQL
 * database made for this file alone and dropped after it.
 */
async function freshDatabase(): Promise<{ handle: DbHandle; dispose: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const handle = await createDb({ dataDir: "memory://" });
    return { handle, dispose: () => handle.close() };
  }
  const name = `ledgerflow_migrations_test_${process.pid}_${Date.now()}`;
  const adminUrl = new URL(url);
  adminUrl.pathname = "/postgres";
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const handle = await createDb({ databaseUrl: target.toString(), maxConnections: 2 });
  return {
    handle,
    dispose: async () => {
      await handle.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    },
  };
}

describe(`migrations on ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"}`, () => {
  let handle: DbHandle;
  let dispose: () => Promise<void> = async () => {};

  beforeAll(async () => {
    ({ handle, dispose } = await freshDatabase());
  });
  afterAll(async () => {
    await dispose();
  });

  it("migrates an empty database, and a second run changes nothing", async () => {
    const before = await rows<{ table_name: string }>(
      handle,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(before).toEqual([]);
    expect(await migrationStatus(handle.db)).toEqual({
      expected: journalEntries().length,
      applied: 0,
    });

    await handle.migrate();
    const first = await snapshot(handle);
    expect(await migrationStatus(handle.db)).toEqual({
      expected: journalEntries().length,
      applied: journalEntries().length,
    });
    const tables = new Set(first.columns.map((c) => (c as { table_name: string }).table_name));
    for (const t of ["users", "sessions", "base_categories", "user_categories", "expenses"]) {
      expect(tables).toContain(t);
    }
    expect(first.migrations).toHaveLength(journalEntries().length);

    await handle.migrate();
    expect(await snapshot(handle)).toEqual(first);
  });

  it("seeds exactly the eleven base categories, all active", async () => {
    const seeded = await rows<{ code: string; name: string; active: boolean }>(
      handle,
      "SELECT code, name, active FROM base_categories ORDER BY sort_order",
    );
    expect(seeded).toEqual(BASE_CATEGORIES.map(([code, name]) => ({ code, name, active: true })));
  });

  it("keeps a later rename when the seed runs again", async () => {
    const seedTag = journalEntries().find((e) => e.tag.includes("seed"))?.tag;
    expect(seedTag).toBeDefined();
    const seedSql = readFileSync(join(migrationsFolder(), `${seedTag}.sql`), "utf8");

    await handle.db.execute(sql`UPDATE base_categories SET name = 'Food' WHERE code = 'FOOD'`);
    await handle.db.execute(sql.raw(seedSql));
    const after = await rows<{ code: string; name: string }>(
      handle,
      "SELECT code, name FROM base_categories ORDER BY sort_order",
    );
    expect(after).toHaveLength(11);
    expect(after[0]).toEqual({ code: "FOOD", name: "Food" });
  });
});
