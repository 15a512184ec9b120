import { authRouter } from "./routers/auth";
import { categoriesRouter } from "./routers/categories";
import { router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  categories: categoriesRouter,
});

export type AppRouter = typeof appRouter;
