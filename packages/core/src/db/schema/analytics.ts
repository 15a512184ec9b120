import {
  bigint,
  char,
  date,
  index,
  numeric,
  pgTable,
  primaryKey,
  text,
  uuid,
} from "drizzle-orm/pg-core";

/**
 * Per-user spending rollups, kept exact by PostgreSQL triggers on `expenses` (see the
 * `expense_rollups` migration), so that a report reads a bounded number of rows however
 * long the history is. Whole months come from the month table, partial edge months
 * from the day table.
 *
 * `category_key` is the user category id, or the nil UUID for expenses filed under the
 * base alone (a primary key cannot hold NULL). Sums are numeric so that neither a long
 * history nor squares of large amounts can overflow; the variance is derived from
 * count, sum and sum of squares exactly.
 */
const rollupColumns = {
  // Owner: kept by the reference triggers of migration 0005 (deleted with the owner).
  userId: uuid("user_id").notNull(),
  currency: char("currency", { length: 3 }).notNull(),
  baseCode: text("base_code").notNull(),
  categoryKey: uuid("category_key").notNull(),
  count: bigint("cnt", { mode: "bigint" }).notNull(),
  sumMinor: numeric("sum_minor").notNull(),
  sumSquares: numeric("sum_sq").notNull(),
  /** The largest amount in the group: reports find the largest expense through it. */
  maxMinor: bigint("max_minor", { mode: "bigint" }),
};

export const expenseRollupDays = pgTable(
  "expense_rollup_days",
  { ...rollupColumns, day: date("day", { mode: "string" }).notNull() },
  (t) => [
    primaryKey({
      name: "expense_rollup_days_pk",
      columns: [t.userId, t.currency, t.day, t.baseCode, t.categoryKey],
    }),
    // A trend of one category reads only that base's rows of the range.
    index("expense_rollup_days_base_idx").on(t.userId, t.currency, t.baseCode, t.day),
  ],
);

export const expenseRollupMonths = pgTable(
  "expense_rollup_months",
  {
    ...rollupColumns,
    /** The first day of the month. */
    month: date("month", { mode: "string" }).notNull(),
  },
  (t) => [
    primaryKey({
      name: "expense_rollup_months_pk",
      columns: [t.userId, t.currency, t.month, t.baseCode, t.categoryKey],
    }),
  ],
);

/**
 * One row per user, currency and day, all categories together: a daily or weekly trend
 * of everything reads one row per day instead of one per category and day.
 */
export const expenseRollupDayTotals = pgTable(
  "expense_rollup_day_totals",
  {
    userId: uuid("user_id").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    day: date("day", { mode: "string" }).notNull(),
    count: bigint("cnt", { mode: "bigint" }).notNull(),
    sumMinor: numeric("sum_minor").notNull(),
  },
  (t) => [
    primaryKey({ name: "expense_rollup_day_totals_pk", columns: [t.userId, t.currency, t.day] }),
  ],
);
