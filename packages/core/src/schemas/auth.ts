import { z } from "zod";
import { currencySchema } from "./common";

export const emailSchema = z
  .string()
  .trim()
  .max(254, { message: "must be at most 254 characters" })
  .pipe(z.email({ message: "must be an email address" }));

export const passwordSchema = z
  .string()
  .min(10, { message: "must be at least 10 characters" })
  .max(256, { message: "must be at most 256 characters" });

export const registerInput = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().min(1).max(100).optional(),
  defaultCurrency: currencySchema.optional(),
});
export type RegisterInput = z.infer<typeof registerInput>;

export const loginInput = z.strictObject({
  email: emailSchema,
  // Not the registration rules: a login only compares, and says nothing about why it fails.
  password: z.string().min(1).max(256),
});
export type LoginInput = z.infer<typeof loginInput>;

export const refreshInput = z.strictObject({
  refreshToken: z.string().min(1).max(512),
});
export type RefreshInput = z.infer<typeof refreshInput>;

export const userOutput = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  defaultCurrency: z.string(),
  createdAt: z.string(),
});
export type UserOutput = z.infer<typeof userOutput>;

export const tokensOutput = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  accessTokenExpiresAt: z.string(),
  refreshTokenExpiresAt: z.string(),
});
export type TokensOutput = z.infer<typeof tokensOutput>;
