import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./users";

/** Reference data, seeded and changed only by migrations. */
export const baseCategories = pgTable("base_categories", {
  code: text("code").primaryKey(),
  name: text("name").notNull(),
  active: boolean("active").notNull().default(true),
  sortOrder: integer("sort_order").notNull().default(0),
});

export const userCategories = pgTable(
  "user_categories",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    baseCode: text("base_code")
      .notNull()
      .references(() => baseCategories.code),
    /** Made from the name at creation; never changed by a rename. */
    slug: text("slug").notNull(),
    /** `<BASE>.<SLUG>`; follows the base on a move. */
    code: text("code").notNull(),
    name: text("name").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("user_categories_user_code_key").on(t.userId, t.code),
    uniqueIndex("user_categories_user_name_key").on(t.userId, sql`lower(${t.name})`),
    index("user_categories_user_base_idx").on(t.userId, t.baseCode),
  ],
);
