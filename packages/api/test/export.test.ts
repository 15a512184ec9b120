import { analyticsExport } from "@ledgerflow/core";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { insertExpenses } from "./analytics-helpers";
import { useTestEnv } from "./helpers";
import { bearer, useApps } from "./http-helpers";

const HEADER = "id,spent_on,amount,currency,base_code,category_code,note,created_at";

const TRICKY_NOTES = [
  'He said "hello", then left',
  "line one\nline two",
  "windows\r\nline",
  '=HYPERLINK("http://evil.example","click")',
  "+1 555 0100",
  "-2+3",
  "@SUM(A1:A2)",
  "\tTabbed",
  "café, crème brûlée ☕",
  "",
  null,
];

async function collect(gen: AsyncGenerator<string>): Promise<string> {
  let out = "";
  for await (const chunk of gen) out += chunk;
  return out;
}

describe("GET /export/expenses.csv", () => {
  const env = useTestEnv();
  const app = useApps(env);

  async function ledger() {
    const me = await env.signUp();
    const other = await env.signUp();
    const coffee = await me.caller.categories.create({ name: "Coffee", baseCode: "FOOD" });
    await insertExpenses(
      env.handle.db,
      TRICKY_NOTES.map((note, i) => ({
        userId: me.id,
        amountMinor: BigInt(101 * (i + 1)),
        currency: i % 4 === 3 ? "JPY" : "USD",
        spentOn: `2026-0${1 + (i % 3)}-1${i % 2}`,
        baseCode: "FOOD",
        categoryId: i % 2 === 0 ? coffee.id : null,
        note,
      })),
    );
    await insertExpenses(env.handle.db, [
      {
        userId: other.id,
        amountMinor: 5n,
        currency: "USD",
        spentOn: "2026-01-10",
        baseCode: "RENT",
        note: "not mine",
      },
    ]);
    return me;
  }

  /** The ledger as the export should show it, read back independently. */
  async function expected(userId: string, from?: string, to?: string) {
    const rows = await env.handle.db.query.expenses.findMany({
      where: (e, { eq }) => eq(e.userId, userId),
      with: undefined,
    });
    const cats = await env.handle.db.query.userCategories.findMany();
    const code = new Map(cats.map((c) => [c.id, c.code]));
    return rows
      .filter((r) => (!from || r.spentOn >= from) && (!to || r.spentOn <= to))
      .sort((a, b) =>
        a.spentOn !== b.spentOn
          ? a.spentOn < b.spentOn
            ? -1
            : 1
          : a.createdAt !== b.createdAt
            ? a.createdAt < b.createdAt
              ? -1
              : 1
            : a.id < b.id
              ? -1
              : 1,
      )
      .map((r) => {
        const decimals = r.currency === "JPY" ? 0 : 2;
        const s = r.amountMinor.toString().padStart(decimals + 1, "0");
        const amount = decimals ? `${s.slice(0, -decimals)}.${s.slice(-decimals)}` : s;
        return {
          id: r.id,
          spent_on: r.spentOn,
          amount,
          currency: r.currency,
          base_code: r.baseCode,
          category_code: r.categoryId ? (code.get(r.categoryId) ?? "?") : "",
          note: r.note ?? "",
        };
      });
  }

  it("streams the signed-in user's ledger as RFC 4180 CSV that parses back to it", async () => {
    const me = await ledger();
    const server = await app();
    const res = await server.inject({
      method: "GET",
      url: "/export/expenses.csv",
      headers: bearer(me.tokens.accessToken),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(res.headers["content-disposition"]).toContain("expenses.csv");
    expect(res.body.startsWith(`${HEADER}\r\n`)).toBe(true);
    expect(res.body.endsWith("\r\n")).toBe(true);

    const parsed = parse(res.body, { columns: true }) as Record<string, string>[];
    const want = await expected(me.id);
    expect(parsed).toHaveLength(TRICKY_NOTES.length);
    const neutral = (note: string) => (/^[=+\-@\t\r]/.test(note) ? `'${note}` : note);
    expect(parsed.map(({ created_at: _, ...rest }) => rest)).toEqual(
      want.map((w) => ({ ...w, note: neutral(w.note) })),
    );
    for (const row of parsed) {
      expect(row.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(row.note?.startsWith("=") || row.note?.startsWith("@")).toBe(false);
    }
    // The raw text quotes what needs it and nothing else.
    expect(res.body).toContain('"He said ""hello"", then left"');
    expect(res.body).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(res.body).toContain(",'+1 555 0100,");
    expect(res.body).toContain('"line one\nline two"');
    expect(res.body).not.toContain("not mine");
  });

  it("keeps to from..to, inclusive", async () => {
    const me = await ledger();
    const server = await app();
    const res = await server.inject({
      method: "GET",
      url: "/export/expenses.csv?from=2026-02-10&to=2026-02-11",
      headers: bearer(me.tokens.accessToken),
    });
    expect(res.statusCode).toBe(200);
    const parsed = parse(res.body, { columns: true }) as Record<string, string>[];
    const want = await expected(me.id, "2026-02-10", "2026-02-11");
    expect(want.length).toBeGreaterThan(0);
    expect(parsed.map((r) => r.id)).toEqual(want.map((w) => w.id));
  });

  it("pages through the database without losing or repeating a row", async () => {
    const me = await ledger();
    // One INSERT gives every row the same created_at, so the id must break the ties.
    await insertExpenses(
      env.handle.db,
      Array.from({ length: 23 }, (_, i) => ({
        userId: me.id,
        amountMinor: BigInt(i + 1),
        currency: "USD",
        spentOn: "2026-01-10",
        baseCode: "MISC",
      })),
    );
    const whole = await collect(
      analyticsExport.exportExpensesCsv(env.handle.db, me.id, {}, 10_000),
    );
    const paged = await collect(analyticsExport.exportExpensesCsv(env.handle.db, me.id, {}, 4));
    expect(paged).toBe(whole);
    const ids = (parse(paged, { columns: true }) as { id: string }[]).map((r) => r.id);
    expect(new Set(ids).size).toBe(23 + TRICKY_NOTES.length);
  });

  it("answers only the header for an empty ledger", async () => {
    const me = await env.signUp();
    const server = await app();
    const res = await server.inject({
      method: "GET",
      url: "/export/expenses.csv",
      headers: bearer(me.tokens.accessToken),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(`${HEADER}\r\n`);
  });

  it("refuses a missing or bad token and bad dates, naming the field", async () => {
    const me = await env.signUp();
    const server = await app();
    const anon = await server.inject({ method: "GET", url: "/export/expenses.csv" });
    expect(anon.statusCode).toBe(401);
    expect(anon.json().error.data.code).toBe("UNAUTHORIZED");
    const forged = await server.inject({
      method: "GET",
      url: "/export/expenses.csv",
      headers: bearer("not-a-token"),
    });
    expect(forged.statusCode).toBe(401);

    for (const [query, path] of [
      ["from=2026-02-01&to=2026-01-01", "from"],
      ["from=2026-02-30", "from"],
      ["to=yesterday", "to"],
      ["limit=5", "(query)"],
    ] as const) {
      const res = await server.inject({
        method: "GET",
        url: `/export/expenses.csv?${query}`,
        headers: bearer(me.tokens.accessToken),
      });
      expect(res.statusCode, query).toBe(400);
      const body = res.json();
      expect(body.error.data.code).toBe("BAD_REQUEST");
      expect(body.error.data.fieldErrors.map((f: { path: string }) => f.path)).toContain(path);
      expect(res.body).not.toContain("at ");
    }
  });
});
