/**
 * The baseline: the same work as the product's hot paths written the plainest fast way,
 * to stand for what this machine can do. Plain Fastify routes at the same URLs, the same
 * JWT check (the product's token service), the same SQL statements sent through
 * postgres.js as prepared statements, hand-written input checks, no tRPC, no zod, no
 * Drizzle. Answers carry the same JSON as the product's, so a client cannot tell them
 * apart on the happy path.
 *
 *   PORT=4001 npx tsx src/baseline.ts
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import {
  checkMoney,
  createTokenService,
  formatMoney,
  pgArrayLiteral,
  uuidv7,
} from "@ledgerflow/core";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import postgres from "postgres";
import { BENCH_JWT_SECRET, benchConfig } from "./config";

// The product's argon2 binding, resolved from core: the baseline verifies passwords with
// exactly the same code and parameters.
const requireFromCore = createRequire(new URL("../../packages/core/package.json", import.meta.url));
const argon2 = requireFromCore("@node-rs/argon2") as {
  verify(hash: string, password: string): Promise<boolean>;
};

const sql = postgres(process.env.DATABASE_URL ?? benchConfig.databaseUrl, {
  max: benchConfig.poolSize,
  onnotice: () => {},
  prepare: process.env.BASELINE_PREPARE !== "false",
});
const tokens = createTokenService(BENCH_JWT_SECRET);

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const ISO_US = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

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

function toExpense(row: ExpenseRow) {
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

async function userOf(req: FastifyRequest): Promise<string> {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match?.[1]) throw new HttpError(401, "UNAUTHORIZED", "Sign in first");
  try {
    return (await tokens.verifyAccess(match[1])).userId;
  } catch {
    throw new HttpError(401, "UNAUTHORIZED", "Invalid access token");
  }
}

function inputOf(req: FastifyRequest): Record<string, unknown> {
  let raw: unknown;
  if (req.method === "GET") {
    const q = (req.query as { input?: string }).input;
    raw = q ? JSON.parse(q) : {};
  } else {
    raw = req.body ?? {};
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new HttpError(400, "BAD_REQUEST", "input must be an object");
  }
  return raw as Record<string, unknown>;
}

function str(input: Record<string, unknown>, key: string, pattern?: RegExp): string | undefined {
  const v = input[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || (pattern && !pattern.test(v))) {
    throw new HttpError(400, "BAD_REQUEST", `${key} is invalid`);
  }
  return v;
}

function need<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new HttpError(400, "BAD_REQUEST", `${key} is required`);
  return value;
}

/* The statements below are the product's, word for word where the product has them. */

/** The product's expense columns and join (services/expenses.ts), for get and list. */
const EXPENSE_SELECT = sql.unsafe(`
  e.id::text AS id, e.amount_minor::text AS amount_minor, e.currency::text AS currency,
  to_char(e.spent_on, 'YYYY-MM-DD') AS spent_on, e.base_code, c.code AS category_code,
  c.name AS category_name, e.note, e.version,
  to_char(e.created_at AT TIME ZONE 'UTC', ${ISO_MS}) AS created_at,
  to_char(e.updated_at AT TIME ZONE 'UTC', ${ISO_MS}) AS updated_at,
  to_char(e.created_at AT TIME ZONE 'UTC', ${ISO_US}) AS cursor_created
  FROM expenses e LEFT JOIN user_categories c ON c.id = e.category_id AND c.user_id = e.user_id`);

async function selectOne(db: postgres.Sql | postgres.TransactionSql, userId: string, id: string) {
  const [row] = await db<ExpenseRow[]>`
    SELECT ${EXPENSE_SELECT}
    WHERE e.user_id = ${userId} AND e.id = ${id}`;
  if (!row) throw new HttpError(404, "NOT_FOUND", "Expense not found");
  return toExpense(row);
}

