/**
 * Measures the analytics reports on PostgreSQL against one user with 1,000,000 expenses
 * and one with 10,000, on a database of its own that is created and dropped here.
 * Rows go in by INSERT ... SELECT generate_series, through the rollup triggers like any
 * other write. Prints p50/p95 per report and range, the cost of the same summary
 * computed straight from `expenses`, and the peak memory of a full CSV export.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx src/analytics-load.ts
 */
import { performance } from "node:perf_hooks";
import { analyticsExport, analyticsService, createDb, expensesService } from "@ledgerflow/core";
import postgres from "postgres";

const BASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const DB_NAME = "lf_analytics_load";
const RUNS = Number(process.env.RUNS ?? 60);
const HEAVY = Number(process.env.HEAVY ?? 1_000_000);
const LIGHT = 10_000;
const HISTORY_DAYS = 3 * 365;

function urlFor(name: string): string {
  const u = new URL(BASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length));
  return sorted[i] ?? Number.NaN;
}

async function time(label: string, fn: () => Promise<unknown>, runs = RUNS) {
  for (let i = 0; i < 3; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const row = { label, p50: percentile(ms, 50), p95: percentile(ms, 95), runs };
  console.log(
    `${label.padEnd(58)} p50 ${row.p50.toFixed(2).padStart(8)} ms   p95 ${row.p95.toFixed(2).padStart(8)} ms`,
  );
  return row;
}

async function main() {
  const admin = postgres(urlFor("postgres"), { max: 1, onnotice: () => {} });
  // KEEP=1 leaves the database for a later run to reuse, instead of loading it again.
  const keep = process.env.KEEP === "1";
  const [exists] = await admin`SELECT 1 FROM pg_database WHERE datname = ${DB_NAME}`;
  const reuse = keep && exists !== undefined;
  if (!reuse) {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${DB_NAME}`);
  }
  const handle = await createDb({ databaseUrl: urlFor(DB_NAME), maxConnections: 4 });
  const sql = handle.sql;
  if (!sql) throw new Error("expected the postgres driver");
  try {
    await handle.migrate();
    const users = reuse
      ? await sql<{ id: string; email: string }[]>`SELECT id, email FROM users`
      : await sql<{ id: string; email: string }[]>`
      INSERT INTO users (email, password_hash) VALUES ('heavy@bench', 'x'), ('light@bench', 'x')
      RETURNING id, email`;
    const heavy = users.find((u) => u.email === "heavy@bench")?.id ?? "";
    const light = users.find((u) => u.email === "light@bench")?.id ?? "";
    for (const id of reuse ? [] : [heavy, light]) {
      await sql`
        INSERT INTO user_categories (user_id, base_code, slug, code, name)
        VALUES (${id}, 'FOOD', 'COFFEE', 'FOOD.COFFEE', 'Coffee'),
               (${id}, 'FOOD', 'LUNCH', 'FOOD.LUNCH', 'Lunch'),
               (${id}, 'TRANSPORT', 'TAXI', 'TRANSPORT.TAXI', 'Taxi')`;
    }

    const load = async (userId: string, count: number) => {
      const t = performance.now();
      const chunk = 200_000;
      for (let start = 0; start < count; start += chunk) {
        const n = Math.min(chunk, count - start);
        // Spread over three years up to today, the eleven bases, a few subcategories,
        // and one expense in twenty in EUR.
        await sql`
          INSERT INTO expenses (user_id, amount_minor, currency, spent_on, base_code, category_id)
          SELECT ${userId}::uuid,
                 1 + (hashint % 25000),
                 CASE WHEN hashint % 20 = 0 THEN 'EUR' ELSE 'USD' END,
                 current_date - (hashint % ${HISTORY_DAYS}),
                 (ARRAY['FOOD','TRANSPORT','GROCERIES','BILLS','RENT','ENTERTAINMENT','SHOPPING',
                        'HEALTH','EDUCATION','TRAVEL','MISC'])[1 + (hashint / 7) % 11],
                 CASE WHEN (hashint / 7) % 11 = 0 AND hashint % 3 = 0
                        THEN (SELECT id FROM user_categories WHERE user_id = ${userId}
                              AND code = 'FOOD.COFFEE')
                      WHEN (hashint / 7) % 11 = 1 AND hashint % 2 = 0
                        THEN (SELECT id FROM user_categories WHERE user_id = ${userId}
                              AND code = 'TRANSPORT.TAXI')
                 END
          FROM (SELECT abs(hashint4(i + ${start}) ) AS hashint
                FROM generate_series(1, ${n}) i) g`;
      }
      // What autovacuum does soon after a bulk load anyway: each chunk rewrote every
      // rollup row it touched, and the dead versions would otherwise be read too.
      await sql`VACUUM ANALYZE`;
      return performance.now() - t;
    };
    if (!reuse) {
      const heavyLoadMs = await load(heavy, HEAVY);
      const lightLoadMs = await load(light, LIGHT);
      console.log(
        `loaded ${HEAVY} expenses in ${(heavyLoadMs / 1000).toFixed(1)} s, triggers included`,
      );
      console.log(`loaded ${LIGHT} expenses in ${(lightLoadMs / 1000).toFixed(1)} s`);
    }
    const [sizes] = await sql`
      SELECT (SELECT count(*) FROM expense_rollup_days)::int AS days,
             (SELECT count(*) FROM expense_rollup_months)::int AS months`;
    console.log(`rollup rows: ${sizes?.days} day rows, ${sizes?.months} month rows`);

    const today = new Date().toISOString().slice(0, 10);
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    const db = handle.db;
    // Each scenario alternates the two users call by call, so that the machine's load
    // (shared with others) weighs on both alike and the ratio means something.
    type Input = { from?: string; to?: string; currency?: string };
    const scenarios: Array<[string, (id: string) => Promise<unknown>]> = [];
    const summary = (label: string, input: Input) =>
      scenarios.push([`summary ${label}`, (id) => analyticsService.getSummary(db, id, input)]);
    const trend = (label: string, input: Parameters<typeof analyticsService.getTrend>[2]) =>
      scenarios.push([`trend ${label}`, (id) => analyticsService.getTrend(db, id, input)]);
    summary("all time", {});
    summary("last 30 days", { from: daysAgo(29), to: today });
    summary("400 days, ragged edges", { from: daysAgo(400), to: daysAgo(3) });
    summary("EUR all time", { currency: "EUR" });
    trend("default (12 months)", {});
    trend("month, 3 years, FOOD", { from: daysAgo(HISTORY_DAYS), to: today, category: "FOOD" });
    trend("day, 90 days", { from: daysAgo(89), to: today, granularity: "day" });
    trend("week, 1 year", { from: daysAgo(364), to: today, granularity: "week" });
    trend("week, 3 years, FOOD.COFFEE", {
      from: daysAgo(HISTORY_DAYS),
      to: today,
      granularity: "week",
      category: "FOOD.COFFEE",
    });
    trend("day, 1000 days", { from: daysAgo(999), to: today, granularity: "day" });
    console.log(
      `${"scenario".padEnd(34)} ${"1M p50".padStart(9)} ${"1M p95".padStart(9)} ${"10k p50".padStart(9)} ${"10k p95".padStart(9)}  ratio`,
    );
    for (const [label, call] of scenarios) {
      for (let i = 0; i < 3; i++) await Promise.all([call(heavy), call(light)]);
      const h: number[] = [];
      const l: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        let t = performance.now();
        await call(heavy);
        h.push(performance.now() - t);
        t = performance.now();
        await call(light);
        l.push(performance.now() - t);
      }
      h.sort((a, b) => a - b);
      l.sort((a, b) => a - b);
      const [h50, h95, l50, l95] = [
        percentile(h, 50),
        percentile(h, 95),
        percentile(l, 50),
        percentile(l, 95),
      ];
      console.log(
        `${label.padEnd(34)} ${h50.toFixed(2).padStart(9)} ${h95.toFixed(2).padStart(9)} ${l50.toFixed(2).padStart(9)} ${l95.toFixed(2).padStart(9)}  ${(h50 / l50).toFixed(2)}`,
      );
    }

    // What the triggers cost a write: single-row creates through the service, with the
    // rollup triggers and (for comparison only) with them switched off.
    const created: string[] = [];
    const createOne = (i: number) => async () => {
      const e = await expensesService.createExpense(db, heavy, {
        amount: `${(i % 97) + 1}.25`,
        category: i % 2 ? "FOOD" : "FOOD.COFFEE",
        spentOn: daysAgo(i % 30),
      });
      created.push(e.id);
    };
    let n = 0;
    await time("1M create one expense, rollup triggers on", () => createOne(n++)(), 200);
    created.length = 0;
    await sql`ALTER TABLE expenses DISABLE TRIGGER USER`;
    try {
      await time("1M create one expense, rollup triggers off", () => createOne(n++)(), 200);
      // Gone again before the triggers return, so the rollups never knew of them.
      await sql`DELETE FROM expenses WHERE id = ANY(${created}::uuid[])`;
    } finally {
      await sql`ALTER TABLE expenses ENABLE TRIGGER USER`;
    }
    const drift = await analyticsService.rollupDrift(db);
    console.log(`rollup drift after the writes: ${JSON.stringify(drift)}`);

    // The same summary straight from the expenses table, as before the rollups.
    await time(
      "1M summary all time, aggregated from expenses directly",
      () => sql`
        SELECT base_code, category_id, count(*), sum(amount_minor),
               sum(amount_minor::numeric * amount_minor), max(amount_minor)
        FROM expenses WHERE user_id = ${heavy} AND currency = 'USD'
        GROUP BY GROUPING SETS ((base_code, category_id), (base_code), ())`,
      5,
    );

    if (process.env.EXPORT === "0") return;
    // The full export of the heavy user, with the peak resident memory while it streams.
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    let bytes = 0;
    let lines = 0;
    const samples: string[] = [];
    const t0 = performance.now();
    for await (const chunk of analyticsExport.exportExpensesCsv(db, heavy, {})) {
      bytes += chunk.length;
      const before = lines;
      for (let i = chunk.indexOf("\n"); i !== -1; i = chunk.indexOf("\n", i + 1)) lines++;
      const rss = process.memoryUsage().rss;
      peak = Math.max(peak, rss);
      if (Math.floor(before / 200_000) !== Math.floor(lines / 200_000)) {
        samples.push(`${lines - 1} rows: ${(rss / 1e6).toFixed(0)} MB`);
      }
    }
    console.log(
      `export of ${lines - 1} rows: ${(bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s, ` +
        `RSS ${(rssBefore / 1e6).toFixed(0)} MB before, peak ${(peak / 1e6).toFixed(0)} MB`,
    );
    console.log(`RSS while streaming: ${samples.join(", ")}`);
  } finally {
    await handle.close();
    if (!keep) await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
