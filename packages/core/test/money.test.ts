import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CURRENCY_CODES } from "../src/currencies";
import { DomainError } from "../src/errors";
import {
  checkMoney,
  currencyDecimals,
  decimalToScaled,
  divRoundHalfAway,
  formatMoney,
  MAX_MINOR_UNITS,
  moneyString,
  parseMoney,
  sumMinor,
} from "../src/money";

function reason(amount: string, currency: string): string {
  try {
    parseMoney(amount, currency);
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    const e = err as DomainError;
    expect(e.code).toBe("INVALID");
    expect(e.details.issues?.[0]?.path).toBe("amount");
    return e.details.issues?.[0]?.message ?? "";
  }
  throw new Error(`${amount} ${currency} was accepted`);
}

describe("currencyDecimals", () => {
  it("follows ISO 4217 beyond USD, EUR and JPY", () => {
    expect(currencyDecimals("USD")).toBe(2);
    expect(currencyDecimals("EUR")).toBe(2);
    expect(currencyDecimals("JPY")).toBe(0);
    expect(currencyDecimals("KRW")).toBe(0);
    expect(currencyDecimals("KWD")).toBe(3);
    expect(currencyDecimals("BHD")).toBe(3);
    expect(currencyDecimals("CLF")).toBe(4);
  });
  it("refuses an unknown or lower-case code", () => {
    expect(() => currencyDecimals("XXX")).toThrow(DomainError);
    expect(() => currencyDecimals("usd")).toThrow(DomainError);
  });
});

describe("parseMoney", () => {
  it("reads the accepted forms", () => {
    expect(parseMoney("12", "USD")).toBe(1200n);
    expect(parseMoney("12.5", "USD")).toBe(1250n);
    expect(parseMoney("12.50", "USD")).toBe(1250n);
    expect(parseMoney("0.01", "USD")).toBe(1n);
    expect(parseMoney("1500", "JPY")).toBe(1500n);
    expect(parseMoney("1.234", "KWD")).toBe(1234n);
    expect(parseMoney("999999999.99", "USD")).toBe(MAX_MINOR_UNITS);
    expect(parseMoney("99999999999", "JPY")).toBe(MAX_MINOR_UNITS);
  });

  it("refuses signs, spaces, exponents, separators and empty parts", () => {
    for (const bad of [
      "-1",
      "+1",
      " 1",
      "1 ",
      "1e3",
      "1,000",
      "1,5",
      ".5",
      "5.",
      "",
      "abc",
      "0x10",
      "１２",
      "NaN",
      "Infinity",
    ]) {
      expect(reason(bad, "USD"), bad).toMatch(/decimal string/);
    }
  });

  it("refuses zero in every spelling", () => {
    for (const zero of ["0", "0.0", "0.00", "000"]) {
      expect(reason(zero, "USD")).toMatch(/greater than zero/);
    }
  });

  it("refuses more decimals than the currency has, zeros included", () => {
    expect(reason("12.345", "USD")).toMatch(/at most 2 decimals/);
    expect(reason("1500.0", "JPY")).toMatch(/whole number/);
    expect(reason("1.5", "JPY")).toMatch(/whole number/);
    expect(reason("1.2345", "KWD")).toMatch(/at most 3 decimals/);
  });

  it("refuses more than the cap", () => {
    expect(reason("1000000000", "USD")).toMatch(/at most 999999999.99 USD/);
    expect(reason("1000000000.00", "USD")).toMatch(/at most/);
    expect(reason("100000000000", "JPY")).toMatch(/at most 99999999999 JPY/);
    expect(reason("9".repeat(41), "USD")).toMatch(/at most 40 characters/);
  });

  it("names the path it is given", () => {
    try {
      parseMoney("x", "USD", "items.3.amount");
      expect.unreachable();
    } catch (err) {
      expect((err as DomainError).details.issues).toEqual([
        { path: "items.3.amount", message: expect.stringMatching(/decimal/) },
      ]);
    }
  });

  it("the zod format check agrees with the parser on format", () => {
    expect(moneyString.safeParse("12.50").success).toBe(true);
    expect(moneyString.safeParse("12,50").success).toBe(false);
    expect(moneyString.safeParse(12.5).success).toBe(false);
  });
});

describe("formatMoney", () => {
  it("normalises to the currency's decimals", () => {
    expect(formatMoney(1250n, "USD")).toBe("12.50");
    expect(formatMoney(5n, "USD")).toBe("0.05");
    expect(formatMoney(0n, "USD")).toBe("0.00");
    expect(formatMoney(0n, "JPY")).toBe("0");
    expect(formatMoney(1500n, "JPY")).toBe("1500");
    expect(formatMoney(1n, "KWD")).toBe("0.001");
    expect(formatMoney(-5n, "USD")).toBe("-0.05");
    expect(formatMoney(-150n, "EUR")).toBe("-1.50");
  });
});

const currency = fc.constantFrom(...CURRENCY_CODES);
const minor = fc.bigInt({ min: 1n, max: MAX_MINOR_UNITS });

