import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { useTestEnv } from "./helpers";

/**
 * expenses.list against a plain in-memory model: random ledgers, random filters, and the
 * full cursor walk must give exactly the model's rows in the model's order.
 */

const CURRENCIES = { USD: 2, JPY: 0, KWD: 3 } as const;
type Cur = keyof typeof CURRENCIES;

interface ModelExpense {
  minor: bigint;
  currency: Cur;
  spentOn: string;
  category: "FOOD" | "RENT" | "FOOD.SNACKS";
  note: string | null;
}

function toDecimal(minor: bigint, digits: number): string {
  const s = minor.toString().padStart(digits + 1, "0");
  return digits === 0 ? s : `${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

const expenseArb: fc.Arbitrary<ModelExpense> = fc.record({
  minor: fc.bigInt({ min: 1n, max: 5000n }),
  currency: fc.constantFrom<Cur>("USD", "JPY", "KWD"),
  spentOn: fc
    .integer({ min: 0, max: 40 })
    .map((d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10)),
  category: fc.constantFrom<ModelExpense["category"]>("FOOD", "RENT", "FOOD.SNACKS"),
  note: fc.option(fc.stringMatching(/^[ab%_\\ ]{1,6}$/), { nil: null }),
});

const dateArb = fc
  .integer({ min: -2, max: 42 })
  .map((d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10));

interface Filters {
  from?: string;
  to?: string;
  currency?: Cur;
  category?: "FOOD" | "RENT" | "FOOD.SNACKS";
  /** Bounds as units of 10^-4, written out with up to 4 decimals or the currency's. */
  min?: bigint;
  max?: bigint;
  q?: string;
}

const filtersArb: fc.Arbitrary<Filters> = fc.record(
  {
    from: dateArb,
    to: dateArb,
    currency: fc.constantFrom<Cur>("USD", "JPY", "KWD"),
    category: fc.constantFrom<NonNullable<Filters["category"]>>("FOOD", "RENT", "FOOD.SNACKS"),
    min: fc.bigInt({ min: 0n, max: 50_000_000n }),
    max: fc.bigInt({ min: 0n, max: 50_000_000n }),
    q: fc.stringMatching(/^[ab%_\\]{1,2}$/),
  },
  { requiredKeys: [] },
);

/** A bound written with the decimals the request allows: the currency's, or 4. */
function boundText(scaled4: bigint, currency: Cur | undefined): string {
  const digits = currency ? CURRENCIES[currency] : 4;
  // Round down to what the currency can express, so the text is always valid.
  const step = 10n ** BigInt(4 - digits);
  return toDecimal(scaled4 / step, digits);
}

function boundValue(scaled4: bigint, currency: Cur | undefined): bigint {
  const digits = currency ? CURRENCIES[currency] : 4;
  const step = 10n ** BigInt(4 - digits);
  return (scaled4 / step) * step;
}

function matches(e: ModelExpense, f: Filters): boolean {
  const value = e.minor * 10n ** BigInt(4 - CURRENCIES[e.currency]);
  if (f.from && e.spentOn < f.from) return false;
  if (f.to && e.spentOn > f.to) return false;
  if (f.currency && e.currency !== f.currency) return false;
  if (f.category === "FOOD" && !e.category.startsWith("FOOD")) return false;
  if (f.category && f.category !== "FOOD" && e.category !== f.category) return false;
  if (f.min !== undefined && value < boundValue(f.min, f.currency)) return false;
  if (f.max !== undefined && value > boundValue(f.max, f.currency)) return false;
  if (f.q !== undefined && !(e.note ?? "\u0000").toLowerCase().includes(f.q.toLowerCase())) {
    return false;
  }
  return true;
}

describe("expenses.list against a model", () => {
  const env = useTestEnv();

  it("returns exactly the matching expenses, newest first, across pages", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(expenseArb, { minLength: 0, maxLength: 40 }),
        filtersArb,
        fc.integer({ min: 1, max: 7 }),
        async (ledger, filters, limit) => {
          const u = await env.signUp();
          await u.caller.categories.create({ name: "Snacks", baseCode: "FOOD" });
          const created =
            ledger.length === 0
              ? []
              : (
                  await u.caller.expenses.createMany({
                    items: ledger.map((e) => ({
                      amount: toDecimal(e.minor, CURRENCIES[e.currency]),
                      currency: e.currency,
                      spentOn: e.spentOn,
                      category: e.category,
                      note: e.note,
                    })),
                  })
                ).items;
          if (filters.min !== undefined && filters.max !== undefined) {
            // Keep the bounds in order: a reversed pair is refused, tested elsewhere.
            if (
              boundValue(filters.min, filters.currency) > boundValue(filters.max, filters.currency)
            ) {
              [filters.min, filters.max] = [filters.max, filters.min];
            }
          }
          if (filters.from && filters.to && filters.from > filters.to) {
            [filters.from, filters.to] = [filters.to, filters.from];
          }
          // One batch shares its creation time, so the model orders by date, then id.
          const expected = created
            .map((out, i) => ({ out, model: ledger[i] }))
            .filter(
              (r): r is { out: (typeof created)[number]; model: ModelExpense } =>
                r.model !== undefined && matches(r.model, filters),
            )
            .sort((a, b) =>
              a.out.spentOn !== b.out.spentOn
                ? b.out.spentOn.localeCompare(a.out.spentOn)
                : b.out.id.localeCompare(a.out.id),
            )
            .map((r) => r.out.id);

          const input = {
            ...(filters.from ? { from: filters.from } : {}),
            ...(filters.to ? { to: filters.to } : {}),
            ...(filters.currency ? { currency: filters.currency } : {}),
            ...(filters.category ? { category: filters.category } : {}),
            ...(filters.min !== undefined
              ? { minAmount: boundText(filters.min, filters.currency) }
              : {}),
            ...(filters.max !== undefined
              ? { maxAmount: boundText(filters.max, filters.currency) }
              : {}),
            ...(filters.q !== undefined ? { q: filters.q } : {}),
            limit,
          };
          const got: string[] = [];
          let cursor: string | null = null;
          do {
            const page: { items: { id: string }[]; nextCursor: string | null } =
              await u.caller.expenses.list({ ...input, ...(cursor ? { cursor } : {}) });
            got.push(...page.items.map((i) => i.id));
            cursor = page.nextCursor;
          } while (cursor);
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });
});
