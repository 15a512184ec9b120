/**
 * Loads the benchmark data set into its own database: three heavy users with 10,000,
 * 100,000 and 1,000,000 expenses, a writer whose rows the write scenarios change, and a
 * thousand ordinary users with a hundred expenses each. Rows stream in through COPY, the
 * fastest way into PostgreSQL. The load is deterministic (seeded): a marker row says which
 * version of the data set is present and how many expenses it had. `pnpm bench` reuses it
 * as long as no earlier run has added rows, and otherwise loads it again (about 20 s);
 * `pnpm bench -- --reuse` keeps the rows.
 *
 *   npx tsx src/generate.ts [--reset]
 */
import { pathToFileURL } from "node:url";
import { authService, createDb } from "@ledgerflow/core";
import postgres from "postgres";
import { BENCH_PASSWORD, benchConfig, HEAVY_USERS, ORDINARY_USERS } from "./config";

/** Bump when the shape of the data set changes, so old copies are rebuilt. */
const DATASET_VERSION = 1;
const ORDINARY_EXPENSES = 100;
const WRITER_EXPENSES = 2_000;
const BASE_CODES = [
  "FOOD",
  "TRANSPORT",
  "GROCERIES",
  "BILLS",
  "RENT",
  "ENTERTAINMENT",
  "SHOPPING",
  "HEALTH",
  "EDUCATION",
  "TRAVEL",
  "MISC",
];
const NOTES = ["lunch", "taxi home", "groceries", "coffee with Sam", "rent", "cinema", "books"];
const DAY_MS = 86_400_000;
/** Three years of history up to today. */
const HISTORY_DAYS = 3 * 365;

export interface BenchUser {
  email: string;
  id: string;
  expenses: number;
}

/** mulberry32: a small seeded generator, so every load produces the same rows. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const [found] = await sql`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    if (!found) await sql.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await sql.end();
  }
}

/** TSV lines for COPY: no value produced here holds a tab, newline or backslash. */
function* expenseLines(userId: string, count: number, seed: number): Generator<string> {
  const rand = rng(seed);
  const today = Date.UTC(
    new Date().getUTCFullYear(),
    new Date().getUTCMonth(),
    new Date().getUTCDate(),
  );
  for (let i = 0; i < count; i++) {
    const day = today - Math.floor(rand() * HISTORY_DAYS) * DAY_MS;
    const spentOn = new Date(day).toISOString().slice(0, 10);
    const created = new Date(day + Math.floor(rand() * DAY_MS)).toISOString();
    // Mostly small amounts with a long tail, as real spending looks.
    const amount = Math.max(1, Math.floor(100 * Math.exp(rand() * 7)));
    const currency = rand() < 0.95 ? "USD" : "EUR";
    const base = BASE_CODES[Math.floor(rand() * BASE_CODES.length)] ?? "MISC";
    const note =
      rand() < 0.3 ? `${NOTES[Math.floor(rand() * NOTES.length)] ?? "note"} ${i}` : "\\N";
    yield `${userId}\t${amount}\t${currency}\t${spentOn}\t${base}\t${note}\t${created}\t${created}\n`;
  }
}

async function copyExpenses(sql: postgres.TransactionSql, lines: Iterable<string>): Promise<void> {
  const stream = await sql`
    COPY expenses (user_id, amount_minor, currency, spent_on, base_code, note, created_at, updated_at)
    FROM STDIN`.writable();
  const done = new Promise<void>((resolve, reject) => {
    stream.on("finish", resolve);
    stream.on("error", reject);
  });
  let chunk = "";
  for (const line of lines) {
    chunk += line;
    if (chunk.length > 256 * 1024) {
      if (!stream.write(chunk)) await new Promise((r) => stream.once("drain", r));
      chunk = "";
    }
  }
  stream.end(chunk);
  await done;
}

export interface Dataset {
  heavy: BenchUser[];
  writer: BenchUser;
  ordinary: number;
}

async function appliedMigrations(sql: postgres.Sql | postgres.TransactionSql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`;
  return row?.n ?? 0;
}

/** The marker table: which data set is loaded, under which migrations, with how many rows. */
async function ensureMetaTable(sql: postgres.Sql): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS bench_meta (
      version int NOT NULL, migrations int NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now())`;
  // Added after the table's first version; databases loaded before it get it here.
  await sql`ALTER TABLE bench_meta ADD COLUMN IF NOT EXISTS expenses bigint`;
}

async function readDataset(
  sql: postgres.Sql,
  reuse: boolean,
  log: (s: string) => void,
): Promise<Dataset | null> {
  // A schema change (a new migration: an index, a trigger that keeps rollups) reloads the
  // data, so that every table is as the product would have filled it.
  const [meta] = await sql<{ expenses: string | null }[]>`
    SELECT expenses::text AS expenses FROM bench_meta
    WHERE version = ${DATASET_VERSION} AND migrations = ${await appliedMigrations(sql)}`;
  if (!meta) return null;
  // Write scenarios add rows (createMany alone about a million a run), and inserts slow
  // down as the tables and their indexes grow: unless asked to reuse them, every run
  // starts from the tables as loaded, so that runs compare.
  if (!reuse) {
    const [now] = await sql<{ n: string }[]>`SELECT count(*)::text AS n FROM expenses`;
    if (meta.expenses === null || now?.n !== meta.expenses) {
      const change = meta.expenses === null ? null : BigInt(now?.n ?? 0) - BigInt(meta.expenses);
      log(
        change === null
          ? "the data set's row count was not recorded; reloading it"
          : `earlier runs ${change > 0n ? "added" : "removed"} ${(change > 0n ? change : -change).toLocaleString("en-US")} expenses; reloading the data set`,
      );
      return null;
    }
  }
  const emails = [...HEAVY_USERS.map((u) => u.email), benchConfig.writerEmail];
  const rows = await sql<{ email: string; id: string }[]>`
    SELECT email, id::text AS id FROM users WHERE email IN ${sql(emails)}`;
  const byEmail = new Map(rows.map((r) => [r.email, r.id]));
  const heavy: BenchUser[] = [];
  for (const u of HEAVY_USERS) {
    const id = byEmail.get(u.email);
    if (!id) return null;
    heavy.push({ email: u.email, id, expenses: u.expenses });
  }
  const writerId = byEmail.get(benchConfig.writerEmail);
  if (!writerId) return null;
  return {
    heavy,
    writer: { email: benchConfig.writerEmail, id: writerId, expenses: WRITER_EXPENSES },
    ordinary: ORDINARY_USERS,
  };
}

