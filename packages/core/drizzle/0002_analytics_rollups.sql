CREATE TABLE "expense_rollup_day_totals" (
	"user_id" uuid NOT NULL,
	"currency" char(3) NOT NULL,
	"day" date NOT NULL,
	"cnt" bigint NOT NULL,
	"sum_minor" numeric NOT NULL,
	CONSTRAINT "expense_rollup_day_totals_pk" PRIMARY KEY("user_id","currency","day")
);
--> statement-breakpoint
CREATE TABLE "expense_rollup_days" (
	"user_id" uuid NOT NULL,
	"currency" char(3) NOT NULL,
	"base_code" text NOT NULL,
	"category_key" uuid NOT NULL,
	"cnt" bigint NOT NULL,
	"sum_minor" numeric NOT NULL,
	"sum_sq" numeric NOT NULL,
	"max_minor" bigint,
	"day" date NOT NULL,
	CONSTRAINT "expense_rollup_days_pk" PRIMARY KEY("user_id","currency","day","base_code","category_key")
);
--> statement-breakpoint
CREATE TABLE "expense_rollup_months" (
	"user_id" uuid NOT NULL,
	"currency" char(3) NOT NULL,
	"base_code" text NOT NULL,
	"category_key" uuid NOT NULL,
	"cnt" bigint NOT NULL,
	"sum_minor" numeric NOT NULL,
	"sum_sq" numeric NOT NULL,
	"max_minor" bigint,
	"month" date NOT NULL,
	CONSTRAINT "expense_rollup_months_pk" PRIMARY KEY("user_id","currency","month","base_code","category_key")
);
--> statement-breakpoint
ALTER TABLE "expense_rollup_day_totals" ADD CONSTRAINT "expense_rollup_day_totals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expense_rollup_days" ADD CONSTRAINT "expense_rollup_days_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "expense_rollup_months" ADD CONSTRAINT "expense_rollup_months_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "expense_rollup_days_base_idx" ON "expense_rollup_days" USING btree ("user_id","currency","base_code","day");--> statement-breakpoint
CREATE INDEX "expenses_user_currency_day_amount_idx" ON "expenses" USING btree ("user_id","currency","spent_on","amount_minor");