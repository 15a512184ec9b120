import { DomainError, type DomainErrorCode } from "@ledgerflow/core";
import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";
import type { Context } from "./context";

const DOMAIN_TO_TRPC: Record<DomainErrorCode, TRPC_ERROR_CODE_KEY> = {
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  INVALID: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
};

export interface FieldError {
  path: string;
  message: string;
}

/** Per-field details for a validation error, from zod or from a service's DomainError. */
function fieldErrors(cause: unknown): FieldError[] | null {
  if (cause instanceof ZodError) {
    return cause.issues.map((i) => ({
      path: i.path.map(String).join(".") || "(input)",
      message: i.message,
    }));
  }
  if (cause instanceof DomainError && cause.details.issues) return cause.details.issues;
  return null;
}

function zodMessage(err: ZodError): string {
  return err.issues
    .map((i) => `${i.path.map(String).join(".") || "input"}: ${i.message}`)
    .join("; ");
}

const t = initTRPC.context<Context>().create({
  // Stack traces only in development; production and tests never send them.
  isDev: process.env.NODE_ENV === "development",
  errorFormatter({ shape, error }) {
    const fields = fieldErrors(error.cause);
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    const message =
      error.cause instanceof ZodError
        ? `Invalid input: ${zodMessage(error.cause)}`
        : internal
          ? "Internal server error"
          : shape.message;
    const retryAfter =
      error.cause instanceof DomainError ? error.cause.details.retryAfterSeconds : undefined;
    return {
      ...shape,
      message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        ...(process.env.NODE_ENV === "development" && shape.data.stack
          ? { stack: shape.data.stack }
          : {}),
        fieldErrors: fields,
        ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
      },
    };
  },
});

/**
 * Turns a service's DomainError into the matching TRPCError, in one place. In tRPC v11
 * `next()` returns a result rather than throwing, so the result is inspected.
 */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: DOMAIN_TO_TRPC[cause.code], message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** Anyone may call it: register, login, refresh, logout. */
export const publicProcedure = t.procedure.use(domainErrors);

/** Needs a valid access token; `ctx.user` is then non-null. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) {
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message:
        ctx.authError ?? "Sign in first: this call needs 'Authorization: Bearer <accessToken>'",
    });
  }
  // Only the narrowed field: tRPC merges it into the context, so a full copy is wasted.
  return next({ ctx: { user: ctx.user } });
});
