import { analyticsRouter } from "./routers/analytics";
import { authRouter } from "./routers/auth";
import { categoriesRouter } from "./routers/categories";
import { expensesRouter } from "./routers/expenses";
import { router } from "./trpc";

export const appRouter = router({
  analytics: analyticsRouter,
  auth: authRouter,
  categories: categoriesRouter,
  expenses: expensesRouter,
});

export type AppRouter = typeof appRouter;
