import { DomainError, notFound } from "@ledgerflow/core";
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import Fastify, { type FastifyInstance, type InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { leanTRPCPlugin } from "../src/adapter";
import { userFromAuthorization } from "../src/context";
import type { AppRouter } from "../src/root";
import { buildApp } from "../src/server";
import { protectedProcedure, publicProcedure, router } from "../src/trpc";
import { makeAuthDeps, useTestEnv } from "./helpers";

/** Procedures that exercise every branch of the wire protocol without a database. */
const wireRouter = router({
  echo: publicProcedure.input(z.object({ n: z.number() })).query(({ input }) => input),
  noInput: publicProcedure.query(() => "ok"),
  add: publicProcedure
    .input(z.object({ a: z.number(), b: z.number() }))
    .mutation(({ input }) => ({ sum: input.a + input.b })),
  whoami: protectedProcedure.query(({ ctx }) => ({ id: ctx.user.id })),
  boom: publicProcedure.query(() => {
    throw new Error("relation expenses does not exist: SELECT * FROM expenses");
  }),
  limited: publicProcedure.mutation(() => {
    throw new DomainError("RATE_LIMITED", "Slow down", { retryAfterSeconds: 7 });
  }),
  missing: publicProcedure.query(() => {
    throw notFound("Expense");
  }),
  streamy: publicProcedure.query(() => ({ later: Promise.resolve(1) })),
  nested: router({ deep: publicProcedure.query(() => ({ deep: true })) }),
});

const auth = makeAuthDeps();

interface Recorded {
  path: string | undefined;
  code: string;
  type: string;
  input: unknown;
}

function trpcOptions<TRouter extends AnyTRPCRouter>(r: TRouter, log: Recorded[]) {
  return {
    router: r,
    maxBatchSize: 50,
    createContext: async ({ req }) => {
      const { user, authError } = await userFromAuthorization(auth, req.headers.authorization);
      return { db: undefined as never, auth, user, authError };
    },
    responseMeta({ errors }) {
      const retry = errors
        .map((e) =>
          e.cause instanceof DomainError ? e.cause.details.retryAfterSeconds : undefined,
        )
        .find((s) => s !== undefined);
      return retry !== undefined ? { headers: { "Retry-After": String(retry) } } : {};
    },
    onError({ error, path, type, input }) {
      log.push({ path, code: error.code, type, input });
    },
  } satisfies FastifyTRPCPluginOptions<TRouter>["trpcOptions"];
}

async function mount(adapter: "stock" | "lean", log: Recorded[]) {
  const app = Fastify({ routerOptions: { maxParamLength: 5000 } });
  const opts = { prefix: "/api", trpcOptions: trpcOptions(wireRouter, log) };
  if (adapter === "stock") await app.register(fastifyTRPCPlugin, opts);
  else await app.register(leanTRPCPlugin, opts);
  await app.ready();
  return app;
}

const HEADERS = ["content-type", "vary", "allow", "retry-after"] as const;

async function answer(app: FastifyInstance, req: InjectOptions) {
  const res = await app.inject(req);
  let body: unknown = res.body;
  try {
    body = JSON.parse(res.body);
  } catch {
    // Kept as text: a body that is not JSON must match byte for byte.
  }
  const headers = Object.fromEntries(HEADERS.map((h) => [h, res.headers[h]]));
  return { status: res.statusCode, headers, body };
}

const enc = (v: unknown) => encodeURIComponent(JSON.stringify(v));

describe("lean tRPC adapter against the stock adapter", () => {
  const stockLog: Recorded[] = [];
  const leanLog: Recorded[] = [];
  let stock: FastifyInstance;
  let lean: FastifyInstance;
  let token: string;

  beforeAll(async () => {
    stock = await mount("stock", stockLog);
    lean = await mount("lean", leanLog);
    token = (await auth.tokens.signAccess("6b1f1f5e-8f0c-4c53-9a43-1d2a0c7f0e11")).token;
  });
  afterAll(async () => {
    await stock.close();
    await lean.close();
  });

  const json = { "content-type": "application/json" };
  const fifty = Array.from({ length: 50 }, () => "noInput").join(",");
  const fiftyOne = Array.from({ length: 51 }, () => "noInput").join(",");
  const cases: [string, () => InjectOptions][] = [
    ["query with input", () => ({ method: "GET", url: `/api/echo?input=${enc({ n: 3 })}` })],
    ["query without input", () => ({ method: "GET", url: "/api/noInput" })],
    ["nested path", () => ({ method: "GET", url: "/api/nested.deep" })],
    [
      "mutation",
      () => ({ method: "POST", url: "/api/add", headers: json, payload: { a: 2, b: 40 } }),
    ],
    [
      "mutation with charset",
      () => ({
        method: "POST",
        url: "/api/add",
        headers: { "content-type": "Application/JSON; charset=utf-8" },
        payload: JSON.stringify({ a: 1, b: 1 }),
      }),
    ],
    [
      "batch GET",
      () => ({
        method: "GET",
        url: `/api/echo,noInput,nested.deep?batch=1&input=${enc({ 0: { n: 1 } })}`,
      }),
    ],
    [
      "batch POST",
      () => ({
        method: "POST",
        url: "/api/add,add?batch=1",
        headers: json,
        payload: { 0: { a: 1, b: 2 }, 1: { a: 3, b: 4 } },
      }),
    ],
    [
      "mixed success and errors in a batch (207)",
      () => ({
        method: "GET",
        url: `/api/echo,missing,boom,nope?batch=1&input=${enc({ 0: { n: 1 } })}`,
      }),
    ],
    [
      "batch whose calls all fail alike",
      () => ({ method: "GET", url: "/api/missing,missing?batch=1" }),
    ],
    ["validation error", () => ({ method: "GET", url: `/api/echo?input=${enc({ n: "x" })}` })],
    ["missing input", () => ({ method: "GET", url: "/api/echo" })],
    ["unauthorized", () => ({ method: "GET", url: "/api/whoami" })],
    [
      "bad token",
      () => ({ method: "GET", url: "/api/whoami", headers: { authorization: "Bearer nope" } }),
    ],
    [
      "malformed authorization header",
      () => ({ method: "GET", url: "/api/whoami", headers: { authorization: "Token x" } }),
    ],
    [
      "signed in",
      () => ({ method: "GET", url: "/api/whoami", headers: { authorization: `Bearer ${token}` } }),
    ],
    ["unknown procedure", () => ({ method: "GET", url: "/api/nope.nothing" })],
    ["domain NOT_FOUND", () => ({ method: "GET", url: "/api/missing" })],
    ["internal error hides the cause", () => ({ method: "GET", url: "/api/boom" })],
    [
      "rate limited with Retry-After",
      () => ({ method: "POST", url: "/api/limited", headers: json, payload: "{}" }),
    ],
    ["query by POST", () => ({ method: "POST", url: "/api/noInput", headers: json, payload: "" })],
    ["mutation by GET", () => ({ method: "GET", url: "/api/add" })],
    [
      "mixed methods in a batch",
      () => ({ method: "GET", url: "/api/add,noInput?batch=1&input=%7B%7D" }),
    ],
    ["malformed input JSON", () => ({ method: "GET", url: "/api/echo?input=%7Bnope" })],
    ["malformed input, no input needed", () => ({ method: "GET", url: "/api/noInput?input=%7B" })],
    [
      "malformed body JSON",
      () => ({ method: "POST", url: "/api/add", headers: json, payload: "{nope" }),
    ],
    [
      "malformed batch input",
      () => ({ method: "GET", url: "/api/echo,echo?batch=1&input=%5B1%2C2%5D" }),
    ],
    [
      "batch input not an object",
      () => ({ method: "POST", url: "/api/add,add?batch=1", headers: json, payload: "[1]" }),
    ],
    ["50 calls in a batch", () => ({ method: "GET", url: `/api/${fifty}?batch=1` })],
    ["51 calls in a batch", () => ({ method: "GET", url: `/api/${fiftyOne}?batch=1` })],
    ["bad escape in path", () => ({ method: "GET", url: "/api/echo%25E0%25A4%25A" })],
    ["batch=0 with commas", () => ({ method: "GET", url: "/api/noInput,noInput" })],
    ["stream-like result", () => ({ method: "GET", url: "/api/streamy" })],
    [
      "stream-like result in a batch",
      () => ({ method: "GET", url: "/api/streamy,noInput?batch=1" }),
    ],
    ["POST without content type", () => ({ method: "POST", url: "/api/add", payload: "" })],
    [
      "POST with form data type",
      () => ({
        method: "POST",
        url: "/api/add",
        headers: { "content-type": "text/plain" },
        payload: "a=1",
      }),
    ],
    ["HEAD", () => ({ method: "HEAD", url: "/api/noInput" })],
    ["PUT", () => ({ method: "PUT", url: "/api/add", headers: json, payload: { a: 1, b: 1 } })],
    [
      "streaming accept header",
      () => ({
        method: "GET",
        url: "/api/noInput?batch=1",
        headers: { "trpc-accept": "application/jsonl" },
      }),
    ],
  ];

  it.each(cases)("%s: same status, body, headers and onError calls", async (_name, make) => {
    stockLog.length = 0;
    leanLog.length = 0;
    const expected = await answer(stock, make());
    const actual = await answer(lean, make());
    expect(actual).toEqual(expected);
    expect(leanLog).toEqual(stockLog);
  });

  it("answers the statuses the contract promises", async () => {
    const mixed = await answer(lean, {
      method: "GET",
      url: `/api/echo,missing?batch=1&input=${enc({ 0: { n: 1 } })}`,
    });
    expect(mixed.status).toBe(207);
    const tooBig = await answer(lean, { method: "GET", url: `/api/${fiftyOne}?batch=1` });
    expect(tooBig.status).toBe(400);
    const wrongMethod = await answer(lean, { method: "GET", url: "/api/add" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe("POST");
    const limited = await answer(lean, {
      method: "POST",
      url: "/api/limited",
      headers: json,
      payload: "{}",
    });
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("7");
    expect(JSON.stringify(limited.body)).not.toContain("stack");
    const boom = await answer(lean, { method: "GET", url: "/api/boom" });
    expect(JSON.stringify(boom.body)).not.toContain("SELECT");
  });
});

describe("lean tRPC adapter in the server", () => {
  const env = useTestEnv();

  async function apps() {
    const opts = { db: env.handle.db, auth: env.auth };
    const stock = await buildApp({ ...opts, adapter: "stock" });
    const lean = await buildApp(opts);
    return { stock, lean };
  }

  it("answers the auth procedures as the stock adapter does", async () => {
    const u = await env.signUp("wire@example.com");
    const { stock, lean } = await apps();
    const requests: InjectOptions[] = [
      {
        method: "GET",
        url: "/api/auth.me",
        headers: { authorization: `Bearer ${u.tokens.accessToken}` },
      },
      { method: "GET", url: "/api/auth.me" },
      {
        method: "POST",
        url: "/api/auth.register",
        headers: { "content-type": "application/json" },
        payload: { email: "not-an-email", password: "short" },
      },
      {
        method: "POST",
        url: "/api/auth.login,auth.refresh?batch=1",
        headers: { "content-type": "application/json" },
        payload: {},
      },
    ];
    for (const req of requests) {
      expect(await answer(lean, req)).toEqual(await answer(stock, req));
    }
    await stock.close();
    await lean.close();
  });

  it("locks an account after failed logins with 429 and Retry-After", async () => {
    await env.signUp("locked@example.com");
    const app = await buildApp({ db: env.handle.db, auth: env.auth });
    const login = () =>
      app.inject({
        method: "POST",
        url: "/api/auth.login",
        headers: { "content-type": "application/json" },
        payload: { email: "locked@example.com", password: "wrong password!" },
      });
    for (let i = 0; i < env.auth.loginThrottle.maxFailures; i++) {
      expect((await login()).statusCode).toBe(401);
    }
    const locked = await login();
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(0);
    expect(locked.json().error.data.code).toBe("TOO_MANY_REQUESTS");
    await app.close();
  });

  it("serves the typed client, batched and unbatched, and curl-style calls", async () => {
    const app = await buildApp({ db: env.handle.db, auth: env.auth });
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    try {
      const anon = createTRPCClient<AppRouter>({
        links: [httpBatchLink({ url: `${address}/api` })],
      });
      const registered = await anon.auth.register.mutate({
        email: "client@example.com",
        password: "correct horse battery staple",
      });
      const token = registered.tokens.accessToken;
      const batched = createTRPCClient<AppRouter>({
        links: [
          httpBatchLink({ url: `${address}/api`, headers: { authorization: `Bearer ${token}` } }),
        ],
      });
      const [a, b] = await Promise.all([batched.auth.me.query(), batched.auth.me.query()]);
      expect(a.email).toBe("client@example.com");
      expect(b.id).toBe(a.id);
      const single = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${address}/api` })] });
      const err = await single.auth.me.query().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TRPCClientError);
      expect((err as TRPCClientError<AppRouter>).data?.code).toBe("UNAUTHORIZED");

      const curl = await fetch(`${address}/api/auth.me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(curl.status).toBe(200);
      expect(((await curl.json()) as { result: { data: { id: string } } }).result.data.id).toBe(
        a.id,
      );
    } finally {
      await app.close();
    }
  });
});
