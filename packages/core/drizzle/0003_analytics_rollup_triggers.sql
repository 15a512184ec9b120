-- Keeps the rollup tables (days, months, day totals) exact whatever writes to expenses:
-- the services, a category move or delete (which update expenses), a bulk load or psql.
-- Statement-level triggers with transition tables fold a whole statement into one delta
-- per rollup key, so a bulk insert costs one upsert per key rather than one per row.
--
-- Writers lock per (owner, currency): every rollup row belongs to one such pair, so
-- writers of the same rows go one at a time (two transactions moving expenses in opposite
-- directions cannot deadlock), while an owner's writes in different currencies proceed
-- side by side. Keys are sorted before they are taken, so no two writers form a cycle.
CREATE TYPE "expense_rollup_delta" AS (
  "user_id" uuid,
  "currency" char(3),
  "day" date,
  "base_code" text,
  "category_key" uuid,
  "cnt" bigint,
  "s1" numeric,
  "s2" numeric,
  "mx" bigint
);
--> statement-breakpoint
CREATE FUNCTION "expense_rollups_lock"(keys text[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  k text;
BEGIN
  -- The caller passes the keys sorted; taking them in that order avoids lock cycles.
  FOREACH k IN ARRAY keys LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended('ledgerflow.expense_rollups:' || k, 0));
  END LOOP;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "expense_rollups_apply"(adds expense_rollup_delta[], rems expense_rollup_delta[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM expense_rollups_lock(ARRAY(
    SELECT a.user_id::text || ':' || a.currency FROM unnest(adds) a
    UNION
    SELECT x.user_id::text || ':' || x.currency FROM unnest(rems) x
    ORDER BY 1));

  IF cardinality(adds) > 0 THEN
    -- Keys in a fixed order, so that concurrent writers lock rollup rows alike.
    INSERT INTO expense_rollup_days AS r
      (user_id, currency, day, base_code, category_key, cnt, sum_minor, sum_sq, max_minor)
    SELECT a.user_id, a.currency, a.day, a.base_code, a.category_key, a.cnt, a.s1, a.s2, a.mx
    FROM unnest(adds) a
    ORDER BY a.user_id, a.currency, a.day, a.base_code, a.category_key
    ON CONFLICT (user_id, currency, day, base_code, category_key) DO UPDATE SET
      cnt = r.cnt + excluded.cnt,
      sum_minor = r.sum_minor + excluded.sum_minor,
      sum_sq = r.sum_sq + excluded.sum_sq,
      max_minor = greatest(r.max_minor, excluded.max_minor);

    INSERT INTO expense_rollup_months AS r
      (user_id, currency, month, base_code, category_key, cnt, sum_minor, sum_sq, max_minor)
    SELECT a.user_id, a.currency, date_trunc('month', a.day::timestamp)::date, a.base_code,
           a.category_key, sum(a.cnt), sum(a.s1), sum(a.s2), max(a.mx)
    FROM unnest(adds) a
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (user_id, currency, month, base_code, category_key) DO UPDATE SET
      cnt = r.cnt + excluded.cnt,
      sum_minor = r.sum_minor + excluded.sum_minor,
      sum_sq = r.sum_sq + excluded.sum_sq,
      max_minor = greatest(r.max_minor, excluded.max_minor);
    INSERT INTO expense_rollup_day_totals AS r (user_id, currency, day, cnt, sum_minor)
    SELECT a.user_id, a.currency, a.day, sum(a.cnt), sum(a.s1)
    FROM unnest(adds) a
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (user_id, currency, day) DO UPDATE SET
      cnt = r.cnt + excluded.cnt, sum_minor = r.sum_minor + excluded.sum_minor;
  END IF;

  IF cardinality(rems) > 0 THEN
    -- Only ever UPDATE here: the rows exist, since they counted what now leaves, unless
    -- the owner is being deleted, and then there is nothing left to keep.
    UPDATE expense_rollup_days r SET
      cnt = r.cnt - x.cnt, sum_minor = r.sum_minor - x.s1, sum_sq = r.sum_sq - x.s2
    FROM unnest(rems) x
    WHERE r.user_id = x.user_id AND r.currency = x.currency AND r.day = x.day
      AND r.base_code = x.base_code AND r.category_key = x.category_key;
    -- A removed maximum is recomputed in a statement of its own: its fresh snapshot sees
    -- every writer that held these rows before the UPDATE above locked them.
    UPDATE expense_rollup_days r SET max_minor = (
      SELECT max(e.amount_minor) FROM expenses e
      WHERE e.user_id = r.user_id AND e.currency = r.currency AND e.spent_on = r.day
        AND e.base_code = r.base_code
        AND coalesce(e.category_id, '00000000-0000-0000-0000-000000000000') = r.category_key)
    FROM unnest(rems) x
    WHERE r.user_id = x.user_id AND r.currency = x.currency AND r.day = x.day
      AND r.base_code = x.base_code AND r.category_key = x.category_key
      AND x.mx >= r.max_minor AND r.cnt > 0;
    DELETE FROM expense_rollup_days r USING unnest(rems) x
    WHERE r.user_id = x.user_id AND r.currency = x.currency AND r.day = x.day
      AND r.base_code = x.base_code AND r.category_key = x.category_key AND r.cnt = 0;

    UPDATE expense_rollup_months r SET
      cnt = r.cnt - x.cnt, sum_minor = r.sum_minor - x.s1, sum_sq = r.sum_sq - x.s2
    FROM (
      SELECT m.user_id, m.currency, date_trunc('month', m.day::timestamp)::date AS month,
             m.base_code, m.category_key, sum(m.cnt) AS cnt, sum(m.s1) AS s1, sum(m.s2) AS s2
      FROM unnest(rems) m GROUP BY 1, 2, 3, 4, 5
    ) x
    WHERE r.user_id = x.user_id AND r.currency = x.currency AND r.month = x.month
      AND r.base_code = x.base_code AND r.category_key = x.category_key;
    -- The month's maximum is the largest of its days', which are already up to date.
    UPDATE expense_rollup_months r SET max_minor = (
      SELECT max(d.max_minor) FROM expense_rollup_days d
      WHERE d.user_id = r.user_id AND d.currency = r.currency
        AND d.day >= r.month AND d.day < (r.month + interval '1 month')::date
        AND d.base_code = r.base_code AND d.category_key = r.category_key)
    FROM (
      SELECT m.user_id, m.currency, date_trunc('month', m.day::timestamp)::date AS month,
             m.base_code, m.category_key, max(m.mx) AS mx
      FROM unnest(rems) m GROUP BY 1, 2, 3, 4, 5
    ) x
    WHERE r.user_id = x.user_id AND r.currency = x.currency AND r.month = x.month
      AND r.base_code = x.base_code AND r.category_key = x.category_key
      AND x.mx >= r.max_minor AND r.cnt > 0;
    DELETE FROM expense_rollup_months r USING unnest(rems) x
    WHERE r.user_id = x.user_id AND r.currency = x.currency
      AND r.month = date_trunc('month', x.day::timestamp)::date
      AND r.base_code = x.base_code AND r.category_key = x.category_key AND r.cnt = 0;
    UPDATE expense_rollup_day_totals r SET
      cnt = r.cnt - x.cnt, sum_minor = r.sum_minor - x.s1
    FROM (
      SELECT m.user_id, m.currency, m.day, sum(m.cnt) AS cnt, sum(m.s1) AS s1
      FROM unnest(rems) m GROUP BY 1, 2, 3
    ) x
    WHERE r.user_id = x.user_id AND r.currency = x.currency AND r.day = x.day;
    DELETE FROM expense_rollup_day_totals r USING unnest(rems) x
    WHERE r.user_id = x.user_id AND r.currency = x.currency AND r.day = x.day AND r.cnt = 0;
  END IF;
END
$$;
--> statement-breakpoint
-- The insert path is the bulk one (imports of hundreds of rows a call): it aggregates the
-- new rows once and upserts the three rollup tables from that in one statement, instead
-- of packing the aggregate into a composite array for expense_rollups_apply to unpack
-- three times. The lock comes first, so the upserts meet no other writer of these rows
-- and need no particular order.
CREATE FUNCTION "expense_rollups_on_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM expense_rollups_lock(ARRAY(
    SELECT DISTINCT n.user_id::text || ':' || n.currency FROM new_rows n ORDER BY 1));
  WITH d AS MATERIALIZED (
    SELECT n.user_id, n.currency, n.spent_on AS day, n.base_code,
           coalesce(n.category_id, '00000000-0000-0000-0000-000000000000') AS category_key,
           count(*) AS cnt, sum(n.amount_minor) AS s1,
           sum(n.amount_minor::numeric * n.amount_minor) AS s2, max(n.amount_minor) AS mx
    FROM new_rows n
    GROUP BY 1, 2, 3, 4, 5
  ),
  days AS (
    INSERT INTO expense_rollup_days AS r
      (user_id, currency, day, base_code, category_key, cnt, sum_minor, sum_sq, max_minor)
    SELECT d.user_id, d.currency, d.day, d.base_code, d.category_key, d.cnt, d.s1, d.s2, d.mx
    FROM d
    ON CONFLICT (user_id, currency, day, base_code, category_key) DO UPDATE SET
      cnt = r.cnt + excluded.cnt,
      sum_minor = r.sum_minor + excluded.sum_minor,
      sum_sq = r.sum_sq + excluded.sum_sq,
      max_minor = greatest(r.max_minor, excluded.max_minor)
  ),
  months AS (
    INSERT INTO expense_rollup_months AS r
      (user_id, currency, month, base_code, category_key, cnt, sum_minor, sum_sq, max_minor)
    SELECT d.user_id, d.currency, date_trunc('month', d.day::timestamp)::date, d.base_code,
           d.category_key, sum(d.cnt), sum(d.s1), sum(d.s2), max(d.mx)
    FROM d
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (user_id, currency, month, base_code, category_key) DO UPDATE SET
      cnt = r.cnt + excluded.cnt,
      sum_minor = r.sum_minor + excluded.sum_minor,
      sum_sq = r.sum_sq + excluded.sum_sq,
      max_minor = greatest(r.max_minor, excluded.max_minor)
  )
  INSERT INTO expense_rollup_day_totals AS r (user_id, currency, day, cnt, sum_minor)
  SELECT d.user_id, d.currency, d.day, sum(d.cnt), sum(d.s1)
  FROM d
  GROUP BY 1, 2, 3
  ON CONFLICT (user_id, currency, day) DO UPDATE SET
    cnt = r.cnt + excluded.cnt, sum_minor = r.sum_minor + excluded.sum_minor;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "expense_rollups_on_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM expense_rollups_apply('{}', ARRAY(
    SELECT ROW(o.user_id, o.currency, o.spent_on, o.base_code,
               coalesce(o.category_id, '00000000-0000-0000-0000-000000000000'), count(*),
               sum(o.amount_minor), sum(o.amount_minor::numeric * o.amount_minor),
               max(o.amount_minor))::expense_rollup_delta
    FROM old_rows o
    GROUP BY o.user_id, o.currency, o.spent_on, o.base_code,
             coalesce(o.category_id, '00000000-0000-0000-0000-000000000000')
  ));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "expense_rollups_on_update"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  adds expense_rollup_delta[];
  rems expense_rollup_delta[];