async function list(req: FastifyRequest) {
  const userId = await userOf(req);
  const input = inputOf(req);
  const limitRaw = input.limit ?? 20;
  if (
    typeof limitRaw !== "number" ||
    !Number.isInteger(limitRaw) ||
    limitRaw < 1 ||
    limitRaw > 100
  ) {
    throw new HttpError(400, "BAD_REQUEST", "limit must be an integer from 1 to 100");
  }
  const limit = limitRaw;
  const cursorText = str(input, "cursor");
  let after = sql``;
  if (cursorText !== undefined) {
    const parsed: unknown = JSON.parse(Buffer.from(cursorText, "base64url").toString("utf8"));
    if (!Array.isArray(parsed) || parsed.length !== 3) {
      throw new HttpError(400, "BAD_REQUEST", "cursor is invalid");
    }
    const [spentOn, createdAt, id] = parsed as string[];
    after = sql`AND (e.spent_on, e.created_at, e.id) < (${spentOn ?? ""}::date, ${createdAt ?? ""}::timestamptz, ${id ?? ""}::uuid)`;
  }
  const rows = await sql<ExpenseRow[]>`
    SELECT ${EXPENSE_SELECT}
    WHERE e.user_id = ${userId} ${after}
    ORDER BY e.spent_on DESC NULLS LAST, e.created_at DESC NULLS LAST, e.id DESC NULLS LAST
    LIMIT ${limit + 1}`;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > limit && last
      ? Buffer.from(JSON.stringify([last.spent_on, last.cursor_created, last.id])).toString(
          "base64url",
        )
      : null;
  return { items: page.map(toExpense), nextCursor };
}

async function get(req: FastifyRequest) {
  const userId = await userOf(req);
  const id = need(str(inputOf(req), "id", UUID), "id");
  return selectOne(sql, userId, id);
}

interface Category {
  code: string;
  base_code: string;
  category_id: string | null;
  category_name: string | null;
  active: boolean;
}

async function resolveCategories(userId: string, codes: string[]): Promise<Map<string, Category>> {
  const rows = await sql<Category[]>`
    SELECT b.code, b.code AS base_code, NULL::text AS category_id,
           NULL::text AS category_name, b.active
    FROM base_categories b WHERE b.code IN ${sql(codes)}
    UNION ALL
    SELECT c.code, c.base_code, c.id::text, c.name, b.active
    FROM user_categories c JOIN base_categories b ON b.code = c.base_code
    WHERE c.user_id = ${userId} AND c.code IN ${sql(codes)}`;
  return new Map(rows.map((r) => [r.code, r]));
}

async function defaultCurrency(userId: string): Promise<string> {
  const [row] = await sql<{ currency: string }[]>`
    SELECT default_currency AS currency FROM users WHERE id = ${userId} LIMIT 1`;
  if (!row) throw new HttpError(401, "UNAUTHORIZED", "This account no longer exists");
  return row.currency;
}

interface NewExpense {
  amount: string;
  category: string;
  spentOn: string;
  currency?: string;
  note?: string | null;
}

function checkNewExpense(item: unknown, path: string): NewExpense {
  if (typeof item !== "object" || item === null) {
    throw new HttpError(400, "BAD_REQUEST", `${path} must be an object`);
  }
  const o = item as Record<string, unknown>;
  const amount = need(str(o, "amount", /^\d+(\.\d+)?$/), `${path}amount`);
  const category = need(str(o, "category", /^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)?$/), `${path}category`);
  const spentOn = need(str(o, "spentOn", DATE), `${path}spentOn`);
  const currency = str(o, "currency", /^[A-Z]{3}$/);
  const note = o.note === null ? null : str(o, "note");
  if (note && note.length > 500) throw new HttpError(400, "BAD_REQUEST", `${path}note too long`);
  return { amount, category, spentOn, currency, note };
}

