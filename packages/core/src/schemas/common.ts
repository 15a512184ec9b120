import { z } from "zod";
import { isCurrency } from "../currencies";

export const uuidSchema = z.uuid({ message: "must be a UUID" });

export const CURRENCY_RE = /^[A-Z]{3}$/;
export const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
export const DATE_MIN = "1900-01-01";
export const DATE_MAX = "2999-12-31";

export const currencySchema = z
  .string()
  // `abort`: one reason per field; a malformed code is not also "not a currency".
  .regex(CURRENCY_RE, {
    message: "must be an ISO 4217 code of three upper-case letters",
    abort: true,
  })
  .refine(isCurrency, { message: "is not an ISO 4217 currency" });

/** `YYYY-MM-DD`, a real calendar day from 1900-01-01 to 2999-12-31. */
export const dateSchema = z
  .string()
  .regex(DATE_RE, { message: "must be a date YYYY-MM-DD", abort: true })
  .refine(isCalendarDate, { message: "is not a calendar date", abort: true })
  .refine((d) => d >= DATE_MIN && d <= DATE_MAX, {
    message: "must be between 1900-01-01 and 2999-12-31",
  });

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A `YYYY-MM-DD` string naming a real day of the proleptic Gregorian calendar. */
export function isCalendarDate(s: string): boolean {
  // Arithmetic on the digits: imports check hundreds of dates a call, and building a Date
  // and its ISO string for each cost more than the rest of the item's checks.
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  let year = 0;
  for (let i = 0; i < 4; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return false;
    year = year * 10 + c;
  }
  // No helper closure for the other digits: it would be allocated on every call.
  const m1 = s.charCodeAt(5) - 48;
  const m2 = s.charCodeAt(6) - 48;
  const d1 = s.charCodeAt(8) - 48;
  const d2 = s.charCodeAt(9) - 48;
  if (m1 < 0 || m1 > 9 || m2 < 0 || m2 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return false;
  const month = m1 * 10 + m2;
  const day = d1 * 10 + d2;
  if (!(month >= 1 && month <= 12 && day >= 1)) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number));
}
