import { z } from "zod";
import { isCurrency } from "../currencies";

export const uuidSchema = z.uuid({ message: "must be a UUID" });

export const currencySchema = z
  .string()
  // `abort`: one reason per field; a malformed code is not also "not a currency".
  .regex(/^[A-Z]{3}$/, {
    message: "must be an ISO 4217 code of three upper-case letters",
    abort: true,
  })
  .refine(isCurrency, { message: "is not an ISO 4217 currency" });

/** `YYYY-MM-DD`, a real calendar day from 1900-01-01 to 2999-12-31. */
export const dateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date YYYY-MM-DD", abort: true })
  .refine(isCalendarDate, { message: "is not a calendar date", abort: true })
  .refine((d) => d >= "1900-01-01" && d <= "2999-12-31", {
    message: "must be between 1900-01-01 and 2999-12-31",
  });

export function isCalendarDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
