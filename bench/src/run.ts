/**
 * `pnpm bench`: loads the data set if needed, starts the product and the baseline as two
 * server processes on the real PostgreSQL, drives every scenario at both with autocannon
 * in the same run, and writes `results/<date>.json` and `results/<date>.md`.
 *
 *   pnpm bench                        every scenario, two rounds of 6 s per server after a
 *                                     2 s warm-up each, alternating which server goes first
 *   pnpm bench -- --quick             one round of 3 s: a smoke run while building
 *   pnpm bench -- --only list,get     scenarios whose key contains one of the words
 *   pnpm bench -- --no-stock          skip tRPC's stock adapter (shown for comparison)
 *   pnpm bench -- --reuse             keep the rows earlier runs added (no reload)
 *   pnpm bench -- --duration 15 --rounds 3
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createTokenService } from "@ledgerflow/core";
import autocannon, { type Request } from "autocannon";
import postgres from "postgres";
import { type Ceiling, measureCeiling } from "./ceiling";
import {
  BENCH_JWT_SECRET,
  BENCH_PASSWORD,
  benchConfig,
  HEAVY_USERS,
  importItems,
  ORDINARY_USERS,
} from "./config";
import { type Dataset, ensureDataset } from "./generate";

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const PORTS = { product: 4600, baseline: 4601, stock: 4602 } as const;
type ServerName = keyof typeof PORTS;

interface Args {
  quick: boolean;
  only: string[];
  stock: boolean;
  duration: number;
  warmup: number;
  rounds: number;
  /** Keep the rows earlier runs added instead of reloading the data set. */
  reuse: boolean;
}

function parseArgs(argv: string[]): Args {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i === -1 ? undefined : argv[i + 1];
  };
  const quick = argv.includes("--quick");
  return {
    quick,
    only: (value("--only") ?? "").split(",").filter(Boolean),
    stock: !argv.includes("--no-stock"),
    reuse: argv.includes("--reuse"),
    duration: Number(value("--duration") ?? (quick ? 3 : 6)),
    warmup: quick ? 1 : 2,
    rounds: Number(value("--rounds") ?? (quick ? 1 : 2)),
  };
}

/* ------------------------------------------------------------------ servers */

interface Server {
  name: ServerName;
  url: string;
  child: ChildProcess;
}

const BUILD_DIR = join(BENCH_DIR, ".build");

/**
 * Bundles both servers as the product ships (one file, run by plain node), so neither
 * carries a TypeScript loader: tsx alone adds about 100 MB of resident memory. The two
 * native or WASM packages stay external and resolve through a node_modules link to the
 * API package's dependencies, as they do beside the product's own bundle.
 */
