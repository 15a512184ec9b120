ALTER TABLE "expense_rollup_day_totals" DROP CONSTRAINT "expense_rollup_day_totals_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "expense_rollup_days" DROP CONSTRAINT "expense_rollup_days_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "expense_rollup_months" DROP CONSTRAINT "expense_rollup_months_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "expenses" DROP CONSTRAINT "expenses_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "expenses" DROP CONSTRAINT "expenses_base_code_base_categories_code_fk";
--> statement-breakpoint
ALTER TABLE "expenses" DROP CONSTRAINT "expenses_category_id_user_categories_id_fk";
--> statement-breakpoint
-- The references of expenses (and of the rollup tables, which follow their expenses) are
-- kept by the triggers below instead of by foreign keys. A foreign key checks every row
-- on its own: a 500-row import made 1,000 look-ups of the same owner and base categories,
-- plus one per rollup row, a fifth of the database's work for the insert. These check each
-- distinct owner, base and subcategory once per statement, with the same row locks
-- (FOR KEY SHARE), so a concurrent delete of a referenced row behaves as with a foreign
-- key: either it waits for the writer and then sees its rows, or the writer finds the row
-- gone and fails with foreign_key_violation (23503). They also check what a foreign key
-- could not: a subcategory must belong to the expense's own owner.
--
-- Like the services, they assume READ COMMITTED, PostgreSQL's default: each statement of
-- a trigger then sees rows committed before it started.
CREATE FUNCTION "expenses_check_references"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  SELECT n.user_id::text INTO missing
  FROM (SELECT DISTINCT user_id FROM new_rows) n
  LEFT JOIN (
    SELECT u.id FROM users u WHERE u.id IN (SELECT user_id FROM new_rows) FOR KEY SHARE OF u
  ) l ON l.id = n.user_id
  WHERE l.id IS NULL
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "expenses" violates foreign key constraint "expenses_user_id_users_id_fk"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'expenses_user_id_users_id_fk',
            TABLE = 'expenses', DETAIL = format('Key (user_id)=(%s) is not present in table "users".', missing);
  END IF;

  SELECT n.base_code INTO missing
  FROM (SELECT DISTINCT base_code FROM new_rows) n
  LEFT JOIN (
    SELECT b.code FROM base_categories b WHERE b.code IN (SELECT base_code FROM new_rows)
    FOR KEY SHARE OF b
  ) l ON l.code = n.base_code
  WHERE l.code IS NULL
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "expenses" violates foreign key constraint "expenses_base_code_base_categories_code_fk"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'expenses_base_code_base_categories_code_fk',
            TABLE = 'expenses', DETAIL = format('Key (base_code)=(%s) is not present in table "base_categories".', missing);
  END IF;

  SELECT n.category_id::text INTO missing
  FROM (SELECT DISTINCT user_id, category_id FROM new_rows WHERE category_id IS NOT NULL) n
  LEFT JOIN (
    SELECT c.id, c.user_id FROM user_categories c
    WHERE c.id IN (SELECT category_id FROM new_rows WHERE category_id IS NOT NULL)
    FOR KEY SHARE OF c
  ) l ON l.id = n.category_id AND l.user_id = n.user_id
  WHERE l.id IS NULL
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "expenses" violates foreign key constraint "expenses_category_id_user_categories_id_fk"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'expenses_category_id_user_categories_id_fk',
            TABLE = 'expenses', DETAIL = format('Key (category_id)=(%s) is not a category of the expense''s owner.', missing);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Named to sort before the rollup triggers, so a bad reference fails before any rollup work.
