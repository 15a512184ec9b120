/**
 * Where the time of a 500-item `expenses.createMany` goes, on the local PostgreSQL:
 * input parsing, the service end to end, the INSERT on its own (JSON rows against
 * `unnest` arrays, with and without the rollup triggers), the plan of the insert with the
 * statements its trigger runs, and throughput with 8 calls at once for one user and for
 * eight. It works in a database of its own, created and dropped here.
 *
 *   pnpm --filter @ledgerflow/bench exec tsx src/create-many-profile.ts [--calls 20]
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  createDb,
  createExpenseInput,
  createManyExpensesOutput,
  expensesService,
  uuidv7,
} from "@ledgerflow/core";
import postgres from "postgres";
import { importItems } from "./config";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const DB_NAME = "ledgerflow_profile_create_many";
const argCalls = process.argv.indexOf("--calls");
const CALLS = argCalls > 0 ? Number(process.argv[argCalls + 1]) : 20;
const CONCURRENCY = 8;

function urlOf(db: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function timeIt(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

/**
 * CPU ticks (1/100 s) spent so far by this database's server processes, read from /proc:
 * unlike wall time it hardly moves when other work shares the machine.
 */
async function backendTicks(sql: postgres.Sql): Promise<number> {
  const pids = await sql<{ pid: number }[]>`
    SELECT pid FROM pg_stat_activity WHERE datname = current_database()`;
  let ticks = 0;
  for (const { pid } of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    } catch {
      // A backend that has just exited; its work is lost to the figure either way.
    }
  }
  return ticks;
}

