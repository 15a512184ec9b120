import { createHash } from "node:crypto";
import { and, eq, type SQL, sql } from "drizzle-orm";
import { CURRENCY_DECIMALS } from "../currencies";
import { pgArrayLiteral } from "../db/arrays";
import { type Db, type DbOrTx, rowsOf } from "../db/client";
import { isForeignKeyViolation } from "../db/pg-errors";
import { expenses } from "../db/schema";
import { statement } from "../db/statement";
import { conflict, DomainError, type FieldIssue, invalid, notFound } from "../errors";
import { uuidv7 } from "../ids";
import { checkMoney, decimalToScaled, formatMoney, MAX_CURRENCY_DECIMALS } from "../money";
import { isCalendarDate } from "../schemas/common";
import {
  type CreateExpenseInput,
  type CreateManyExpensesInput,
  type CreateManyExpensesOutput,
  createExpenseInput,
  type DeleteExpenseInput,
  type ExpenseOutput,
  type ExpensePageOutput,
  type GetExpenseInput,
  LIST_LIMIT_DEFAULT,
  type ListExpensesInput,
  quickCreateItem,
  type UpdateExpenseInput,
} from "../schemas/expenses";

/* ------------------------------------------------------------------ reading rows */

const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const ISO_US = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/**
 * The columns of an `Expense`, formatted by PostgreSQL so that both drivers give the
 * same strings whatever the session time zone. `cursor_created` keeps the microseconds
 * that the output's milliseconds drop, so a cursor lands exactly between two rows.
 */
const EXPENSE_COLUMNS = sql.raw(`
  e.id::text AS id,
  e.amount_minor::text AS amount_minor,
  e.currency::text AS currency,
  to_char(e.spent_on, 'YYYY-MM-DD') AS spent_on,
  e.base_code,
  c.code AS category_code,
  c.name AS category_name,
  e.note,
  e.version,
  to_char(e.created_at AT TIME ZONE 'UTC', ${ISO_MS}) AS created_at,
  to_char(e.updated_at AT TIME ZONE 'UTC', ${ISO_MS}) AS updated_at,
  to_char(e.created_at AT TIME ZONE 'UTC', ${ISO_US}) AS cursor_created`);

/** An expense row `e` with its subcategory `c`, if it has one (of the same owner). */
const CATEGORY_JOIN = sql.raw(
  "LEFT JOIN user_categories c ON c.id = e.category_id AND c.user_id = e.user_id",
);

const EXPENSE_FROM = sql`expenses e ${CATEGORY_JOIN}`;

interface ExpenseRow {
  id: string;
  amount_minor: string;
  currency: string;
  spent_on: string;
  base_code: string;
  category_code: string | null;
  category_name: string | null;
  note: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  cursor_created: string;
}

