import { isTRPCClientError, LedgerFlowHttpError } from "@ledgerflow/client";

/** Exit codes, documented in `ledgerflow --help`; scripts branch on them. */
export const EXIT = {
  ok: 0,
  general: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  validation: 5,
  conflict: 6,
  rateLimited: 7,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  server unreachable or server error
  2  usage: unknown command or option, missing or malformed argument
  3  authentication: not signed in, session expired, wrong email or password
  4  not found: no such expense or category (or it belongs to someone else)
  5  validation: the server or the import check refused a value
  6  conflict: already exists, or changed since you read it
  7  rate limited: too many attempts, wait and retry`;

/** A failure the user can act on: one sentence, a hint and the exit code it ends with. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number,
    readonly hint?: string,
    /** Extra lines (the rejected rows of an import), printed after the message. */
    readonly details: string[] = [],
    readonly code?: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string, hint?: string) =>
  new CliError(message, EXIT.usage, hint, [], "USAGE");

/** Server field names as the CLI user knows them. */
const FIELD_LABELS: Record<string, string> = {
  spentOn: "date",
  minAmount: "--min",
  maxAmount: "--max",
  q: "--search",
  idempotencyKey: "--key",
  baseCode: "--base",
  defaultCurrency: "--currency",
};

export function fieldLabel(path: string): string {
  const last = path.split(".").at(-1) ?? path;
  return FIELD_LABELS[last] ?? last;
}

export interface FieldError {
  path: string;
  message: string;
}

export function fieldErrorsOf(data: unknown): FieldError[] {
  if (typeof data !== "object" || data === null || !("fieldErrors" in data)) return [];
  const list = (data as { fieldErrors: unknown }).fieldErrors;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (f): f is FieldError =>
      typeof f === "object" &&
      f !== null &&
      typeof (f as FieldError).path === "string" &&
      typeof (f as FieldError).message === "string",
  );
}

function sentence(text: string): string {
  const t = text.trim().replace(/\s+/g, " ");
  if (!t) return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

export interface ErrorContext {
  url: string;
  /** The command being run, for hints that name it. */
  command: string;
}

/** Turns anything thrown into a CliError with a plain sentence; never a stack trace. */
export function toCliError(err: unknown, ctx: ErrorContext): CliError {
  if (err instanceof CliError) return err;
  const help = `Run 'ledgerflow ${ctx.command} --help' for usage and an example.`;
  const code = isTRPCClientError(err)
    ? (err.data as { code?: string } | undefined)?.code
    : err instanceof LedgerFlowHttpError
      ? err.code
      : undefined;
  const serverMessage = err instanceof Error ? err.message : String(err);

  if (!code) {
    if (isNetworkError(err)) {
      return new CliError(
        `Cannot reach the LedgerFlow server at ${ctx.url}.`,
        EXIT.general,
        "Check that the server is running (pnpm start), or pass --url or set LEDGERFLOW_URL.",
        [],
        "UNREACHABLE",
      );
    }
    return new CliError(
      sentence(`Unexpected answer from the server: ${serverMessage}`),
      EXIT.general,
      `Check that ${ctx.url} is a LedgerFlow server.`,
      [],
      "ERROR",
    );
  }

  if (err instanceof LedgerFlowHttpError && err.status === 404) {
    return new CliError(
      `The server at ${ctx.url} does not offer this (${err.message.replace(/\.$/, "")}).`,
      EXIT.general,
      "It may run an older LedgerFlow version; upgrade it, or check --url.",
      [],
      "NOT_FOUND",
    );
  }

  switch (code) {
    case "UNAUTHORIZED":
      if (ctx.command === "login") {
        return new CliError(
          sentence(serverMessage),
          EXIT.auth,
          "Check the email and password.",
          [],
          code,
        );
      }
      return new CliError(
        "You are not signed in, or your session has ended.",
        EXIT.auth,
        "Run 'ledgerflow login <email>' (or 'ledgerflow register <email>' for a new account).",
        [],
        code,
      );
    case "BAD_REQUEST": {
      const fields = isTRPCClientError(err) ? fieldErrorsOf(err.data) : [];
      const message = fields.length
        ? fields.map((f) => `${fieldLabel(f.path)} ${f.message}`).join("; ")
        : serverMessage.replace(/^Invalid input:\s*/, "");
      return new CliError(sentence(message), EXIT.validation, help, [], code);
    }
    case "NOT_FOUND":
      return new CliError(
        sentence(serverMessage),
        EXIT.notFound,
        "Check the id or code: 'ledgerflow list' and 'ledgerflow categories list' show yours.",
        [],
        code,
      );
    case "CONFLICT":
      return new CliError(
        sentence(serverMessage),
        EXIT.conflict,
        ctx.command === "edit"
          ? "Someone changed it meanwhile: look at it again with 'ledgerflow list' and retry."
          : "Pick another name, or use the one that exists.",
        [],
        code,
      );
    case "TOO_MANY_REQUESTS": {
      const retry = isTRPCClientError(err)
        ? (err.data as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds
        : undefined;
      return new CliError(
        sentence(serverMessage),
        EXIT.rateLimited,
        retry
          ? `Wait ${retry} second${retry === 1 ? "" : "s"} and try again.`
          : "Wait a minute and try again.",
        [],
        code,
      );
    }
    default:
      return new CliError(
        code === "INTERNAL_SERVER_ERROR"
          ? "The server failed to answer this request."
          : sentence(serverMessage),
        EXIT.general,
        "Try again; if it keeps failing, the server log says why.",
        [],
        code,
      );
  }
}

function isNetworkError(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 4 && e instanceof Error; i++) {
    if (e instanceof TypeError && /fetch failed|network|ECONNREFUSED/i.test(e.message)) return true;
    if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|fetch failed/.test(e.message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
