import { and, asc, eq, ne, sql } from "drizzle-orm";
import { type Db, type DbOrTx, rowsOf } from "../db/client";
import { isUniqueViolation } from "../db/pg-errors";
import { baseCategories, userCategories } from "../db/schema";
import { conflict, invalid, notFound } from "../errors";
import {
  type CategoriesListOutput,
  type CreateCategoryInput,
  type DeleteCategoryInput,
  type DeleteCategoryOutput,
  type ListCategoriesInput,
  slugOf,
  type UpdateCategoryInput,
  type UserCategoryOutput,
} from "../schemas/categories";

type UserCategoryRow = typeof userCategories.$inferSelect;

function toOutput(row: UserCategoryRow): UserCategoryOutput {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    baseCode: row.baseCode,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The base a new subcategory, move or expense goes under: it must exist and be active. */
async function requireActiveBase(db: DbOrTx, code: string, path: string): Promise<void> {
  const [base] = await db
    .select({ active: baseCategories.active })
    .from(baseCategories)
    .where(eq(baseCategories.code, code))
    .limit(1);
  if (!base) throw invalid(path, `${code} is not a base category`);
  if (!base.active) throw invalid(path, `${code} is inactive and takes no new categories`);
}

/** Says which of the user's categories a name or code would clash with, if any. */
async function findClash(
  db: DbOrTx,
  actorId: string,
  name: string | undefined,
  code: string | undefined,
  exceptId?: string,
): Promise<{ message: string; field: "name" | "code" } | null> {
  const rows = await db
    .select({ name: userCategories.name, code: userCategories.code })
    .from(userCategories)
    .where(
      and(
        eq(userCategories.userId, actorId),
        exceptId ? ne(userCategories.id, exceptId) : undefined,
        sql`(lower(${userCategories.name}) = lower(${name ?? null}::text) OR ${userCategories.code} = ${code ?? null}::text)`,
      ),
    )
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  if (name !== undefined && row.name.toLowerCase() === name.toLowerCase()) {
    return { message: `You already have a category named "${row.name}"`, field: "name" };
  }
  return { message: `You already have a category with the code ${row.code}`, field: "code" };
}

export async function listCategories(
  db: Db,
  actorId: string,
  input: ListCategoriesInput,
): Promise<CategoriesListOutput> {
  const all = input?.includeInactive === true;
  const base = await db
    .select({ code: baseCategories.code, name: baseCategories.name, active: baseCategories.active })
    .from(baseCategories)
    .where(all ? undefined : eq(baseCategories.active, true))
    .orderBy(asc(baseCategories.sortOrder), asc(baseCategories.code));
  const user = await db
    .select({ c: userCategories })
    .from(userCategories)
    .innerJoin(baseCategories, eq(baseCategories.code, userCategories.baseCode))
    .where(
      and(eq(userCategories.userId, actorId), all ? undefined : eq(baseCategories.active, true)),
    )
    .orderBy(asc(userCategories.code));
  return { base, user: user.map((r) => toOutput(r.c)) };
}

export async function createCategory(
  db: Db,
  actorId: string,
  input: CreateCategoryInput,
): Promise<UserCategoryOutput> {
  await requireActiveBase(db, input.baseCode, "baseCode");
  const slug = slugOf(input.name);
  if (!slug) throw invalid("name", "must contain a letter or digit (A-Z, 0-9)");
  const code = `${input.baseCode}.${slug}`;
  const clash = await findClash(db, actorId, input.name, code);
  if (clash) throw conflict(clash.message, "name");
  // A concurrent create may still win the race: the unique indexes have the last word.
  const [row] = await db
    .insert(userCategories)
    .values({ userId: actorId, baseCode: input.baseCode, slug, code, name: input.name })
    .onConflictDoNothing()
    .returning();
  if (!row) {
    throw conflict(
      (await findClash(db, actorId, input.name, code))?.message ?? "This category already exists",
      "name",
    );
  }
  return toOutput(row);
}

export async function updateCategory(
  db: Db,
  actorId: string,
  input: UpdateCategoryInput,
): Promise<UserCategoryOutput> {
  try {
    return await db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(userCategories)
        .where(and(eq(userCategories.id, input.id), eq(userCategories.userId, actorId)))
        .for("update")
        .limit(1);
      if (!current) throw notFound("Category");

      const moving = input.baseCode !== undefined && input.baseCode !== current.baseCode;
      const baseCode = moving && input.baseCode ? input.baseCode : current.baseCode;
      if (moving) await requireActiveBase(tx, baseCode, "baseCode");
      const code = moving ? `${baseCode}.${current.slug}` : current.code;
      const name = input.name ?? current.name;

      const clash = await findClash(tx, actorId, input.name, moving ? code : undefined, current.id);
      // A code clash comes from the move; the slug itself never changes.
      if (clash) throw conflict(clash.message, clash.field === "name" ? "name" : "baseCode");

      const [row] = await tx
        .update(userCategories)
        .set({ name, baseCode, code, updatedAt: sql`now()` })
        .where(and(eq(userCategories.id, current.id), eq(userCategories.userId, actorId)))
        .returning();
      if (!row) throw notFound("Category");
      if (moving) {
        // The expenses' base follows the category, so base-level filters and totals agree.
        await tx.execute(sql`
          UPDATE expenses SET base_code = ${baseCode}, updated_at = now()
          WHERE user_id = ${actorId} AND category_id = ${current.id}`);
      }
      return toOutput(row);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict("This name or code is already taken", "name");
    throw err;
  }
}

export async function deleteCategory(
  db: Db,
  actorId: string,
  input: DeleteCategoryInput,
): Promise<DeleteCategoryOutput> {
  return db.transaction(async (tx) => {
    // The row lock makes a concurrent expense insert under this category wait, so the
    // count below includes every expense that ends up detached.
    const [current] = await tx
      .select({ id: userCategories.id })
      .from(userCategories)
      .where(and(eq(userCategories.id, input.id), eq(userCategories.userId, actorId)))
      .for("update")
      .limit(1);
    if (!current) throw notFound("Category");
    const detached = rowsOf<{ n: number }>(
      await tx.execute(sql`
        WITH detached AS (
          UPDATE expenses SET category_id = NULL, updated_at = now()
          WHERE user_id = ${actorId} AND category_id = ${current.id}
          RETURNING 1
        )
        SELECT count(*)::int AS n FROM detached`),
    );
    await tx
      .delete(userCategories)
      .where(and(eq(userCategories.id, current.id), eq(userCategories.userId, actorId)));
    return { ok: true as const, detachedExpenses: Number(detached[0]?.n ?? 0) };
  });
}
