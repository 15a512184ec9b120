import { type Db, type DbHandle, schema } from "@ledgerflow/core";
import { TRPCError } from "@trpc/server";
import { expect } from "vitest";

/**
 * An independent model of the reports, computed in plain TypeScript from the rows a test
 * wrote, to check the service's SQL against.
 */

export interface LedgerRow {
  id?: string;
  userId: string;
  amountMinor: bigint;
  currency: string;
  spentOn: string;
  baseCode: string;
  categoryId?: string | null;
  note?: string | null;
}

/** Writes expenses straight into the table, as any writer would. */
export async function insertExpenses(db: Db, rows: LedgerRow[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const out = await db
      .insert(schema.expenses)
      .values(
        chunk.map((r) => ({
          ...(r.id ? { id: r.id } : {}),
          userId: r.userId,
          amountMinor: r.amountMinor,
          currency: r.currency,
          spentOn: r.spentOn,
          baseCode: r.baseCode,
          categoryId: r.categoryId ?? null,
          note: r.note ?? null,
        })),
      )
      .returning({ id: schema.expenses.id });
    ids.push(...out.map((o) => o.id));
  }
  return ids;
}

export const DECIMALS: Record<string, number> = { USD: 2, EUR: 2, JPY: 0, KWD: 3 };

/** "12.50" in USD → 1250n; refuses anything not normalised to the currency's decimals. */
export function minorOf(amount: string, currency: string): bigint {
  const decimals = DECIMALS[currency] ?? 2;
  const re = decimals === 0 ? /^\d+$/ : new RegExp(`^\\d+\\.\\d{${decimals}}$`);
  if (!re.test(amount)) throw new Error(`${amount} is not a normalised ${currency} amount`);
  return BigInt(amount.replace(".", ""));
}

export function roundHalfUp(num: bigint, den: bigint): bigint {
  // Only non-negative values here, where half away from zero is half up.
  return (2n * num + den) / (2n * den);
}

/**
 * Whether `r` is sqrt(d / q) rounded half away from zero, decided exactly in integers:
 * (2r − 1)² q ≤ 4d < (2r + 1)² q, and a tie 4d = (2r − 1)² q rounds up to r.
 */
export function isRoundedSqrt(r: bigint, d: bigint, q: bigint): boolean {
  const lo = 2n * r - 1n;
  const hi = 2n * r + 1n;
  const lower = r === 0n ? true : lo * lo * q <= 4n * d;
  return lower && 4n * d < hi * hi * q;
}

export interface Stats {
  count: number;
  total: bigint;
  s2: bigint;
}

export function statsOf(amounts: bigint[]): Stats {
  let total = 0n;
  let s2 = 0n;
  for (const a of amounts) {
    total += a;
    s2 += a * a;
  }
  return { count: amounts.length, total, s2 };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** The ISO week label of a date, by the textbook rule (Thursday decides the year). */
export function isoWeekOf(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const year = d.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const week = Math.ceil(((d.getTime() - jan1) / 86_400_000 + 1) / 7);
  return `${year}-W${pad(week)}`;
}

export function periodLabelOf(date: string, granularity: "day" | "week" | "month"): string {
  if (granularity === "day") return date;
  if (granularity === "month") return date.slice(0, 7);
  return isoWeekOf(date);
}

export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Expects the call to fail with `code`, naming `path` among the field errors when given. */
export async function expectFailure(
  call: Promise<unknown>,
  code: string,
  path?: string,
): Promise<void> {
  const err = await call.then(
    () => {
      throw new Error(`the call succeeded but was expected to fail with ${code}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  const e = err as TRPCError;
  expect(e.code, e.message).toBe(code);
  if (path === undefined) return;
  const cause = e.cause as
    | { issues?: { path: PropertyKey[] }[]; details?: { issues?: { path: string }[] } }
    | undefined;
  const paths =
    cause?.details?.issues?.map((i) => i.path) ??
    cause?.issues?.map((i) => i.path.map(String).join(".")) ??
    [];
  expect(paths, e.message).toContain(path);
}

/** Plain SQL through whichever driver the test database uses, as any other writer would. */
export async function rawSql(handle: DbHandle, text: string, params: unknown[] = []) {
  if (handle.pglite) return handle.pglite.query(text, params);
  if (handle.sql) return handle.sql.unsafe(text, params as never[]);
  throw new Error("no raw driver on this handle");
}