/** Loads the data set unless this version of it is already there; returns its users. */
export async function ensureDataset(
  opts: { reset?: boolean; reuse?: boolean; log?: (s: string) => void } = {},
): Promise<Dataset> {
  const log = opts.log ?? ((s: string) => console.log(s));
  const url = benchConfig.databaseUrl;
  await ensureDatabase(url);
  const handle = await createDb({ databaseUrl: url, maxConnections: 2 });
  await handle.migrate();
  await handle.close();

  const sql = postgres(url, { max: 4, onnotice: () => {} });
  try {
    await ensureMetaTable(sql);
    if (!opts.reset) {
      const existing = await readDataset(sql, opts.reuse ?? false, log);
      if (existing) {
        log(`data set v${DATASET_VERSION} already loaded in ${new URL(url).pathname.slice(1)}`);
        return existing;
      }
    }
    const started = Date.now();
    log("loading the benchmark data set (later runs reuse it until one adds rows)...");
    // One transaction: a load that fails half way leaves nothing behind, indexes included.
    const dataset = await sql.begin(async (tx) => {
      // The schema's own triggers stay on: the reference checks (once per COPY statement)
      // and the analytics rollups, which the load must fill as any write would.
      // Everything is emptied at once, derived tables included, so the schema's TRUNCATE
      // triggers find nothing left to delete.
      await tx`
        TRUNCATE users, sessions, user_categories, expenses, expense_rollup_days,
          expense_rollup_months, expense_rollup_day_totals, bench_meta RESTART IDENTITY CASCADE`;
      const passwordHash = await authService.hashPassword(BENCH_PASSWORD);

      const insertUser = async (email: string) => {
        const [row] = await tx<{ id: string }[]>`
          INSERT INTO users (email, name, default_currency, password_hash)
          VALUES (${email}, ${email.split("@")[0] ?? email}, 'USD', ${passwordHash})
          RETURNING id::text AS id`;
        if (!row) throw new Error(`could not create ${email}`);
        return row.id;
      };

      // Secondary indexes are built once at the end: far cheaper than row by row.
      const indexes = await tx<{ name: string; def: string }[]>`
        SELECT i.indexname AS name, i.indexdef AS def
        FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = 'expenses'
          AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c
            WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)`;
      for (const ix of indexes) await tx.unsafe(`DROP INDEX IF EXISTS "${ix.name}"`);

      const heavy: BenchUser[] = [];
      let seed = 1;
      for (const u of HEAVY_USERS) {
        const id = await insertUser(u.email);
        const t0 = Date.now();
        await copyExpenses(tx, expenseLines(id, u.expenses, seed++));
        const secs = (Date.now() - t0) / 1000;
        log(
          `  ${u.email}: ${u.expenses.toLocaleString("en")} expenses in ${secs.toFixed(1)} s (${Math.round(u.expenses / secs).toLocaleString("en")}/s)`,
        );
        heavy.push({ email: u.email, id, expenses: u.expenses });
      }
      const writerId = await insertUser(benchConfig.writerEmail);
      await copyExpenses(tx, expenseLines(writerId, WRITER_EXPENSES, seed++));

      const t0 = Date.now();
      const emails = Array.from({ length: ORDINARY_USERS }, (_, i) => benchConfig.ordinaryEmail(i));
      const ids = await tx<{ id: string }[]>`
        INSERT INTO users (email, name, default_currency, password_hash)
        SELECT e, split_part(e, '@', 1), 'USD', ${passwordHash}
        FROM unnest(${emails}::text[]) AS e
        RETURNING id::text AS id`;
      const first = seed;
      await copyExpenses(
        tx,
        (function* () {
          for (const [i, { id }] of ids.entries())
            yield* expenseLines(id, ORDINARY_EXPENSES, first + i);
        })(),
      );
      log(
        `  ${ORDINARY_USERS} ordinary users with ${ORDINARY_EXPENSES} expenses each in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      const t1 = Date.now();
      for (const ix of indexes) await tx.unsafe(ix.def);
      log(
        `  ${indexes.length} secondary indexes built in ${((Date.now() - t1) / 1000).toFixed(1)} s`,
      );

      await tx`ANALYZE`;
      await tx`
        INSERT INTO bench_meta (version, migrations, expenses)
        VALUES (${DATASET_VERSION}, ${await appliedMigrations(tx)}, (SELECT count(*) FROM expenses))`;
      return {
        heavy,
        writer: { email: benchConfig.writerEmail, id: writerId, expenses: WRITER_EXPENSES },
        ordinary: ORDINARY_USERS,
      };
    });
    // What autovacuum does to a table soon after a bulk insert: mark its pages all-visible,
    // so that index-only scans (the largest expense of a day) need not visit the heap.
    await sql`VACUUM (ANALYZE) expenses`;
    log(`data set loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return dataset;
  } finally {
    await sql.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  ensureDataset({ reset: process.argv.includes("--reset"), reuse: true }).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
