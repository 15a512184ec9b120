import { type SQL, sql } from "drizzle-orm";
import { type DbOrTx, rowsOf } from "../db/client";
import { addMonths, dateOf, dayNumber } from "./analytics-periods";

/**
 * Reading the rollup tables that the `expense_rollups` triggers keep: any date range
 * splits into whole months, read from the month table, and at most two partial edge
 * months, read from the day table. A report therefore reads at most
 * (months + 62 days) × categories rows, however many expenses lie behind them.
 */

/** The category key of an expense filed under its base alone. */
export const NO_CATEGORY_KEY = "00000000-0000-0000-0000-000000000000";

export interface RangeSplit {
  /** Whole months, `[from, until)` by their first days; a null bound is open. */
  months: { from: string | null; until: string | null } | null;
  /** Inclusive day ranges at the edges. */
  days: Array<{ from: string; to: string }>;
}

function isLastOfMonth(date: string): boolean {
  return dateOf(dayNumber(date) + 1).endsWith("-01");
}

/** Splits `from`..`to` (inclusive; null is open) into whole months and edge days. */
export function splitRange(from: string | null, to: string | null): RangeSplit {
  const monthsFrom = from === null ? null : from.endsWith("-01") ? from : addMonths(from, 1);
  const monthsUntil =
    to === null ? null : isLastOfMonth(to) ? addMonths(to, 1) : `${to.slice(0, 7)}-01`;
  if (from !== null && to !== null && monthsFrom !== null && monthsUntil !== null) {
    if (monthsFrom >= monthsUntil) return { months: null, days: [{ from, to }] };
  }
  const days: RangeSplit["days"] = [];
  if (from !== null && monthsFrom !== null && from < monthsFrom) {
    days.push({ from, to: dateOf(dayNumber(monthsFrom) - 1) });
  }
  if (to !== null && monthsUntil !== null && monthsUntil <= to) {
    days.push({ from: monthsUntil, to });
  }
  return { months: { from: monthsFrom, until: monthsUntil }, days };
}

/**
 * The rollup rows of one user and currency covering a range: columns `base_code`,
 * `category_key`, `cnt`, `sum_minor`, `sum_sq`, `max_minor`, `d` (the row's day, or its
 * month's first day) and `is_month`. `currency` is an SQL expression, `filter` extra
 * conditions on `base_code`/`category_key`.
 */
export function rollupRows(
  userId: string,
  currency: SQL,
  split: RangeSplit,
  filter: SQL = sql``,
): SQL {
  const parts: SQL[] = [];
  const cols = sql`base_code, category_key, cnt, sum_minor, sum_sq, max_minor`;
  if (split.months) {
    const bounds: SQL[] = [];
    if (split.months.from !== null) bounds.push(sql`AND month >= ${split.months.from}::date`);
    if (split.months.until !== null) bounds.push(sql`AND month < ${split.months.until}::date`);
    parts.push(sql`
      SELECT ${cols}, month AS d, true AS is_month FROM expense_rollup_months
      WHERE user_id = ${userId} AND currency = ${currency} ${sql.join(bounds, sql` `)} ${filter}`);
  }
  for (const days of split.days) {
    parts.push(sql`
      SELECT ${cols}, day AS d, false AS is_month FROM expense_rollup_days
      WHERE user_id = ${userId} AND currency = ${currency}
        AND day >= ${days.from}::date AND day <= ${days.to}::date ${filter}`);
  }
  return sql.join(parts, sql` UNION ALL `);
}

/**
 * How many rollup rows differ from a full recomputation over `expenses` (a row missing
 * on either side counts): zero while the triggers keep them exact. For health checks and
 * tests; it reads every expense, so it is not for a request path.
 */
export async function rollupDrift(
  db: DbOrTx,
): Promise<{ days: number; months: number; totals: number }> {
  const [row] = rowsOf<{ days: number | string; months: number | string; totals: number | string }>(
    await db.execute(sql`
      WITH truth AS (
        SELECT user_id, currency, spent_on AS day, base_code,
               coalesce(category_id, ${NO_CATEGORY_KEY}::uuid) AS category_key,
               count(*) AS cnt, sum(amount_minor)::numeric AS s1,
               sum(amount_minor::numeric * amount_minor) AS s2, max(amount_minor) AS mx
        FROM expenses GROUP BY 1, 2, 3, 4, 5
      ),
      truth_months AS (
        SELECT user_id, currency, date_trunc('month', day::timestamp)::date AS month,
               base_code, category_key, sum(cnt) AS cnt, sum(s1) AS s1, sum(s2) AS s2,
               max(mx) AS mx
        FROM truth GROUP BY 1, 2, 3, 4, 5
      ),
      truth_totals AS (
        SELECT user_id, currency, day, sum(cnt) AS cnt, sum(s1) AS s1 FROM truth GROUP BY 1, 2, 3
      )
      SELECT
        (SELECT count(*) FROM truth t
           FULL JOIN expense_rollup_days r
             USING (user_id, currency, day, base_code, category_key)
           WHERE (t.cnt, t.s1, t.s2, t.mx) IS DISTINCT FROM
                 (r.cnt, r.sum_minor, r.sum_sq, r.max_minor))::int AS days,
        (SELECT count(*) FROM truth_months t
           FULL JOIN expense_rollup_months r
             USING (user_id, currency, month, base_code, category_key)
           WHERE (t.cnt, t.s1, t.s2, t.mx) IS DISTINCT FROM
                 (r.cnt, r.sum_minor, r.sum_sq, r.max_minor))::int AS months,
        (SELECT count(*) FROM truth_totals t
           FULL JOIN expense_rollup_day_totals r USING (user_id, currency, day)
           WHERE (t.cnt, t.s1) IS DISTINCT FROM (r.cnt, r.sum_minor))::int AS totals
    `),
  );
  return {
    days: Number(row?.days ?? Number.NaN),
    months: Number(row?.months ?? Number.NaN),
    totals: Number(row?.totals ?? Number.NaN),
  };
}

/**
 * Per-day totals over all categories for an inclusive day range: columns `d`, `cnt`,
 * `sum_minor`, one row per day with spending.
 */
export function dayTotalRows(userId: string, currency: SQL, from: string, to: string): SQL {
  return sql`
    SELECT day AS d, cnt, sum_minor FROM expense_rollup_day_totals
    WHERE user_id = ${userId} AND currency = ${currency}
      AND day >= ${from}::date AND day <= ${to}::date`;
}
