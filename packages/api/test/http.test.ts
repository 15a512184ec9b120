import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Db, migrationsFolder } from "@ledgerflow/core";
import { beforeAll, describe, expect, it } from "vitest";
import { BODY_LIMIT_BYTES, MAX_BATCH_SIZE } from "../src/server";
import { useTestEnv } from "./helpers";
import { bearer, errorOf, get, post, useApps } from "./http-helpers";

const PASSWORD = "correct horse battery staple";

function journalLength(): number {
  const journal = JSON.parse(
    readFileSync(join(migrationsFolder(), "meta", "_journal.json"), "utf8"),
  ) as { entries: unknown[] };
  return journal.entries.length;
}

/**
 * A database whose every query fails the way a broken one does: with the driver's own
 * error, whose message quotes the SQL. Nothing of it may reach a client.
 */
function failingDb(real: Db, failure: unknown): Db {
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (
        ["select", "insert", "update", "delete", "execute", "transaction"].includes(String(prop))
      ) {
        return () => {
          throw failure;
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

describe("HTTP surface", () => {
  const env = useTestEnv();
  const makeApp = useApps(env);

  let dbFailure: unknown;
  beforeAll(async () => {
    const { getTestDb } = await import("@ledgerflow/core/testing");
    const handle = await getTestDb();
    try {
      await handle.db.execute("SELECT password_hash FROM no_such_table_lf WHERE email = 'x'");
    } catch (err) {
      dbFailure = err;
    }
  });

  it("answers /healthz", async () => {
    const app = await makeApp();
    const res = await app.inject({ method: "GET", url: "/healthz" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
  });

  it("answers /readyz 200 once every migration is applied", async () => {
    const app = await makeApp();
    const res = await app.inject({ method: "GET", url: "/readyz" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, migrations: journalLength() });
  });

  it("answers /readyz 503 when the database cannot be read", async () => {
    const app = await makeApp({ db: failingDb(env.handle.db, dbFailure) });
    const res = await app.inject({ method: "GET", url: "/readyz" });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ ok: false });
  });

  it("runs register, login, me, refresh and logout over plain JSON", async () => {
    const app = await makeApp();
    const reg = await post(app, "auth.register", { email: "Http@Example.com", password: PASSWORD });
    expect(reg.statusCode).toBe(200);
    const registered = reg.json().result.data;
    expect(Object.keys(registered.user).sort()).toEqual([
      "createdAt",
      "defaultCurrency",
      "email",
      "id",
      "name",
    ]);

    const login = await post(app, "auth.login", { email: "http@example.com", password: PASSWORD });
    expect(login.statusCode).toBe(200);
    const { tokens } = login.json().result.data;
    expect(login.json().result.data.user.id).toBe(registered.user.id);

    const me = await get(app, "auth.me", undefined, bearer(tokens.accessToken));
    expect(me.statusCode).toBe(200);
    expect(me.json().result.data).toEqual(registered.user);

    const refreshed = await post(app, "auth.refresh", { refreshToken: tokens.refreshToken });
    expect(refreshed.statusCode).toBe(200);
    const next = refreshed.json().result.data.tokens;

    const out = await post(app, "auth.logout", { refreshToken: next.refreshToken });
    expect(out.json().result.data).toEqual({ ok: true });
    const after = await post(app, "auth.refresh", { refreshToken: next.refreshToken });
    expect(after.statusCode).toBe(401);
    expect(errorOf(after).data.code).toBe("UNAUTHORIZED");
  });

  it("answers 401 in the tRPC shape when no token is sent", async () => {
    const app = await makeApp();
    const res = await get(app, "auth.me");
    expect(res.statusCode).toBe(401);
    expect(errorOf(res).data.code).toBe("UNAUTHORIZED");
    expect(errorOf(res).message).toMatch(/Bearer/);
  });

  it(`serves a batch of ${MAX_BATCH_SIZE} calls`, async () => {
    const app = await makeApp();
    const u = await env.signUp("batch@example.com");
    const paths = Array.from({ length: MAX_BATCH_SIZE }, () => "auth.me").join(",");
    const res = await app.inject({
      method: "GET",
      url: `/api/${paths}?batch=1&input=${encodeURIComponent("{}")}`,
      headers: bearer(u.tokens.accessToken),
    });
    expect(res.statusCode).toBe(200);
    const results = res.json() as { result: { data: { email: string } } }[];
    expect(results).toHaveLength(MAX_BATCH_SIZE);
    for (const r of results) expect(r.result.data.email).toBe("batch@example.com");
  });

  it(`refuses a batch of ${MAX_BATCH_SIZE + 1} calls without serving any`, async () => {
    const app = await makeApp();
    const u = await env.signUp("batch51@example.com");
    const paths = Array.from({ length: MAX_BATCH_SIZE + 1 }, () => "auth.me").join(",");
    const res = await app.inject({
      method: "GET",
      url: `/api/${paths}?batch=1&input=${encodeURIComponent("{}")}`,
      headers: bearer(u.tokens.accessToken),
    });
    expect([400, 413, 414]).toContain(res.statusCode);
    expect(res.body).not.toContain("batch51@example.com");

    // Far larger batches hit the router's path limit first: still a 4xx, never a 5xx.
    const huge = await app.inject({
      method: "GET",
      url: `/api/${Array(1000).fill("auth.me").join(",")}?batch=1&input=${encodeURIComponent("{}")}`,
      headers: bearer(u.tokens.accessToken),
    });
    expect([400, 413, 414]).toContain(huge.statusCode);

    // Mutations too: 51 logouts of one session's token must not run (it stays usable).
    const logouts = Array.from({ length: MAX_BATCH_SIZE + 1 }, () => "auth.logout").join(",");
    const input = Object.fromEntries(
      Array.from({ length: MAX_BATCH_SIZE + 1 }, (_, i) => [
        String(i),
        { refreshToken: u.tokens.refreshToken },
      ]),
    );
    const mut = await app.inject({
      method: "POST",
      url: `/api/${logouts}?batch=1`,
      payload: JSON.stringify(input),
      headers: { "content-type": "application/json" },
    });
    expect([400, 413, 414]).toContain(mut.statusCode);
    const still = await post(app, "auth.refresh", { refreshToken: u.tokens.refreshToken });
    expect(still.statusCode).toBe(200);
  });

  it("refuses a body over the limit with 413", async () => {
    const app = await makeApp();
    const res = await post(app, "auth.login", {
      email: "big@example.com",
      password: "x".repeat(BODY_LIMIT_BYTES + 1),
    });
    expect(res.statusCode).toBe(413);
  });

  it("answers malformed JSON and unknown procedures with 4xx, not 5xx", async () => {
    const app = await makeApp();
    const bad = await app.inject({
      method: "POST",
      url: "/api/auth.login",
      payload: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(bad.statusCode).toBeGreaterThanOrEqual(400);
    expect(bad.statusCode).toBeLessThan(500);
    const unknown = await post(app, "auth.nothingHere", {});
    expect(unknown.statusCode).toBe(404);
  });

  it("sends security headers", async () => {
    const app = await makeApp();
    for (const url of ["/healthz", "/api/auth.me"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
      expect(res.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      expect(res.headers["x-powered-by"]).toBeUndefined();
    }
  });

  it("sends exactly the security headers @fastify/helmet sent, on every kind of answer", async () => {
    // What helmet 13 answered with `contentSecurityPolicy` and `crossOriginResourcePolicy`
    // off, taken from a running server before it was replaced by a fixed set.
    const helmetHeaders = {
      "cross-origin-opener-policy": "same-origin",
      "origin-agent-cluster": "?1",
      "referrer-policy": "no-referrer",
      "strict-transport-security": "max-age=31536000; includeSubDomains",
      "x-content-type-options": "nosniff",
      "x-dns-prefetch-control": "off",
      "x-download-options": "noopen",
      "x-frame-options": "SAMEORIGIN",
      "x-permitted-cross-domain-policies": "none",
      "x-xss-protection": "0",
    };
    for (const adapter of ["lean", "stock"] as const) {
      const app = await makeApp({ adapter, authRateLimitPerMinute: 1 });
      const answers = [
        await app.inject({ method: "GET", url: "/healthz" }),
        await app.inject({ method: "GET", url: "/no-such-route" }),
        await app.inject({ method: "GET", url: "/api/auth.me" }),
        await app.inject({ method: "GET", url: "/export/expenses.csv" }),
        await post(app, "auth.refresh", { refreshToken: "junk" }),
        await post(app, "auth.refresh", { refreshToken: "junk" }),
        await app.inject({
          method: "POST",
          url: "/healthz",
          payload: "{",
          headers: { "content-type": "application/json" },
        }),
      ];
      expect(answers.map((r) => r.statusCode)).toEqual([200, 404, 401, 401, 401, 429, 400]);
      for (const res of answers) {
        expect(res.headers).toMatchObject(helmetHeaders);
        expect(res.headers["content-security-policy"]).toBeUndefined();
        expect(res.headers["x-powered-by"]).toBeUndefined();
      }
    }
  });

  it("hides the stack and the SQL of an internal error", async () => {
    // The failure itself quotes the SQL, so the assertions below are not vacuous.
    expect(String(dbFailure)).toMatch(/SELECT password_hash FROM no_such_table_lf/);
    const app = await makeApp({ db: failingDb(env.handle.db, dbFailure) });
    const res = await post(app, "auth.login", { email: "a@example.com", password: PASSWORD });
    expect(res.statusCode).toBe(500);
    const error = errorOf(res);
    expect(error.data.code).toBe("INTERNAL_SERVER_ERROR");
    expect(error.message).toBe("Internal server error");
    expect(error.data.stack).toBeUndefined();
    expect(res.body).not.toMatch(/no_such_table_lf|password_hash|SELECT|\.ts:\d+|\bat\s+\S+\s\(/i);
  });

  it("names the fields at fault in error.data.fieldErrors", async () => {
    const app = await makeApp();
    const res = await post(app, "auth.register", { email: "not-an-email", password: "short" });
    expect(res.statusCode).toBe(400);
    const error = errorOf(res);
    expect(error.data.code).toBe("BAD_REQUEST");
    const paths = (error.data.fieldErrors ?? []).map((f) => f.path).sort();
    expect(paths).toEqual(["email", "password"]);
    expect(error.message).toMatch(/password/);
  });
});
