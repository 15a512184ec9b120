import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_DATA_DIR, generateSecret, resolveDataDir } from "@ledgerflow/core";
import { z } from "zod";

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z.string().url().optional(),
  LEDGERFLOW_DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR).transform(resolveDataDir),
  JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters").optional(),
  NODE_ENV: z.string().default("production"),
  // Checked here: the logger would otherwise refuse an unknown level with a stack trace.
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type ServerConfig = z.infer<typeof envSchema>;

/** Parses the environment once; a bad value stops start-up with the variable named. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = envSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

export class ConfigError extends Error {}

/**
 * The JWT signing secret. An embedded install makes one on first start and keeps it in
 * its data folder, so tokens survive restarts. A real database in production must be
 * given one: several servers must share it, and a made-up one would sign everyone out
 * on every restart.
 */
export function resolveJwtSecret(config: ServerConfig): { secret: string; source: string } {
  if (config.JWT_SECRET) return { secret: config.JWT_SECRET, source: "JWT_SECRET" };
  if (!config.DATABASE_URL) {
    mkdirSync(config.LEDGERFLOW_DATA_DIR, { recursive: true });
    const file = join(config.LEDGERFLOW_DATA_DIR, "ledgerflow-jwt.secret");
    if (existsSync(file)) return { secret: readFileSync(file, "utf8").trim(), source: file };
    writeFileSync(file, `${generateSecret()}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600);
    return { secret: readFileSync(file, "utf8").trim(), source: file };
  }
  if (config.NODE_ENV === "production") {
    throw new ConfigError(
      "JWT_SECRET is not set. With DATABASE_URL in production, set JWT_SECRET to a random string of at least 32 characters (for example: openssl rand -base64 48).",
    );
  }
  return { secret: generateSecret(), source: "generated for this process only" };
}