async function buildServers(): Promise<void> {
  const requireFromApi = createRequire(join(BENCH_DIR, "..", "packages", "api", "package.json"));
  // esbuild comes with the API package, which bundles the product with it.
  const esbuild = (await import(pathToFileURL(requireFromApi.resolve("esbuild")).href)) as {
    build(options: Record<string, unknown>): Promise<unknown>;
  };
  rmSync(BUILD_DIR, { recursive: true, force: true });
  mkdirSync(BUILD_DIR, { recursive: true });
  symlinkSync(join("..", "..", "packages", "api", "node_modules"), join(BUILD_DIR, "node_modules"));
  await esbuild.build({
    entryPoints: [
      join(BENCH_DIR, "src", "product-server.ts"),
      join(BENCH_DIR, "src", "baseline.ts"),
    ],
    outdir: BUILD_DIR,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    external: ["@electric-sql/pglite", "@node-rs/argon2"],
    banner: {
      js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
}

/**
 * The Node options `pnpm start` gives the server (root package.json), so the product is
 * measured, memory above all, as it is started in production. The baseline runs with
 * Node's defaults: it stands for the plain implementation, not for this product's setup.
 */
function productNodeOptions(): string[] {
  const root = JSON.parse(readFileSync(join(BENCH_DIR, "..", "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  const start = root.scripts?.start ?? "";
  const match = /\bnode((?:\s+--\S+)*)\s+packages\/api\/dist\/main\.mjs\b/.exec(start);
  if (!match) {
    throw new Error(`cannot find "node [options] packages/api/dist/main.mjs" in: ${start}`);
  }
  return [...words(match[1]), ...words(process.env.BENCH_PRODUCT_NODE_FLAGS)];
}

/**
 * Flags from a string such as `BENCH_PRODUCT_NODE_FLAGS` or `BENCH_BASELINE_NODE_FLAGS`,
 * which add Node flags to one server for a profile run ("--cpu-prof --cpu-prof-dir=/tmp/p").
 */
function words(flags: string | undefined): string[] {
  return (flags ?? "").split(/\s+/).filter(Boolean);
}

async function startServer(name: ServerName): Promise<Server> {
  const script = join(BUILD_DIR, name === "baseline" ? "baseline.mjs" : "product-server.mjs");
  const nodeOptions =
    name === "baseline" ? words(process.env.BENCH_BASELINE_NODE_FLAGS) : productNodeOptions();
  const child = spawn(process.execPath, [...nodeOptions, script], {
    cwd: BENCH_DIR,
    env: {
      ...process.env,
      PORT: String(PORTS[name]),
      NODE_ENV: "production",
      DATABASE_URL: benchConfig.databaseUrl,
      LEDGERFLOW_MIGRATIONS_DIR: join(BENCH_DIR, "..", "packages", "core", "drizzle"),
      ADAPTER: name === "stock" ? "stock" : "lean",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${PORTS[name]}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${name} server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { name, url, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} server did not start`);
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((r) => server.child.once("exit", r));
  server.child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (server.child.exitCode === null) server.child.kill("SIGKILL");
}

function rssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

const CLOCK_TICKS_PER_SECOND = 100;
const MEMORY_GOAL_MB = 200;

/** User plus system CPU time of a process so far, in milliseconds (Linux). */
function cpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // The command name, in parentheses, may hold spaces: count fields after it.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/* ------------------------------------------------------------------ scenarios */

interface Fixtures {
  dataset: Dataset;
  tokenFor(userId: string): Promise<string>;
  /** Half-way cursors per heavy user, in the product's cursor format. */
  deepCursor: Map<string, string>;
  readIds: string[];
  ordinaryEmails: string[];
  /** The ordinary users, each with a few of their own expense ids. */
  ordinary: { id: string; expenseIds: string[] }[];
}

type Goal =
  | { kind: "ratio"; min: number }
  | { kind: "p50"; maxMs: number }
  | { kind: "units"; min: number };

interface Scenario {
  key: string;
  title: string;
  connections: number;
  /** Work done per request, for throughput goals (expenses per createMany call). */
  unitsPerRequest?: number;
  goal?: Goal;
  /** The stock adapter runs only where it tells something: the adapter-bound paths. */
  withStock?: boolean;
  requests(f: Fixtures): Promise<Request[]>;
}

const enc = (v: unknown) => encodeURIComponent(JSON.stringify(v));
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T;
const JSON_HEADERS = { "content-type": "application/json" };

async function bearer(f: Fixtures, userId: string) {
  return { authorization: `Bearer ${await f.tokenFor(userId)}` };
}

/** A token for each ordinary user: writes spread over many ledgers, as a server sees them. */
async function ordinaryTokens(f: Fixtures): Promise<Map<string, string>> {
  const entries = await Promise.all(
    f.ordinary.map(async (u) => [u.id, await f.tokenFor(u.id)] as const),
  );
  return new Map(entries);
}

function heavy(f: Fixtures, label: string) {
  const i = HEAVY_USERS.findIndex((u) => u.label === label);
  const user = f.dataset.heavy[i];
  if (!user) throw new Error(`no heavy user ${label}`);
  return user;
}

function scenarios(): Scenario[] {
  const list: Scenario[] = [];
  for (const size of HEAVY_USERS) {
    list.push({
      key: `list-first-${size.label}`,
      title: `expenses.list first page (${size.label} user)`,
      connections: 50,
      goal: { kind: "ratio", min: 0.8 },
      withStock: size.label === "100k",
      async requests(f) {
        const headers = await bearer(f, heavy(f, size.label).id);
        return [{ method: "GET", path: `/api/expenses.list?input=${enc({ limit: 20 })}`, headers }];
      },
    });
    list.push({
      key: `list-deep-${size.label}`,
      title: `expenses.list deep cursor page (${size.label} user)`,
      connections: 50,
      goal: { kind: "ratio", min: 0.8 },
      async requests(f) {
        const user = heavy(f, size.label);
        const cursor = f.deepCursor.get(user.id);
        const headers = await bearer(f, user.id);
        return [
          {
            method: "GET",
            path: `/api/expenses.list?input=${enc({ limit: 20, cursor })}`,
            headers,
          },
        ];
      },
    });
  }
  list.push({
    key: "get",
    title: "expenses.get (100k user, random ids)",
    connections: 50,
    goal: { kind: "ratio", min: 0.8 },
    withStock: true,
    async requests(f) {
      const headers = await bearer(f, heavy(f, "100k").id);
      return [
        {
          method: "GET",
          headers,
          setupRequest: (req) => ({
            ...req,
            path: `/api/expenses.get?input=${enc({ id: pick(f.readIds) })}`,
          }),
        },
      ];
    },
  });
  list.push({
    key: "create",
    title: "expenses.create (1,000 users)",
    connections: 50,
    goal: { kind: "ratio", min: 0.8 },
    withStock: true,
    async requests(f) {
      const tokens = await ordinaryTokens(f);
      const body = JSON.stringify({
        amount: "12.50",
        category: "FOOD",
        spentOn: new Date().toISOString().slice(0, 10),
        note: "bench lunch",
      });
      return [
        {
          method: "POST",
          path: "/api/expenses.create",
          body,
          setupRequest: (req) => ({
            ...req,
            headers: {
              ...JSON_HEADERS,
              authorization: `Bearer ${tokens.get(pick(f.ordinary).id)}`,
            },
          }),
        },
      ];
    },
  });
  list.push({
    key: "create-one-user",
    title: "expenses.create (one user, 50 at once)",
    connections: 50,
    async requests(f) {
      const headers = { ...JSON_HEADERS, ...(await bearer(f, f.dataset.writer.id)) };
      return [
        {
          method: "POST",
          path: "/api/expenses.create",
          headers,
          body: JSON.stringify({
            amount: "12.50",
            category: "FOOD",
            spentOn: new Date().toISOString().slice(0, 10),
            note: "bench lunch",
          }),
        },
      ];
    },
  });
  list.push({
    key: "update",
    title: "expenses.update, amount and note (1,000 users)",
    connections: 50,
    async requests(f) {
      const tokens = await ordinaryTokens(f);
      return [
        {
          method: "POST",
          path: "/api/expenses.update",
          setupRequest: (req) => {
            const user = pick(f.ordinary);
            return {
              ...req,
              headers: { ...JSON_HEADERS, authorization: `Bearer ${tokens.get(user.id)}` },
              body: JSON.stringify({
                id: pick(user.expenseIds),
                amount: `${1 + Math.floor(Math.random() * 500)}.25`,
                note: "edited",
              }),
            };
          },
        },
      ];
    },
  });
  for (const size of HEAVY_USERS) {
    for (const proc of ["summary", "trend"] as const) {
      list.push({
        key: `${proc}-${size.label}`,
        title: `analytics.${proc} (${size.label} user)`,
        // A latency goal, not a throughput one: a few clients at once, as a dashboard
        // makes, rather than a queue that would measure waiting instead of work.
        connections: 4,
        goal: size.label === "1m" ? { kind: "p50", maxMs: 10 } : undefined,
        async requests(f) {
          const headers = await bearer(f, heavy(f, size.label).id);
          return [{ method: "GET", path: `/api/analytics.${proc}?input=${enc({})}`, headers }];
        },
      });
    }
  }
  list.push({
    key: "login",
    title: "auth.login (argon2id)",
    connections: 16,
    async requests(f) {
      return [
        {
          method: "POST",
          path: "/api/auth.login",
          headers: JSON_HEADERS,
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ email: pick(f.ordinaryEmails), password: BENCH_PASSWORD }),
          }),
        },
      ];
    },
  });
  list.push({
    key: "createMany-users",
    title: "expenses.createMany, 500 items a call (8 users at once)",
    connections: 8,
    unitsPerRequest: 500,
    goal: { kind: "units", min: 50_000 },
    async requests(f) {
      const tokens = await ordinaryTokens(f);
      const body = JSON.stringify({ items: importItems() });
      return [
        {
          method: "POST",
          path: "/api/expenses.createMany",
          body,
          setupRequest: (req) => ({
            ...req,
            headers: {
              ...JSON_HEADERS,
              authorization: `Bearer ${tokens.get(pick(f.ordinary).id)}`,
            },
          }),
        },
      ];
    },
  });
  list.push({
    key: "createMany",
    title: "expenses.createMany, 500 items a call (one user, 8 at once)",
    connections: 8,
    unitsPerRequest: 500,
    goal: { kind: "units", min: 50_000 },
    async requests(f) {
      const headers = { ...JSON_HEADERS, ...(await bearer(f, f.dataset.writer.id)) };
      const items = importItems();
      return [
        {
          method: "POST",
          path: "/api/expenses.createMany",
          headers,
          body: JSON.stringify({ items }),
        },
      ];
    },
  });
  return list;
}

async function loadFixtures(dataset: Dataset): Promise<Fixtures> {
  const tokens = createTokenService(BENCH_JWT_SECRET);
  const sql = postgres(benchConfig.databaseUrl, { max: 2, onnotice: () => {} });
  try {
    const deepCursor = new Map<string, string>();
    for (const user of dataset.heavy) {
      const [row] = await sql<{ spent_on: string; created: string; id: string }[]>`
        SELECT to_char(spent_on, 'YYYY-MM-DD') AS spent_on,
          to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created,
          id::text AS id
        FROM expenses WHERE user_id = ${user.id}
        ORDER BY spent_on DESC, created_at DESC, id DESC
        OFFSET ${Math.floor(user.expenses / 2)} LIMIT 1`;
      if (!row) throw new Error(`no half-way row for ${user.email}`);
      // The product's cursor format (expenses service): base64url of [spentOn, createdAt, id].
      const cursor = Buffer.from(JSON.stringify([row.spent_on, row.created, row.id])).toString(
        "base64url",
      );
      deepCursor.set(user.id, cursor);
    }
    const reader = dataset.heavy[1];
    if (!reader) throw new Error("no 100k user");
    const readIds = (
      await sql<{ id: string }[]>`
        SELECT id::text AS id FROM expenses WHERE user_id = ${reader.id} LIMIT 2000`
    ).map((r) => r.id);
    const owned = await sql<{ user_id: string; ids: string[] }[]>`
      SELECT e.user_id::text AS user_id, (array_agg(e.id::text ORDER BY e.id))[1:5] AS ids
      FROM expenses e JOIN users u ON u.id = e.user_id
      WHERE u.email LIKE 'bench-user-%'
      GROUP BY e.user_id`;
    return {
      dataset,
      ordinary: owned.map((r) => ({ id: r.user_id, expenseIds: r.ids })),
      tokenFor: async (userId) => (await tokens.signAccess(userId)).token,
      deepCursor,
      readIds,
      ordinaryEmails: Array.from({ length: ORDINARY_USERS }, (_, i) =>
        benchConfig.ordinaryEmail(i),
      ),
    };
  } finally {
    await sql.end();
  }
}

/* ------------------------------------------------------------------ measuring */

interface Measurement {
  reqPerSec: number;
  unitsPerSec?: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
  rssMaxMb: number | null;
  /**
   * CPU time the server process spent per request. Unlike req/s it barely moves when
   * other work shares the machine, so it compares the two servers' own costs fairly.
   */
  cpuUsPerRequest: number | null;
  /** A sample answer was checked before the run: status and envelope. */
  check: string;
}

/**
 * Waits until no query of an earlier run is still executing: a client that stops does
 * not stop PostgreSQL, and a slow aggregate left running would tax the next scenario.
 */
async function settle(sql: postgres.Sql): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const [row] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`;
    if (!row || row.n === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function checkOnce(server: Server, requests: Request[]): Promise<string> {
  const first = requests[0];
  if (!first) return "no request";
  const req = first.setupRequest ? first.setupRequest({ ...first }, {}) : first;
  const res = await fetch(`${server.url}${req.path ?? "/"}`, {
    method: req.method ?? "GET",
    headers: req.headers,
    body: typeof req.body === "string" ? req.body : undefined,
  });
  const text = await res.text();
  if (res.status !== 200 || !text.startsWith('{"result":{"data":')) {
    return `HTTP ${res.status}: ${text.slice(0, 200)}`;
  }
  return "ok";
}

async function measure(
  server: Server,
  scenario: Scenario,
  requests: Request[],
  args: Args,
): Promise<Measurement> {
  const check = await checkOnce(server, requests);
  const base = { url: server.url, connections: scenario.connections, requests, timeout: 30 };
  await autocannon({ ...base, duration: args.warmup });
  let rssMax: number | null = null;
  const sampler = setInterval(() => {
    const mb = rssMb(server.child.pid);
    if (mb !== null) rssMax = Math.max(rssMax ?? 0, mb);
  }, 200);
  let result: Awaited<ReturnType<typeof autocannon>>;
  const cpuBefore = cpuMs(server.child.pid);
  try {
    result = await autocannon({ ...base, duration: args.duration });
  } finally {
    clearInterval(sampler);
  }
  const cpuAfter = cpuMs(server.child.pid);
  const cpuUsPerRequest =
    cpuBefore !== null && cpuAfter !== null && result.requests.total > 0
      ? Math.round(((cpuAfter - cpuBefore) * 1000) / result.requests.total)
      : null;
  const reqPerSec = result.requests.average;
  return {
    reqPerSec,
    ...(scenario.unitsPerRequest ? { unitsPerSec: reqPerSec * scenario.unitsPerRequest } : {}),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
    rssMaxMb: rssMax === null ? null : Math.round(rssMax),
    cpuUsPerRequest,
    check,
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Rounds of one server in one scenario: mean rates and p50, worst p99, all errors. */
function combine(list: Measurement[]): Measurement & { rounds: Measurement[] } {
  const cpu = list.map((m) => m.cpuUsPerRequest).filter((c): c is number => c !== null);
  const rss = list.map((m) => m.rssMaxMb).filter((r): r is number => r !== null);
  const units = list.map((m) => m.unitsPerSec).filter((u): u is number => u !== undefined);
  return {
    reqPerSec: mean(list.map((m) => m.reqPerSec)),
    ...(units.length > 0 ? { unitsPerSec: mean(units) } : {}),
    p50: mean(list.map((m) => m.p50)),
    p99: Math.max(...list.map((m) => m.p99)),
    errors: list.reduce((n, m) => n + m.errors, 0),
    requests: list.reduce((n, m) => n + m.requests, 0),
    rssMaxMb: rss.length > 0 ? Math.max(...rss) : null,
    cpuUsPerRequest: cpu.length > 0 ? Math.round(mean(cpu)) : null,
    check: list.find((m) => m.check !== "ok")?.check ?? "ok",
    rounds: list,
  };
}

interface ScenarioResult {
  key: string;
  title: string;
  connections: number;
  goal: Goal | null;
  servers: Partial<Record<ServerName, Measurement>>;
  ratio: number | null;
  verdict: string;
}

function judge(
  s: Scenario,
  servers: ScenarioResult["servers"],
): Pick<ScenarioResult, "ratio" | "verdict"> {
  const product = servers.product;
  const baseline = servers.baseline;
  const ratio =
    product && baseline && baseline.reqPerSec > 0 ? product.reqPerSec / baseline.reqPerSec : null;
  if (!s.goal || !product) return { ratio, verdict: "" };
  const clean = product.errors === 0 && product.check === "ok";
  switch (s.goal.kind) {
    case "ratio": {
      if (ratio === null) return { ratio, verdict: "no baseline" };
      const ok = ratio >= s.goal.min && clean;
      return {
        ratio,
        verdict: ok
          ? `met (≥ ${s.goal.min}×)`
          : `MISSED: ${ratio.toFixed(2)}× of baseline (goal ${s.goal.min}×)${clean ? "" : ", errors"}`,
      };
    }
    case "p50": {
      const ok = product.p50 < s.goal.maxMs && clean;
      return {
        ratio,
        verdict: ok
          ? `met (p50 < ${s.goal.maxMs} ms)`
          : `MISSED: p50 ${product.p50} ms (goal < ${s.goal.maxMs} ms)${clean ? "" : ", errors"}`,
      };
    }
    case "units": {
      const units = product.unitsPerSec ?? 0;
      const ok = units >= s.goal.min && clean;
      return {
        ratio,
        verdict: ok
          ? `met (≥ ${s.goal.min.toLocaleString("en")}/s)`
          : `MISSED: ${Math.round(units).toLocaleString("en")}/s (goal ${s.goal.min.toLocaleString("en")}/s)${clean ? "" : ", errors"}`,
      };
    }
  }
}

/* ------------------------------------------------------------------ report */

function fmt(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || Number.isNaN(n)) return "-";
  return n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function markdownTable(results: ScenarioResult[]): string {
  const lines = [
    "| scenario | server | req/s | p50 ms | p99 ms | errors | req/s vs baseline | server CPU µs/req | max RSS MB | goal |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const r of results) {
    for (const name of ["product", "baseline", "stock"] as const) {
      const m = r.servers[name];
      if (!m) continue;
      const base = r.servers.baseline;
      const vs =
        name === "baseline" || !base || base.reqPerSec === 0
          ? ""
          : `${fmt(m.reqPerSec / base.reqPerSec, 2)}×`;
      const rate =
        m.requests === 0
          ? "none answered in the run"
          : m.unitsPerSec !== undefined
            ? `${fmt(m.reqPerSec, 1)} (${fmt(m.unitsPerSec)} rows/s)`
            : fmt(m.reqPerSec);
      const label = name === "stock" ? "product, stock tRPC adapter" : name;
      const errors =
        m.check === "ok" ? fmt(m.errors) : `${fmt(m.errors)} (check: ${m.check.slice(0, 60)})`;
      lines.push(
        `| ${r.title} | ${label} | ${rate} | ${fmt(m.p50, 1)} | ${fmt(m.p99, 1)} | ${errors} | ${vs} | ${fmt(m.cpuUsPerRequest)} | ${fmt(m.rssMaxMb)} | ${name === "product" ? r.verdict : ""} |`,
      );
    }
  }
  return lines.join("\n");
}

async function postgresVersion(): Promise<string> {
  const sql = postgres(benchConfig.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ v: string }[]>`SELECT split_part(version(), ' on ', 1) AS v`;
    return row?.v ?? "unknown";
  } finally {
    await sql.end();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = new Date();
  const dataset = await ensureDataset({ reuse: args.reuse });
  const fixtures = await loadFixtures(dataset);
  const chosen = scenarios().filter(
    (s) => args.only.length === 0 || args.only.some((w) => s.key.includes(w)),
  );
  if (chosen.length === 0) throw new Error(`no scenario matches ${args.only.join(",")}`);
  const wantStock = args.stock && chosen.some((s) => s.withStock);

  const load = loadavg();
  console.log(
    `${chosen.length} scenarios, ${args.rounds} round(s) of ${args.duration} s per server after ${args.warmup} s warm-up; load average ${load.map((l) => l.toFixed(2)).join(" ")} on ${cpus().length} cores`,
  );
  await buildServers();
  const monitor = postgres(benchConfig.databaseUrl, { max: 1, onnotice: () => {} });
  const servers: Partial<Record<ServerName, Server>> = {};
  const results: ScenarioResult[] = [];
  try {
    servers.product = await startServer("product");
    servers.baseline = await startServer("baseline");
    if (wantStock) servers.stock = await startServer("stock");

    for (const scenario of chosen) {
      const rounds: Partial<Record<ServerName, Measurement[]>> = {};
      const names: ServerName[] = ["product", "baseline"];
      if (wantStock && scenario.withStock) names.push("stock");
      for (let round = 0; round < args.rounds; round++) {
        // Each round swaps who goes first, so neither always meets the warmer machine.
        const order = round % 2 === 0 ? names : [...names].reverse();
        for (const name of order) {
          const server = servers[name];
          if (!server) continue;
          await settle(monitor);
          // Tokens are signed fresh for each run: they live fifteen minutes.
          const requests = await scenario.requests(fixtures);
          const m = await measure(server, scenario, requests, args);
          const seen = rounds[name] ?? [];
          seen.push(m);
          rounds[name] = seen;
          console.log(
            `  ${scenario.key.padEnd(18)} ${name.padEnd(8)} ${fmt(m.reqPerSec).padStart(7)} req/s  p50 ${fmt(m.p50, 1).padStart(6)} ms  p99 ${fmt(m.p99, 1).padStart(6)} ms  errors ${fmt(m.errors)}  cpu ${fmt(m.cpuUsPerRequest)} µs/req  rss ${fmt(m.rssMaxMb)} MB${m.check === "ok" ? "" : `  CHECK FAILED: ${m.check}`}`,
          );
        }
      }
      const measured: ScenarioResult["servers"] = {};
      for (const name of names) {
        const list = rounds[name];
        if (list && list.length > 0) measured[name] = combine(list);
      }
      results.push({
        key: scenario.key,
        title: scenario.title,
        connections: scenario.connections,
        goal: scenario.goal ?? null,
        servers: measured,
        ...judge(scenario, measured),
      });
    }
  } finally {
    for (const server of Object.values(servers)) if (server) await stopServer(server);
    await monitor.end();
  }
  // With the servers stopped: what PostgreSQL alone makes of the import on this machine.
  let ceiling: Ceiling | null = null;
  if (chosen.some((s) => s.unitsPerRequest !== undefined)) {
    ceiling = await measureCeiling(args.duration);
    console.log(
      `PostgreSQL alone: ${fmt(ceiling.schemaRowsPerSec)} rows/s into expenses, ${fmt(ceiling.bareRowsPerSec)} into a bare copy`,
    );
  }

  const date = started.toISOString().slice(0, 10);
  const conditions = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    node: process.version,
    postgres: await postgresVersion(),
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? "unknown"}`,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    loadAverageAtStart: load,
    loadAverageAtEnd: loadavg(),
    durationSeconds: args.duration,
    warmupSeconds: args.warmup,
    rounds: args.rounds,
    poolSize: benchConfig.poolSize,
    productNodeOptions: productNodeOptions().join(" "),
    quick: args.quick,
    note:
      process.env.BENCH_NOTE ??
      "autocannon, both servers and PostgreSQL share this machine; figures are for comparison within one run",
  };
  const suffix = args.quick ? "-quick" : args.only.length > 0 ? "-partial" : "";
  const base = join(BENCH_DIR, "results", `${date}${suffix}`);
  // The memory goal spans the whole run: the largest resident set the product reached.
  const rssSeen = results.flatMap((r) => {
    const m = r.servers.product?.rssMaxMb;
    return m === null || m === undefined ? [] : [{ mb: m, title: r.title }];
  });
  const worst = rssSeen.reduce<{ mb: number; title: string } | null>(
    (a, b) => (a === null || b.mb > a.mb ? b : a),
    null,
  );
  const memory = {
    goalMb: MEMORY_GOAL_MB,
    productMaxRssMb: worst?.mb ?? null,
    during: worst?.title ?? null,
    verdict:
      worst === null
        ? "not measured"
        : worst.mb <= MEMORY_GOAL_MB
          ? `met (${worst.mb} MB ≤ ${MEMORY_GOAL_MB} MB)`
          : `MISSED: ${worst.mb} MB during ${worst.title} (goal ≤ ${MEMORY_GOAL_MB} MB)`,
  };
  writeFileSync(
    `${base}.json`,
    `${JSON.stringify({ conditions, memory, ceiling, results }, null, 2)}\n`,
  );
  const table = markdownTable(results);
  const missed = results
    .filter((r) => r.verdict.startsWith("MISSED"))
    .map((r) => `- ${r.title}: ${r.verdict.replace("MISSED: ", "")}`);
  if (memory.verdict.startsWith("MISSED")) {
    missed.push(`- server memory under load: ${memory.verdict.replace("MISSED: ", "")}`);
  }
  const md = [
    `# LedgerFlow benchmark, ${date}${args.quick ? " (quick run)" : ""}`,
    "",
    `Node ${conditions.node}, ${conditions.postgres}, ${conditions.cpus}, ${conditions.memoryGb} GB;`,
    `load average at start ${load.map((l) => l.toFixed(2)).join(" ")}; ${args.rounds} round(s) of ${args.duration} s per server and scenario after ${args.warmup} s warm-up, alternating which server goes first;`,
    `database pool ${benchConfig.poolSize} connections per server; product started with \`node ${conditions.productNodeOptions || "(no options)"}\` as by \`pnpm start\`. ${conditions.note}.`,
    "",
    table,
    "",
    `Server memory under load (largest resident set of the product in the run): ${memory.verdict}.`,
    "",
    ...(ceiling
      ? [
          `PostgreSQL alone, after the scenarios with both servers stopped (\`src/ceiling.ts\`): ${ceiling.connections} connections sending the createMany scenario's 500-row INSERT back to back for ${ceiling.seconds} s made ${fmt(ceiling.schemaRowsPerSec)} rows/s into \`expenses\` (its triggers and indexes) and ${fmt(ceiling.bareRowsPerSec)} rows/s into a bare copy of the table (primary key only). No server over this schema can import faster than the first figure on this machine.`,
          "",
        ]
      : []),
    missed.length === 0
      ? "Every goal measured in this run was met."
      : `Goals missed in this run:\n${missed.join("\n")}`,
    "",
  ].join("\n");
  writeFileSync(`${base}.md`, md);
  console.log(`\n${table}\n`);
  console.log(`server memory under load: ${memory.verdict}`);
  console.log(missed.length === 0 ? "All goals met." : `${missed.length} goal(s) missed.`);
  console.log(`written: ${base}.json and ${base}.md`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