async function insertMany(userId: string, items: NewExpense[]) {
  const needsDefault = items.some((i) => i.currency === undefined);
  const [fallback, categories] = await Promise.all([
    needsDefault ? defaultCurrency(userId) : Promise.resolve("USD"),
    resolveCategories(userId, [...new Set(items.map((i) => i.category))]),
  ]);
  const rows = items.map((item, index) => {
    const currency = item.currency ?? fallback;
    const minor = checkMoney(item.amount, currency);
    if (typeof minor === "string") throw new HttpError(400, "BAD_REQUEST", `${index}: ${minor}`);
    const cat = categories.get(item.category);
    if (!cat?.active) throw new HttpError(400, "BAD_REQUEST", `${item.category} is unknown`);
    return {
      id: uuidv7(),
      amount_minor: minor.toString(),
      currency,
      spent_on: item.spentOn,
      base_code: cat.base_code,
      category_id: cat.category_id,
      note: item.note === "" || item.note === undefined ? null : item.note,
      idempotency_key: null,
      idempotency_hash: null,
      cat,
    };
  });
  // The product's statement and parameters: one array literal per column (the product's
  // encoder, free text quoted), zipped back by unnest.
  const col = (pick: (r: (typeof rows)[number]) => string | null, quote = false) =>
    pgArrayLiteral(rows.map(pick), quote);
  // No keys here, so every row goes in and one summary row comes back, as in the product.
  const [inserted] = await sql<{ at: string; n: string }[]>`
    WITH ins AS (
      INSERT INTO expenses (id, user_id, amount_minor, currency, spent_on, base_code,
                            category_id, note, idempotency_key, idempotency_hash)
      SELECT x.id, ${userId}::uuid, x.amount_minor, x.currency, x.spent_on, x.base_code,
             x.category_id, x.note, x.idempotency_key, x.idempotency_hash
      FROM unnest(
        ${col((r) => r.id)}::uuid[], ${col((r) => r.amount_minor)}::bigint[],
        ${col((r) => r.currency)}::text[], ${col((r) => r.spent_on)}::date[],
        ${col((r) => r.base_code, true)}::text[], ${col((r) => r.category_id)}::uuid[],
        ${col((r) => r.note, true)}::text[], ${col((r) => r.idempotency_key, true)}::text[],
        ${col((r) => r.idempotency_hash, true)}::text[]
      ) AS x(id, amount_minor, currency, spent_on, base_code, category_id, note,
             idempotency_key, idempotency_hash)
      ON CONFLICT (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
      RETURNING id
    )
    SELECT to_char(now() AT TIME ZONE 'UTC', ${sql.unsafe(ISO_MS)}) AS at, count(*) AS n FROM ins`;
  const at = inserted?.at ?? "";
  return rows.map((r) => {
    return {
      id: r.id,
      amount: formatMoney(BigInt(r.amount_minor), r.currency),
      currency: r.currency,
      spentOn: r.spent_on,
      baseCode: r.base_code,
      category:
        r.cat.category_id && r.cat.category_name
          ? { code: r.cat.code, name: r.cat.category_name }
          : null,
      note: r.note,
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
  });
}

async function create(req: FastifyRequest) {
  const userId = await userOf(req);
  const [created] = await insertMany(userId, [checkNewExpense(inputOf(req), "")]);
  return created;
}

async function createMany(req: FastifyRequest) {
  const userId = await userOf(req);
  const items = inputOf(req).items;
  if (!Array.isArray(items) || items.length < 1 || items.length > 500) {
    throw new HttpError(400, "BAD_REQUEST", "items must hold 1 to 500 expenses");
  }
  return {
    items: await insertMany(
      userId,
      items.map((i, n) => checkNewExpense(i, `items.${n}.`)),
    ),
  };
}

async function update(req: FastifyRequest) {
  const userId = await userOf(req);
  const input = inputOf(req);
  const id = need(str(input, "id", UUID), "id");
  const amount = str(input, "amount", /^\d+(\.\d+)?$/);
  const note = input.note === null ? null : str(input, "note");
  const spentOn = str(input, "spentOn", DATE);
  return sql.begin(async (tx) => {
    const [current] = await tx<{ amount_minor: string; currency: string; version: number }[]>`
      SELECT amount_minor::text AS amount_minor, currency::text AS currency, version
      FROM expenses WHERE id = ${id} AND user_id = ${userId} LIMIT 1 FOR UPDATE`;
    if (!current) throw new HttpError(404, "NOT_FOUND", "Expense not found");
    let minor = BigInt(current.amount_minor);
    if (amount !== undefined) {
      const checked = checkMoney(amount, current.currency);
      if (typeof checked === "string") throw new HttpError(400, "BAD_REQUEST", checked);
      minor = checked;
    }
    await tx`
      UPDATE expenses SET amount_minor = ${minor.toString()},
        spent_on = coalesce(${spentOn ?? null}::date, spent_on),
        note = ${note === undefined ? tx`note` : note === "" ? null : note},
        version = version + 1, updated_at = now()
      WHERE id = ${id} AND user_id = ${userId}`;
    return selectOne(tx, userId, id);
  });
}

async function summary(req: FastifyRequest) {
  const userId = await userOf(req);
  const input = inputOf(req);
  const currency = str(input, "currency", /^[A-Z]{3}$/) ?? (await defaultCurrency(userId));
  // The plain way: aggregate the raw rows, per base category and overall, in one pass.
  const rows = await sql<
    {
      base_code: string | null;
      name: string | null;
      n: string;
      total: string;
      std_dev: string | null;
      sample_std_dev: string | null;
    }[]
  >`
    SELECT e.base_code, max(b.name) AS name, count(*)::text AS n, sum(e.amount_minor)::text AS total,
      round(stddev_pop(e.amount_minor))::text AS std_dev,
      round(stddev_samp(e.amount_minor))::text AS sample_std_dev
    FROM expenses e JOIN base_categories b ON b.code = e.base_code
    WHERE e.user_id = ${userId} AND e.currency = ${currency}
    GROUP BY GROUPING SETS ((e.base_code), ())`;
  const [largest] = await sql<
    { id: string; amount_minor: string; spent_on: string; base_code: string }[]
  >`
    SELECT id::text AS id, amount_minor::text AS amount_minor,
      to_char(spent_on, 'YYYY-MM-DD') AS spent_on, base_code
    FROM expenses WHERE user_id = ${userId} AND currency = ${currency}
    ORDER BY amount_minor DESC, spent_on DESC, created_at DESC, id DESC LIMIT 1`;
  const all = rows.find((r) => r.base_code === null);
  const count = Number(all?.n ?? 0);
  const total = BigInt(all?.total ?? 0);
  const avg = (t: bigint, n: number) =>
    formatMoney((t * 2n + BigInt(n)) / (2n * BigInt(n)), currency);
  return {
    currency,
    from: null,
    to: null,
    count,
    total: formatMoney(total, currency),
    average: count > 0 ? avg(total, count) : null,
    largest: largest
      ? {
          id: largest.id,
          amount: formatMoney(BigInt(largest.amount_minor), currency),
          spentOn: largest.spent_on,
          baseCode: largest.base_code,
          category: null,
        }
      : null,
    stdDev: all?.std_dev ? formatMoney(BigInt(all.std_dev), currency) : null,
    sampleStdDev: all?.sample_std_dev ? formatMoney(BigInt(all.sample_std_dev), currency) : null,
    byCategory: rows
      .filter((r) => r.base_code !== null)
      .sort((a, b) =>
        BigInt(b.total) > BigInt(a.total) ? 1 : BigInt(b.total) < BigInt(a.total) ? -1 : 0,
      )
      .map((r) => ({
        code: r.base_code,
        name: r.name,
        total: formatMoney(BigInt(r.total), currency),
        count: Number(r.n),
        average: avg(BigInt(r.total), Number(r.n)),
        share: total > 0n ? Number(r.total) / Number(total) : 0,
        subcategories: [],
      })),
  };
}

async function trend(req: FastifyRequest) {
  const userId = await userOf(req);
  const input = inputOf(req);
  const currency = str(input, "currency", /^[A-Z]{3}$/) ?? (await defaultCurrency(userId));
  const now = new Date();
  const to = str(input, "to", DATE) ?? now.toISOString().slice(0, 10);
  const toDate = new Date(`${to}T00:00:00Z`);
  const fromDefault = new Date(Date.UTC(toDate.getUTCFullYear(), toDate.getUTCMonth() - 11, 1));
  const from = str(input, "from", DATE) ?? fromDefault.toISOString().slice(0, 10);
  const rows = await sql<{ period: string; total: string; n: string }[]>`
    SELECT to_char(date_trunc('month', spent_on), 'YYYY-MM') AS period,
      sum(amount_minor)::text AS total, count(*)::text AS n
    FROM expenses
    WHERE user_id = ${userId} AND currency = ${currency}
      AND spent_on >= ${from}::date AND spent_on <= ${to}::date
    GROUP BY 1`;
  const byPeriod = new Map(rows.map((r) => [r.period, r]));
  const points = [];
  const start = new Date(`${from.slice(0, 7)}-01T00:00:00Z`);
  for (
    let d = start;
    d <= toDate;
    d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))
  ) {
    const period = d.toISOString().slice(0, 7);
    const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
    const row = byPeriod.get(period);
    points.push({
      period,
      start: d.toISOString().slice(0, 10),
      end: end.toISOString().slice(0, 10),
      total: formatMoney(BigInt(row?.total ?? 0), currency),
      count: Number(row?.n ?? 0),
    });
  }
  return { currency, granularity: "month", points };
}

