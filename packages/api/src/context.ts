import type { AuthDeps, Db } from "@ledgerflow/core";
import { DomainError } from "@ledgerflow/core";
import type { CreateFastifyContextOptions } from "@trpc/server/adapters/fastify";

export interface AuthUser {
  id: string;
}

export interface Context {
  db: Db;
  auth: AuthDeps;
  user: AuthUser | null;
  /** Why there is no user although a token was sent (expired, tampered...). */
  authError: string | null;
}

export interface ContextDeps {
  db: Db;
  auth: AuthDeps;
}

/** For tests and internal callers: a context without HTTP. */
export function createContextInner(
  deps: ContextDeps & { user?: AuthUser | null; authError?: string | null },
): Context {
  return {
    db: deps.db,
    auth: deps.auth,
    user: deps.user ?? null,
    authError: deps.authError ?? null,
  };
}

/** Reads the bearer token from an Authorization header value. */
export async function userFromAuthorization(
  auth: AuthDeps,
  header: string | undefined,
): Promise<{ user: AuthUser | null; authError: string | null }> {
  if (!header) return { user: null, authError: null };
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1])
    return { user: null, authError: "Authorization header must be 'Bearer <token>'" };
  try {
    const claims = await auth.tokens.verifyAccess(match[1]);
    return { user: { id: claims.userId }, authError: null };
  } catch (err) {
    if (err instanceof DomainError) return { user: null, authError: err.message };
    throw err;
  }
}

export function createContextFactory(deps: ContextDeps) {
  return async ({ req }: CreateFastifyContextOptions): Promise<Context> => {
    const { user, authError } = await userFromAuthorization(deps.auth, req.headers.authorization);
    return { db: deps.db, auth: deps.auth, user, authError };
  };
}
