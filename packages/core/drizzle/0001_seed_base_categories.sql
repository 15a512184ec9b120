-- Reference data: the eleven base categories. Idempotent, so re-running changes nothing;
-- later migrations add, rename or deactivate rows rather than editing this one.
INSERT INTO "base_categories" ("code", "name", "active", "sort_order") VALUES
  ('FOOD', 'Food & Dining', true, 1),
  ('TRANSPORT', 'Transport', true, 2),
  ('GROCERIES', 'Groceries', true, 3),
  ('BILLS', 'Bills & Utilities', true, 4),
  ('RENT', 'Rent', true, 5),
  ('ENTERTAINMENT', 'Entertainment', true, 6),
  ('SHOPPING', 'Shopping', true, 7),
  ('HEALTH', 'Health & Medical', true, 8),
  ('EDUCATION', 'Education', true, 9),
  ('TRAVEL', 'Travel', true, 10),
  ('MISC', 'Miscellaneous', true, 11)
ON CONFLICT ("code") DO NOTHING;