async function login(req: FastifyRequest) {
  const input = inputOf(req);
  const email = need(str(input, "email"), "email").trim();
  const password = need(str(input, "password"), "password");
  const [user] = await sql<
    {
      id: string;
      email: string;
      name: string | null;
      default_currency: string;
      password_hash: string;
      created_at: Date;
    }[]
  >`SELECT id::text AS id, email, name, default_currency, password_hash, created_at
    FROM users WHERE lower(email) = lower(${email}) LIMIT 1`;
  if (!user || !(await argon2.verify(user.password_hash, password))) {
    throw new HttpError(401, "UNAUTHORIZED", "Wrong email or password");
  }
  const refreshToken = randomBytes(32).toString("base64url");
  const refreshExpires = new Date(Date.now() + 30 * 24 * 3600 * 1000);
  await sql`
    INSERT INTO sessions (user_id, family_id, token_hash, expires_at)
    VALUES (${user.id}, ${randomUUID()}, ${createHash("sha256").update(refreshToken).digest("hex")}, ${refreshExpires})`;
  const access = await tokens.signAccess(user.id);
  return {
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      defaultCurrency: user.default_currency,
      createdAt: user.created_at.toISOString(),
    },
    tokens: {
      accessToken: access.token,
      refreshToken,
      accessTokenExpiresAt: access.expiresAt.toISOString(),
      refreshTokenExpiresAt: refreshExpires.toISOString(),
    },
  };
}

