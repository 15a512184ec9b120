import * as aq from "arquero";
import { type SQL, sql } from "drizzle-orm";
import { type DbOrTx, rowsOf } from "../db/client";
import { DomainError, invalid } from "../errors";
import { formatMoney } from "../money";
import {
  type Granularity,
  MAX_TREND_POINTS,
  type SummaryInput,
  type SummaryOutput,
  type TrendInput,
  type TrendOutput,
} from "../schemas/analytics";
import {
  addMonths,
  countPeriods,
  listPeriods,
  type Period,
  periodStart,
  todayUtc,
} from "./analytics-periods";
import {
  dayTotalRows,
  NO_CATEGORY_KEY,
  type RangeSplit,
  rollupRows,
  splitRange,
} from "./analytics-rollups";

export { rollupDrift } from "./analytics-rollups";

/**
 * Reports over a user's ledger. PostgreSQL does every sum, count, maximum and deviation
 * over exact minor units, from the rollups its triggers keep (analytics-rollups.ts), so
 * the cost of a report does not grow with the history; Node only shapes the few
 * aggregated rows that come back.
 */

type Range = { from: string | null; to: string | null };

function checkRange(from: string | undefined, to: string | undefined): void {
  if (from !== undefined && to !== undefined && from > to) {
    throw invalid("from", `must not be after to (${from} > ${to})`);
  }
}

const noUser = () => new DomainError("UNAUTHORIZED", "This account no longer exists");

// Rounded in SQL with a scale of 30 decimals, so that numeric division cannot round an
// x.4999… up to a tie before the final half-away-from-zero rounding.
const EXACT = sql.raw("numeric(1000,30)");

interface SummaryRow {
  lvl: number;
  currency: string | null;
  base_code: string | null;
  category_id: string | null;
  base_name: string | null;
  cat_code: string | null;
  cat_name: string | null;
  n: string | null;
  total: string | null;
  average: string | null;
  std_dev: string | null;
  sample_std_dev: string | null;
  big_id: string | null;
  big_amount: string | null;
  big_spent_on: string | null;
  big_base_code: string | null;
  big_cat_code: string | null;
  big_cat_name: string | null;
}

export async function getSummary(
  db: DbOrTx,
  actorId: string,
  input: SummaryInput,
): Promise<SummaryOutput> {
  checkRange(input.from, input.to);
  const range: Range = { from: input.from ?? null, to: input.to ?? null };
  const currency = input.currency ?? null;

  // One round trip: the user's currency, the rollup rows of the range, their three
  // levels of totals (all, per base, per subcategory) by GROUPING SETS, the deviations,
  // and the largest expense, found through the rollups' maxima.
  const src = rollupRows(
    actorId,
    sql`(SELECT currency FROM cur)`,
    splitRange(range.from, range.to),
  );
  const result = await db.execute(sql`
    WITH cur AS (
      SELECT coalesce(${currency}::char(3), u.default_currency)::char(3) AS currency
      FROM users u WHERE u.id = ${actorId}
    ),
    src AS (${src}),
    g AS (
      SELECT base_code, nullif(category_key, ${NO_CATEGORY_KEY}::uuid) AS category_id,
             sum(cnt) AS cnt, sum(sum_minor) AS s1, sum(sum_sq) AS s2
      FROM src
      GROUP BY 1, 2
      HAVING sum(cnt) > 0
    ),
    lv AS (
      SELECT g.base_code, g.category_id, GROUPING(g.base_code, g.category_id)::int AS lvl,
             coalesce(sum(g.cnt), 0)::numeric AS n, coalesce(sum(g.s1), 0) AS s1,
             coalesce(sum(g.s2), 0) AS s2
      FROM g
      GROUP BY GROUPING SETS ((g.base_code, g.category_id), (g.base_code), ())
    ),
    top AS (
      SELECT d, is_month, max_minor FROM src WHERE max_minor IS NOT NULL
      ORDER BY max_minor DESC, d DESC LIMIT 1
    ),
    top_day AS (
      SELECT top.max_minor,
             CASE WHEN NOT top.is_month THEN top.d ELSE (
               SELECT max(rd.day) FROM expense_rollup_days rd, cur
               WHERE rd.user_id = ${actorId} AND rd.currency = cur.currency
                 AND rd.day >= top.d AND rd.day < (top.d + interval '1 month')::date
                 AND rd.max_minor = top.max_minor)
             END AS day
      FROM top
    ),
    -- The id alone first: the list index holds every column this step reads, so it is an
    -- index-only scan over the day's entries, newest first, that stops at the first match.
    big_id AS (
      SELECT e.id
      FROM top_day t CROSS JOIN cur
      JOIN expenses e ON e.user_id = ${actorId} AND e.spent_on = t.day
        AND e.currency = cur.currency AND e.amount_minor = t.max_minor
      ORDER BY e.spent_on DESC, e.created_at DESC, e.id DESC
      LIMIT 1
    ),
    big AS (
      SELECT e.id, e.amount_minor, e.spent_on, e.base_code, uc.code AS cat_code,
             uc.name AS cat_name
      FROM big_id b
      JOIN expenses e ON e.id = b.id
      LEFT JOIN user_categories uc ON uc.id = e.category_id
    )
    SELECT lv.lvl, cur.currency::text AS currency, lv.base_code, lv.category_id::text AS category_id,
           bc.name AS base_name, uc.code AS cat_code, uc.name AS cat_name,
           lv.n::text AS n, lv.s1::text AS total,
           CASE WHEN lv.n > 0 THEN round(lv.s1::${EXACT} / lv.n, 0)::text END AS average,
           CASE WHEN lv.lvl = 3 AND lv.n > 0
             THEN round(sqrt((lv.n * lv.s2 - lv.s1 * lv.s1)::${EXACT}) / lv.n, 0)::text
           END AS std_dev,
           CASE WHEN lv.lvl = 3 AND lv.n > 1
             THEN round(sqrt((lv.n * lv.s2 - lv.s1 * lv.s1)::${EXACT} / (lv.n * (lv.n - 1))), 0)::text
           END AS sample_std_dev,
           big.id::text AS big_id, big.amount_minor::text AS big_amount,
           big.spent_on::text AS big_spent_on, big.base_code AS big_base_code,
           big.cat_code AS big_cat_code, big.cat_name AS big_cat_name
    FROM cur
    LEFT JOIN lv ON true
    LEFT JOIN base_categories bc ON bc.code = lv.base_code
    LEFT JOIN user_categories uc ON uc.id = lv.category_id AND uc.user_id = ${actorId}
    LEFT JOIN big ON lv.lvl = 3
  `);
  return shapeSummary(rowsOf<SummaryRow>(result), range);
}

