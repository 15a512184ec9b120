import { TRPCClientError } from "@ledgerflow/client";
import { describe, expect, it } from "vitest";
import { barChart } from "./chart";
import { parseImport } from "./csv-import";
import { parseDate } from "./dates";
import { CliError, EXIT, toCliError } from "./errors";
import { sumAmounts, totalsByCurrency } from "./format";

const NOW = new Date("2026-03-01T00:30:00Z");

describe("parseDate", () => {
  it("reads today and yesterday in UTC, across a month end", () => {
    expect(parseDate("today", "--date", NOW)).toBe("2026-03-01");
    expect(parseDate("Yesterday", "--date", NOW)).toBe("2026-02-28");
    expect(parseDate("2024-02-29", "--date", NOW)).toBe("2024-02-29");
  });
  it("refuses what is not a calendar date, as a usage error naming the option", () => {
    for (const bad of ["2026-02-29", "2026-3-1", "tomorrowish", "01/03/2026", ""]) {
      const err = (() => {
        try {
          parseDate(bad, "--from", NOW);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(EXIT.usage);
      expect((err as CliError).message).toContain("--from");
    }
  });
});

describe("sums for display", () => {
  it("adds decimal strings exactly", () => {
    expect(sumAmounts(["0.10", "0.20", "0.30"])).toBe("0.60");
    expect(sumAmounts(["1500", "1"])).toBe("1501");
    expect(sumAmounts(["99999999999.99", "0.01"])).toBe("100000000000.00");
    expect(
      totalsByCurrency([
        { amount: "1.10", currency: "EUR" },
        { amount: "5", currency: "JPY" },
        { amount: "2.20", currency: "EUR" },
      ]),
    ).toBe("3.30 EUR, 5 JPY");
  });
});

describe("barChart", () => {
  it("scales bars to the largest row and shows any spending as at least a sliver", () => {
    const lines = barChart(
      [
        { label: "2026-01", amount: "100.00", count: 2 },
        { label: "2026-02", amount: "0.00", count: 0 },
        { label: "2026-03", amount: "50.00", count: 1 },
        { label: "2026-04", amount: "0.01", count: 1 },
      ],
      10,
    );
    const bars = lines.map((l) => l.slice(9, 19));
    expect(bars[0]).toBe("██████████");
    expect(bars[1]?.trim()).toBe("");
    expect(bars[2]).toBe("█████     ");
    expect(bars[3]).toBe("▏         ");
    expect(lines[0]).toMatch(/100\.00 {2}\(2\)$/);
    expect(lines[1]).toMatch(/ 0\.00$/);
  });
  it("draws nothing but labels when there is no spending at all", () => {
    expect(barChart([{ label: "W1", amount: "0", count: 0 }], 5)).toEqual(["W1         0"]);
  });
});

describe("parseImport", () => {
  const rules = { usable: new Set(["FOOD", "MISC", "FOOD.COFFEE"]), retired: new Set(["OLD"]) };

  it("reads the export's columns, falling back to the base code", () => {
    const csv = [
      "id,spent_on,amount,currency,base_code,category_code,note,created_at",
      "x,2026-01-02,4.50,EUR,FOOD,FOOD.COFFEE,flat white,2026-01-02T10:00:00Z",
      "y,2026-01-03,1500,JPY,MISC,,,2026-01-03T10:00:00Z",
    ].join("\r\n");
    const { rows, errors } = parseImport(csv, "USD", rules);
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      {
        line: 2,
        item: {
          amount: "4.50",
          category: "FOOD.COFFEE",
          spentOn: "2026-01-02",
          currency: "EUR",
          note: "flat white",
        },
      },
      {
        line: 3,
        item: { amount: "1500", category: "MISC", spentOn: "2026-01-03", currency: "JPY" },
      },
    ]);
  });

  it("reports each bad row by the line it starts on, with every reason", () => {
    const csv = [
      "Date,Amount,Category,Note",
      '2026-01-01,1,FOOD,"two',
      'lines"',
      "2026-01-02,1.234,OLD,",
      "2026-01-03,abc,food,",
      "2026-01-04,5,FOOD.TEA,",
      "2026-01-05,0,MISC,",
    ].join("\n");
    const { rows, errors } = parseImport(csv, "EUR", rules);
    expect(rows.map((r) => r.line)).toEqual([2]);
    expect(errors.map((e) => e.line)).toEqual([4, 5, 6, 7]);
    expect(errors[0]?.message).toBe(
      "amount '1.234' must have at most 2 decimals in this currency (EUR); category OLD is retired and takes no new expenses",
    );
    expect(errors[1]?.message).toMatch(/^amount 'abc' must be a decimal string/);
    expect(errors[2]?.message).toContain("category FOOD.TEA does not exist");
    expect(errors[3]?.message).toBe("amount '0' must be greater than zero");
  });

  it("names missing columns as a usage error", () => {
    expect(() => parseImport("when,amount\n2026-01-01,1\n", "EUR", rules)).toThrow(
      /date, category are missing/,
    );
  });

  it("refuses a row with the wrong number of fields as invalid CSV", () => {
    expect(() => parseImport("date,amount,category\n2026-01-01,1\n", "EUR", rules)).toThrow(
      /not valid CSV \(line 2\)/,
    );
  });
});

describe("toCliError", () => {
  const ctx = { url: "http://127.0.0.1:3000", command: "add" };
  const trpcError = (code: string, message: string, data: Record<string, unknown> = {}) =>
    new TRPCClientError(message, {
      result: { error: { code: -32600, message, data: { code, httpStatus: 400, ...data } } },
    });

  it("gives each server code its exit code and one sentence", () => {
    expect(toCliError(trpcError("UNAUTHORIZED", "jwt expired"), ctx).exitCode).toBe(EXIT.auth);
    expect(toCliError(trpcError("NOT_FOUND", "Expense not found"), ctx)).toMatchObject({
      exitCode: EXIT.notFound,
      message: "Expense not found.",
    });
    expect(toCliError(trpcError("CONFLICT", "version is stale"), ctx).exitCode).toBe(EXIT.conflict);
    expect(
      toCliError(trpcError("TOO_MANY_REQUESTS", "slow down", { retryAfterSeconds: 12 }), ctx),
    ).toMatchObject({ exitCode: EXIT.rateLimited, hint: "Wait 12 seconds and try again." });
    expect(toCliError(trpcError("INTERNAL_SERVER_ERROR", "boom"), ctx)).toMatchObject({
      exitCode: EXIT.general,
      message: "The server failed to answer this request.",
    });
  });

  it("names the fields of a validation error the way the CLI calls them", () => {
    const err = trpcError("BAD_REQUEST", "Invalid input", {
      fieldErrors: [
        { path: "spentOn", message: "is not a calendar date" },
        { path: "amount", message: "must be greater than zero" },
      ],
    });
    expect(toCliError(err, ctx)).toMatchObject({
      exitCode: EXIT.validation,
      message: "Date is not a calendar date; amount must be greater than zero.",
    });
  });

  it("explains an unreachable server", () => {
    const cause = Object.assign(new TypeError("fetch failed"), {
      cause: new Error("connect ECONNREFUSED 127.0.0.1:3000"),
    });
    const err = TRPCClientError.from(cause);
    expect(toCliError(err, ctx)).toMatchObject({
      exitCode: EXIT.general,
      message: "Cannot reach the LedgerFlow server at http://127.0.0.1:3000.",
    });
  });
});
