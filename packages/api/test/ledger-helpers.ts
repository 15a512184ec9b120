import type { DbHandle } from "@ledgerflow/core";
import { TRPCError } from "@trpc/server";
import { expect } from "vitest";

/** What a client sees of a failed call: its tRPC code and the fields at fault. */
export async function failure(
  call: Promise<unknown>,
): Promise<{ code: string; message: string; paths: string[] }> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(TRPCError);
    const e = err as TRPCError;
    const paths = fieldPaths(e.cause);
    return { code: e.code, message: e.message, paths };
  }
  throw new Error("the call succeeded but was expected to fail");
}

function fieldPaths(cause: unknown): string[] {
  if (!cause || typeof cause !== "object") return [];
  const c = cause as {
    issues?: { path: (string | number | symbol)[] | string }[];
    details?: { issues?: { path: string }[] };
  };
  if (c.details?.issues) return c.details.issues.map((i) => i.path);
  if (Array.isArray(c.issues)) {
    return c.issues.map((i) => (Array.isArray(i.path) ? i.path.map(String).join(".") : i.path));
  }
  return [];
}

/** Expects the call to fail with `code`, naming `path` among its fields when given. */
export async function expectFailure(
  call: Promise<unknown>,
  code: string,
  path?: string,
): Promise<{ code: string; message: string; paths: string[] }> {
  const f = await failure(call);
  expect(f.code, f.message).toBe(code);
  if (path !== undefined) expect(f.paths, f.message).toContain(path);
  return f;
}

/** Runs fixed SQL on the test database directly, for set-ups no procedure offers. */
export async function execSql(handle: DbHandle, text: string): Promise<void> {
  if (handle.pglite) await handle.pglite.exec(text);
  else if (handle.sql) await handle.sql.unsafe(text);
  else throw new Error("no raw driver on this database handle");
}
