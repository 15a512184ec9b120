import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const CLI_DIR = resolve(here, "..");
export const REPO = resolve(CLI_DIR, "../..");
export const CLI_BUNDLE = join(CLI_DIR, "dist/ledgerflow.mjs");
const API_DIR = join(REPO, "packages/api");
const API_BUNDLE = join(API_DIR, "dist/main.mjs");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * The tests drive the bundles a user runs. The CLI bundle is rebuilt every time (under a
 * second); the server bundle only when missing or older than its sources, because other
 * packages' tests may be starting it at the same moment.
 */
export function ensureBundles(): void {
  execFileSync(process.execPath, ["build.mjs"], { cwd: CLI_DIR, stdio: "pipe" });
  const sources = Math.max(
    newestMtime(join(API_DIR, "src")),
    newestMtime(join(REPO, "packages/core/src")),
    newestMtime(join(REPO, "packages/core/drizzle")),
  );
  if (!existsSync(API_BUNDLE) || statSync(API_BUNDLE).mtimeMs < sources) {
    execFileSync(process.execPath, ["build.mjs"], { cwd: API_DIR, stdio: "pipe" });
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

export interface TestServer {
  url: string;
  dataDir: string;
  /** The HS256 key the server signs access tokens with (kept in its data folder). */
  jwtSecret(): string;
  stop(): Promise<void>;
}

/**
 * Starts the bundled server on a fresh embedded database. DATABASE_URL is removed from
 * its environment on purpose: these tests need no set-up, and what they check is the
 * CLI, which is the same against either database.
 */
export async function startServer(): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "ledgerflow-cli-e2e-"));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.JWT_SECRET;
  Object.assign(env, {
    PORT: String(port),
    HOST: "127.0.0.1",
    LEDGERFLOW_DATA_DIR: join(dataDir, "db"),
    LOG_LEVEL: "warn",
    NODE_ENV: "production",
  });
  const child: ChildProcess = spawn(process.execPath, [API_BUNDLE], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr?.on("data", (d: Buffer) => {
    log += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${log}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`server not ready after 60 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    dataDir,
    jwtSecret: () => readFileSync(join(dataDir, "db", "ledgerflow-jwt.secret"), "utf8").trim(),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliHome {
  dir: string;
  configFile: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], opts?: { input?: string; env?: NodeJS.ProcessEnv }): Promise<CliResult>;
  /** Runs and fails the test, showing stderr, unless the exit code is 0. */
  ok(args: string[], opts?: { input?: string; env?: NodeJS.ProcessEnv }): Promise<string>;
  json<T = unknown>(args: string[], opts?: { input?: string }): Promise<T>;
  config(): {
    url?: string;
    tokens?: {
      accessToken: string;
      refreshToken: string;
      accessTokenExpiresAt: string;
      refreshTokenExpiresAt: string;
    } | null;
  };
  cleanup(): void;
}

/** A temporary home for the CLI: its own config folder, nothing from the real user's. */
export function cliHome(url: string): CliHome {
  const dir = mkdtempSync(join(tmpdir(), "ledgerflow-cli-home-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, ".config"),
    LEDGERFLOW_URL: url,
    NO_COLOR: "1",
    TZ: "UTC",
  };
  const configFile = join(dir, ".config", "ledgerflow", "config.json");
  const run = (args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}) =>
    new Promise<CliResult>((res, rej) => {
      const child = spawn(process.execPath, [CLI_BUNDLE, ...args], {
        env: { ...env, ...opts.env },
        cwd: dir,
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      child.on("error", rej);
      child.on("close", (code) => res({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(opts.input ?? "");
    });
  const home: CliHome = {
    dir,
    configFile,
    env,
    run,
    async ok(args, opts) {
      const r = await run(args, opts);
      if (r.code !== 0) {
        throw new Error(`ledgerflow ${args.join(" ")} exited ${r.code}\n${r.stderr}${r.stdout}`);
      }
      return r.stdout;
    },
    async json(args, opts) {
      return JSON.parse(await home.ok([...args, "--json"], opts));
    },
    config() {
      return JSON.parse(readFileSync(configFile, "utf8"));
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return home;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

/**
 * Re-signs an access token with new times: with the server's key it is a genuine but
 * expired token; with any other key it is well formed and fails verification.
 */
export function resignToken(
  token: string,
  key: string,
  times: { iat: number; exp: number },
): string {
  const [header = "", payload = ""] = token.split(".");
  const claims = { ...JSON.parse(Buffer.from(payload, "base64url").toString("utf8")), ...times };
  const body = `${header}.${b64url(JSON.stringify(claims))}`;
  return `${body}.${createHmac("sha256", key).update(body).digest("base64url")}`;
}

export function todayUtc(offsetDays = 0): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}
