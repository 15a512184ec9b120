import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { Tokens } from "@ledgerflow/client";
import { z } from "zod";
import { CliError, EXIT } from "./errors";

export const DEFAULT_URL = "http://127.0.0.1:3000";

const tokensSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  accessTokenExpiresAt: z.string(),
  refreshTokenExpiresAt: z.string(),
});

const configSchema = z.object({
  /** The server the tokens belong to. */
  url: z.string().optional(),
  email: z.string().optional(),
  tokens: tokensSchema.nullable().optional(),
});

export type Config = z.infer<typeof configSchema>;

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "ledgerflow", "config.json");
}

export function readConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new CliError(
      `Cannot read the config file ${file}.`,
      EXIT.general,
      "Check its permissions; it should belong to you with mode 600.",
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CliError(
      `The config file ${file} is not valid LedgerFlow configuration.`,
      EXIT.general,
      "Delete it and sign in again with 'ledgerflow login <email>'.",
    );
  }
  return parsed.data;
}

/**
 * Writes the whole file at once (a rename), so a reader never sees half of it, with
 * mode 600 in a folder of mode 700: it holds a refresh token, which is as good as a
 * password for 30 days.
 */
export function writeConfig(file: string, config: Config): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function updateConfig(file: string, patch: Partial<Config>): Config {
  const next = { ...readConfig(file), ...patch };
  writeConfig(file, next);
  return next;
}

export function sameServer(a: string | undefined, b: string): boolean {
  const norm = (u: string) => u.replace(/\/+$/, "").replace(/\/api$/, "");
  return a === undefined || norm(a) === norm(b);
}

export function parseTokens(value: unknown): Tokens | null {
  const parsed = tokensSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
