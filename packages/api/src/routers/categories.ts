import {
  categoriesListOutput,
  categoriesService,
  createCategoryInput,
  deleteCategoryInput,
  deleteCategoryOutput,
  listCategoriesInput,
  updateCategoryInput,
  userCategoryOutput,
} from "@ledgerflow/core";
import { protectedProcedure, router } from "../trpc";

/** Every procedure here acts on the signed-in user's own categories only. */
export const categoriesRouter = router({
  /** Signed-in user: the base categories and their own. */
  list: protectedProcedure
    .input(listCategoriesInput)
    .output(categoriesListOutput)
    .query(({ ctx, input }) => categoriesService.listCategories(ctx.db, ctx.user.id, input)),

  /** Signed-in user: a subcategory `<BASE>.<SLUG>` under an active base. */
  create: protectedProcedure
    .input(createCategoryInput)
    .output(userCategoryOutput)
    .mutation(({ ctx, input }) => categoriesService.createCategory(ctx.db, ctx.user.id, input)),

  /** Owner: rename (code kept) or move to another base (code and expenses follow). */
  update: protectedProcedure
    .input(updateCategoryInput)
    .output(userCategoryOutput)
    .mutation(({ ctx, input }) => categoriesService.updateCategory(ctx.db, ctx.user.id, input)),

  /** Owner: deletes it; its expenses stay under their base category. */
  delete: protectedProcedure
    .input(deleteCategoryInput)
    .output(deleteCategoryOutput)
    .mutation(({ ctx, input }) => categoriesService.deleteCategory(ctx.db, ctx.user.id, input)),
});
