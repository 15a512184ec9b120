import { type AuthDeps, type Db, DomainError, migrationStatus } from "@ledgerflow/core";
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { leanTRPCPlugin } from "./adapter";
import { authRateLimitGuard, RATE_LIMITED_PROCEDURES } from "./auth-rate-limit";
import { createContextFactory } from "./context";
import { registerExportRoutes } from "./export";
import { type AppRouter, appRouter } from "./root";

export const MAX_BATCH_SIZE = 50;
export const BODY_LIMIT_BYTES = 4 * 1024 * 1024;
export { RATE_LIMITED_PROCEDURES };

/**
 * The headers @fastify/helmet 13 sent with its Content-Security-Policy and
 * Cross-Origin-Resource-Policy off (answers are JSON and CSV, nothing a browser renders or
 * embeds), written out once: helmet rebuilt them through a chain of middleware functions
 * on every request, about 5% of the CPU of a simple call.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
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
});

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

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Batched GET paths list every procedure name: room for a full batch of 50.
    routerOptions: { maxParamLength: 5000 },
  });

  // Set in a hook that takes no promise, before routing, so every answer carries them: 404s,
  // refusals of the body parser and the error handler's answers included.
  app.addHook("onRequest", (_req, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    done();
  });

  const authLimit = authRateLimitGuard(opts.authRateLimitPerMinute ?? 120);

  app.setErrorHandler((err: { statusCode?: number; message: string }, req, reply) => {
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

  const trpcOptions = {
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
  } satisfies FastifyTRPCPluginOptions<AppRouter>["trpcOptions"];

  if (opts.adapter === "stock") {
    // The reference adapter owns its route, so the limit is a hook of its scope alone.
    await app.register(async (scope) => {
      scope.addHook("onRequest", (req, reply, done) => {
        const path = (req.params as { path?: string }).path;
        if (path === undefined || !authLimit(req, reply, path)) done();
      });
      await scope.register(fastifyTRPCPlugin, { prefix: "/api", trpcOptions });
    });
  } else {
    await app.register(leanTRPCPlugin, { prefix: "/api", trpcOptions, guard: authLimit });
  }

  return app;
}
