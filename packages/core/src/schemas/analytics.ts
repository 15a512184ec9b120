import { z } from "zod";
import { categoryCodeSchema } from "./categories";
import { currencySchema, dateSchema } from "./common";

export const summaryInput = z.strictObject({
  from: dateSchema.optional(),
  to: dateSchema.optional(),
  currency: currencySchema.optional(),
});
export type SummaryInput = z.infer<typeof summaryInput>;

export const GRANULARITIES = ["day", "week", "month"] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const trendInput = z.strictObject({
  from: dateSchema.optional(),
  to: dateSchema.optional(),
  granularity: z.enum(GRANULARITIES, { message: "must be one of day, week, month" }).optional(),
  category: categoryCodeSchema.optional(),
  currency: currencySchema.optional(),
});
export type TrendInput = z.infer<typeof trendInput>;

/** The most points one trend answers; a longer range needs a coarser granularity. */
export const MAX_TREND_POINTS = 1000;

export const subcategorySliceOutput = z.object({
  /** The user category's code, or `null` for the part filed under the base alone. */
  code: z.string().nullable(),
  name: z.string().nullable(),
  total: z.string(),
  count: z.number().int(),
});

export const categorySliceOutput = z.object({
  code: z.string(),
  name: z.string(),
  total: z.string(),
  count: z.number().int(),
  average: z.string(),
  /** Unrounded share of the summary total, in [0, 1]. */
  share: z.number(),
  subcategories: z.array(subcategorySliceOutput),
});

export const largestExpenseOutput = z.object({
  id: z.string(),
  amount: z.string(),
  spentOn: z.string(),
  baseCode: z.string(),
  category: z.object({ code: z.string(), name: z.string() }).nullable(),
});

export const summaryOutput = z.object({
  currency: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  count: z.number().int(),
  total: z.string(),
  average: z.string().nullable(),
  largest: largestExpenseOutput.nullable(),
  stdDev: z.string().nullable(),
  sampleStdDev: z.string().nullable(),
  byCategory: z.array(categorySliceOutput),
});
export type SummaryOutput = z.infer<typeof summaryOutput>;

export const trendPointOutput = z.object({
  period: z.string(),
  start: z.string(),
  end: z.string(),
  total: z.string(),
  count: z.number().int(),
});

export const trendOutput = z.object({
  currency: z.string(),
  granularity: z.enum(GRANULARITIES),
  points: z.array(trendPointOutput),
});
export type TrendOutput = z.infer<typeof trendOutput>;

export const exportInput = z.strictObject({
  from: dateSchema.optional(),
  to: dateSchema.optional(),
});
export type ExportInput = z.infer<typeof exportInput>;