/** arquero learns a table's columns from its rows, so an empty input shapes to nothing. */
function shaped<T extends object, U>(rows: T[], verbs: (t: aq.ColumnTable) => aq.ColumnTable): U[] {
  if (rows.length === 0) return [];
  return verbs(aq.from(rows)).objects() as U[];
}

interface Slice {
  base: string;
  code: string | null;
  name: string | null;
  total: bigint;
  count: number;
  average: string | null;
}

function sliceOf(r: SummaryRow): Slice {
  return {
    base: r.base_code ?? "",
    code: r.cat_code,
    name: r.cat_name ?? r.base_name,
    total: BigInt(r.total ?? "0"),
    count: Number(r.n ?? "0"),
    average: r.average,
  };
}

function shapeSummary(rows: SummaryRow[], range: Range): SummaryOutput {
  const grand = rows.find((r) => r.lvl === 3);
  if (!grand?.currency) throw noUser();
  const currency = grand.currency;
  const money = (minor: string | null) => formatMoney(BigInt(minor ?? "0"), currency);
  const grandTotal = BigInt(grand.total ?? "0");
  const count = Number(grand.n ?? "0");

  // Largest first; the part with no subcategory sorts as an empty code among equal totals.
  const subs = shaped<Slice, Slice>(
    rows.filter((r) => r.lvl === 0).map((r) => ({ ...sliceOf(r), name: r.cat_name })),
    (t) =>
      t.derive({ key: aq.escape((d: Slice) => d.code ?? "") }).orderby(aq.desc("total"), "key"),
  );
  const bases = shaped<Slice, Slice & { share: number }>(
    rows.filter((r) => r.lvl === 1).map(sliceOf),
    (t) =>
      t
        .derive({
          share: aq.escape((d: Slice) =>
            grandTotal > 0n ? Number(d.total) / Number(grandTotal) : 0,
          ),
        })
        .orderby(aq.desc("total"), "base"),
  );

  const byCategory = bases.map((b) => ({
    code: b.base,
    name: b.name ?? b.base,
    total: formatMoney(b.total, currency),
    count: b.count,
    average: money(b.average),
    share: b.share,
    subcategories: subs
      .filter((s) => s.base === b.base)
      .map((s) => ({
        code: s.code,
        name: s.name,
        total: formatMoney(s.total, currency),
        count: s.count,
      })),
  }));

  const largest =
    count > 0 && grand.big_id && grand.big_amount && grand.big_spent_on && grand.big_base_code
      ? {
          id: grand.big_id,
          amount: money(grand.big_amount),
          spentOn: grand.big_spent_on,
          baseCode: grand.big_base_code,
          category:
            grand.big_cat_code && grand.big_cat_name
              ? { code: grand.big_cat_code, name: grand.big_cat_name }
              : null,
        }
      : null;

  return {
    currency,
    from: range.from,
    to: range.to,
    count,
    total: formatMoney(grandTotal, currency),
    average: count > 0 ? money(grand.average) : null,
    largest,
    stdDev: count > 0 ? money(grand.std_dev) : null,
    sampleStdDev: count > 1 ? money(grand.sample_std_dev) : null,
    byCategory,
  };
}

