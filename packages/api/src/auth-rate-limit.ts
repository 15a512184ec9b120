import type { FastifyReply, FastifyRequest } from "fastify";

/** Procedures limited per client address (a batch may hold at most one of them). */
export const RATE_LIMITED_PROCEDURES: ReadonlySet<string> = new Set([
  "auth.register",
  "auth.login",
  "auth.refresh",
]);

/**
 * Addresses remembered at once. Past it the oldest windows go first; they are the first to
 * expire anyway, and a flood of spoofed sources cannot grow the process without bound.
 */
const MAX_TRACKED_KEYS = 10_000;

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Fixed one-minute windows per key, counted in this process: the same counting
 * @fastify/rate-limit's local store did (the window starts at a key's first call).
 */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one call; `limited` once the key has spent its allowance in this window. */
  hit(key: string): { limited: boolean; remaining: number; resetMs: number } {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (window) this.windows.delete(key);
      else if (this.windows.size >= MAX_TRACKED_KEYS) this.evict(now);
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return {
      limited: window.count > this.max,
      remaining: Math.max(0, this.max - window.count),
      resetMs: window.resetAt - now,
    };
  }

  private evict(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.resetAt <= now) this.windows.delete(key);
    }
    // Map order is window start order, so the first key is the oldest window.
    const oldest = this.windows.keys().next();
    if (this.windows.size >= MAX_TRACKED_KEYS && !oldest.done) this.windows.delete(oldest.value);
  }
}

export function trpcErrorBody(
  message: string,
  code: string,
  httpStatus: number,
  jsonRpcCode: number,
) {
  return { error: { message, code: jsonRpcCode, data: { code, httpStatus, fieldErrors: null } } };
}

/**
 * The per-address limit on register, login and refresh, called by the tRPC route with the
 * path Fastify matched (`auth.login` or `a.b,c.d`). Only the tRPC route can reach those
 * procedures, so no other request pays for the check, and a call without `auth.` in its
 * path costs one substring search. Returns true when it has answered the request.
 */
export function authRateLimitGuard(perMinute: number) {
  const limiter = new FixedWindowLimiter(perMinute, 60_000);
  return (req: FastifyRequest, reply: FastifyReply, rawPath: string): boolean => {
    // Decoded once more exactly as the tRPC handler decodes it, so that `auth%252Elogin`
    // is counted as the auth.login it will run as. A bad escape the handler refuses.
    let path = rawPath;
    if (path.includes("%")) {
      try {
        path = decodeURIComponent(path);
      } catch {
        return false;
      }
    }
    if (!path.includes("auth.")) return false;
    const limited = path.split(",").filter((p) => RATE_LIMITED_PROCEDURES.has(p));
    if (limited.length === 0) return false;
    // One limited call per request, so a batch cannot multiply the allowance.
    if (limited.length > 1) {
      reply
        .code(400)
        .send(
          trpcErrorBody(
            "auth.register, auth.login and auth.refresh cannot be batched with each other",
            "BAD_REQUEST",
            400,
            -32600,
          ),
        );
      return true;
    }
    // The socket's address: X-Forwarded-For is written by the client and proves nothing.
    const { limited: refused, remaining, resetMs } = limiter.hit(`${req.ip}|${limited[0]}`);
    const resetSeconds = Math.max(1, Math.ceil(resetMs / 1000));
    reply.headers({
      "x-ratelimit-limit": String(limiter.max),
      "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-reset": String(resetSeconds),
    });
    if (!refused) return false;
    reply
      .code(429)
      .header("retry-after", String(resetSeconds))
      .send(
        trpcErrorBody(
          `Too many requests from this address; try again in ${resetSeconds} s`,
          "TOO_MANY_REQUESTS",
          429,
          -32029,
        ),
      );
    return true;
  };
}
