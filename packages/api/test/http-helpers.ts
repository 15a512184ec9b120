import type { DbHandle } from "@ledgerflow/core";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterEach } from "vitest";
import { type BuildAppOptions, buildApp } from "../src/server";
import type { TestEnv } from "./helpers";

/** The body tRPC answers a failed single call with, when there is no transformer. */
export interface TrpcErrorBody {
  error: {
    message: string;
    code: number;
    data: {
      code: string;
      httpStatus: number;
      path?: string;
      stack?: string;
      fieldErrors: { path: string; message: string }[] | null;
      retryAfterSeconds?: number;
    };
  };
}

/**
 * Builds apps on the test env's database and auth; every app made in a test is closed
 * after it, so no test leaks a server into the next.
 */
export function useApps(env: TestEnv) {
  const open: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((a) => a.close()));
  });
  return async (opts: Partial<BuildAppOptions> = {}): Promise<FastifyInstance> => {
    const app = await buildApp({ db: env.handle.db, auth: env.auth, ...opts });
    open.push(app);
    return app;
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export function post(
  app: FastifyInstance,
  procedure: string,
  input: unknown,
  extra: { headers?: Record<string, string>; remoteAddress?: string } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: "POST",
    url: `/api/${procedure}`,
    payload: JSON.stringify(input),
    headers: { "content-type": "application/json", ...extra.headers },
    ...(extra.remoteAddress ? { remoteAddress: extra.remoteAddress } : {}),
  });
}

export function get(
  app: FastifyInstance,
  procedure: string,
  input?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return app.inject({ method: "GET", url: `/api/${procedure}${query}`, headers });
}

export function errorOf(res: LightMyRequestResponse): TrpcErrorBody["error"] {
  return (res.json() as TrpcErrorBody).error;
}

/** Raw SQL on either driver, for tests that look at what is stored. */
export async function rawQuery<T>(
  handle: DbHandle,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (handle.pglite) return (await handle.pglite.query<T>(text, params)).rows;
  if (handle.sql) return (await handle.sql.unsafe(text, params as never[])) as unknown as T[];
  throw new Error("test database has no raw client");
}
