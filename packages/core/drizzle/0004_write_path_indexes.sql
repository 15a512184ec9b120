DROP INDEX "expenses_user_category_idx";--> statement-breakpoint
DROP INDEX "expenses_user_idempotency_key";--> statement-breakpoint
CREATE INDEX "expenses_category_idx" ON "expenses" USING btree ("category_id") WHERE "expenses"."category_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "expenses_user_idempotency_key" ON "expenses" USING btree ("user_id","idempotency_key") WHERE "expenses"."idempotency_key" IS NOT NULL;