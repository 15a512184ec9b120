/**
 * PostgreSQL error fields as both drivers report them. Drizzle wraps driver errors
 * (DrizzleQueryError) and keeps the original in `cause`.
 */
interface PgErrorLike {
  code?: unknown;
  constraint?: unknown;
  constraint_name?: unknown;
  cause?: unknown;
}

function pgError(err: unknown): PgErrorLike | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === "object"; depth++) {
    const candidate = e as PgErrorLike;
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      return candidate;
    }
    e = candidate.cause;
  }
  return undefined;
}

/** A unique violation (23505), optionally on one named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const pg = pgError(err);
  if (pg?.code !== "23505") return false;
  if (!constraint) return true;
  return pg.constraint === constraint || pg.constraint_name === constraint;
}

/** A foreign-key violation (23503): the row referred to went away meanwhile. */
export function isForeignKeyViolation(err: unknown): boolean {
  return pgError(err)?.code === "23503";
}
