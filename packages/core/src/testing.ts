import { execFileSync } from "node:child_process";
import { sql } from "drizzle-orm";
import { createDb, type DbHandle } from "./db/client";

/**
 * Test databases. One per test worker, reused by every test file that worker runs
 * (vitest runs with `isolate: false`), because a fresh PGlite takes seconds to start.
 * With DATABASE_URL set, each worker gets its own throwaway PostgreSQL database.
 */
const KEY = Symbol.for("ledgerflow.testDb");
type Holder = { [KEY]?: Promise<DbHandle> };

export function getTestDb(): Promise<DbHandle> {
  const holder = globalThis as Holder;
  holder[KEY] ??= openTestDb();
  return holder[KEY];
}

async function openTestDb(): Promise<DbHandle> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const handle = await createDb({ dataDir: "memory://" });
    await handle.migrate();
    return handle;
  }
  const worker = process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? "0";
  const pkg = (process.env.npm_package_name ?? "lf").replace(/[^a-z0-9]+/gi, "_");
  const run = process.env.LEDGERFLOW_TEST_RUN ?? "0";
  const name = `ledgerflow_test_${pkg}_r${run}_${worker}_${process.pid}`.toLowerCase();
  const admin = createAdminUrl(url);
  const psql = (q: string) => execFileSync("psql", [admin, "-qAt", "-c", q], { stdio: "pipe" });
  psql(`DROP DATABASE IF EXISTS ${name}`);
  psql(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const handle = await createDb({ databaseUrl: target.toString(), maxConnections: 8 });
  await handle.migrate();
  const close = handle.close;
  handle.close = async () => {
    await close();
    psql(`DROP DATABASE IF EXISTS ${name}`);
  };
  return handle;
}

function createAdminUrl(url: string): string {
  const u = new URL(url);
  u.pathname = "/postgres";
  return u.toString();
}

/** Removes every user-owned row; the migrated reference data stays. */
export async function resetDb(handle: DbHandle): Promise<void> {
  await handle.db.execute(
    sql`TRUNCATE users, sessions, user_categories, expenses RESTART IDENTITY CASCADE`,
  );
}