interface TrendPrelude {
  currency: string | null;
  category_id: string | null;
  category_base: string | null;
  base_exists: boolean | null;
}

interface TrendRow {
  start: string;
  n: string;
  total: string;
}

const TRUNC_UNIT: Record<Granularity, string> = { day: "day", week: "week", month: "month" };

export async function getTrend(
  db: DbOrTx,
  actorId: string,
  input: TrendInput,
): Promise<TrendOutput> {
  const granularity = input.granularity ?? "month";
  const to = input.to ?? todayUtc();
  const from = input.from ?? addMonths(to, -11);
  if (from > to) {
    throw invalid("from", `must not be after to (${from} > ${to})`);
  }
  const points = countPeriods(from, to, granularity);
  if (points > MAX_TREND_POINTS) {
    throw invalid(
      "granularity",
      `${from}..${to} has ${points} ${granularity} periods; at most ${MAX_TREND_POINTS}: narrow from/to or choose a coarser granularity`,
    );
  }

  const code = input.category ?? null;
  const [prelude] = rowsOf<TrendPrelude>(
    await db.execute(sql`
      SELECT coalesce(${input.currency ?? null}::text, u.default_currency::text) AS currency,
             uc.id::text AS category_id, uc.base_code AS category_base,
             EXISTS (SELECT 1 FROM base_categories bc WHERE bc.code = ${code}) AS base_exists
      FROM users u
      LEFT JOIN user_categories uc ON uc.user_id = u.id AND uc.code = ${code}
      WHERE u.id = ${actorId}
    `),
  );
  if (!prelude?.currency) throw noUser();
  const currency = prelude.currency;
  let categoryFilter = sql``;
  if (code !== null) {
    // The base condition lets a subcategory's trend use the rollups' base index too.
    if (prelude.category_id && prelude.category_base) {
      categoryFilter = sql`AND base_code = ${prelude.category_base} AND category_key = ${prelude.category_id}`;
    } else if (prelude.base_exists) categoryFilter = sql`AND base_code = ${code}`;
    else throw invalid("category", `no category with code ${code}`);
  }

  const cur = sql`${currency}::char(3)`;
  let query: SQL;
  if (granularity !== "month" && code === null) {
    // A trend of everything by day or week reads one total per day.
    const days = dayTotalRows(actorId, cur, from, to);
    query =
      granularity === "day"
        ? sql`SELECT d::text AS start, cnt::text AS n, sum_minor::text AS total
              FROM (${days}) src WHERE cnt > 0`
        : sql`SELECT date_trunc('week', d::timestamp)::date::text AS start,
                     sum(cnt)::text AS n, sum(sum_minor)::text AS total
              FROM (${days}) src GROUP BY 1 HAVING sum(cnt) > 0`;
  } else {
    // Whole months come from the month table only when the buckets are months.
    const split: RangeSplit =
      granularity === "month" ? splitRange(from, to) : { months: null, days: [{ from, to }] };
    const unit = sql.raw(`'${TRUNC_UNIT[granularity]}'`);
    query = sql`
      SELECT date_trunc(${unit}, d::timestamp)::date::text AS start,
             sum(cnt)::text AS n, sum(sum_minor)::text AS total
      FROM (${rollupRows(actorId, cur, split, categoryFilter)}) src
      GROUP BY 1
      HAVING sum(cnt) > 0`;
  }
  const rows = rowsOf<TrendRow>(await db.execute(query));
  return { currency, granularity, points: shapeTrend(rows, from, to, granularity, currency) };
}

function shapeTrend(
  rows: TrendRow[],
  from: string,
  to: string,
  granularity: Granularity,
  currency: string,
): TrendOutput["points"] {
  const sums = aq.table({
    start: rows.map((r) => periodStart(r.start, granularity)),
    sum: rows.map((r) => BigInt(r.total)),
    n: rows.map((r) => Number(r.n)),
  });
  // Every period of the range, empty ones included, so that a chart needs no gap logic.
  // Built by columns and filled by `lookup` (a hash join that keeps the periods' order):
  // a thousand daily points then shape in a millisecond or two.
  const periods = listPeriods(from, to, granularity);
  const filled = aq
    .table({
      period: periods.map((p) => p.period),
      start: periods.map((p) => p.start),
      end: periods.map((p) => p.end),
    })
    .lookup(sums, "start", "sum", "n")
    .objects() as Array<Period & { sum: bigint | undefined; n: number | undefined }>;
  const zero = formatMoney(0n, currency);
  return filled.map((p) => ({
    period: p.period,
    start: p.start,
    end: p.end,
    total: p.sum === undefined ? zero : formatMoney(p.sum, currency),
    count: p.n ?? 0,
  }));
}
