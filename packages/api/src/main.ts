import { authService, createDb, createTokenService, LoginThrottle } from "@ledgerflow/core";
import { ConfigError, loadConfig, resolveJwtSecret } from "./config";
import { buildApp } from "./server";

async function main(): Promise<void> {
  const config = loadConfig();
  const { secret, source } = resolveJwtSecret(config);
  const handle = await createDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.LEDGERFLOW_DATA_DIR,
  });
  await handle.migrate();
  await authService.prepareAuth();
  const app = await buildApp({
    db: handle.db,
    auth: { tokens: createTokenService(secret), loginThrottle: new LoginThrottle() },
    logger: { level: config.LOG_LEVEL },
  });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal} received: finishing open requests`);
    await app.close();
    await handle.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  await app.listen({ port: config.PORT, host: config.HOST });
  const where =
    handle.driver === "pglite"
      ? `embedded database in ${config.LEDGERFLOW_DATA_DIR}`
      : "PostgreSQL";
  app.log.info(
    `LedgerFlow API on http://${config.HOST}:${config.PORT}/api (${where}; JWT secret from ${source})`,
  );
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78);
  }
  console.error(err);
  process.exit(1);
});
