import { Readable } from "node:stream";
import {
  type AuthDeps,
  analyticsExport,
  type Db,
  DomainError,
  exportInput,
} from "@ledgerflow/core";
import type { FastifyInstance, FastifyReply } from "fastify";
import { userFromAuthorization } from "./context";

export const EXPORT_PATH = "/export/expenses.csv";

// The same error body as a failed tRPC call, so clients read every refusal one way.
const JSON_RPC_CODES = { BAD_REQUEST: -32600, UNAUTHORIZED: -32001 } as const;

function fail(
  reply: FastifyReply,
  status: 400 | 401,
  code: keyof typeof JSON_RPC_CODES,
  message: string,
  fieldErrors: { path: string; message: string }[] | null = null,
) {
  return reply.code(status).send({
    error: { message, code: JSON_RPC_CODES[code], data: { code, httpStatus: status, fieldErrors } },
  });
}

/**
 * `GET /export/expenses.csv?from=&to=` with the bearer token: the signed-in user's
 * expenses as CSV, streamed as the pages come from the database.
 */
export function registerExportRoutes(app: FastifyInstance, deps: { db: Db; auth: AuthDeps }) {
  app.get(EXPORT_PATH, async (req, reply) => {
    const { user, authError } = await userFromAuthorization(deps.auth, req.headers.authorization);
    if (!user) {
      return fail(
        reply,
        401,
        "UNAUTHORIZED",
        authError ?? "Sign in first: this export needs 'Authorization: Bearer <accessToken>'",
      );
    }
    const parsed = exportInput.safeParse(req.query ?? {});
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => ({
        path: i.path.map(String).join(".") || "(query)",
        message: i.message,
      }));
      const message = fields.map((f) => `${f.path}: ${f.message}`).join("; ");
      return fail(reply, 400, "BAD_REQUEST", `Invalid input: ${message}`, fields);
    }

    const csv = analyticsExport.exportExpensesCsv(deps.db, user.id, parsed.data);
    // The header line and the range check come first, so a refusal is still a clean 400
    // rather than a response cut off after its status line.
    let first: IteratorResult<string>;
    try {
      first = await csv.next();
    } catch (err) {
      if (err instanceof DomainError && err.code === "INVALID") {
        return fail(reply, 400, "BAD_REQUEST", err.message, err.details.issues ?? null);
      }
      throw err;
    }
    async function* body() {
      if (!first.done) yield first.value;
      yield* csv;
    }
    return reply
      .header("content-type", "text/csv; charset=utf-8")
      .header("content-disposition", 'attachment; filename="expenses.csv"')
      .header("cache-control", "no-store")
      .send(Readable.from(body()));
  });
}
