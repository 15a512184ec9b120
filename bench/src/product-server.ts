/**
 * The product as the benchmark runs it: `buildApp` from @ledgerflow/api on the bench
 * database, in its own process so its memory and CPU are its own.
 *
 *   PORT=4000 [ADAPTER=stock] npx tsx src/product-server.ts
 */
import { buildApp } from "@ledgerflow/api";
import { createDb, createTokenService, LoginThrottle } from "@ledgerflow/core";
import { BENCH_JWT_SECRET, benchConfig } from "./config";

const handle = await createDb({
  databaseUrl: process.env.DATABASE_URL ?? benchConfig.databaseUrl,
  maxConnections: benchConfig.poolSize,
});
await handle.migrate();
const app = await buildApp({
  db: handle.db,
  auth: { tokens: createTokenService(BENCH_JWT_SECRET), loginThrottle: new LoginThrottle() },
  logger: { level: "error" },
  // The login scenario comes from one address at full speed; the per-address limit that
  // protects a real server would turn it into a test of the limiter.
  authRateLimitPerMinute: 1_000_000_000,
  adapter: process.env.ADAPTER === "stock" ? "stock" : "lean",
});
await app.listen({ port: Number(process.env.PORT ?? 4000), host: "127.0.0.1" });
const stop = async () => {
  await app.close();
  await handle.close();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
