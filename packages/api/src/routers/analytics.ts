import {
  analyticsService,
  summaryInput,
  summaryOutput,
  trendInput,
  trendOutput,
} from "@ledgerflow/core";
import { protectedProcedure, router } from "../trpc";

export const analyticsRouter = router({
  /** Signed-in user: totals, average, spread and per-category split of one currency. */
  summary: protectedProcedure
    .input(summaryInput.optional().default({}))
    .output(summaryOutput)
    .query(({ ctx, input }) => analyticsService.getSummary(ctx.db, ctx.user.id, input)),

  /** Signed-in user: totals per day, ISO week or month, every period present. */
  trend: protectedProcedure
    .input(trendInput.optional().default({}))
    .output(trendOutput)
    .query(({ ctx, input }) => analyticsService.getTrend(ctx.db, ctx.user.id, input)),
});