const QUERIES: Record<string, (req: FastifyRequest) => Promise<unknown>> = {
  "expenses.list": list,
  "expenses.get": get,
  "analytics.summary": summary,
  "analytics.trend": trend,
};
const MUTATIONS: Record<string, (req: FastifyRequest) => Promise<unknown>> = {
  "expenses.create": create,
  "expenses.createMany": createMany,
  "expenses.update": update,
  "auth.login": login,
};

async function answer(
  handlers: Record<string, (req: FastifyRequest) => Promise<unknown>>,
  req: FastifyRequest<{ Params: { path: string } }>,
  reply: FastifyReply,
) {
  const handler = handlers[req.params.path];
  try {
    if (!handler) throw new HttpError(404, "NOT_FOUND", `No procedure ${req.params.path}`);
    const data = await handler(req);
    return reply.type("application/json").send(JSON.stringify({ result: { data } }));
  } catch (err) {
    const e =
      err instanceof HttpError
        ? err
        : err instanceof SyntaxError
          ? new HttpError(400, "BAD_REQUEST", err.message)
          : new HttpError(500, "INTERNAL_SERVER_ERROR", "Internal server error");
    if (e.status === 500) req.log.error(err);
    return reply
      .code(e.status)
      .type("application/json")
      .send(
        JSON.stringify({
          error: { message: e.message, data: { code: e.code, httpStatus: e.status } },
        }),
      );
  }
}

const app = Fastify({ logger: { level: "error" }, bodyLimit: 4 * 1024 * 1024 });
app.get("/healthz", async () => ({ ok: true }));
app.get<{ Params: { path: string } }>("/api/:path", (req, reply) => answer(QUERIES, req, reply));
app.post<{ Params: { path: string } }>("/api/:path", (req, reply) => answer(MUTATIONS, req, reply));

const port = Number(process.env.PORT ?? 4001);
await app.listen({ port, host: "127.0.0.1" });
const stop = async () => {
  await app.close();
  await sql.end({ timeout: 5 });
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