/** A PostgreSQL array literal of text elements, as the product sends each column. */
function lit(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? "NULL" : `"${v.replace(/["\\]/g, "\\$&")}"`)).join(",")}}`;
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

async function main() {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME}`);
  await admin.unsafe(`CREATE DATABASE ${DB_NAME}`);
  const handle = await createDb({ databaseUrl: urlOf(DB_NAME), maxConnections: 10 });
  const raw = postgres(urlOf(DB_NAME), { max: 10, onnotice: () => {} });
  try {
    await handle.migrate();
    // One user for the single-user figures, CONCURRENCY for the spread ones, and one whose
    // rows are written with the rollup trigger off (left out of the drift check).
    const userIds = Array.from({ length: CONCURRENCY + 2 }, () => randomUUID());
    for (const id of userIds) {
      await raw`INSERT INTO users (id, email, password_hash) VALUES (${id}, ${`${id}@p.test`}, 'x')`;
    }
    const [one = "", bare = "", ...many] = userIds;
    const items = importItems();
    const [load] = await raw<{ l: string }[]>`SELECT pg_read_file('/proc/loadavg') AS l`.catch(
      () => [{ l: "n/a" }],
    );
    console.log(`load average: ${load?.l.trim() ?? "n/a"}; ${CALLS} calls per figure (median)`);

    // JS work alone.
    const parse = await timeIt(50, () => items.map((i) => createExpenseInput.safeParse(i)));
    console.log(`zod parse of 500 items:                     ${fmt(parse)}`);
    const body = JSON.stringify({ items });
    const jsonParse = await timeIt(50, () => JSON.parse(body));
    console.log(
      `JSON.parse of the request body (${(body.length / 1024).toFixed(0)} KB):       ${fmt(jsonParse)}`,
    );

    // The service end to end, one call at a time.
    for (let i = 0; i < 3; i++) await expensesService.createExpenses(handle.db, one, { items });
    const service = await timeIt(CALLS, () =>
      expensesService.createExpenses(handle.db, one, { items }),
    );
    const result = await expensesService.createExpenses(handle.db, one, { items });
    const outParse = await timeIt(20, () => createManyExpensesOutput.parse(result));
    console.log(`zod parse of the 500-item answer (.output): ${fmt(outParse)}`);
    const answer = await timeIt(20, () => JSON.stringify({ result: { data: result } }));
    console.log(`JSON.stringify of the answer:               ${fmt(answer)}`);
    console.log(`service createExpenses, one at a time:     ${fmt(service)}`);

    const cats = await timeIt(
      CALLS,
      () =>
        raw`SELECT code FROM base_categories WHERE code IN ${raw(["FOOD", "TRANSPORT", "GROCERIES", "BILLS", "SHOPPING", "MISC"])}`,
    );
    console.log(`category look-up (base codes):             ${fmt(cats)}`);
    const cur = await timeIt(
      CALLS,
      () => raw`SELECT default_currency FROM users WHERE id = ${one} LIMIT 1`,
    );
    console.log(`default-currency look-up:                  ${fmt(cur)}`);

    // The INSERT alone, by shape of the rows, with and without the rollup triggers.
    const rows = items.map((it) => ({
      id: "",
      amount_minor: String(Math.round(Number(it.amount) * 100)),
      currency: "USD",
      spent_on: it.spentOn,
      base_code: it.category,
      category_id: null,
      note: it.note ?? null,
    }));
    // Time-ordered ids, as the service makes them.
    const fresh = () => rows.map((r) => ({ ...r, id: uuidv7() }));
    let owner = one;
    const jsonInsert = () => {
      // As the product sends it: one JSON text parameter.
      const payload = raw.json(fresh());
      return raw`
        INSERT INTO expenses (id, user_id, amount_minor, currency, spent_on, base_code, category_id, note)
        SELECT x.id, ${owner}::uuid, x.amount_minor, x.currency, x.spent_on, x.base_code, x.category_id, x.note
        FROM jsonb_to_recordset(${payload}::jsonb) AS x(id uuid, amount_minor bigint, currency text,
          spent_on date, base_code text, category_id uuid, note text)
        RETURNING id::text`;
    };
    const unnestInsert = () => {
      const r = fresh();
      return raw`
        INSERT INTO expenses (id, user_id, amount_minor, currency, spent_on, base_code, category_id, note)
        SELECT x.id, ${owner}::uuid, x.amount_minor, x.currency, x.spent_on, x.base_code, x.category_id, x.note
        FROM unnest(${lit(r.map((x) => x.id))}::uuid[], ${lit(r.map((x) => x.amount_minor))}::bigint[],
          ${lit(r.map((x) => x.currency))}::text[], ${lit(r.map((x) => x.spent_on))}::date[],
          ${lit(r.map((x) => x.base_code))}::text[], ${lit(r.map((x) => x.category_id))}::uuid[],
          ${lit(r.map((x) => x.note))}::text[])
          AS x(id, amount_minor, currency, spent_on, base_code, category_id, note)
        RETURNING id::text`;
    };
    for (const [label, fn] of [
      ["JSON rows", jsonInsert],
      ["unnest arrays", unnestInsert],
    ] as const) {
      await fn();
      const before = await backendTicks(raw);
      const wall = await timeIt(CALLS, fn);
      const cpu = (((await backendTicks(raw)) - before) * 10) / CALLS;
      console.log(
        `INSERT 500, ${label.padEnd(14)} with triggers:    ${fmt(wall)}, server CPU ${fmt(cpu)}`,
      );
    }
    owner = bare;
    await raw`ALTER TABLE expenses DISABLE TRIGGER expense_rollups_insert`;
    for (const [label, fn] of [
      ["JSON rows", jsonInsert],
      ["unnest arrays", unnestInsert],
    ] as const) {
      const before = await backendTicks(raw);
      const wall = await timeIt(CALLS, fn);
      const cpu = (((await backendTicks(raw)) - before) * 10) / CALLS;
      console.log(
        `INSERT 500, ${label.padEnd(14)} without triggers: ${fmt(wall)}, server CPU ${fmt(cpu)}`,
      );
    }
    await raw`ALTER TABLE expenses ENABLE TRIGGER expense_rollups_insert`;
    owner = one;
    const commit = await timeIt(CALLS, () =>
      raw.begin((tx) => tx`UPDATE users SET updated_at = now() WHERE id = ${one}`),
    );
    console.log(`a one-row write transaction (commit cost):  ${fmt(commit)}`);

    // The plan of one insert, with the statements the trigger runs and their times.
    {
      const notes: string[] = [];
      const listener = postgres(urlOf(DB_NAME), {
        max: 1,
        onnotice: (n) => notes.push(n.message ?? ""),
      });
      await listener`LOAD 'auto_explain'`;
      await listener`SET auto_explain.log_min_duration = 0`;
      await listener`SET auto_explain.log_analyze = on`;
      await listener`SET auto_explain.log_nested_statements = on`;
      await listener`SET auto_explain.log_level = notice`;
      const r = fresh();
      await listener`
        INSERT INTO expenses (id, user_id, amount_minor, currency, spent_on, base_code, category_id, note)
        SELECT x.id, ${one}::uuid, x.amount_minor, x.currency, x.spent_on, x.base_code, x.category_id, x.note
        FROM unnest(${r.map((x) => x.id)}::uuid[], ${r.map((x) => x.amount_minor)}::bigint[],
          ${r.map((x) => x.currency)}::text[], ${r.map((x) => x.spent_on)}::date[],
          ${r.map((x) => x.base_code)}::text[], ${r.map((x) => x.category_id)}::uuid[],
          ${r.map((x) => x.note)}::text[])
          AS x(id, amount_minor, currency, spent_on, base_code, category_id, note)`;
      await listener.end();
      console.log("\nauto_explain of one 500-row insert (nested statements: the trigger's work):");
      for (const n of notes) {
        const lines = n.split("\n");
        const query = lines.find((l) => l.trim().startsWith("Query Text")) ?? "";
        const plan = lines.find((l) => l.includes("actual time")) ?? "";
        console.log(
          `  ${lines[0]?.trim()} | ${query.trim().slice(0, 90)}\n     ${plan.trim().slice(0, 120)}`,
        );
        for (const t of n.match(/Trigger [^\n]*/g) ?? []) console.log(`     ${t}`);
      }
    }

    // Throughput: CONCURRENCY calls in flight, for one user and spread over several.
    for (const [label, owners] of [
      ["one user", [one]],
      [`${many.length} users`, many],
    ] as const) {
      let next = 0;
      const total = CALLS * CONCURRENCY;
      const pgBefore = await backendTicks(raw);
      const nodeBefore = process.cpuUsage();
      const t = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, w) => {
          while (next < total) {
            next++;
            const who = owners[w % owners.length] ?? one;
            await expensesService.createExpenses(handle.db, who, { items });
          }
        }),
      );
      const s = (performance.now() - t) / 1000;
      const node = process.cpuUsage(nodeBefore);
      const pgMs = ((await backendTicks(raw)) - pgBefore) * 10;
      console.log(
        `\nservice, ${CONCURRENCY} calls at once, ${label}: ${Math.round((total * 500) / s).toLocaleString("en-US")} rows/s (${total} calls in ${s.toFixed(1)} s); CPU per call: PostgreSQL ${(pgMs / total).toFixed(1)} ms, Node ${((node.user + node.system) / 1000 / total).toFixed(1)} ms`,
      );
    }
    const [drift] = await raw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM (
        SELECT user_id, currency, spent_on, base_code,
               coalesce(category_id, '00000000-0000-0000-0000-000000000000') AS k,
               count(*) AS cnt, sum(amount_minor) AS s
        FROM expenses WHERE user_id <> ${bare} GROUP BY 1, 2, 3, 4, 5
      ) e FULL JOIN (SELECT * FROM expense_rollup_days WHERE user_id <> ${bare}) r
        ON r.user_id = e.user_id AND r.currency = e.currency AND r.day = e.spent_on
       AND r.base_code = e.base_code AND r.category_key = e.k
      WHERE r.cnt IS DISTINCT FROM e.cnt OR r.sum_minor IS DISTINCT FROM e.s`;
    console.log(`day rollup rows differing from a recomputation: ${drift?.n ?? "?"}`);
  } finally {
    await raw.end();
    await handle.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
