import { z } from "zod";
import { uuidSchema } from "./common";

/** A base category code: `FOOD`, `BILLS`. */
export const baseCodeSchema = z
  .string({ message: "must be a base category code such as FOOD" })
  .max(50, { message: "must be at most 50 characters" })
  .regex(/^[A-Z][A-Z0-9_]*$/, { message: "must be a base category code such as FOOD" });

/** A base code (`FOOD`) or a user category code (`FOOD.COFFEE`). */
export const CATEGORY_CODE_MAX_LENGTH = 300;
export const CATEGORY_CODE_RE = /^[A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)?$/;

export const categoryCodeSchema = z
  .string({ message: "must be a category code such as FOOD or FOOD.COFFEE" })
  .max(CATEGORY_CODE_MAX_LENGTH, { message: "must be at most 300 characters" })
  .regex(CATEGORY_CODE_RE, {
    message: "must be a category code such as FOOD or FOOD.COFFEE (upper case)",
  });

/**
 * The slug of a category name: folded to ASCII upper case, every run of other characters
 * turned into one `_`, trimmed of `_` ("Coffee & Tea" → `COFFEE_TEA`, "Café" → `CAFE`).
 * Empty when the name has no ASCII letter or digit.
 */
export function slugOf(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

export const categoryNameSchema = z
  .string({ message: "must be a string" })
  .trim()
  .min(1, { message: "must not be empty" })
  .max(100, { message: "must be at most 100 characters" })
  .refine((n) => slugOf(n).length > 0, {
    message: "must contain a letter or digit (A-Z, 0-9) to make the category code",
  });

export const listCategoriesInput = z
  .strictObject({
    /** Also list inactive base categories and the user's categories under them. */
    includeInactive: z.boolean().optional(),
  })
  .optional();
export type ListCategoriesInput = z.infer<typeof listCategoriesInput>;

export const createCategoryInput = z.strictObject({
  name: categoryNameSchema,
  baseCode: baseCodeSchema,
});
export type CreateCategoryInput = z.infer<typeof createCategoryInput>;

export const updateCategoryInput = z.strictObject({
  id: uuidSchema,
  /** A rename keeps the code. */
  name: categoryNameSchema.optional(),
  /** A move re-parents the code and the category's expenses. */
  baseCode: baseCodeSchema.optional(),
});
export type UpdateCategoryInput = z.infer<typeof updateCategoryInput>;

export const deleteCategoryInput = z.strictObject({ id: uuidSchema });
export type DeleteCategoryInput = z.infer<typeof deleteCategoryInput>;

export const baseCategoryOutput = z.object({
  code: z.string(),
  name: z.string(),
  active: z.boolean(),
});
export type BaseCategoryOutput = z.infer<typeof baseCategoryOutput>;

export const userCategoryOutput = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  baseCode: z.string(),
  createdAt: z.string(),
});
export type UserCategoryOutput = z.infer<typeof userCategoryOutput>;

export const categoriesListOutput = z.object({
  base: z.array(baseCategoryOutput),
  user: z.array(userCategoryOutput),
});
export type CategoriesListOutput = z.infer<typeof categoriesListOutput>;

export const deleteCategoryOutput = z.object({
  ok: z.literal(true),
  detachedExpenses: z.number().int(),
});
export type DeleteCategoryOutput = z.infer<typeof deleteCategoryOutput>;
