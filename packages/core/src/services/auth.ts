import { hash, verify } from "@node-rs/argon2";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { LoginThrottle } from "../auth/throttle";
import {
  hashRefreshToken,
  newRefreshToken,
  REFRESH_TOKEN_TTL_SECONDS,
  type TokenService,
} from "../auth/tokens";
import { concurrencyLimit } from "../concurrency";
import type { Db, DbOrTx } from "../db/client";
import { sessions, users } from "../db/schema";
import { conflict, DomainError } from "../errors";
import type {
  LoginInput,
  RefreshInput,
  RegisterInput,
  TokensOutput,
  UserOutput,
} from "../schemas/auth";

/** OWASP's minimum for argon2id: 19 MiB, two passes, one lane. */
export const ARGON2_OPTIONS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum upstream)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export interface AuthDeps {
  tokens: TokenService;
  loginThrottle: LoginThrottle;
}

const WRONG_CREDENTIALS = "Wrong email or password";

type UserRow = typeof users.$inferSelect;

export function toUserOutput(u: UserRow): UserOutput {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    defaultCurrency: u.defaultCurrency,
    createdAt: u.createdAt.toISOString(),
  };
}

/**
 * Hashes and verifications that may run at once. Each holds 19 MiB for its whole run and
 * libuv would otherwise run four side by side, which took a login burst to 211 MB
 * resident against a 200 MB goal. At two (measured on two cores: 154 MB) logins at full
 * load answer about a fifth fewer calls a second: memory is the scarcer resource on a
 * small self-hosted server, and two hashes already keep two cores busy. The rest wait
 * their turn in arrival order.
 */
export const MAX_CONCURRENT_ARGON2 = 2;

const withArgon2Slot = concurrencyLimit(MAX_CONCURRENT_ARGON2);

export function hashPassword(password: string): Promise<string> {
  return withArgon2Slot(() => hash(password, ARGON2_OPTIONS));
}

/** Every check, of a real hash or of the unknown-email one, waits for the same slots. */
function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return withArgon2Slot(() => verify(passwordHash, password));
}

// Verified against when the email is unknown, so that both failures take the same time.
let dummyHash: Promise<string> | undefined;
function getDummyHash(): Promise<string> {
  dummyHash ??= hashPassword("ledgerflow-timing-equaliser");
  return dummyHash;
}

/**
 * Makes the unknown-email hash before the first login arrives, so that even the first
 * failed login of a process takes no longer than a wrong password.
 */
export async function prepareAuth(): Promise<void> {
  await getDummyHash();
}

async function findUserByEmail(db: DbOrTx, email: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email})`)
    .limit(1);
  return row;
}

export async function getUser(db: Db, userId: string): Promise<UserOutput> {
  const [row] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!row) throw new DomainError("UNAUTHORIZED", "This account no longer exists");
  return toUserOutput(row);
}

export async function registerUser(
  db: Db,
  deps: AuthDeps,
  input: RegisterInput,
): Promise<{ user: UserOutput; tokens: TokensOutput }> {
  const passwordHash = await hashPassword(input.password);
  const inserted = await db
    .insert(users)
    .values({
      email: input.email,
      name: input.name ?? null,
      defaultCurrency: input.defaultCurrency ?? "USD",
      passwordHash,
    })
    .onConflictDoNothing()
    .returning();
  const user = inserted[0];
  if (!user) throw conflict("This email is already registered", "email");
  const tokens = await startSession(db, deps, user.id);
  return { user: toUserOutput(user), tokens };
}

export async function loginUser(
  db: Db,
  deps: AuthDeps,
  input: LoginInput,
): Promise<{ user: UserOutput; tokens: TokensOutput }> {
  const account = input.email.toLowerCase();
  deps.loginThrottle.check(account);
  // Counted before the slow verification, with no await in between: a burst of parallel
  // tries would otherwise all pass the check before the first failure is recorded.
  deps.loginThrottle.fail(account);
  const user = await findUserByEmail(db, input.email);
  // An unknown email still costs one argon2 verification, so timing tells nothing.
  const hashToCheck = user?.passwordHash ?? (await getDummyHash());
  const matches = await verifyPassword(hashToCheck, input.password);
  const ok = user !== undefined && matches;
  if (!user || !ok) {
    throw new DomainError("UNAUTHORIZED", WRONG_CREDENTIALS);
  }
  deps.loginThrottle.succeed(account);
  const tokens = await startSession(db, deps, user.id);
  return { user: toUserOutput(user), tokens };
}

async function issuePair(
  db: DbOrTx,
  deps: AuthDeps,
  userId: string,
  familyId: string,
): Promise<TokensOutput> {
  const refreshToken = newRefreshToken();
  const refreshExpires = new Date(Date.now() + REFRESH_TOKEN_TTL_SECONDS * 1000);
  await db.insert(sessions).values({
    userId,
    familyId,
    tokenHash: hashRefreshToken(refreshToken),
    expiresAt: refreshExpires,
  });
  const access = await deps.tokens.signAccess(userId);
  return {
    accessToken: access.token,
    refreshToken,
    accessTokenExpiresAt: access.expiresAt.toISOString(),
    refreshTokenExpiresAt: refreshExpires.toISOString(),
  };
}

function startSession(db: Db, deps: AuthDeps, userId: string): Promise<TokensOutput> {
  return issuePair(db, deps, userId, crypto.randomUUID());
}

/**
 * Rotates a refresh token. The conditional UPDATE is the lock: of two concurrent
 * refreshes of one token, exactly one sees it unused. A token presented after it was
 * spent is reuse (a thief or a replay): its whole family is revoked.
 */
export async function refreshSession(
  db: Db,
  deps: AuthDeps,
  input: RefreshInput,
): Promise<{ tokens: TokensOutput }> {
  const tokenHash = hashRefreshToken(input.refreshToken);
  const outcome = await db.transaction(async (tx) => {
    const [spent] = await tx
      .update(sessions)
      .set({ usedAt: sql`now()` })
      .where(
        and(
          eq(sessions.tokenHash, tokenHash),
          isNull(sessions.usedAt),
          isNull(sessions.revokedAt),
          sql`${sessions.expiresAt} > now()`,
        ),
      )
      .returning({ userId: sessions.userId, familyId: sessions.familyId });
    if (!spent) return null;
    return { tokens: await issuePair(tx, deps, spent.userId, spent.familyId) };
  });
  if (outcome) return outcome;

  const [known] = await db
    .select({ familyId: sessions.familyId, usedAt: sessions.usedAt })
    .from(sessions)
    .where(eq(sessions.tokenHash, tokenHash))
    .limit(1);
  if (known?.usedAt) {
    await revokeFamily(db, known.familyId);
    throw new DomainError(
      "UNAUTHORIZED",
      "Refresh token already used: every session from this login is now signed out",
    );
  }
  throw new DomainError("UNAUTHORIZED", "Invalid or expired refresh token: log in again");
}

async function revokeFamily(db: DbOrTx, familyId: string): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(sessions.familyId, familyId), isNull(sessions.revokedAt)));
}

/** Revokes the token's family. Answers the same for unknown tokens: nothing to probe. */
export async function logoutSession(db: Db, input: RefreshInput): Promise<{ ok: true }> {
  const [known] = await db
    .select({ familyId: sessions.familyId })
    .from(sessions)
    .where(eq(sessions.tokenHash, hashRefreshToken(input.refreshToken)))
    .limit(1);
  if (known) await revokeFamily(db, known.familyId);
  return { ok: true };
}
