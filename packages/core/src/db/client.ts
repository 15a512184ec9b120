import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema";

export type Schema = typeof schema;
type Relations = ExtractTablesWithRelations<Schema>;

/** The one database type every service takes: PGlite and postgres.js look the same. */
export type Db = PgDatabase<PgQueryResultHKT, Schema, Relations>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, Relations>;
/** A service that may run inside a caller's transaction takes either. */
export type DbOrTx = Db | Tx;

export type DbDriver = "pglite" | "postgres";

export interface DbConfig {
  /** postgres:// URL; when absent, the embedded PGlite database is used. */
  databaseUrl?: string | undefined;
  /** PGlite data folder; `memory://` for a throwaway in-memory database. */
  dataDir?: string | undefined;
  /** postgres.js pool size. */
  maxConnections?: number | undefined;
}

export interface DbHandle {
  db: Db;
  driver: DbDriver;
  /** Applies pending migrations; a no-op when everything is applied. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** The raw PGlite instance, when the driver is PGlite (tests use it to reset state). */
  pglite?: PGlite;
  /** The raw postgres.js client, when the driver is postgres. */
  sql?: postgres.Sql;
}

export const DEFAULT_DATA_DIR = "./.ledgerflow/data";
const PGLITE_ANALYZE_EVERY_MS = 10 * 60 * 1000;

/**
 * A relative data folder is taken from where the user ran the command: package scripts
 * (`pnpm db:migrate`, `pnpm dev`) run inside a package folder, but npm and pnpm pass the
 * caller's folder as INIT_CWD, so every entry point finds the same database.
 */
export function resolveDataDir(dir: string = DEFAULT_DATA_DIR): string {
  if (dir.startsWith("memory://")) return dir;
  return resolve(process.env.INIT_CWD ?? process.cwd(), dir);
}

/**
 * Finds the drizzle migrations folder: next to the source in development, and next to
 * the bundle (copied there by the build) in production.
 */
export function migrationsFolder(): string {
  const fromEnv = process.env.LEDGERFLOW_MIGRATIONS_DIR;
  if (fromEnv) return resolve(fromEnv);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "drizzle");
    if (existsSync(join(candidate, "meta", "_journal.json"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error("LedgerFlow migrations folder not found; set LEDGERFLOW_MIGRATIONS_DIR");
}

export async function createDb(config: DbConfig = {}): Promise<DbHandle> {
  if (config.databaseUrl) {
    const sql = postgres(config.databaseUrl, {
      max: config.maxConnections ?? 10,
      onnotice: () => {},
    });
    const db = drizzlePostgres({ client: withPreparedStatements(sql), schema }) as unknown as Db;
    return {
      db,
      driver: "postgres",
      sql,
      migrate: () => migratePostgres(db as never, { migrationsFolder: migrationsFolder() }),
      close: () => sql.end({ timeout: 5 }),
    };
  }
  const dataDir = resolveDataDir(config.dataDir);
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  const db = drizzlePglite({ client: pglite, schema }) as unknown as Db;
  // PGlite runs no autovacuum, so without this the planner has no statistics and sorts a
  // user's whole ledger instead of walking the date index. Refreshed now and then.
  const analyze = () =>
    pglite.exec("ANALYZE").then(
      () => undefined,
      () => undefined,
    );
  const timer = setInterval(analyze, PGLITE_ANALYZE_EVERY_MS);
  timer.unref();
  return {
    db,
    driver: "pglite",
    pglite,
    migrate: async () => {
      await migratePglite(db as never, { migrationsFolder: migrationsFolder() });
      await analyze();
    },
    close: () => {
      clearInterval(timer);
      return pglite.close();
    },
  };
}

/**
 * Drizzle sends each statement unnamed, and postgres.js must then wait for PostgreSQL to
 * describe the parameters before it can bind them: two round trips and a fresh plan per
 * query. Named prepared statements are described once per connection, then cost one round
 * trip and reuse their plan, which about doubles the throughput of short reads.
 * Statements without parameters (migrations, several statements in one string) keep
 * PostgreSQL's simple protocol, which cannot be prepared.
 */
function withPreparedStatements<T extends postgres.Sql | postgres.TransactionSql>(client: T): T {
  return new Proxy(client, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== "function") return value;
      if (key === "unsafe") {
        return (query: string, args?: unknown[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, args as never, { ...options, prepare: true });
      }
      if (key === "begin" || key === "savepoint") {
        return (...params: unknown[]) => {
          const last = params.length - 1;
          const fn = params[last] as (tx: postgres.TransactionSql) => unknown;
          params[last] = (tx: postgres.TransactionSql) => fn(withPreparedStatements(tx));
          return (value as (...a: unknown[]) => unknown).apply(target, params);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/** Rows of a raw `db.execute(sql)`: postgres.js returns an array, PGlite `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
