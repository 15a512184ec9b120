import { LoginThrottle } from "@ledgerflow/core";
import { describe, expect, it } from "vitest";
import { createContextInner } from "../src/context";
import { appRouter } from "../src/root";
import { createCallerFactory } from "../src/trpc";
import { useTestEnv } from "./helpers";
import { errorOf, post, useApps } from "./http-helpers";

const PASSWORD = "correct horse battery staple";
const WRONG = "not the password at all";
/** API.md: failed logins lock an account after at most this many tries a minute. */
const MAX_TRIES_BEFORE_LOCK = 20;

function expectTooManyRequests(res: Awaited<ReturnType<typeof post>>): void {
  expect(res.statusCode).toBe(429);
  const error = errorOf(res);
  expect(error.data.code).toBe("TOO_MANY_REQUESTS");
  expect(error.data.httpStatus).toBe(429);
  expect(error.message).toMatch(/try again/i);
  const retryAfter = Number(res.headers["retry-after"]);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

describe("per-address limit on the auth entry points", () => {
  const env = useTestEnv();
  const makeApp = useApps(env);

  it("answers 429 TOO_MANY_REQUESTS with Retry-After once an address spends its allowance", async () => {
    const app = await makeApp({ authRateLimitPerMinute: 3 });
    const from = { remoteAddress: "203.0.113.7" };
    for (let i = 0; i < 3; i++) {
      const res = await post(app, "auth.refresh", { refreshToken: `junk-${i}` }, from);
      expect(res.statusCode).toBe(401);
    }
    expectTooManyRequests(await post(app, "auth.refresh", { refreshToken: "junk-x" }, from));

    // Another address is not affected by the first one's flood.
    const other = await post(
      app,
      "auth.refresh",
      { refreshToken: "junk" },
      { remoteAddress: "198.51.100.9" },
    );
    expect(other.statusCode).toBe(401);
  });

  it("counts every spelling of an auth path against the same allowance", async () => {
    const app = await makeApp({ authRateLimitPerMinute: 2 });
    const spellings = ["/api/auth.refresh", "/%61pi/auth.refresh", "/api/auth%2Erefresh"];
    const statuses: number[] = [];
    for (const url of spellings) {
      const res = await app.inject({
        method: "POST",
        url,
        payload: JSON.stringify({ refreshToken: "junk" }),
        headers: { "content-type": "application/json" },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([401, 401, 429]);
  });

  it("counts a path encoded twice as the procedure the handler decodes it to", async () => {
    const app = await makeApp({ authRateLimitPerMinute: 1 });
    const statuses: number[] = [];
    for (const url of ["/api/auth%252Erefresh", "/api/auth%252Erefresh", "/api/auth.refresh"]) {
      const res = await app.inject({
        method: "POST",
        url,
        payload: JSON.stringify({ refreshToken: "junk" }),
        headers: { "content-type": "application/json" },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses[0]).not.toBe(429);
    expect(statuses.slice(1)).toEqual([429, 429]);
  });

  it("limits the stock adapter's route the same way", async () => {
    const app = await makeApp({ authRateLimitPerMinute: 1, adapter: "stock" });
    const from = { remoteAddress: "203.0.113.8" };
    expect((await post(app, "auth.refresh", { refreshToken: "a" }, from)).statusCode).toBe(401);
    expectTooManyRequests(await post(app, "auth.refresh", { refreshToken: "b" }, from));
    const batch = await app.inject({
      method: "POST",
      url: "/api/auth.login,auth.register?batch=1",
      payload: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(batch.statusCode).toBe(400);
  });

  it("does not take the client address from a header the client writes", async () => {
    const app = await makeApp({ authRateLimitPerMinute: 1 });
    const statuses: number[] = [];
    for (const forwarded of ["192.0.2.1", "192.0.2.2", "192.0.2.3"]) {
      const res = await post(
        app,
        "auth.refresh",
        { refreshToken: "junk" },
        { headers: { "x-forwarded-for": forwarded }, remoteAddress: "203.0.113.50" },
      );
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([401, 429, 429]);
  });

  it("limits register and login too, and leaves token-bearing calls alone", async () => {
    const app = await makeApp({ authRateLimitPerMinute: 2 });
    for (const procedure of ["auth.register", "auth.login"]) {
      for (let i = 0; i < 2; i++) {
        const res = await post(app, procedure, { email: "x" });
        expect(res.statusCode).toBe(400);
      }
      expectTooManyRequests(await post(app, procedure, { email: "x" }));
    }
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({ method: "GET", url: "/api/auth.me" });
      expect(res.statusCode).toBe(401);
    }
  });

  it("lets one address make at least 60 calls a minute by default, but not unlimited", async () => {
    const app = await makeApp();
    const statuses: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const res = await post(app, "auth.login", { email: "x" });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) break;
    }
    const firstLimited = statuses.indexOf(429);
    expect(firstLimited).toBeGreaterThanOrEqual(60);
    expect(statuses.slice(0, 60).every((s) => s === 400)).toBe(true);
  });

  it("refuses to batch several limited calls, so a batch cannot multiply the allowance", async () => {
    const app = await makeApp();
    const res = await app.inject({
      method: "POST",
      url: "/api/auth.login,auth.login?batch=1",
      payload: JSON.stringify({
        "0": { email: "a@example.com", password: PASSWORD },
        "1": { email: "a@example.com", password: PASSWORD },
      }),
      headers: { "content-type": "application/json" },
    });
    expect(res.statusCode).toBe(400);
  });
});

describe("per-account lock on failed logins", () => {
  const env = useTestEnv();
  const makeApp = useApps(env);

  it(`locks an account after at most ${MAX_TRIES_BEFORE_LOCK} failures, even for the right password`, async () => {
    await env.signUp("Locked@Example.com");
    let tries = 0;
    let last = "";
    while (tries <= MAX_TRIES_BEFORE_LOCK) {
      last = await codeOf(env.anon.auth.login({ email: "locked@example.com", password: WRONG }));
      if (last !== "UNAUTHORIZED") break;
      tries += 1;
    }
    expect(last).toBe("TOO_MANY_REQUESTS");
    expect(tries).toBeGreaterThan(0);
    expect(tries).toBeLessThanOrEqual(MAX_TRIES_BEFORE_LOCK);

    // Any spelling of the email is the same account.
    expect(
      await codeOf(env.anon.auth.login({ email: "LOCKED@example.com", password: PASSWORD })),
    ).toBe("TOO_MANY_REQUESTS");
    // Another account is not locked by it.
    await env.signUp("free@example.com");
    expect(
      await codeOf(env.anon.auth.login({ email: "free@example.com", password: PASSWORD })),
    ).toBe("OK");
  });

  it("counts tries made in parallel, so a burst cannot test more passwords than the limit", async () => {
    await env.signUp("burst@example.com");
    const burst = 2 * MAX_TRIES_BEFORE_LOCK;
    const codes = await Promise.all(
      Array.from({ length: burst }, (_, i) =>
        codeOf(env.anon.auth.login({ email: "burst@example.com", password: `${WRONG} ${i}` })),
      ),
    );
    const checked = codes.filter((c) => c === "UNAUTHORIZED").length;
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(MAX_TRIES_BEFORE_LOCK);
    expect(codes.filter((c) => c === "TOO_MANY_REQUESTS")).toHaveLength(burst - checked);
  });

  it("lifts the lock when the window has passed, and a success clears the count", async () => {
    await env.signUp("clock@example.com");
    let now = 1_000_000;
    const throttle = new LoginThrottle(5, 60_000, () => now);
    const caller = createCallerFactory(appRouter)(
      createContextInner({
        db: env.handle.db,
        auth: { tokens: env.auth.tokens, loginThrottle: throttle },
      }),
    );
    const login = (password: string) =>
      codeOf(caller.auth.login({ email: "clock@example.com", password }));

    for (let i = 0; i < 4; i++) expect(await login(WRONG)).toBe("UNAUTHORIZED");
    expect(await login(PASSWORD)).toBe("OK");
    // The success forgot the four failures: four more do not lock yet.
    for (let i = 0; i < 4; i++) expect(await login(WRONG)).toBe("UNAUTHORIZED");
    expect(await login(WRONG)).toBe("UNAUTHORIZED");
    expect(await login(PASSWORD)).toBe("TOO_MANY_REQUESTS");

    now += 59_000;
    expect(await login(PASSWORD)).toBe("TOO_MANY_REQUESTS");
    now += 1_001;
    expect(await login(PASSWORD)).toBe("OK");
  });

  it("answers a locked account with HTTP 429, TOO_MANY_REQUESTS and Retry-After", async () => {
    const app = await makeApp();
    await env.signUp("http-locked@example.com");
    let res = await post(app, "auth.login", { email: "http-locked@example.com", password: WRONG });
    for (let i = 0; i < MAX_TRIES_BEFORE_LOCK && res.statusCode === 401; i++) {
      res = await post(app, "auth.login", { email: "http-locked@example.com", password: WRONG });
    }
    expectTooManyRequests(res);
    expect(errorOf(res).data.retryAfterSeconds).toBe(Number(res.headers["retry-after"]));
    expectTooManyRequests(
      await post(app, "auth.login", { email: "http-locked@example.com", password: PASSWORD }),
    );
  });
});