CREATE TRIGGER "expense_references_insert" AFTER INSERT ON "expenses"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION expenses_check_references();
--> statement-breakpoint
CREATE TRIGGER "expense_references_update" AFTER UPDATE ON "expenses"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION expenses_check_references();
--> statement-breakpoint
-- An owner's deletion takes their ledger with it (was ON DELETE CASCADE): the rollups
-- first, so that the expenses' delete trigger finds nothing left to subtract from.
CREATE FUNCTION "users_delete_ledgers"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM expense_rollup_days r USING gone g WHERE r.user_id = g.id;
  DELETE FROM expense_rollup_months r USING gone g WHERE r.user_id = g.id;
  DELETE FROM expense_rollup_day_totals r USING gone g WHERE r.user_id = g.id;
  DELETE FROM expenses e USING gone g WHERE e.user_id = g.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "users_delete_ledgers" AFTER DELETE ON "users"
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION users_delete_ledgers();
--> statement-breakpoint
-- A deleted subcategory leaves its expenses filed under the base (was ON DELETE SET NULL).
-- The rollup update trigger moves their sums to the base's key.
CREATE FUNCTION "user_categories_detach_expenses"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE expenses e SET category_id = NULL FROM gone g WHERE e.category_id = g.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "user_categories_detach_expenses" AFTER DELETE ON "user_categories"
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION user_categories_detach_expenses();
--> statement-breakpoint
-- Keys that expenses refer to do not change: an owner's or a subcategory's id never, a base
-- category's code only while no expense is filed under it (was ON UPDATE NO ACTION), and a
-- base category in use is not deleted (was ON DELETE NO ACTION). Checked after the row is
-- locked, so that a writer still holding it FOR KEY SHARE has committed and is seen.
CREATE FUNCTION "expense_parents_keep_keys"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  in_use boolean;
BEGIN
  IF TG_TABLE_NAME = 'base_categories' THEN
    IF TG_OP = 'UPDATE' AND NEW.code = OLD.code THEN
      RETURN NULL;
    END IF;
    SELECT EXISTS (SELECT 1 FROM expenses e WHERE e.base_code = OLD.code) INTO in_use;
    IF in_use THEN
      RAISE EXCEPTION 'update or delete on table "base_categories" violates foreign key constraint "expenses_base_code_base_categories_code_fk" on table "expenses"'
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'expenses_base_code_base_categories_code_fk',
              TABLE = 'base_categories', DETAIL = format('Key (code)=(%s) is still referenced from table "expenses".', OLD.code);
    END IF;
  ELSIF NEW.id IS DISTINCT FROM OLD.id THEN
    RAISE EXCEPTION 'the id of a row in "%" never changes', TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "base_categories_keep_keys" AFTER UPDATE OR DELETE ON "base_categories"
  FOR EACH ROW EXECUTE FUNCTION expense_parents_keep_keys();
--> statement-breakpoint
CREATE TRIGGER "users_keep_keys" AFTER UPDATE OF "id" ON "users"
  FOR EACH ROW EXECUTE FUNCTION expense_parents_keep_keys();
--> statement-breakpoint
CREATE TRIGGER "user_categories_keep_keys" AFTER UPDATE OF "id" ON "user_categories"
  FOR EACH ROW EXECUTE FUNCTION expense_parents_keep_keys();
--> statement-breakpoint
-- TRUNCATE skips row triggers: emptying owners or subcategories does to expenses what
-- deleting them would, and base categories cannot be emptied under existing expenses.
-- DELETE rather than TRUNCATE: the same statement may already be emptying expenses.
CREATE FUNCTION "expense_parents_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'users' THEN
    DELETE FROM expense_rollup_days;
    DELETE FROM expense_rollup_months;
    DELETE FROM expense_rollup_day_totals;
    DELETE FROM expenses;
  ELSIF TG_TABLE_NAME = 'user_categories' THEN
    UPDATE expenses SET category_id = NULL WHERE category_id IS NOT NULL;
  ELSIF EXISTS (SELECT 1 FROM expenses) THEN
    RAISE EXCEPTION 'cannot truncate "base_categories" while expenses are filed under them'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'base_categories';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "users_truncated" AFTER TRUNCATE ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION expense_parents_truncated();
--> statement-breakpoint
CREATE TRIGGER "user_categories_truncated" AFTER TRUNCATE ON "user_categories"
  FOR EACH STATEMENT EXECUTE FUNCTION expense_parents_truncated();
--> statement-breakpoint
CREATE TRIGGER "base_categories_truncated" AFTER TRUNCATE ON "base_categories"
  FOR EACH STATEMENT EXECUTE FUNCTION expense_parents_truncated();