describe("money properties", () => {
  it("format then parse is the identity, for every currency", () => {
    fc.assert(
      fc.property(currency, minor, (cur, m) => {
        expect(parseMoney(formatMoney(m, cur), cur)).toBe(m);
      }),
      { numRuns: 2000 },
    );
  });

  it("every currency round-trips its smallest and largest amount", () => {
    for (const cur of CURRENCY_CODES) {
      for (const m of [1n, MAX_MINOR_UNITS]) {
        expect(parseMoney(formatMoney(m, cur), cur)).toBe(m);
      }
    }
  });

  it("parse then format normalises without changing the value", () => {
    fc.assert(
      fc.property(
        currency,
        fc.bigInt({ min: 1n, max: 99_999_999n }),
        fc.nat({ max: 4 }),
        (cur, whole, extra) => {
          const d = currencyDecimals(cur);
          const places = Math.min(extra, d);
          const text = places > 0 ? `${whole}.${"7".repeat(places)}` : `${whole}`;
          const got = checkMoney(text, cur);
          if (typeof got === "string") return; // over the cap for this currency
          const out = formatMoney(got, cur);
          // Same number: compare as exact scaled integers.
          expect(parseMoney(out, cur)).toBe(got);
          expect(out.split(".")[1]?.length ?? 0).toBe(d);
        },
      ),
    );
  });

  it("sums are exact: the parsed sum equals the sum of the parts, digit by digit", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 99_999_999n }), { minLength: 1, maxLength: 50 }),
        (parts) => {
          const texts = parts.map((p) => formatMoney(p, "USD"));
          const total = sumMinor(texts.map((t) => parseMoney(t, "USD")));
          expect(total).toBe(parts.reduce((a, b) => a + b, 0n));
          // Cents are never lost the way binary floats lose them (0.1 + 0.2).
          expect(formatMoney(total, "USD")).toBe(formatMoney(sumMinor(parts), "USD"));
        },
      ),
    );
    expect(formatMoney(sumMinor([parseMoney("0.1", "USD"), parseMoney("0.2", "USD")]), "USD")).toBe(
      "0.30",
    );
  });

  it("never accepts a non-canonical string that a float would", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        const s = String(x);
        const got = checkMoney(s, "USD");
        if (/e|-|Infinity/.test(s)) expect(typeof got).toBe("string");
      }),
    );
  });
});

describe("divRoundHalfAway", () => {
  it("rounds half away from zero", () => {
    expect(divRoundHalfAway(5n, 2n)).toBe(3n);
    expect(divRoundHalfAway(-5n, 2n)).toBe(-3n);
    expect(divRoundHalfAway(5n, -2n)).toBe(-3n);
    expect(divRoundHalfAway(7n, 3n)).toBe(2n);
    expect(divRoundHalfAway(8n, 3n)).toBe(3n);
    expect(divRoundHalfAway(-8n, 3n)).toBe(-3n);
    expect(divRoundHalfAway(0n, 7n)).toBe(0n);
    expect(() => divRoundHalfAway(1n, 0n)).toThrow(RangeError);
  });

  it("is within half a unit of the true quotient, ties going outward", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        fc.boolean(),
        (n, d, flip) => {
          const den = flip ? -d : d;
          const q = divRoundHalfAway(n, den);
          // |n - q*den| * 2 <= |den|, and on a tie |q| is the larger candidate.
          const err = n - q * den;
          const absErr = err < 0n ? -err : err;
          expect(absErr * 2n <= d).toBe(true);
          if (absErr * 2n === d) {
            const sameSign = n < 0n === den < 0n;
            expect(sameSign ? q > 0n : q < 0n).toBe(true);
          }
        },
      ),
    );
  });
});

describe("decimalToScaled", () => {
  /** The plain reading: digits joined as a string, padded, then BigInt. */
  const reference = (amount: string, decimals: number) => {
    const [whole = "", fraction = ""] = amount.split(".");
    return BigInt(whole + fraction.padEnd(decimals, "0"));
  };

  it("reads every accepted amount as BigInt would, short and long alike", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{1,20}$/),
        fc.option(fc.stringMatching(/^\d{1,4}$/), { nil: undefined }),
        fc.integer({ min: 0, max: 4 }),
        (whole, fraction, decimals) => {
          const amount = fraction === undefined ? whole : `${whole}.${fraction}`;
          const got = decimalToScaled(amount, decimals);
          if ((fraction?.length ?? 0) > decimals || amount.length > 40) {
            expect(typeof got).toBe("string");
          } else {
            expect(got).toBe(reference(amount, decimals));
          }
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it("is exact at the edge of what a double holds", () => {
    for (const [amount, decimals, want] of [
      ["999999999999999", 0, 999_999_999_999_999n],
      ["9999999999999.99", 2, 999_999_999_999_999n],
      ["9999999999999.9", 3, 9_999_999_999_999_900n],
      ["9007199254740993", 0, 9_007_199_254_740_993n],
      ["90071992547409.93", 2, 9_007_199_254_740_993n],
      ["0000000000000000000012.5", 2, 1250n],
    ] as const) {
      expect(decimalToScaled(amount, decimals)).toBe(want);
    }
  });
});
