-- A fourth index on expenses cost an import about a sixth of its database time (pgbench, 8
-- clients, 500-row inserts: 40,000-51,000 rows/s with it, 51,000-60,000 without). Its one
-- reader path, the largest expense of a day, now reads the list index instead, which
-- carries the currency and the amount of each entry: an index-only scan over that day's
-- entries, newest first, stops at the first with the day's maximum. The rollup triggers'
-- recomputation of a removed maximum reads the same day's entries through it.
DROP INDEX "expenses_user_currency_day_amount_idx";--> statement-breakpoint
DROP INDEX "expenses_user_spent_idx";--> statement-breakpoint
CREATE INDEX "expenses_user_spent_idx" ON "expenses" USING btree ("user_id","spent_on" DESC NULLS LAST,"created_at" DESC NULLS LAST,"id" DESC NULLS LAST) INCLUDE ("currency","amount_minor");