function toExpense(row: ExpenseRow): ExpenseOutput {
  return {
    id: row.id,
    amount: formatMoney(BigInt(row.amount_minor), row.currency),
    currency: row.currency,
    spentOn: row.spent_on,
    baseCode: row.base_code,
    category:
      row.category_code !== null && row.category_name !== null
        ? { code: row.category_code, name: row.category_name }
        : null,
    note: row.note,
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** One expense of one owner: the read behind `expenses.get`. */
const SELECT_ONE = statement<{ owner: string; id: string }>(
  sql`SELECT ${EXPENSE_COLUMNS} FROM ${EXPENSE_FROM}
      WHERE e.user_id = ${sql.placeholder("owner")} AND e.id = ${sql.placeholder("id")}`,
);

async function selectOne(db: DbOrTx, actorId: string, id: string): Promise<ExpenseOutput> {
  const [row] = rowsOf<ExpenseRow>(await SELECT_ONE(db, { owner: actorId, id }));
  if (!row) throw notFound("Expense");
  return toExpense(row);
}

/* ------------------------------------------------------------------ categories */

interface ResolvedCategory {
  code: string;
  baseCode: string;
  /** The user category, or null for a base code on its own. */
  categoryId: string | null;
  categoryName: string | null;
  active: boolean;
}

/**
 * Looks up base and user category codes in one query. Another user's codes are simply
 * not found, so they read as unknown.
 */
async function resolveCategories(
  db: DbOrTx,
  actorId: string,
  codes: Iterable<string>,
): Promise<Map<string, ResolvedCategory>> {
  const unique = [...new Set(codes)];
  const found = new Map<string, ResolvedCategory>();
  if (unique.length === 0) return found;
  const list = sql.join(
    unique.map((c) => sql`${c}`),
    sql`, `,
  );
  const rows = rowsOf<{
    code: string;
    base_code: string;
    category_id: string | null;
    category_name: string | null;
    active: boolean;
  }>(
    await db.execute(sql`
      SELECT b.code, b.code AS base_code, NULL::text AS category_id,
             NULL::text AS category_name, b.active
      FROM base_categories b WHERE b.code IN (${list})
      UNION ALL
      SELECT c.code, c.base_code, c.id::text, c.name, b.active
      FROM user_categories c JOIN base_categories b ON b.code = c.base_code
      WHERE c.user_id = ${actorId} AND c.code IN (${list})`),
  );
  for (const r of rows) {
    found.set(r.code, {
      code: r.code,
      baseCode: r.base_code,
      categoryId: r.category_id,
      categoryName: r.category_name,
      active: r.active,
    });
  }
  return found;
}

function unknownCategory(code: string): string {
  return code.includes(".")
    ? `${code} is not one of your categories`
    : `${code} is not a base category`;
}

/** Why an expense cannot be filed under this category now, or null if it can. */
function categoryProblem(code: string, cat: ResolvedCategory | undefined): string | null {
  if (!cat) return unknownCategory(code);
  if (!cat.active) {
    return cat.categoryId
      ? `${code} is under the inactive base category ${cat.baseCode} and takes no new expenses`
      : `${code} is inactive and takes no new expenses`;
  }
  return null;
}

/* ------------------------------------------------------------------ create */

interface PreparedExpense {
  id: string;
  amountMinor: bigint;
  currency: string;
  spentOn: string;
  category: ResolvedCategory;
  note: string | null;
  idempotencyKey: string | null;
  idempotencyHash: string | null;
}

function validationError(issues: FieldIssue[]): DomainError {
  const shown = issues
    .slice(0, 5)
    .map((i) => `${i.path}: ${i.message}`)
    .join("; ");
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : "";
  return new DomainError("INVALID", `Invalid input: ${shown}${more}`, { issues });
}

/** Empty and absent notes are the same thing: no note. */
function normaliseNote(note: string | null | undefined): string | null {
  return note === undefined || note === null || note === "" ? null : note;
}

/** What makes two creates "the same content" for an idempotency key. */
function fingerprint(e: Omit<PreparedExpense, "id" | "idempotencyHash">): string {
  return createHash("sha256")
    .update(
      JSON.stringify([e.amountMinor.toString(), e.currency, e.category.code, e.spentOn, e.note]),
    )
    .digest("base64url");
}

async function defaultCurrencyOf(db: DbOrTx, actorId: string): Promise<string> {
  // Plain SQL: the query builder costs more than the look-up itself on the create path.
  const [user] = rowsOf<{ currency: string }>(
    await db.execute(
      sql`SELECT default_currency::text AS currency FROM users WHERE id = ${actorId} LIMIT 1`,
    ),
  );
  if (!user) throw new DomainError("UNAUTHORIZED", "This account no longer exists");
  return user.currency;
}

/**
 * Checks every item of a batch against the item schema, one message per bad field, so a
 * refusal lists every bad item instead of stopping at the first.
 */
function parseItems(
  items: readonly unknown[],
  pathOf: (index: number) => string,
  issues: FieldIssue[],
): (CreateExpenseInput | null)[] {
  return items.map((item, index) => {
    const quick = quickCreateItem(item);
    if (quick) return quick;
    const res = createExpenseInput.safeParse(item);
    if (res.success) return res.data;
    // One message per field: a value can break several rules of the same field at once.
    const seen = new Set<string>();
    for (const issue of res.error.issues) {
      const field = issue.path.map(String).join(".");
      const path = `${pathOf(index)}${field}`.replace(/\.$/, "") || "(input)";
      if (seen.has(path)) continue;
      seen.add(path);
      issues.push({ path, message: issue.message });
    }
    return null;
  });
}

/**
 * Checks parsed items in memory after one look-up of the categories and collects every
 * problem, so a batch is refused with the full list. `pathOf(i)` prefixes field paths.
 */
async function prepareItems(
  db: DbOrTx,
  actorId: string,
  parsed: readonly (CreateExpenseInput | null)[],
  pathOf: (index: number) => string,
  issues: FieldIssue[] = [],
): Promise<PreparedExpense[]> {
  const needsDefault = parsed.some((p) => p !== null && p.currency === undefined);
  const [defaultCurrency, categories] = await Promise.all([
    needsDefault ? defaultCurrencyOf(db, actorId) : Promise.resolve("USD"),
    resolveCategories(
      db,
      actorId,
      parsed.flatMap((p) => (p ? [p.category] : [])),
    ),
  ]);

  const prepared: PreparedExpense[] = [];
  parsed.forEach((p, index) => {
    if (!p) return;
    const currency = p.currency ?? defaultCurrency;
    const amountMinor = checkMoney(p.amount, currency);
    if (typeof amountMinor === "string") {
      issues.push({ path: `${pathOf(index)}amount`, message: `${amountMinor} (${currency})` });
    }
    const category = categories.get(p.category);
    const problem = categoryProblem(p.category, category);
    if (problem) issues.push({ path: `${pathOf(index)}category`, message: problem });
    if (typeof amountMinor === "string" || problem || !category) return;
    const row: PreparedExpense = {
      id: uuidv7(),
      amountMinor,
      currency,
      spentOn: p.spentOn,
      category,
      note: normaliseNote(p.note),
      idempotencyKey: p.idempotencyKey ?? null,
      idempotencyHash: null,
    };
    if (row.idempotencyKey !== null) row.idempotencyHash = fingerprint(row);
    prepared.push(row);
  });
  if (issues.length > 0) throw validationError(issues);
  return prepared;
}

/**
 * What an insert reports: the rows' common creation time (their `created_at` and
 * `updated_at` default to the transaction's `now()`), and which ids went in; `null` when
 * no row carries an idempotency key, so that all of them went in.
 */
interface Inserted {
  at: string;
  ids: ReadonlySet<string> | null;
}

/** Values checked to be free of array syntax (ids, integers, dates, codes) go unquoted. */
const PLAIN = false;
/** Free text (notes, keys) is quoted and escaped. */
const TEXT = true;

/**
 * One INSERT for the whole batch. The rows travel as one typed array per column and are
 * zipped back by `unnest`: PostgreSQL reads arrays of scalars faster than it takes a JSON
 * document apart into records. Rows whose idempotency key is already used are skipped here
 * and settled by the caller. Only keyed rows can be skipped, so a batch without keys gets
 * back one row (the time and the count) instead of one per expense.
 */
async function insertPrepared(
  db: DbOrTx,
  actorId: string,
  rows: readonly PreparedExpense[],
): Promise<Inserted> {
  const col = (pick: (r: PreparedExpense) => string | null, quote = PLAIN) =>
    pgArrayLiteral(rows.map(pick), quote);
  const keyed = rows.some((r) => r.idempotencyKey !== null);
  const [result] = rowsOf<{ at: string; n: number | string; ids: string[] | null }>(
    await db.execute(sql`
      WITH ins AS (
        INSERT INTO expenses (id, user_id, amount_minor, currency, spent_on, base_code,
                              category_id, note, idempotency_key, idempotency_hash)
        SELECT x.id, ${actorId}::uuid, x.amount_minor, x.currency, x.spent_on, x.base_code,
               x.category_id, x.note, x.idempotency_key, x.idempotency_hash
        FROM unnest(
          ${col((r) => r.id)}::uuid[], ${col((r) => r.amountMinor.toString())}::bigint[],
          ${col((r) => r.currency)}::text[], ${col((r) => r.spentOn)}::date[],
          ${col((r) => r.category.baseCode, TEXT)}::text[], ${col((r) => r.category.categoryId)}::uuid[],
          ${col((r) => r.note, TEXT)}::text[], ${col((r) => r.idempotencyKey, TEXT)}::text[],
          ${col((r) => r.idempotencyHash, TEXT)}::text[]
        ) AS x(id, amount_minor, currency, spent_on, base_code, category_id, note,
               idempotency_key, idempotency_hash)
        ON CONFLICT (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING id
      )
      SELECT to_char(now() AT TIME ZONE 'UTC', ${sql.raw(ISO_MS)}) AS at, count(*) AS n,
        ${keyed ? sql`array_agg(id::text)` : sql`NULL::text[]`} AS ids
      FROM ins`),
  );
  if (!result) throw new Error("the insert reported nothing");
  if (!keyed && Number(result.n) !== rows.length) {
    throw new Error(`inserted ${result.n} of ${rows.length} expenses without keys`);
  }
  return { at: result.at, ids: keyed ? new Set(result.ids ?? []) : null };
}

function preparedToOutput(p: PreparedExpense, at: string): ExpenseOutput {
  return {
    id: p.id,
    amount: formatMoney(p.amountMinor, p.currency),
    currency: p.currency,
    spentOn: p.spentOn,
    baseCode: p.category.baseCode,
    category:
      p.category.categoryId && p.category.categoryName
        ? { code: p.category.code, name: p.category.categoryName }
        : null,
    note: p.note,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * Inserts prepared expenses and settles idempotency keys: a key already used with the
 * same content gives back that expense as it is now; with other content it is CONFLICT.
 * With several rows and keys it must run in a transaction, so a conflict writes nothing.
 */
async function writePrepared(
  db: DbOrTx,
  actorId: string,
  prepared: readonly PreparedExpense[],
  pathOf: (index: number) => string,
  categoryPath: string,
): Promise<ExpenseOutput[]> {
  let inserted: Inserted;
  try {
    inserted = await insertPrepared(db, actorId, prepared);
  } catch (err) {
    // A subcategory deleted between the look-up and the insert.
    if (isForeignKeyViolation(err)) {
      throw invalid(categoryPath, "a category was deleted meanwhile; try again");
    }
    throw err;
  }
  const wentIn = (p: PreparedExpense) => inserted.ids === null || inserted.ids.has(p.id);
  const skipped = prepared.filter((p) => !wentIn(p));
  const existing = new Map<string, { row: ExpenseRow; hash: string | null }>();
  if (skipped.length > 0) {
    const keys = sql.join(
      skipped.map((p) => sql`${p.idempotencyKey}`),
      sql`, `,
    );
    const rows = rowsOf<ExpenseRow & { idempotency_key: string; idempotency_hash: string | null }>(
      await db.execute(sql`
        SELECT ${EXPENSE_COLUMNS}, e.idempotency_key, e.idempotency_hash
        FROM ${EXPENSE_FROM}
        WHERE e.user_id = ${actorId} AND e.idempotency_key IN (${keys})`),
    );
    for (const r of rows) existing.set(r.idempotency_key, { row: r, hash: r.idempotency_hash });
  }
  const issues: FieldIssue[] = [];
  const out = prepared.map((p, index) => {
    if (wentIn(p)) return preparedToOutput(p, inserted.at);
    const prior = p.idempotencyKey ? existing.get(p.idempotencyKey) : undefined;
    if (!prior || prior.hash !== p.idempotencyHash) {
      issues.push({
        path: `${pathOf(index)}idempotencyKey`,
        // No prior row: its expense was deleted between the insert and this look-up.
        message: prior
          ? "was already used for an expense with other content"
          : "was in use by a request that has just changed it; try again",
      });
      return null;
    }
    return toExpense(prior.row);
  });
  if (issues.length > 0) {
    throw new DomainError(
      "CONFLICT",
      issues.length === 1
        ? "This idempotency key was already used for an expense with other content"
        : `${issues.length} idempotency keys were already used for expenses with other content`,
      { issues },
    );
  }
  return out.filter((e): e is ExpenseOutput => e !== null);
}

export async function createExpense(
  db: Db,
  actorId: string,
  input: CreateExpenseInput,
): Promise<ExpenseOutput> {
  const pathOf = () => "";
  // The input is already of the item schema's type, checked where it came in.
  const [prepared] = await prepareItems(db, actorId, [input], pathOf);
  if (!prepared) throw invalid("(input)", "nothing to create");
  // One statement: the unique index settles a race between two creates with one key.
  const [created] = await writePrepared(db, actorId, [prepared], pathOf, "category");
  if (!created) throw notFound("Expense");
  return created;
}

/** Up to 500 expenses, all or nothing; a refusal lists every bad item. */
export async function createExpenses(
  db: Db,
  actorId: string,
  input: CreateManyExpensesInput,
): Promise<CreateManyExpensesOutput> {
  const pathOf = (i: number) => `items.${i}.`;
  // The items are parsed here, not by the procedure, so that every bad item is reported.
  const issues: FieldIssue[] = [];
  const parsed = parseItems(input.items, pathOf, issues);
  const prepared = await prepareItems(db, actorId, parsed, pathOf, issues);
  const keyed = prepared.some((p) => p.idempotencyKey !== null);
  // Without keys the single INSERT is atomic on its own; with keys a later conflict must
  // undo the rows already inserted.
  const items = keyed
    ? await db.transaction((tx) => writePrepared(tx, actorId, prepared, pathOf, "items"))
    : await writePrepared(db, actorId, prepared, pathOf, "items");
  return { items };
}

/* ------------------------------------------------------------------ get, update, delete */

export async function getExpense(
  db: Db,
  actorId: string,
  input: GetExpenseInput,
): Promise<ExpenseOutput> {
  return selectOne(db, actorId, input.id);
}

/** "12.50" → "12.5", "12.00" → "12": the same value with no padding decimals. */
function trimZeros(amount: string): string {
  return amount.includes(".") ? amount.replace(/\.?0+$/, "") : amount;
}

export async function updateExpense(
  db: Db,
  actorId: string,
  input: UpdateExpenseInput,
): Promise<ExpenseOutput> {
  return db.transaction(async (tx) => {
    // Plain SQL on this path: the query builder cost more than the statements themselves.
    const [current] = rowsOf<{
      amount_minor: string;
      currency: string;
      base_code: string;
      category_id: string | null;
      version: number | string;
    }>(
      await tx.execute(sql`
        SELECT amount_minor::text AS amount_minor, currency::text AS currency, base_code,
               category_id::text AS category_id, version
        FROM expenses WHERE id = ${input.id} AND user_id = ${actorId}
        LIMIT 1 FOR UPDATE`),
    );
    if (!current) throw notFound("Expense");
    const currentVersion = Number(current.version);
    if (input.version !== undefined && input.version !== currentVersion) {
      throw conflict(
        `This expense has changed since version ${input.version}: it is now at version ${currentVersion}; reload it and try again`,
        "version",
      );
    }

    const issues: FieldIssue[] = [];
    const currency = input.currency ?? current.currency;
    const storedMinor = BigInt(current.amount_minor);
    let amountMinor = storedMinor;
    if (input.amount !== undefined || currency !== current.currency) {
      // A new currency re-reads the amount with its own decimals: 12.50 USD cannot become JPY.
      // The stored amount's padding zeros are not the user's: 12.00 USD may become 12 JPY.
      const text = input.amount ?? trimZeros(formatMoney(storedMinor, current.currency));
      const checked = checkMoney(text, currency);
      if (typeof checked === "string") {
        issues.push({
          path: "amount",
          message:
            input.amount === undefined
              ? `${text} does not fit ${currency}: ${checked}; give an amount with the new currency`
              : `${checked} (${currency})`,
        });
      } else {
        amountMinor = checked;
      }
    }

    let baseCode = current.base_code;
    let categoryId = current.category_id;
    if (input.category !== undefined) {
      const cat = (await resolveCategories(tx, actorId, [input.category])).get(input.category);
      const unchanged =
        cat !== undefined &&
        cat.baseCode === current.base_code &&
        cat.categoryId === current.category_id;
      // Keeping the category it already has is fine even when that category is inactive.
      const problem = unchanged ? null : categoryProblem(input.category, cat);
      if (problem || !cat) {
        issues.push({ path: "category", message: problem ?? unknownCategory(input.category) });
      } else {
        baseCode = cat.baseCode;
        categoryId = cat.categoryId;
      }
    }
    if (issues.length > 0) throw validationError(issues);

    // The new row is read back, with its category, by the same statement.
    const spentOn = input.spentOn !== undefined ? sql`${input.spentOn}::date` : sql.raw("spent_on");
    const note =
      input.note !== undefined ? sql`${normaliseNote(input.note)}::text` : sql.raw("note");
    const [row] = rowsOf<ExpenseRow>(
      await tx.execute(sql`
        WITH e AS (
          UPDATE expenses SET
            amount_minor = ${amountMinor.toString()}::bigint,
            currency = ${currency},
            base_code = ${baseCode},
            category_id = ${categoryId}::uuid,
            spent_on = ${spentOn},
            note = ${note},
            version = version + 1,
            updated_at = now()
          WHERE id = ${input.id} AND user_id = ${actorId}
          RETURNING *)
        SELECT ${EXPENSE_COLUMNS}
        FROM e ${CATEGORY_JOIN}`),
    );
    if (!row) throw notFound("Expense");
    return toExpense(row);
  });
}

export async function deleteExpense(
  db: Db,
  actorId: string,
  input: DeleteExpenseInput,
): Promise<{ ok: true }> {
  const deleted = await db
    .delete(expenses)
    .where(and(eq(expenses.id, input.id), eq(expenses.userId, actorId)))
    .returning({ id: expenses.id });
  if (deleted.length === 0) throw notFound("Expense");
  return { ok: true };
}

/* ------------------------------------------------------------------ list */

interface Cursor {
  spentOn: string;
  createdAt: string;
  id: string;
}

const CURSOR_DATE = /^\d{4}-\d{2}-\d{2}$/;
const CURSOR_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const CURSOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A real instant: JavaScript would roll 2026-02-30 over to March where PostgreSQL refuses it. */
function isInstant(iso: string): boolean {
  const d = new Date(iso);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 19) === iso.slice(0, 19);
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.spentOn, c.createdAt, c.id])).toString("base64url");
}

