import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, resolveJwtSecret } from "../src/config";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ledgerflow-config-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("fills in defaults for an empty environment", () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.HOST).toBe("127.0.0.1");
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.NODE_ENV).toBe("production");
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig({ PORT: "", DATABASE_URL: "" })).toMatchObject({ PORT: 3000 });
    expect(loadConfig({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
  });

  it("names the variable at fault", () => {
    expect(configError(() => loadConfig({ PORT: "abc" })).message).toMatch(/\bPORT\b/);
    expect(configError(() => loadConfig({ PORT: "70000" })).message).toMatch(/\bPORT\b/);
    expect(configError(() => loadConfig({ DATABASE_URL: "not a url" })).message).toMatch(
      /\bDATABASE_URL\b/,
    );
    expect(configError(() => loadConfig({ LOG_LEVEL: "verbose" })).message).toMatch(
      /\bLOG_LEVEL\b/,
    );
    expect(loadConfig({ LOG_LEVEL: "debug" }).LOG_LEVEL).toBe("debug");
    const short = configError(() => loadConfig({ JWT_SECRET: "too-short" })).message;
    expect(short).toMatch(/\bJWT_SECRET\b/);
    expect(short).not.toContain("too-short");
  });
});

describe("resolveJwtSecret", () => {
  it("makes a secret on first start, keeps it in the data folder, readable only by the owner", () => {
    const dataDir = join(tempDir(), "nested", "data");
    const config = loadConfig({ LEDGERFLOW_DATA_DIR: dataDir });
    const first = resolveJwtSecret(config);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);

    const file = join(dataDir, "ledgerflow-jwt.secret");
    expect(first.source).toBe(file);
    expect(readFileSync(file, "utf8").trim()).toBe(first.secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = resolveJwtSecret(config);
    expect(second.secret).toBe(first.secret);

    // Another data folder is another install with its own secret.
    const other = resolveJwtSecret(loadConfig({ LEDGERFLOW_DATA_DIR: tempDir() }));
    expect(other.secret).not.toBe(first.secret);
  });

  it("prefers JWT_SECRET and then writes nothing", () => {
    const dataDir = tempDir();
    const secret = "s".repeat(40);
    const r = resolveJwtSecret(loadConfig({ JWT_SECRET: secret, LEDGERFLOW_DATA_DIR: dataDir }));
    expect(r).toEqual({ secret, source: "JWT_SECRET" });
    expect(() => statSync(join(dataDir, "ledgerflow-jwt.secret"))).toThrow();
  });

  it("refuses to start with DATABASE_URL in production and no JWT_SECRET, saying why", () => {
    const config = loadConfig({
      DATABASE_URL: "postgres://ledgerflow@db.internal:5432/ledgerflow",
      NODE_ENV: "production",
    });
    const err = configError(() => resolveJwtSecret(config));
    expect(err.message).toMatch(/JWT_SECRET/);
    expect(err.message).toMatch(/DATABASE_URL/);
    expect(err.message).toMatch(/production/);

    // NODE_ENV defaults to production, so forgetting it is no way around the rule.
    const unset = loadConfig({ DATABASE_URL: "postgres://ledgerflow@db.internal:5432/ledgerflow" });
    configError(() => resolveJwtSecret(unset));
  });

  it("lets development against a database run with a secret for this process only", () => {
    const config = loadConfig({
      DATABASE_URL: "postgres://ledgerflow@localhost:5432/ledgerflow",
      NODE_ENV: "development",
      LEDGERFLOW_DATA_DIR: tempDir(),
    });
    const r = resolveJwtSecret(config);
    expect(r.secret.length).toBeGreaterThanOrEqual(32);
    expect(r.source).not.toMatch(/secret$/);
  });
});
