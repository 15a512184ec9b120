/**
 * What PostgreSQL alone does with the import on this machine, without any HTTP server:
 * CONNECTIONS connections send the product's 500-row INSERT (the createMany scenario's
 * rows, one `unnest` array per column) back to back for a few seconds, first into
 * `expenses` itself, triggers and indexes included, then into a bare copy of the table
 * (its columns and primary key, nothing else). The first is the ceiling for any server
 * over this schema on this machine; the second is the figure to hold against the
 * ~70,000–95,000 rows/s the performance goals quote for `unnest` inserts, to tell how fast
 * the machine is.
 *
 *   pnpm --filter @ledgerflow/bench exec tsx src/ceiling.ts [--seconds 6]
 */
import { pathToFileURL } from "node:url";
import { checkMoney, pgArrayLiteral, uuidv7 } from "@ledgerflow/core";
import postgres from "postgres";
import { benchConfig, importItems } from "./config";

const CONNECTIONS = 8;
const BARE_TABLE = "bench_bare_expenses";

export interface Ceiling {
  connections: number;
  seconds: number;
  /** Rows/s into `expenses`, with its triggers and indexes. */
  schemaRowsPerSec: number;
  /** Rows/s into a copy of `expenses` with its primary key only. */
  bareRowsPerSec: number;
}

/**
 * The createMany scenario's rows as the product sends them, one array literal per column:
 * built once, but for the ids, which are fresh for every statement.
 */
function importColumns(): { rows: number; ids(): string; rest: string[] } {
  const items = importItems();
  return {
    rows: items.length,
    ids: () =>
      pgArrayLiteral(
        items.map(() => uuidv7()),
        false,
      ),
    rest: [
      pgArrayLiteral(
        items.map((i) => {
          const minor = checkMoney(i.amount, "USD");
          if (typeof minor === "string") throw new Error(`bad import amount ${i.amount}`);
          return minor.toString();
        }),
        false,
      ),
      pgArrayLiteral(
        items.map(() => "USD"),
        false,
      ),
      pgArrayLiteral(
        items.map((i) => i.spentOn),
        false,
      ),
      pgArrayLiteral(
        items.map((i) => i.category),
        true,
      ),
      pgArrayLiteral(
        items.map((i) => i.note ?? null),
        true,
      ),
    ],
  };
}

async function hammer(
  sql: postgres.Sql,
  table: string,
  users: string[],
  seconds: number,
): Promise<number> {
  const columns = importColumns();
  const until = Date.now() + seconds * 1000;
  const started = Date.now();
  let calls = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, c) => {
      while (Date.now() < until) {
        const [amounts, currencies, days, bases, notes] = columns.rest;
        await sql.unsafe(
          `INSERT INTO ${table} (id, user_id, amount_minor, currency, spent_on, base_code, note)
           SELECT x.id, $1::uuid, x.amount_minor, x.currency, x.spent_on, x.base_code, x.note
           FROM unnest($2::uuid[], $3::bigint[], $4::text[], $5::date[], $6::text[], $7::text[])
             AS x(id, amount_minor, currency, spent_on, base_code, note)`,
          [
            users[c % users.length] ?? "",
            columns.ids(),
            amounts,
            currencies,
            days,
            bases,
            notes,
          ] as never[],
        );
        calls++;
      }
    }),
  );
  return (calls * columns.rows) / ((Date.now() - started) / 1000);
}

/** Measures both figures for 8 ordinary users at once; leaves the bare table dropped. */
export async function measureCeiling(seconds = 6): Promise<Ceiling> {
  const sql = postgres(benchConfig.databaseUrl, { max: CONNECTIONS, onnotice: () => {} });
  try {
    const users = (
      await sql<{ id: string }[]>`
        SELECT id::text AS id FROM users WHERE email LIKE 'bench-user-%' ORDER BY email LIMIT 8`
    ).map((r) => r.id);
    if (users.length === 0) throw new Error("no ordinary users: load the data set first");
    const schemaRowsPerSec = await hammer(sql, "expenses", users, seconds);
    await sql.unsafe(`DROP TABLE IF EXISTS ${BARE_TABLE}`);
    await sql.unsafe(
      `CREATE TABLE ${BARE_TABLE} (LIKE expenses INCLUDING DEFAULTS, PRIMARY KEY (id))`,
    );
    try {
      const bareRowsPerSec = await hammer(sql, BARE_TABLE, users, seconds);
      return { connections: CONNECTIONS, seconds, schemaRowsPerSec, bareRowsPerSec };
    } finally {
      await sql.unsafe(`DROP TABLE IF EXISTS ${BARE_TABLE}`);
    }
  } finally {
    await sql.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const at = process.argv.indexOf("--seconds");
  measureCeiling(at > 0 ? Number(process.argv[at + 1]) : 6)
    .then((c) => {
      console.log(
        `PostgreSQL alone, ${c.connections} connections, 500-row INSERTs for ${c.seconds} s each:`,
      );
      console.log(`  into expenses (triggers, indexes): ${Math.round(c.schemaRowsPerSec)} rows/s`);
      console.log(`  into a bare copy (primary key only): ${Math.round(c.bareRowsPerSec)} rows/s`);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