BEGIN
  -- Rows whose note, version or timestamps alone changed leave the rollups as they are.
  WITH changed AS (
    SELECT o.id AS o_id, o.user_id AS o_user, o.currency AS o_cur, o.spent_on AS o_day,
           o.base_code AS o_base,
           coalesce(o.category_id, '00000000-0000-0000-0000-000000000000') AS o_cat,
           o.amount_minor AS o_amt,
           n.id AS n_id, n.user_id AS n_user, n.currency AS n_cur, n.spent_on AS n_day,
           n.base_code AS n_base,
           coalesce(n.category_id, '00000000-0000-0000-0000-000000000000') AS n_cat,
           n.amount_minor AS n_amt
    FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
    WHERE o.id IS NULL OR n.id IS NULL
       OR (o.user_id, o.currency, o.spent_on, o.base_code, o.category_id, o.amount_minor)
          IS DISTINCT FROM
          (n.user_id, n.currency, n.spent_on, n.base_code, n.category_id, n.amount_minor)
  )
  SELECT
    ARRAY(
      SELECT ROW(n_user, n_cur, n_day, n_base, n_cat, count(*), sum(n_amt),
                 sum(n_amt::numeric * n_amt), max(n_amt))::expense_rollup_delta
      FROM changed WHERE n_id IS NOT NULL
      GROUP BY n_user, n_cur, n_day, n_base, n_cat),
    ARRAY(
      SELECT ROW(o_user, o_cur, o_day, o_base, o_cat, count(*), sum(o_amt),
                 sum(o_amt::numeric * o_amt), max(o_amt))::expense_rollup_delta
      FROM changed WHERE o_id IS NOT NULL
      GROUP BY o_user, o_cur, o_day, o_base, o_cat)
  INTO adds, rems;
  PERFORM expense_rollups_apply(adds, rems);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "expense_rollups_on_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- DELETE, not TRUNCATE: a TRUNCATE ... CASCADE from users is already emptying these.
  DELETE FROM expense_rollup_days;
  DELETE FROM expense_rollup_months;
  DELETE FROM expense_rollup_day_totals;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Existing ledgers: roll up what is already there, before the triggers take over.
SELECT expense_rollups_apply(ARRAY(
  SELECT ROW(e.user_id, e.currency, e.spent_on, e.base_code,
             coalesce(e.category_id, '00000000-0000-0000-0000-000000000000'), count(*),
             sum(e.amount_minor), sum(e.amount_minor::numeric * e.amount_minor),
             max(e.amount_minor))::expense_rollup_delta
  FROM expenses e
  GROUP BY e.user_id, e.currency, e.spent_on, e.base_code,
           coalesce(e.category_id, '00000000-0000-0000-0000-000000000000')
), '{}');
--> statement-breakpoint
CREATE TRIGGER "expense_rollups_insert" AFTER INSERT ON "expenses"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION expense_rollups_on_insert();
--> statement-breakpoint
CREATE TRIGGER "expense_rollups_update" AFTER UPDATE ON "expenses"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION expense_rollups_on_update();
--> statement-breakpoint
CREATE TRIGGER "expense_rollups_delete" AFTER DELETE ON "expenses"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION expense_rollups_on_delete();
--> statement-breakpoint
CREATE TRIGGER "expense_rollups_truncate" AFTER TRUNCATE ON "expenses"
  FOR EACH STATEMENT EXECUTE FUNCTION expense_rollups_on_truncate();
