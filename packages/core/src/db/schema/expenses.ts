import { sql } from "drizzle-orm";
import {
  bigint,
  char,
  date,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

export const expenses = pgTable(
  "expenses",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /**
     * The references of `user_id`, `base_code` and `category_id` are checked once per
     * statement by triggers (migration 0005), not by per-row foreign keys: see
     * `drizzle/0005_expense_references.sql`.
     */
    userId: uuid("user_id").notNull(),
    /** Integer minor units of `currency` (cents for USD, yen for JPY). */
    amountMinor: bigint("amount_minor", { mode: "bigint" }).notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    spentOn: date("spent_on", { mode: "string" }).notNull(),
    baseCode: text("base_code").notNull(),
    /** A subcategory of the same owner; NULL when filed under the base alone. */
    categoryId: uuid("category_id"),
    note: text("note"),
    version: integer("version").notNull().default(1),
    idempotencyKey: text("idempotency_key"),
    /** Fingerprint of the create input that used `idempotencyKey`, to tell a retry from a clash. */
    idempotencyHash: text("idempotency_hash"),
    // Kept as PostgreSQL's text so keyset cursors carry the full microsecond value.
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string", precision: 6 })
      .notNull()
      .defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "string", precision: 6 })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    // Migration 0006 adds INCLUDE (currency, amount_minor), which this builder cannot
    // express: reports find the largest expense of a day (the rollups know the day and the
    // amount) from this index alone, without an index of its own that every insert pays for.
    index("expenses_user_spent_idx").on(
      t.userId,
      t.spentOn.desc(),
      t.createdAt.desc(),
      t.id.desc(),
    ),
    // Only rows filed under a subcategory: a category's rename, move or delete finds its
    // expenses here (the foreign key's ON DELETE action included, which looks them up by
    // category alone), and the many rows filed under a base category cost nothing.
    index("expenses_category_idx").on(t.categoryId).where(sql`${t.categoryId} IS NOT NULL`),
    // Only keyed rows: imports without keys do not pay for an index entry each.
    uniqueIndex("expenses_user_idempotency_key")
      .on(t.userId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} IS NOT NULL`),
  ],
);
