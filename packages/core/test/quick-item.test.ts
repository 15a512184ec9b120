import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createExpenseInput, quickCreateItem } from "../src/schemas/expenses";

/** Field values near and across every rule of the item schema. */
const amount = fc.oneof(
  fc.constantFrom(
    "12.50",
    "1",
    "0",
    "0.001",
    "9".repeat(40),
    "9".repeat(41),
    "1.",
    ".5",
    "-1",
    "1e3",
    " 1",
    "1,00",
    "",
  ),
  fc.stringMatching(/^\d{1,6}(\.\d{1,4})?$/),
  fc.integer(),
);
const category = fc.oneof(
  fc.constantFrom(
    "FOOD",
    "FOOD.COFFEE",
    "food",
    "FOOD.",
    ".FOOD",
    "F",
    "A".repeat(300),
    "A".repeat(301),
    "FOOD.COFFEE.X",
    "",
  ),
  fc.stringMatching(/^[A-Z][A-Z0-9_]{0,6}(\.[A-Z0-9_]{1,6})?$/),
);
const day = fc.oneof(
  fc.constantFrom(
    "2026-02-28",
    "2024-02-29",
    "2023-02-29",
    "1899-12-31",
    "1900-01-01",
    "2999-12-31",
    "3000-01-01",
    "2026-13-01",
    "2026-1-01",
    "20260101",
    "",
  ),
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
    )
    .map(
      ([y, m, d]) =>
        `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`,
    ),
);
const currency = fc.oneof(
  fc.constantFrom("USD", "JPY", "XAU", "usd", "US", "USDD", "ZZZ", "EUR"),
  fc.integer(),
);
const note = fc.oneof(
  fc.constant(null),
  fc.string({ maxLength: 3 }),
  fc.constant("n".repeat(500)),
  fc.constant("n".repeat(501)),
  fc.integer(),
);
const key = fc.oneof(
  fc.constant(""),
  fc.string({ minLength: 1, maxLength: 4 }),
  fc.constant("k".repeat(255)),
  fc.constant("k".repeat(256)),
  fc.constant(null),
);

const item = fc
  .tuple(
    fc.record(
      { amount, category, spentOn: day, currency, note, idempotencyKey: key },
      { requiredKeys: ["amount", "category", "spentOn"] },
    ),
    fc.option(
      fc.constantFrom<Record<string, unknown>>(
        { extra: 1 },
        { note: undefined },
        { amount: undefined },
      ),
      {
        freq: 8,
      },
    ),
  )
  .map(([fields, odd]) => ({ ...fields, ...(odd ?? {}) }));

describe("quickCreateItem", () => {
  it("accepts nothing that the schema refuses, and gives what it gives", () => {
    fc.assert(
      fc.property(
        fc.oneof({ arbitrary: item, weight: 9 }, { arbitrary: fc.anything(), weight: 1 }),
        (value) => {
          const quick = quickCreateItem(value);
          if (quick === null) return;
          const parsed = createExpenseInput.safeParse(value);
          expect(parsed.success).toBe(true);
          expect(quick).toStrictEqual(parsed.data);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it("takes the usual items of an import, so imports do not go through zod", () => {
    const usual = [
      { amount: "12.50", category: "FOOD", spentOn: "2026-03-01" },
      { amount: "3", category: "FOOD.COFFEE", spentOn: "2024-02-29", currency: "JPY", note: null },
      { amount: "0.5", category: "MISC", spentOn: "2026-12-31", note: "", idempotencyKey: "row-1" },
      JSON.parse('{"amount":"7.25","category":"RENT","spentOn":"2026-01-31","note":"jan"}'),
    ];
    for (const value of usual) {
      expect(quickCreateItem(value)).toBe(value);
      expect(createExpenseInput.safeParse(value).success).toBe(true);
    }
  });
});