export function decodeCursor(text: string): Cursor {
  const bad = invalid("cursor", "is not a cursor from expenses.list; pass nextCursor unchanged");
  let value: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) throw bad;
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw bad;
  }
  if (!Array.isArray(value) || value.length !== 3) throw bad;
  const [spentOn, createdAt, id] = value as unknown[];
  if (
    typeof spentOn !== "string" ||
    typeof createdAt !== "string" ||
    typeof id !== "string" ||
    !CURSOR_DATE.test(spentOn) ||
    !CURSOR_TS.test(createdAt) ||
    !CURSOR_ID.test(id) ||
    !isCalendarDate(spentOn) ||
    !isInstant(createdAt)
  ) {
    throw bad;
  }
  return { spentOn, createdAt, id };
}

/** Escapes LIKE's wildcards so a search for "50%" finds the text "50%". */
export function likeContains(q: string): string {
  return `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/**
 * How many units of the finest currency (4 decimals) one minor unit of the row's
 * currency is worth: lets one amount filter compare expenses in every currency.
 */
const TO_FINEST_UNITS = (() => {
  const byDigits = new Map<number, string[]>();
  for (const [code, digits] of CURRENCY_DECIMALS) {
    if (digits === 2) continue;
    byDigits.set(digits, [...(byDigits.get(digits) ?? []), `'${code}'`]);
  }
  const arms = [...byDigits]
    .map(
      ([digits, codes]) =>
        `WHEN e.currency IN (${codes.join(", ")}) THEN ${10 ** (MAX_CURRENCY_DECIMALS - digits)}`,
    )
    .join(" ");
  return sql.raw(`(CASE ${arms} ELSE ${10 ** (MAX_CURRENCY_DECIMALS - 2)} END)`);
})();

function amountBound(
  path: "minAmount" | "maxAmount",
  text: string,
  currency: string | undefined,
): { value: bigint; scaled: boolean } {
  const decimals = currency ? (CURRENCY_DECIMALS.get(currency) ?? 2) : MAX_CURRENCY_DECIMALS;
  const value = decimalToScaled(text, decimals);
  if (typeof value === "string") {
    throw invalid(path, currency ? `${value} (${currency})` : value);
  }
  return { value, scaled: !currency };
}

/** The list statement of each shape (which filters are present), built on first use. */
const LIST_STATEMENTS = new Map<string, ReturnType<typeof statement>>();

export async function listExpenses(
  db: Db,
  actorId: string,
  input: ListExpensesInput,
): Promise<ExpensePageOutput> {
  const q = input ?? {};
  const limit = q.limit ?? LIST_LIMIT_DEFAULT;
  // Each condition names its values as placeholders, and the list of conditions present
  // (the shape) picks a statement built once: the first page and the next ones of a plain
  // listing are then one statement each, whatever the owner and the values.
  const shape: string[] = [];
  const where: SQL[] = [sql`e.user_id = ${sql.placeholder("owner")}`];
  const values: Record<string, unknown> = { owner: actorId, limit: limit + 1 };
  const add = (key: string, condition: SQL, named: Record<string, unknown>) => {
    shape.push(key);
    where.push(condition);
    Object.assign(values, named);
  };

  if (q.from && q.to && q.from > q.to) throw invalid("to", "must not be before from");
  if (q.from) add("from", sql`e.spent_on >= ${sql.placeholder("from")}::date`, { from: q.from });
  if (q.to) add("to", sql`e.spent_on <= ${sql.placeholder("to")}::date`, { to: q.to });
  if (q.currency) {
    add("currency", sql`e.currency = ${sql.placeholder("currency")}`, { currency: q.currency });
  }

  if (q.category) {
    const cat = (await resolveCategories(db, actorId, [q.category])).get(q.category);
    // Filters keep working for inactive categories: only existence is checked.
    if (!cat) throw invalid("category", unknownCategory(q.category));
    if (cat.categoryId) {
      add("sub", sql`e.category_id = ${sql.placeholder("categoryId")}::uuid`, {
        categoryId: cat.categoryId,
      });
    } else {
      add("base", sql`e.base_code = ${sql.placeholder("baseCode")}`, { baseCode: cat.baseCode });
    }
  }

  const min = q.minAmount !== undefined ? amountBound("minAmount", q.minAmount, q.currency) : null;
  const max = q.maxAmount !== undefined ? amountBound("maxAmount", q.maxAmount, q.currency) : null;
  if (min && max && min.value > max.value)
    throw invalid("maxAmount", "must not be less than minAmount");
  for (const [name, bound, op] of [
    ["min", min, sql`>=`],
    ["max", max, sql`<=`],
  ] as const) {
    if (!bound) continue;
    const amount = bound.scaled ? sql`e.amount_minor * ${TO_FINEST_UNITS}` : sql`e.amount_minor`;
    add(
      `${name}${bound.scaled ? ":scaled" : ""}`,
      sql`${amount} ${op} ${sql.placeholder(name)}::bigint`,
      { [name]: bound.value.toString() },
    );
  }

  if (q.q !== undefined) {
    add("q", sql`e.note ILIKE ${sql.placeholder("q")} ESCAPE '\\'`, { q: likeContains(q.q) });
  }

  if (q.cursor !== undefined) {
    const c = decodeCursor(q.cursor);
    add(
      "cursor",
      sql`(e.spent_on, e.created_at, e.id) < (${sql.placeholder("afterDay")}::date,
        ${sql.placeholder("afterCreated")}::timestamptz, ${sql.placeholder("afterId")}::uuid)`,
      { afterDay: c.spentOn, afterCreated: c.createdAt, afterId: c.id },
    );
  }

  const key = shape.join(",");
  let select = LIST_STATEMENTS.get(key);
  if (!select) {
    // The sort matches the (user_id, spent_on, created_at, id) index, NULLS LAST included.
    select = statement(sql`
      SELECT ${EXPENSE_COLUMNS} FROM ${EXPENSE_FROM}
      WHERE ${sql.join(where, sql` AND `)}
      ORDER BY e.spent_on DESC NULLS LAST, e.created_at DESC NULLS LAST, e.id DESC NULLS LAST
      LIMIT ${sql.placeholder("limit")}`);
    LIST_STATEMENTS.set(key, select);
  }
  const rows = rowsOf<ExpenseRow>(await select(db, values));
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor({ spentOn: last.spent_on, createdAt: last.cursor_created, id: last.id })
      : null;
  return { items: page.map(toExpense), nextCursor };
}
