import { type SQL, sql } from "drizzle-orm";
import { type DbOrTx, rowsOf } from "../db/client";
import { invalid } from "../errors";
import { formatMoney } from "../money";
import type { ExportInput } from "../schemas/analytics";

/**
 * The ledger as CSV (RFC 4180), produced page by page: each page is one keyset query of
 * `pageSize` rows, so memory stays flat however long the history is, and each page
 * holds no lock or transaction open while the client reads slowly.
 */

export const EXPORT_COLUMNS = [
  "id",
  "spent_on",
  "amount",
  "currency",
  "base_code",
  "category_code",
  "note",
  "created_at",
] as const;

export const EXPORT_PAGE_SIZE = 2000;

// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection);
// a leading apostrophe makes it text, the OWASP advice.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: formula starts neutralised, quoted when it holds a quote, comma or newline. */
export function csvField(value: string | null): string {
  if (value === null) return "";
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvLine(fields: ReadonlyArray<string | null>): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

interface ExportRow {
  id: string;
  spent_on: string;
  amount_minor: string;
  currency: string;
  base_code: string;
  category_code: string | null;
  note: string | null;
  created_at: string;
  /** created_at at full precision, for the keyset. */
  created_key: string;
}

/**
 * Yields the CSV text of the user's expenses from `from` to `to` (inclusive, both
 * optional), oldest first: the header, then one chunk per page.
 */
export async function* exportExpensesCsv(
  db: DbOrTx,
  actorId: string,
  input: ExportInput,
  pageSize: number = EXPORT_PAGE_SIZE,
): AsyncGenerator<string, void, undefined> {
  if (input.from !== undefined && input.to !== undefined && input.from > input.to) {
    throw invalid("from", `must not be after to (${input.from} > ${input.to})`);
  }
  const range: SQL[] = [];
  if (input.from !== undefined) range.push(sql`AND e.spent_on >= ${input.from}::date`);
  if (input.to !== undefined) range.push(sql`AND e.spent_on <= ${input.to}::date`);

  yield csvLine(EXPORT_COLUMNS);
  let after: ExportRow | undefined;
  for (;;) {
    const keyset = after
      ? sql`AND (e.spent_on, e.created_at, e.id) >
              (${after.spent_on}::date, ${after.created_key}::timestamptz, ${after.id}::uuid)`
      : sql``;
    const rows = rowsOf<ExportRow>(
      await db.execute(sql`
        SELECT e.id::text AS id, e.spent_on::text AS spent_on,
               e.amount_minor::text AS amount_minor, e.currency::text AS currency,
               e.base_code, uc.code AS category_code, e.note,
               to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
                 AS created_at,
               e.created_at::text AS created_key
        FROM expenses e
        LEFT JOIN user_categories uc ON uc.id = e.category_id AND uc.user_id = e.user_id
        WHERE e.user_id = ${actorId} ${sql.join(range, sql` `)} ${keyset}
        -- NULLS FIRST: the ascending twin of expenses_user_spent_idx (DESC NULLS LAST), so
        -- each page is a short backward index scan rather than a sort of the whole ledger.
        ORDER BY e.spent_on NULLS FIRST, e.created_at NULLS FIRST, e.id NULLS FIRST
        LIMIT ${pageSize}
      `),
    );
    if (rows.length === 0) return;
    let chunk = "";
    for (const r of rows) {
      chunk += csvLine([
        r.id,
        r.spent_on,
        formatMoney(BigInt(r.amount_minor), r.currency),
        r.currency,
        r.base_code,
        r.category_code,
        r.note,
        r.created_at,
      ]);
    }
    yield chunk;
    if (rows.length < pageSize) return;
    after = rows.at(-1);
  }
}
