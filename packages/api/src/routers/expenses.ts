import {
  createExpenseInput,
  createManyExpensesInput,
  createManyExpensesOutput,
  deleteExpenseInput,
  deleteExpenseOutput,
  expenseOutput,
  expensePageOutput,
  expensesService,
  getExpenseInput,
  listExpensesInput,
  updateExpenseInput,
} from "@ledgerflow/core";
import { protectedProcedure, router } from "../trpc";

/** Every procedure here sees and changes the signed-in user's own expenses only. */
export const expensesRouter = router({
  /** Signed-in user: files one expense; a repeated idempotency key replays the first. */
  create: protectedProcedure
    .input(createExpenseInput)
    .output(expenseOutput)
    .mutation(({ ctx, input }) => expensesService.createExpense(ctx.db, ctx.user.id, input)),

  /** Signed-in user: up to 500 expenses at once, all or nothing. */
  createMany: protectedProcedure
    .input(createManyExpensesInput)
    .output(createManyExpensesOutput)
    .mutation(({ ctx, input }) => expensesService.createExpenses(ctx.db, ctx.user.id, input)),

  /** Owner: one expense. */
  get: protectedProcedure
    .input(getExpenseInput)
    .output(expenseOutput)
    .query(({ ctx, input }) => expensesService.getExpense(ctx.db, ctx.user.id, input)),

  /** Owner: changes the given fields; a stale `version` is refused. */
  update: protectedProcedure
    .input(updateExpenseInput)
    .output(expenseOutput)
    .mutation(({ ctx, input }) => expensesService.updateExpense(ctx.db, ctx.user.id, input)),

  /** Owner: deletes it. */
  delete: protectedProcedure
    .input(deleteExpenseInput)
    .output(deleteExpenseOutput)
    .mutation(({ ctx, input }) => expensesService.deleteExpense(ctx.db, ctx.user.id, input)),

  /** Signed-in user: a filtered page, newest first, with a cursor to the next. */
  list: protectedProcedure
    .input(listExpensesInput)
    .output(expensePageOutput)
    .query(({ ctx, input }) => expensesService.listExpenses(ctx.db, ctx.user.id, input)),
});
