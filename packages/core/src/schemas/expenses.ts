import { z } from "zod";
import { isCurrency } from "../currencies";
import { MAX_AMOUNT_LENGTH, MONEY_RE, moneyString } from "../money";
import { CATEGORY_CODE_MAX_LENGTH, CATEGORY_CODE_RE, categoryCodeSchema } from "./categories";
import {
  CURRENCY_RE,
  currencySchema,
  DATE_MAX,
  DATE_MIN,
  DATE_RE,
  dateSchema,
  isCalendarDate,
  uuidSchema,
} from "./common";

export const NOTE_MAX_LENGTH = 500;
export const LIST_LIMIT_DEFAULT = 20;
export const LIST_LIMIT_MAX = 100;
export const CREATE_MANY_MAX = 500;

export const noteSchema = z
  .string({ message: "must be a string or null" })
  .max(NOTE_MAX_LENGTH, { message: `must be at most ${NOTE_MAX_LENGTH} characters` });

export const idempotencyKeySchema = z
  .string({ message: "must be a string" })
  .min(1, { message: "must be 1 to 255 characters" })
  .max(255, { message: "must be 1 to 255 characters" });

/** One new expense: `expenses.create`, and each item of `expenses.createMany`. */
export const createExpenseInput = z.strictObject({
  /** Decimal string in `currency`; checked against its decimals by the service. */
  amount: moneyString,
  /** A base code (`FOOD`) or one of the user's codes (`FOOD.COFFEE`). */
  category: categoryCodeSchema,
  spentOn: dateSchema,
  /** Defaults to the user's `defaultCurrency`. */
  currency: currencySchema.optional(),
  note: noteSchema.nullable().optional(),
  /** A retry with the same key and content returns the first expense. */
  idempotencyKey: idempotencyKeySchema.optional(),
});
export type CreateExpenseInput = z.infer<typeof createExpenseInput>;

const ITEM_KEYS = new Set(["amount", "category", "spentOn", "currency", "note", "idempotencyKey"]);
const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/**
 * `createExpenseInput` for the common case, without zod: an object with only known
 * fields, each of the right type and form. It returns the item itself, which is what
 * zod's parse would give (an equal object), or null to let zod judge it and word the
 * refusal. Imports check hundreds of items a call, and zod built two objects and a
 * result per item; `quick-item.test.ts` checks that this accepts nothing zod refuses
 * and gives what zod gives.
 */
export function quickCreateItem(value: unknown): CreateExpenseInput | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  if (Object.getPrototypeOf(value) !== Object.prototype) return null;
  const o = value as Record<string, unknown>;
  for (const key in o) {
    if (!ITEM_KEYS.has(key) || o[key] === undefined) return null;
  }
  const { amount, category, spentOn, currency, note, idempotencyKey } = o;
  if (typeof amount !== "string" || amount.length > MAX_AMOUNT_LENGTH || !MONEY_RE.test(amount)) {
    return null;
  }
  if (
    typeof category !== "string" ||
    category.length > CATEGORY_CODE_MAX_LENGTH ||
    !CATEGORY_CODE_RE.test(category)
  ) {
    return null;
  }
  if (
    typeof spentOn !== "string" ||
    !DATE_RE.test(spentOn) ||
    !isCalendarDate(spentOn) ||
    spentOn < DATE_MIN ||
    spentOn > DATE_MAX
  ) {
    return null;
  }
  if (
    currency !== undefined &&
    (typeof currency !== "string" || !CURRENCY_RE.test(currency) || !isCurrency(currency))
  ) {
    return null;
  }
  if (note !== undefined && note !== null) {
    if (typeof note !== "string" || note.length > NOTE_MAX_LENGTH) return null;
  }
  if (idempotencyKey !== undefined) {
    if (
      typeof idempotencyKey !== "string" ||
      idempotencyKey.length < 1 ||
      idempotencyKey.length > IDEMPOTENCY_KEY_MAX_LENGTH
    ) {
      return null;
    }
  }
  return o as CreateExpenseInput;
}

/**
 * The items are checked one by one by the service, so that a refusal lists every bad
 * item (`items.3.amount`) instead of stopping at the first; the type still says what an
 * item is.
 */
export const createManyExpensesInput = z.strictObject({
  items: z
    .array(
      z.custom<CreateExpenseInput>(() => true),
      { message: "must be an array" },
    )
    .min(1, { message: "must hold at least one expense" })
    .max(CREATE_MANY_MAX, { message: `must hold at most ${CREATE_MANY_MAX} expenses` }),
});
export type CreateManyExpensesInput = z.infer<typeof createManyExpensesInput>;

export const getExpenseInput = z.strictObject({ id: uuidSchema });
export type GetExpenseInput = z.infer<typeof getExpenseInput>;

export const deleteExpenseInput = z.strictObject({ id: uuidSchema });
export type DeleteExpenseInput = z.infer<typeof deleteExpenseInput>;

export const updateExpenseInput = z.strictObject({
  id: uuidSchema,
  /** When given, the update applies only if the expense is still at this version. */
  version: z
    .number({ message: "must be an integer" })
    .int({ message: "must be an integer" })
    .min(1, { message: "must be at least 1" })
    .optional(),
  amount: moneyString.optional(),
  category: categoryCodeSchema.optional(),
  spentOn: dateSchema.optional(),
  currency: currencySchema.optional(),
  /** `null` clears the note. */
  note: noteSchema.nullable().optional(),
});
export type UpdateExpenseInput = z.infer<typeof updateExpenseInput>;

export const listExpensesInput = z
  .strictObject({
    from: dateSchema.optional(),
    to: dateSchema.optional(),
    /** A base code also matches its subcategories. */
    category: categoryCodeSchema.optional(),
    currency: currencySchema.optional(),
    minAmount: moneyString.optional(),
    maxAmount: moneyString.optional(),
    /** Case-insensitive search in the note; `%` and `_` match themselves. */
    q: z
      .string({ message: "must be a string" })
      .min(1, { message: "must not be empty" })
      .max(200, { message: "must be at most 200 characters" })
      .optional(),
    limit: z
      .number({ message: "must be an integer from 1 to 100" })
      .int({ message: "must be an integer from 1 to 100" })
      .min(1, { message: "must be an integer from 1 to 100" })
      .max(LIST_LIMIT_MAX, { message: "must be an integer from 1 to 100" })
      .optional(),
    /** `nextCursor` of the previous page. */
    cursor: z
      .string({ message: "must be a cursor from a previous page" })
      .max(512, { message: "must be a cursor from a previous page" })
      .optional(),
  })
  .optional();
export type ListExpensesInput = z.infer<typeof listExpensesInput>;

export const expenseOutput = z.object({
  id: z.string(),
  amount: z.string(),
  currency: z.string(),
  spentOn: z.string(),
  baseCode: z.string(),
  category: z.object({ code: z.string(), name: z.string() }).nullable(),
  note: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ExpenseOutput = z.infer<typeof expenseOutput>;

export const expensePageOutput = z.object({
  items: z.array(expenseOutput),
  nextCursor: z.string().nullable(),
});
export type ExpensePageOutput = z.infer<typeof expensePageOutput>;

export const createManyExpensesOutput = z.object({
  /** In the order of the input items. */
  items: z.array(expenseOutput),
});
export type CreateManyExpensesOutput = z.infer<typeof createManyExpensesOutput>;

export const deleteExpenseOutput = z.object({ ok: z.literal(true) });
