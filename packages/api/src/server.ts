import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import { type AuthDeps, type Db, DomainError, migrationStatus } from "@ledgerflow/core";
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { leanTRPCPlugin } from "./adapter";
import { createContextFactory } from "./context";
import { registerExportRoutes } from "./export";
import { type AppRouter, appRouter } from "./root";

export const MAX_BATCH_SIZE = 50;
export const BODY_LIMIT_BYTES = 4 * 1024 * 1024;
/** Procedures limited per client address (a batch may hold at most one of them). */
export const RATE_LIMITED_PROCEDURES = new Set(["auth.register", "auth.login", "auth.refresh"]);

export interface BuildAppOptions {
  db: Db;
  auth: AuthDeps;
  logger?: FastifyServerOptions["logger"];
  /** Calls a minute per client address to each of register, login and refresh. */
  authRateLimitPerMinute?: number;
  /**
   * `lean` (default) serves the tRPC wire protocol directly; `stock` is tRPC's own Fastify
   * adapter, kept as the reference the lean one is tested against.
   */
  adapter?: "lean" | "stock";
}

/** The procedure names a tRPC URL calls: `/api/a.b,c.d?batch=1` gives `a.b` and `c.d`. */
function procedurePaths(url: string): string[] {
  const raw = url.split("?")[0] ?? "";
  // Decoded before the prefix test: the router decodes `/%61pi/auth.login` to the same
  // route, and it must not slip past the limits. Undecodable paths the router refuses.
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    path = raw;
  }
  if (!path.startsWith("/api/")) return [];
  return path.slice("/api/".length).split(",");
}

function trpcErrorBody(message: string, code: string, httpStatus: number, jsonRpcCode: number) {
  return { error: { message, code: jsonRpcCode, data: { code, httpStatus, fieldErrors: null } } };
}

/**
 * @fastify/rate-limit throws what its errorResponseBuilder returns, so the refusal reaches
 * the error handler; this carries the finished tRPC-shaped body through it unchanged.
 */
class ReadyResponse extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: ReturnType<typeof trpcErrorBody>,
  ) {
    super(body.error.message);
  }
}

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Batched GET paths list every procedure name: room for a full batch of 50.
    routerOptions: { maxParamLength: 5000 },
  });

  await app.register(helmet, { contentSecurityPolicy: false, crossOriginResourcePolicy: false });

  await app.register(rateLimit, {
    global: true,
    max: opts.authRateLimitPerMinute ?? 120,
    timeWindow: 60_000,
    // Only the auth entry points are limited; everything else needs a token anyway.
    allowList: (req) => !procedurePaths(req.url).some((p) => RATE_LIMITED_PROCEDURES.has(p)),
    keyGenerator: (req) => {
      const limited = procedurePaths(req.url).filter((p) => RATE_LIMITED_PROCEDURES.has(p));
      return `${req.ip}|${limited.join(",")}`;
    },
    errorResponseBuilder: (_req, ctx) => {
      const seconds = Math.max(1, Math.ceil(ctx.ttl / 1000));
      const body = trpcErrorBody(
        `Too many requests from this address; try again in ${seconds} s`,
        "TOO_MANY_REQUESTS",
        429,
        -32029,
      );
      return new ReadyResponse(429, body);
    },
  });

  // One rate-limited auth call per request, so a batch cannot multiply the allowance.
  app.addHook("onRequest", async (req, reply) => {
    const limited = procedurePaths(req.url).filter((p) => RATE_LIMITED_PROCEDURES.has(p));
    if (limited.length > 1) {
      return reply
        .code(400)
        .send(
          trpcErrorBody(
            "auth.register, auth.login and auth.refresh cannot be batched with each other",
            "BAD_REQUEST",
            400,
            -32600,
          ),
        );
    }
  });

  app.setErrorHandler((err: { statusCode?: number; message: string }, req, reply) => {
    if (err instanceof ReadyResponse) return reply.code(err.statusCode).send(err.body);
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) req.log.error(err);
    const message = status >= 500 ? "Internal server error" : err.message;
    return reply.code(status).send({ error: { message, statusCode: status } });
  });

  app.get("/healthz", async () => ({ ok: true }));
  app.get("/readyz", async (_req, reply) => {
    try {
      const { expected, applied } = await migrationStatus(opts.db);
      if (applied < expected) {
        return reply.code(503).send({ ok: false, reason: "migrations pending", expected, applied });
      }
      return { ok: true, migrations: applied };
    } catch {
      return reply.code(503).send({ ok: false, reason: "database unreachable" });
    }
  });
  registerExportRoutes(app, { db: opts.db, auth: opts.auth });

  await app.register(opts.adapter === "stock" ? fastifyTRPCPlugin : leanTRPCPlugin, {
    prefix: "/api",
    trpcOptions: {
      router: appRouter,
      createContext: createContextFactory({ db: opts.db, auth: opts.auth }),
      maxBatchSize: MAX_BATCH_SIZE,
      responseMeta({ errors }) {
        const retry = errors
          .map((e) =>
            e.cause instanceof DomainError ? e.cause.details.retryAfterSeconds : undefined,
          )
          .find((s) => s !== undefined);
        return retry !== undefined ? { headers: { "Retry-After": String(retry) } } : {};
      },
      onError({ error, path }) {
        if (error.code === "INTERNAL_SERVER_ERROR")
          app.log.error({ err: error, path }, "procedure failed");
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>["trpcOptions"],
  });

  return app;
}
