import { z } from "zod";
import { CURRENCY_DECIMALS } from "./currencies";
import { invalid } from "./errors";

/**
 * Money: decimal strings on the wire, integer minor units (bigint) everywhere else.
 * No float ever holds an amount, so sums and comparisons are exact.
 */

/** The largest amount accepted, in minor units of any currency (999,999,999.99 USD). */
export const MAX_MINOR_UNITS = 99_999_999_999n;

/** The most decimals any supported currency has (CLF, UYW). */
export const MAX_CURRENCY_DECIMALS = 4;

// Longer input cannot be a valid amount; refusing it early keeps BigInt off huge strings.
export const MAX_AMOUNT_LENGTH = 40;

export const MONEY_RE = /^\d+(?:\.\d+)?$/;

const FORMAT_MESSAGE =
  "must be a decimal string such as 12.50: digits with an optional point and decimals, no sign, spaces, exponent or separators";

/** The plain format check, before the currency is known. */
export const moneyString = z
  .string({ message: "must be a decimal string such as 12.50" })
  .max(MAX_AMOUNT_LENGTH, { message: `must be at most ${MAX_AMOUNT_LENGTH} characters` })
  .regex(MONEY_RE, { message: FORMAT_MESSAGE });

/** ISO 4217 minor-unit digits of a currency: 2 for USD, 0 for JPY, 3 for KWD. */
export function currencyDecimals(code: string): number {
  const digits = CURRENCY_DECIMALS.get(code);
  if (digits === undefined) throw invalid("currency", `${code} is not an ISO 4217 currency`);
  return digits;
}

/**
 * Reads a decimal string as a count of units scaled by `decimals` places. Returns the
 * reason as a string when it cannot. Decimals beyond `decimals` are refused even when
 * they are zeros ("1500.0" in JPY): an amount never claims more precision than its
 * currency has, so input and output agree on what was meant.
 */
export function decimalToScaled(amount: string, decimals: number): bigint | string {
  if (typeof amount !== "string") return "must be a decimal string such as 12.50";
  if (amount.length > MAX_AMOUNT_LENGTH) return `must be at most ${MAX_AMOUNT_LENGTH} characters`;
  if (!MONEY_RE.test(amount)) return FORMAT_MESSAGE;
  const point = amount.indexOf(".");
  const fractionDigits = point === -1 ? 0 : amount.length - point - 1;
  if (fractionDigits > decimals) {
    return decimals === 0
      ? "must be a whole number in this currency (it has no decimals)"
      : `must have at most ${decimals} decimal${decimals === 1 ? "" : "s"} in this currency`;
  }
  // Up to 15 significant digits fit a double exactly: the usual amount is read digit by
  // digit without building strings; longer ones go through BigInt's own parser.
  const digits = amount.length - (point === -1 ? 0 : 1) + (decimals - fractionDigits);
  if (digits <= 15) {
    let n = 0;
    for (let i = 0; i < amount.length; i++) {
      if (i !== point) n = n * 10 + (amount.charCodeAt(i) - 48);
    }
    for (let i = fractionDigits; i < decimals; i++) n *= 10;
    return BigInt(n);
  }
  const whole = point === -1 ? amount : amount.slice(0, point);
  const fraction = point === -1 ? "" : amount.slice(point + 1);
  return BigInt(whole + fraction.padEnd(decimals, "0"));
}

/**
 * Non-throwing form of `parseMoney`: the minor units, or the reason the amount is refused.
 * Batch validation uses it to collect every bad item before failing.
 */
export function checkMoney(amount: string, currency: string): bigint | string {
  const decimals = CURRENCY_DECIMALS.get(currency);
  if (decimals === undefined) return `cannot be checked: ${currency} is not an ISO 4217 currency`;
  const minor = decimalToScaled(amount, decimals);
  if (typeof minor === "string") return minor;
  if (minor === 0n) return "must be greater than zero";
  if (minor > MAX_MINOR_UNITS) {
    return `must be at most ${formatMoney(MAX_MINOR_UNITS, currency)} ${currency}`;
  }
  return minor;
}

/** Parses an amount for a currency into minor units; refusals name `path`. */
export function parseMoney(amount: string, currency: string, path = "amount"): bigint {
  const minor = checkMoney(amount, currency);
  if (typeof minor === "string") throw invalid(path, minor);
  return minor;
}

/** Minor units back to the canonical decimal string: "12.50", "1500", "-0.05". */
export function formatMoney(minor: bigint, currency: string): string {
  return formatScaled(minor, currencyDecimals(currency));
}

/** A scaled integer as a decimal string with exactly `decimals` places. */
export function formatScaled(value: bigint, decimals: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = decimals > 0 ? `.${digits.slice(digits.length - decimals)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** num / den rounded half away from zero (2.5 → 3, -2.5 → -3), exactly. */
export function divRoundHalfAway(num: bigint, den: bigint): bigint {
  if (den === 0n) throw new RangeError("division by zero");
  const q = num / den; // truncates toward zero
  const r = num % den;
  const absR = r < 0n ? -r : r;
  const absDen = den < 0n ? -den : den;
  if (absR * 2n >= absDen) {
    return num < 0n !== den < 0n ? q - 1n : q + 1n;
  }
  return q;
}

/** Exact sum of minor-unit amounts (all in one currency: the caller's promise). */
export function sumMinor(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}
