import { createDb } from "./client";

// `pnpm db:migrate`: applies pending migrations to DATABASE_URL or the embedded database.
const handle = await createDb({
  databaseUrl: process.env.DATABASE_URL,
  dataDir: process.env.LEDGERFLOW_DATA_DIR,
});
try {
  await handle.migrate();
  console.log(`migrations applied (${handle.driver})`);
} finally {
  await handle.close();
}
