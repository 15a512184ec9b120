import { buildApp } from "@ledgerflow/api";
import { createTokenService, LoginThrottle } from "@ledgerflow/core";
import { getTestDb, resetDb } from "@ledgerflow/core/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  createClient,
  isTRPCClientError,
  LedgerFlowHttpError,
  type RouterOutputs,
  type TokenStore,
  type Tokens,
} from "../src/index";

const SECRET = "client-test-secret-that-is-at-least-32-bytes";
const tokenService = createTokenService(SECRET);
const PASSWORD = "correct horse battery staple";

let app: Awaited<ReturnType<typeof buildApp>>;
let url: string;

/** Every request the client sends, by procedure path, so tests can count refreshes. */
let requests: string[] = [];
const countingFetch: typeof fetch = (input, init) => {
  const u = new URL(input instanceof Request ? input.url : String(input));
  requests.push(`${init?.method ?? "GET"} ${u.pathname}`);
  return fetch(input, init);
};
const refreshCalls = () => requests.filter((r) => r.endsWith("/api/auth.refresh")).length;

class MemoryStore implements TokenStore {
  saved: Array<Tokens | null> = [];
  constructor(public tokens: Tokens | null = null) {}
  load() {
    return this.tokens;
  }
  save(tokens: Tokens | null) {
    this.tokens = tokens;
    this.saved.push(tokens);
  }
}

