import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLI_BUNDLE,
  type CliHome,
  cliHome,
  resignToken,
  startServer,
  type TestServer,
  todayUtc,
} from "./e2e-helpers";

const PASSWORD = "correct horse battery staple";

interface Expense {
  id: string;
  amount: string;
  currency: string;
  spentOn: string;
  baseCode: string;
  category: { code: string; name: string } | null;
  note: string | null;
  version: number;
}
interface Page {
  items: Expense[];
  nextCursor: string | null;
}

let server: TestServer;
const homes: CliHome[] = [];
let userCount = 0;

beforeAll(async () => {
  server = await startServer();
}, 120_000);

afterAll(async () => {
  for (const h of homes) h.cleanup();
  await server?.stop();
});

/** A fresh home with a newly registered user, signed in. */
async function signedIn(currency = "EUR"): Promise<CliHome & { email: string }> {
  const home = cliHome(server.url);
  homes.push(home);
  userCount += 1;
  const email = `user${userCount}-${randomUUID().slice(0, 8)}@example.com`;
  await home.ok(["register", email, "--currency", currency, "--password-stdin"], {
    input: `${PASSWORD}\n`,
  });
  return Object.assign(home, { email });
}

describe("accounts", () => {
  it("registers, keeps the session in a private config file and answers whoami", async () => {
    const home = cliHome(server.url);
    homes.push(home);
    const out = await home.ok(
      ["register", "ada@example.com", "--name", "Ada", "--currency", "eur"],
      {
        env: { LEDGERFLOW_PASSWORD: PASSWORD },
      },
    );
    expect(out).toContain("Registered ada@example.com (default currency EUR)");
    expect(statSync(home.configFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(home.dir, ".config", "ledgerflow")).mode & 0o777).toBe(0o700);
    expect(home.config().url).toBe(server.url);
    expect(home.config().tokens?.refreshToken).toBeTruthy();

    const me = await home.json<{ email: string; name: string; defaultCurrency: string }>([
      "whoami",
    ]);
    expect(me).toMatchObject({ email: "ada@example.com", name: "Ada", defaultCurrency: "EUR" });

    const again = await home.run(["register", "ADA@example.com", "--password-stdin"], {
      input: PASSWORD,
    });
    expect(again.code).toBe(6);
    expect(again.stderr).toMatch(/^error: .+\nhint: .+\n$/);
  });

  it("logs out, then refuses with exit code 3 until login", async () => {
    const home = await signedIn();
    expect(await home.ok(["logout"])).toContain("Signed out.");
    expect(home.config().tokens ?? null).toBeNull();
    const who = await home.run(["whoami"]);
    expect(who.code).toBe(3);
    expect(who.stderr).toContain("not signed in");
    expect(who.stderr).toContain("hint: Run 'ledgerflow login <email>'");

    const wrong = await home.run(["login", home.email, "--password-stdin"], {
      input: "wrong password!",
    });
    expect(wrong.code).toBe(3);
    await home.ok(["login", home.email, "--password-stdin"], { input: PASSWORD });
    expect((await home.json<{ email: string }>(["whoami"])).email).toBe(home.email);
  });

  it("refreshes a refused access token without the user noticing", async () => {
    const home = await signedIn();
    const before = home.config().tokens;
    if (!before) throw new Error("no tokens after register");
    // Well formed, not expired by its own claims, but signed with another key.
    const now = Math.floor(Date.now() / 1000);
    const forged = resignToken(before.accessToken, "not-the-server-key-0123456789abcdef", {
      iat: now,
      exp: now + 900,
    });
    writeFileSync(
      home.configFile,
      JSON.stringify({ ...home.config(), tokens: { ...before, accessToken: forged } }),
    );

    const added = await home.run(["add", "9.99", "FOOD"]);
    expect(added.stderr).toBe("");
    expect(added.code).toBe(0);
    const after = home.config().tokens;
    expect(after?.accessToken).not.toBe(forged);
    expect(after?.refreshToken).not.toBe(before.refreshToken);
    expect(statSync(home.configFile).mode & 0o777).toBe(0o600);
    expect((await home.json<Page>(["list"])).items.map((e) => e.amount)).toEqual(["9.99"]);
  });

  it("renews the session once when several commands find it expired together", async () => {
    const home = await signedIn();
    const before = home.config().tokens;
    if (!before) throw new Error("no tokens after register");
    const now = Math.floor(Date.now() / 1000);
    const forged = resignToken(before.accessToken, "not-the-server-key-0123456789abcdef", {
      iat: now,
      exp: now + 900,
    });
    writeFileSync(
      home.configFile,
      JSON.stringify({ ...home.config(), tokens: { ...before, accessToken: forged } }),
    );
    const results = await Promise.all(
      Array.from({ length: 6 }, () => home.run(["list", "--json"])),
    );
    expect(results.map((r) => [r.code, r.stderr])).toEqual(Array(6).fill([0, ""]));
    // Had two of them spent the same refresh token, the server would have revoked the login.
    expect((await home.json<{ email: string }>(["whoami"])).email).toBe(home.email);
    expect(home.config().tokens?.refreshToken).not.toBe(before.refreshToken);
  });

  it("refreshes a genuinely expired access token before using it", async () => {
    const home = await signedIn();
    const before = home.config().tokens;
    if (!before) throw new Error("no tokens after register");
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = resignToken(before.accessToken, server.jwtSecret(), {
      iat: past - 900,
      exp: past,
    });
    writeFileSync(
      home.configFile,
      JSON.stringify({
        ...home.config(),
        tokens: {
          ...before,
          accessToken: expired,
          accessTokenExpiresAt: new Date(past * 1000).toISOString(),
        },
      }),
    );
    expect((await home.json<{ email: string }>(["whoami"])).email).toBe(home.email);
    expect(home.config().tokens?.refreshToken).not.toBe(before.refreshToken);
  });

  it("asks to sign in again when the refresh token is refused too", async () => {
    const home = await signedIn();
    const tokens = home.config().tokens;
    if (!tokens) throw new Error("no tokens after register");
    writeFileSync(
      home.configFile,
      JSON.stringify({
        ...home.config(),
        tokens: { ...tokens, accessToken: "a.b.c", refreshToken: "spent" },
      }),
    );
    const r = await home.run(["list"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("ledgerflow login");
    expect(home.config().tokens ?? null).toBeNull();
  });
});

describe("expenses", () => {
  it("adds with each date form and lists them newest first", async () => {
    const home = await signedIn();
    const a = await home.json<Expense>(["add", "12.50", "food", "--note", "lunch"]);
    expect(a).toMatchObject({
      amount: "12.50",
      currency: "EUR",
      spentOn: todayUtc(),
      baseCode: "FOOD",
      note: "lunch",
    });
    const b = await home.json<Expense>(["add", "30", "GROCERIES", "--date", "yesterday"]);
    expect(b.spentOn).toBe(todayUtc(-1));
    const c = await home.json<Expense>([
      "add",
      "1500",
      "TRAVEL",
      "--date",
      "2026-01-15",
      "--currency",
      "JPY",
    ]);
    expect(c).toMatchObject({ amount: "1500", currency: "JPY", spentOn: "2026-01-15" });
    const d = await home.json<Expense>(["add", "7", "FOOD", "--date", "today"]);
    expect(d.spentOn).toBe(todayUtc());

    const page = await home.json<Page>(["list"]);
    expect(page.items.map((e) => e.id)).toEqual([d.id, a.id, b.id, c.id]);
    const table = await home.ok(["list"]);
    expect(table).toMatch(/^ID\s+DATE\s+AMOUNT\s+CUR\s+CATEGORY\s+NOTE$/m);
    expect(table).toContain("4 expenses, 49.50 EUR, 1500 JPY.");
  });

  it("rejects malformed dates as usage errors and bad amounts as validation errors", async () => {
    const home = await signedIn();
    const badDate = await home.run(["add", "5", "FOOD", "--date", "2026-02-30"]);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain("--date must be today, yesterday or a date YYYY-MM-DD");
    const tooPrecise = await home.run(["add", "12.345", "FOOD"]);
    expect(tooPrecise.code).toBe(5);
    expect(tooPrecise.stderr).toMatch(/Amount must have at most 2 decimals/);
    const unknown = await home.run(["add", "5", "NOPE"]);
    expect(unknown.code).toBe(5);
    const missing = await home.run(["add", "5"]);
    expect(missing.code).toBe(2);
    const unknownOption = await home.run(["list", "--colour"]);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("hint: Run 'ledgerflow list --help'");
    // Nothing half-done: none of the refused adds wrote anything.
    expect((await home.json<Page>(["list"])).items).toHaveLength(0);
  });

  it("filters by every list option and walks every page with --all", async () => {
    const home = await signedIn();
    await home.ok(["categories", "add", "Coffee", "--base", "FOOD"]);
    const rows: [string, string, string, string?][] = [
      ["3.20", "FOOD.COFFEE", "2026-03-01", "flat white"],
      ["12.00", "FOOD", "2026-03-02", "lunch"],
      ["45.00", "GROCERIES", "2026-03-03"],
      ["8.00", "TRANSPORT", "2026-03-04", "bus pass top-up"],
      ["100.00", "RENT", "2026-02-27"],
      ["2.80", "FOOD.COFFEE", "2026-03-05", "espresso"],
      ["9.00", "FOOD", "2026-03-06", "Coffee beans"],
    ];
    for (const [amount, category, date, note] of rows) {
      await home.ok(["add", amount, category, "--date", date, ...(note ? ["--note", note] : [])]);
    }
    await home.ok(["add", "20", "FOOD", "--date", "2026-03-02", "--currency", "USD"]);

    const amounts = async (args: string[]) =>
      (await home.json<Page>(["list", ...args])).items.map((e) => `${e.amount} ${e.currency}`);
    expect(await amounts(["--from", "2026-03-02", "--to", "2026-03-03"])).toEqual([
      "45.00 EUR",
      "20.00 USD",
      "12.00 EUR",
    ]);
    expect(await amounts(["--category", "food", "--currency", "EUR"])).toEqual([
      "9.00 EUR",
      "2.80 EUR",
      "12.00 EUR",
      "3.20 EUR",
    ]);
    expect(await amounts(["--category", "FOOD.COFFEE"])).toEqual(["2.80 EUR", "3.20 EUR"]);
    expect(await amounts(["--min", "8", "--max", "12"])).toEqual([
      "9.00 EUR",
      "8.00 EUR",
      "12.00 EUR",
    ]);
    expect(await amounts(["--search", "coffee"])).toEqual(["9.00 EUR"]);

    const first = await home.json<Page>(["list", "--limit", "3"]);
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).toBeTruthy();
    const second = await home.json<Page>([
      "list",
      "--limit",
      "3",
      "--cursor",
      String(first.nextCursor),
    ]);
    expect(second.items.map((e) => e.id)).not.toContain(first.items[0]?.id);
    const human = await home.ok(["list", "--limit", "3"]);
    expect(human).toContain("More: add --cursor");

    const all = await home.json<Page>(["list", "--all", "--limit", "3"]);
    expect(all.items).toHaveLength(8);
    expect(all.nextCursor).toBeNull();
    expect(new Set(all.items.map((e) => e.id)).size).toBe(8);

    const badLimit = await home.run(["list", "--limit", "500"]);
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toContain("--limit must be at most 100");
  });

  it("edits and deletes, with conflict and not-found exit codes", async () => {
    const home = await signedIn();
    const e = await home.json<Expense>(["add", "10", "FOOD", "--note", "dinner"]);
    const edited = await home.json<Expense>([
      "edit",
      e.id,
      "--amount",
      "14.5",
      "--category",
      "ENTERTAINMENT",
      "--date",
      "yesterday",
    ]);
    expect(edited).toMatchObject({
      amount: "14.50",
      baseCode: "ENTERTAINMENT",
      spentOn: todayUtc(-1),
      note: "dinner",
      version: 2,
    });
    const stale = await home.run(["edit", e.id, "--note", "late", "--if-version", "1"]);
    expect(stale.code).toBe(6);
    expect(stale.stderr).toContain("hint:");
    const cleared = await home.json<Expense>(["edit", e.id, "--clear-note", "--if-version", "2"]);
    expect(cleared.note).toBeNull();
    const nothing = await home.run(["edit", e.id]);
    expect(nothing.code).toBe(2);

    expect(await home.ok(["rm", e.id])).toContain(`Deleted expense ${e.id}.`);
    const gone = await home.run(["rm", e.id]);
    expect(gone.code).toBe(4);
    expect(gone.stderr).toMatch(/^error: .*not found/i);
    const malformed = await home.run(["rm", "not-a-uuid"]);
    expect(malformed.code).toBe(5);

    // Someone else's expense is not found either.
    const other = await signedIn();
    const theirs = await other.json<Expense>(["add", "1", "MISC"]);
    expect((await home.run(["rm", theirs.id])).code).toBe(4);
    expect((await other.json<Page>(["list"])).items).toHaveLength(1);
  });
});

describe("categories", () => {
  it("adds, renames, moves and removes a category", async () => {
    const home = await signedIn();
    const created = await home.json<{ code: string; name: string }>([
      "categories",
      "add",
      "Coffee & Tea",
      "--base",
      "food",
    ]);
    expect(created).toMatchObject({ code: "FOOD.COFFEE_TEA", name: "Coffee & Tea" });
    const dup = await home.run(["categories", "add", "coffee & tea", "--base", "FOOD"]);
    expect(dup.code).toBe(6);
    await home.ok(["add", "4", "FOOD.COFFEE_TEA"]);

    expect(await home.ok(["categories", "rename", "food.coffee_tea", "Hot drinks"])).toContain(
      'Renamed FOOD.COFFEE_TEA to "Hot drinks".',
    );
    const list = await home.ok(["categories", "list"]);
    expect(list).toMatch(/^FOOD\.COFFEE_TEA\s+Hot drinks$/m);
    expect(list).toMatch(/^BILLS\s+Bills & Utilities$/m);

    const rm = await home.ok(["categories", "rm", "FOOD.COFFEE_TEA"]);
    expect(rm).toContain("Deleted FOOD.COFFEE_TEA; 1 expense now filed under FOOD.");
    const missing = await home.run(["categories", "rm", "FOOD.COFFEE_TEA"]);
    expect(missing.code).toBe(4);
    const page = await home.json<Page>(["list"]);
    expect(page.items[0]).toMatchObject({ baseCode: "FOOD", category: null });
  });
});

describe("analytics", () => {
  it("summarises exactly, by category", async () => {
    const home = await signedIn();
    for (const [amount, cat] of [
      ["10.00", "FOOD"],
      ["20.00", "FOOD"],
      ["30.01", "GROCERIES"],
    ]) {
      await home.ok(["add", amount as string, cat as string, "--date", "2026-05-10"]);
    }
    await home.ok(["add", "999", "FOOD", "--date", "2026-05-10", "--currency", "USD"]);
    const s = await home.json<{
      currency: string;
      count: number;
      total: string;
      average: string;
      byCategory: { code: string; total: string; count: number }[];
    }>(["summary"]);
    expect(s).toMatchObject({ currency: "EUR", count: 3, total: "60.01", average: "20.00" });
    expect(s.byCategory.map((c) => [c.code, c.total, c.count])).toEqual([
      ["GROCERIES", "30.01", 1],
      ["FOOD", "30.00", 2],
    ]);
    const human = await home.ok(["summary", "--from", "2026-05-01", "--to", "2026-05-31"]);
    expect(human).toContain("Spending in EUR, 2026-05-01 to 2026-05-31");
    expect(human).toMatch(/^Total\s+60\.01 EUR$/m);
    const usd = await home.json<{ total: string; count: number }>(["summary", "--currency", "usd"]);
    expect(usd).toMatchObject({ total: "999.00", count: 1 });
  });

  it("draws the trend as bars scaled to the largest period", async () => {
    const home = await signedIn();
    await home.ok(["add", "40", "FOOD", "--date", "2026-04-10"]);
    await home.ok(["add", "10", "FOOD", "--date", "2026-06-02"]);
    const out = await home.ok(["trend", "--from", "2026-04-01", "--to", "2026-06-30"]);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toContain("Spending per month in EUR, 2026-04-01 to 2026-06-30");
    const bar = (period: string) => {
      const line = lines.find((l) => l.startsWith(period)) ?? "";
      return (line.match(/[█▏▎▍▌▋▊▉]/g) ?? []).length;
    };
    expect(lines.find((l) => l.startsWith("2026-04"))).toMatch(/40\.00 {2}\(1\)$/);
    expect(bar("2026-05")).toBe(0);
    expect(bar("2026-04")).toBeGreaterThan(bar("2026-06") * 3);
    expect(bar("2026-06")).toBeGreaterThan(0);

    const weekly = await home.json<{
      granularity: string;
      points: { period: string; total: string }[];
    }>(["trend", "--granularity", "week", "--from", "2026-06-01", "--to", "2026-06-14"]);
    expect(weekly.granularity).toBe("week");
    expect(weekly.points.map((p) => [p.period, p.total])).toEqual([
      ["2026-W23", "10.00"],
      ["2026-W24", "0.00"],
    ]);
    const bad = await home.run(["trend", "--granularity", "year"]);
    expect(bad.code).toBe(2);
  });
});

describe("export and import", () => {
  it("exports CSV to stdout and to a file", async () => {
    const home = await signedIn();
    await home.ok(["add", "12.50", "FOOD", "--date", "2026-07-01", "--note", 'say "hi", then']);
    await home.ok(["add", "3", "TRANSPORT", "--date", "2026-08-01"]);
    const csv = await home.ok(["export", "--from", "2026-07-01", "--to", "2026-07-31"]);
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe("id,spent_on,amount,currency,base_code,category_code,note,created_at");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('2026-07-01,12.50,EUR,FOOD,,"say ""hi"", then"');

    const file = join(home.dir, "all.csv");
    expect(await home.ok(["export", "-o", file])).toContain(`Exported 2 expenses to ${file}.`);
    expect(readFileSync(file, "utf8").trim().split(/\r?\n/)).toHaveLength(3);

    // The export, piped into another account's import, arrives whole.
    const other = await signedIn();
    expect(await other.ok(["import", "-"], { input: csv })).toContain(
      "Imported 1 expense from standard input.",
    );
    const copied = await other.json<Page>(["list"]);
    expect(copied.items.map((e) => [e.spentOn, e.amount, e.currency, e.note])).toEqual([
      ["2026-07-01", "12.50", "EUR", 'say "hi", then'],
    ]);
  });

  it("imports good rows, and refuses a file with bad rows without writing any", async () => {
    const home = await signedIn();
    await home.ok(["categories", "add", "Coffee", "--base", "FOOD"]);
    const good = join(home.dir, "good.csv");
    writeFileSync(
      good,
      [
        "date,amount,category,currency,note",
        "2026-09-01,4.50,FOOD.COFFEE,,morning",
        '2026-09-02,1200,TRAVEL,JPY,"train, Kyoto"',
        "yesterday,60,groceries,EUR,",
      ].join("\n"),
    );
    const dry = await home.ok(["import", good, "--dry-run"]);
    expect(dry).toContain("All 3 rows are valid; nothing was written (dry run).");
    expect((await home.json<Page>(["list"])).items).toHaveLength(0);

    expect(await home.ok(["import", good])).toContain(`Imported 3 expenses from ${good}.`);
    const page = await home.json<Page>(["list"]);
    expect(
      page.items.map((e) => [
        e.spentOn,
        e.amount,
        e.currency,
        e.category?.code ?? e.baseCode,
        e.note,
      ]),
    ).toEqual([
      [todayUtc(-1), "60.00", "EUR", "GROCERIES", null],
      ["2026-09-02", "1200", "JPY", "TRAVEL", "train, Kyoto"],
      ["2026-09-01", "4.50", "EUR", "FOOD.COFFEE", "morning"],
    ]);

    const bad = join(home.dir, "bad.csv");
    writeFileSync(
      bad,
      [
        "date,amount,category,currency,note",
        "2026-10-01,5.00,FOOD,,fine",
        "2026-10-02,5.005,FOOD,,too precise",
        "2026-13-01,5,FOOD,,no such month",
        "2026-10-03,7,NOSUCH,,",
        '2026-10-04,7.5,FOOD,,"a note',
        'over two lines"',
        "2026-10-05,-3,FOOD,,negative",
      ].join("\n"),
    );
    const refused = await home.run(["import", bad]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain("4 of 6 rows in");
    expect(refused.stderr).toContain("nothing was imported");
    expect(refused.stderr).toMatch(/line 3: amount '5\.005' must have at most 2 decimals/);
    expect(refused.stderr).toMatch(/line 4: date '2026-13-01'/);
    expect(refused.stderr).toMatch(/line 5: category NOSUCH does not exist/);
    expect(refused.stderr).toMatch(/line 8: amount '-3'/);
    expect(refused.stderr).not.toMatch(/line [267]:/);
    expect((await home.json<Page>(["list", "--all"])).items).toHaveLength(3);

    const dryBad = await home.run(["import", bad, "--dry-run", "--json"]);
    expect(dryBad.code).toBe(5);
    const err = JSON.parse(dryBad.stderr) as { error: { exitCode: number; details: string[] } };
    expect(err.error.exitCode).toBe(5);
    expect(err.error.details).toHaveLength(4);
  });

  it("imports more rows than one call takes, and its own export round trip", async () => {
    const home = await signedIn();
    const rows = Array.from(
      { length: 620 },
      (_, i) => `2026-02-${String((i % 28) + 1).padStart(2, "0")},${i + 1}.25,MISC,,row ${i + 1}`,
    );
    const big = join(home.dir, "big.csv");
    writeFileSync(big, ["spent_on,amount,category_code,currency,note", ...rows].join("\n"));
    expect(await home.ok(["import", big])).toContain("Imported 620 expenses");
    const s = await home.json<{ count: number; total: string }>(["summary"]);
    // 1.25 + 2.25 + ... + 620.25 = 620*621/2 + 620*0.25
    expect(s).toMatchObject({ count: 620, total: "192665.00" });

    const exported = join(home.dir, "export.csv");
    await home.ok(["export", "-o", exported]);
    const other = await signedIn();
    expect(await other.ok(["import", exported])).toContain("Imported 620 expenses");
    expect((await other.json<{ total: string }>(["summary"])).total).toBe("192665.00");

    // A bad row far into the second chunk still leaves nothing written.
    const third = await signedIn();
    const late = join(third.dir, "late.csv");
    writeFileSync(
      late,
      [
        "date,amount,category",
        ...rows.slice(0, 600).map((r) => r.split(",").slice(0, 3).join(",")),
        "2026-02-01,1.999,MISC",
      ].join("\n"),
    );
    const r = await third.run(["import", late]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("line 602:");
    expect((await third.json<{ count: number }>(["summary"])).count).toBe(0);
  });
});

describe("errors", () => {
  it("has distinct exit codes, plain sentences and no stack traces", async () => {
    const home = cliHome(server.url);
    homes.push(home);
    const notSignedIn = await home.run(["list"]);
    expect(notSignedIn.code).toBe(3);
    const elsewhere = await home.run(["whoami", "--url", "http://127.0.0.1:9"]);
    expect(elsewhere.code).toBe(3);

    const signed = await signedIn();
    const down = await signed.run(["list", "--url", "http://127.0.0.1:9"]);
    // Tokens are kept per server: another address has no session to use.
    expect(down.code).toBe(3);
    const refused = await home.run(
      ["login", "x@example.com", "--url", "http://127.0.0.1:9", "--password-stdin"],
      {
        input: PASSWORD,
      },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "error: Cannot reach the LedgerFlow server at http://127.0.0.1:9.\nhint: Check that the server is running (pnpm start), or pass --url or set LEDGERFLOW_URL.\n",
    );
    const usage = await home.run(["frobnicate"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^error: Unknown command 'frobnicate'/);
    for (const r of [notSignedIn, elsewhere, refused, usage]) {
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("exits 7 with a hint to wait once failed logins lock the account", async () => {
    const home = await signedIn();
    let last = { code: 0, stdout: "", stderr: "" };
    for (let i = 0; i < 25 && last.code !== 7; i++) {
      last = await home.run(["login", home.email, "--password-stdin"], { input: "wrong password" });
      if (last.code !== 7) expect(last.code).toBe(3);
    }
    expect(last.code).toBe(7);
    expect(last.stderr).toMatch(
      /^error: .+\nhint: Wait \d+ seconds? and try again\.\n$|^error: .+\nhint: Wait a minute and try again\.\n$/,
    );
  });

  it("prints --help with an example for every command", async () => {
    const home = cliHome(server.url);
    homes.push(home);
    const commands = [
      ["register"],
      ["login"],
      ["logout"],
      ["whoami"],
      ["categories"],
      ["categories", "list"],
      ["categories", "add"],
      ["categories", "rename"],
      ["categories", "rm"],
      ["add"],
      ["list"],
      ["edit"],
      ["rm"],
      ["summary"],
      ["trend"],
      ["export"],
      ["import"],
    ];
    for (const c of commands) {
      const r = await home.run([...c, "--help"]);
      expect(r.code, c.join(" ")).toBe(0);
      expect(r.stdout, c.join(" ")).toMatch(/Examples?:\n {2}\$ ledgerflow /);
      expect(r.stdout).toContain("--json");
    }
    const root = await home.ok(["--help"]);
    expect(root).toContain("Exit codes:");
  });

  it("runs as one file copied anywhere, with colours only when asked for off a terminal", async () => {
    const home = await signedIn();
    const lone = join(home.dir, "elsewhere", "ledgerflow.mjs");
    mkdirSync(dirname(lone));
    copyFileSync(CLI_BUNDLE, lone);
    const run = (env: NodeJS.ProcessEnv) =>
      new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          [lone, "categories", "list"],
          { env: { ...home.env, ...env }, cwd: dirname(lone) },
          (err, stdout) => (err ? reject(err) : resolve(stdout)),
        );
      });
    const plain = await run({});
    expect(plain).toMatch(/^CODE\s+NAME\n/);
    expect(plain).not.toContain("\u001b[");
    const forced = await run({ NO_COLOR: "", FORCE_COLOR: "1" });
    expect(forced).toContain("\u001b[1mCODE");
  });
});
