/**
 * How much memory one 500-item `expenses.createMany` allocates in the product, and where:
 * the product (`buildApp`, lean adapter) runs in this process on the bench database, a
 * plain `node:http` client sends the benchmark's import to it, and V8's sampling heap
 * profiler counts every allocation, including objects that the young-generation GC
 * collects right away (the garbage is what makes the server collect often). The client's
 * own allocations are counted too; they are small and listed under node:http.
 *
 *   pnpm --filter @ledgerflow/bench exec tsx src/create-many-alloc.ts [--calls 100]
 *
 * Needs the bench data set (`pnpm --filter @ledgerflow/bench generate`); it adds the
 * imported rows to eight ordinary users' ledgers, as the createMany scenario does.
 */
import http from "node:http";
import { Session } from "node:inspector/promises";
import { buildApp } from "@ledgerflow/api";
import { createDb, createTokenService, LoginThrottle } from "@ledgerflow/core";
import postgres from "postgres";
import { BENCH_JWT_SECRET, benchConfig, importItems } from "./config";

const argCalls = process.argv.indexOf("--calls");
const CALLS = argCalls > 0 ? Number(process.argv[argCalls + 1]) : 100;
const PORT = 4555;

const handle = await createDb({ databaseUrl: benchConfig.databaseUrl, maxConnections: 10 });
const app = await buildApp({
  db: handle.db,
  auth: { tokens: createTokenService(BENCH_JWT_SECRET), loginThrottle: new LoginThrottle() },
  logger: { level: "error" },
  adapter: "lean",
});
await app.listen({ port: PORT, host: "127.0.0.1" });

const sql = postgres(benchConfig.databaseUrl);
const users = await sql<{ id: string }[]>`
  SELECT id FROM users WHERE email LIKE 'bench-user-%' ORDER BY email LIMIT 8`;
await sql.end();
if (users.length === 0)
  throw new Error("no bench data set: run `pnpm --filter @ledgerflow/bench generate`");
const tokens = createTokenService(BENCH_JWT_SECRET);
const bearer = await Promise.all(users.map(async (u) => (await tokens.signAccess(u.id)).token));

const body = Buffer.from(JSON.stringify({ items: importItems() }));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: PORT,
        path: "/api/expenses.createMany",
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": body.length,
          authorization: `Bearer ${bearer[i % bearer.length]}`,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

// Warm up, so that compilation and first-call caches are not counted.
for (let i = 0; i < 30; i++) await call(i);

const session = new Session();
session.connect();
await session.post("HeapProfiler.startSampling", {
  samplingInterval: 4096,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
} as never);
for (let i = 0; i < CALLS; i++) await call(i);
const { profile } = (await session.post("HeapProfiler.stopSampling")) as {
  profile: { head: ProfileNode };
};
session.disconnect();

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const bySelf = new Map<string, number>();
let total = 0;
const walk = (n: ProfileNode) => {
  if (n.selfSize > 0) {
    const f = n.callFrame;
    const where = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber + 1}`;
    bySelf.set(where, (bySelf.get(where) ?? 0) + n.selfSize);
    total += n.selfSize;
  }
  for (const c of n.children) walk(c);
};
walk(profile.head);

const kb = (bytes: number) => (bytes / CALLS / 1024).toFixed(1).padStart(8);
console.log(`allocated per call: ${kb(total).trim()} KB (${CALLS} calls, one at a time)`);
for (const [where, bytes] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(`${kb(bytes)} KB  ${where}`);
}
await app.close();
await handle.close();