beforeAll(async () => {
  const handle = await getTestDb();
  app = await buildApp({
    db: handle.db,
    auth: { tokens: tokenService, loginThrottle: new LoginThrottle() },
    authRateLimitPerMinute: 10_000,
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("server has no port");
  url = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await app?.close();
});

beforeEach(async () => {
  await resetDb(await getTestDb());
  requests = [];
});

let n = 0;
async function signedUp(store = new MemoryStore()) {
  n += 1;
  const client = createClient({ url, store, fetch: countingFetch });
  const { user } = await client.api.auth.register.mutate({
    email: `client${n}@example.com`,
    password: PASSWORD,
  });
  return { client, store, user };
}

/** A well-formed access token that the server refuses (signed with another key). */
async function forgedToken(userId: string): Promise<string> {
  const other = createTokenService("a-different-secret-that-is-32-bytes-long!!");
  return (await other.signAccess(userId)).token;
}

describe("createClient", () => {
  it("keeps the tokens register hands out and uses them", async () => {
    const { client, store, user } = await signedUp();
    expect(store.saved).toHaveLength(1);
    expect(store.tokens?.accessToken).toMatch(/^ey/);
    const me = await client.api.auth.me.query();
    expect(me.id).toBe(user.id);
    expect(refreshCalls()).toBe(0);
  });

  it("loads tokens from the store and signs calls with them", async () => {
    const first = await signedUp();
    const client = createClient({ url, store: new MemoryStore(first.store.tokens) });
    expect((await client.api.auth.me.query()).id).toBe(first.user.id);
  });

  it("refreshes a refused access token once and retries, however many calls wait", async () => {
    const { store, user } = await signedUp();
    const before = store.tokens;
    if (!before) throw new Error("no tokens after register");
    const stale = new MemoryStore({ ...before, accessToken: await forgedToken(user.id) });
    const client = createClient({ url, store: stale, fetch: countingFetch });
    requests = [];

    const results = await Promise.all(Array.from({ length: 5 }, () => client.api.auth.me.query()));
    expect(results.map((r) => r.id)).toEqual(Array(5).fill(user.id));
    expect(refreshCalls()).toBe(1);
    expect(stale.saved).toHaveLength(1);
    expect(stale.tokens?.refreshToken).not.toBe(before.refreshToken);
    // The rotated pair works on its own, with no further refresh.
    const again = createClient({ url, tokens: stale.tokens, fetch: countingFetch });
    await again.api.auth.me.query();
    expect(refreshCalls()).toBe(1);
  });

  it("refreshes before the call when the access token is known to be expired", async () => {
    const { store, user } = await signedUp();
    const before = store.tokens;
    if (!before) throw new Error("no tokens after register");
    const expired = await tokenService.signAccess(user.id, new Date(Date.now() - 60 * 60_000));
    const client = createClient({
      url,
      fetch: countingFetch,
      store: new MemoryStore({
        ...before,
        accessToken: expired.token,
        accessTokenExpiresAt: expired.expiresAt.toISOString(),
      }),
    });
    requests = [];
    await client.api.auth.me.query();
    expect(requests).toEqual(["POST /api/auth.refresh", "GET /api/auth.me"]);
  });

  it("adopts a pair another process already rotated instead of spending the old one", async () => {
    const { store, user } = await signedUp();
    const before = store.tokens;
    if (!before) throw new Error("no tokens after register");
    // Another process refreshed: the store now holds the new pair, this client the old one.
    const other = createClient({ url, tokens: before });
    const rotated = await other.refresh();
    const shared = new MemoryStore(rotated);
    const client = createClient({
      url,
      fetch: countingFetch,
      store: shared,
      tokens: { ...before, accessToken: await forgedToken(user.id) },
    });
    requests = [];
    expect((await client.api.auth.me.query()).id).toBe(user.id);
    expect(refreshCalls()).toBe(0);
    // Had the spent token been presented, reuse detection would have revoked the login.
    expect((await createClient({ url, tokens: rotated }).refresh()).accessToken).toMatch(/^ey/);
  });

  it("exports CSV over plain HTTP, refreshing a refused token there too", async () => {
    const { client: owner, store, user } = await signedUp();
    await owner.api.expenses.create.mutate({
      amount: "12.50",
      category: "FOOD",
      spentOn: "2026-05-01",
    });
    const before = store.tokens;
    if (!before) throw new Error("no tokens after register");
    const stale = new MemoryStore({ ...before, accessToken: await forgedToken(user.id) });
    const client = createClient({ url, store: stale, fetch: countingFetch });
    requests = [];
    const csv = await client.exportExpensesCsv({ from: "2026-05-01", to: "2026-05-31" });
    expect(csv.split(/\r?\n/)[1]).toContain("2026-05-01,12.50,USD,FOOD");
    expect(refreshCalls()).toBe(1);
    expect(stale.tokens?.refreshToken).not.toBe(before.refreshToken);

    const anonymous = createClient({ url });
    const err = await anonymous.exportExpensesCsv().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LedgerFlowHttpError);
    expect(err).toMatchObject({ status: 401, code: "UNAUTHORIZED" });
  });

  it("forgets the tokens and reports UNAUTHORIZED when the refresh token is refused", async () => {
    const { client, store, user } = await signedUp();
    const before = store.tokens;
    if (!before) throw new Error("no tokens after register");
    await client.logout();
    expect(store.tokens).toBeNull();
    const stale = new MemoryStore({ ...before, accessToken: await forgedToken(user.id) });
    const again = createClient({ url, store: stale });
    const err = await again.api.auth.me.query().catch((e: unknown) => e);
    expect(isTRPCClientError(err) && err.data?.code).toBe("UNAUTHORIZED");
    expect(stale.tokens).toBeNull();
  });

  it("keeps the tokens and reports the network failure when a refresh cannot be sent", async () => {
    const { store, user } = await signedUp();
    const before = store.tokens;
    if (!before) throw new Error("no tokens after register");
    const stale = new MemoryStore({ ...before, accessToken: await forgedToken(user.id) });
    const offlineRefresh: typeof fetch = (input, init) =>
      String(input instanceof Request ? input.url : input).includes("auth.refresh")
        ? Promise.reject(new TypeError("fetch failed"))
        : fetch(input, init);
    const client = createClient({ url, store: stale, fetch: offlineRefresh });
    const err = await client.api.auth.me.query().catch((e: unknown) => e);
    expect(isTRPCClientError(err)).toBe(true);
    expect(isTRPCClientError(err) && err.data?.code).not.toBe("UNAUTHORIZED");
    expect(String(isTRPCClientError(err) && err.message)).toContain("fetch failed");
    expect(stale.tokens?.refreshToken).toBe(before.refreshToken);
  });

  it("does not try to refresh without tokens", async () => {
    const client = createClient({ url, fetch: countingFetch });
    const err = await client.api.auth.me.query().catch((e: unknown) => e);
    expect(isTRPCClientError(err) && err.data?.code).toBe("UNAUTHORIZED");
    expect(refreshCalls()).toBe(0);
  });

  it("passes validation errors through with their field details", async () => {
    const client = createClient({ url });
    const err = await client.api.auth.register
      .mutate({ email: "not-an-email", password: PASSWORD })
      .catch((e: unknown) => e);
    expect(isTRPCClientError(err)).toBe(true);
    if (!isTRPCClientError(err)) return;
    expect(err.data?.code).toBe("BAD_REQUEST");
    expect(JSON.stringify(err.data)).toContain("email");
  });

  it("batches calls made together into one request", async () => {
    const { client } = await signedUp();
    requests = [];
    await Promise.all([client.api.auth.me.query(), client.api.auth.me.query()]);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toContain("auth.me,auth.me");
  });

  it("takes the server address with or without /api", async () => {
    const { store, user } = await signedUp();
    const client = createClient({ url: `${url}/api/`, tokens: store.tokens });
    expect(client.baseUrl).toBe(url);
    expect((await client.api.auth.me.query()).id).toBe(user.id);
  });

  it("types answers from the server's router", () => {
    type Me = RouterOutputs["auth"]["me"];
    expectTypeOf<Me>().toHaveProperty("defaultCurrency").toEqualTypeOf<string>();
    expectTypeOf<Tokens>().toHaveProperty("refreshToken").toEqualTypeOf<string>();
  });
});
