import { type AuthDeps, createTokenService, type DbHandle, LoginThrottle } from "@ledgerflow/core";
import { getTestDb, resetDb } from "@ledgerflow/core/testing";
import { beforeEach } from "vitest";
import { createContextInner } from "../src/context";
import { appRouter } from "../src/root";
import { createCallerFactory } from "../src/trpc";

export const TEST_JWT_SECRET = "test-secret-that-is-at-least-32-bytes-long!";

export function makeAuthDeps(): AuthDeps {
  return { tokens: createTokenService(TEST_JWT_SECRET), loginThrottle: new LoginThrottle() };
}

const createCaller = createCallerFactory(appRouter);

export interface TestEnv {
  handle: DbHandle;
  auth: AuthDeps;
  /** A caller with no user (anonymous). */
  anon: ReturnType<typeof createCaller>;
  /** A caller acting as the given user id. */
  as(userId: string): ReturnType<typeof createCaller>;
  /** Registers a user through the router and returns its caller and tokens. */
  signUp(
    email?: string,
    extra?: { defaultCurrency?: string; name?: string },
  ): Promise<{
    id: string;
    email: string;
    caller: ReturnType<typeof createCaller>;
    tokens: { accessToken: string; refreshToken: string };
  }>;
}

let counter = 0;

/**
 * Call at the top of a test file: every test starts from an empty ledger on the worker's
 * shared database (PGlite, or PostgreSQL when DATABASE_URL is set).
 */
export function useTestEnv(): TestEnv {
  const env = {} as TestEnv;
  beforeEach(async () => {
    const handle = await getTestDb();
    await resetDb(handle);
    const auth = makeAuthDeps();
    const as = (userId: string) =>
      createCaller(createContextInner({ db: handle.db, auth, user: { id: userId } }));
    Object.assign(env, {
      handle,
      auth,
      anon: createCaller(createContextInner({ db: handle.db, auth })),
      as,
      async signUp(email?: string, extra: { defaultCurrency?: string; name?: string } = {}) {
        counter += 1;
        const anon = createCaller(createContextInner({ db: handle.db, auth }));
        const res = await anon.auth.register({
          email: email ?? `user${counter}-${Date.now()}@example.com`,
          password: "correct horse battery staple",
          ...extra,
        });
        return {
          id: res.user.id,
          email: res.user.email,
          caller: as(res.user.id),
          tokens: res.tokens,
        };
      },
    });
  });
  return env;
}
