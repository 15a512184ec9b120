export type DomainErrorCode =
  | "NOT_FOUND"
  | "CONFLICT"
  | "INVALID"
  | "UNAUTHORIZED"
  | "RATE_LIMITED";

export interface FieldIssue {
  /** Dotted path of the field at fault, e.g. `amount` or `items.3.currency`. */
  path: string;
  message: string;
}

/** An expected failure: the API layer turns its code into a tRPC error code. */
export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: { issues?: FieldIssue[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found`);

/** A validation failure on one field. */
export const invalid = (path: string, message: string) =>
  new DomainError("INVALID", `${path}: ${message}`, { issues: [{ path, message }] });

export const conflict = (message: string, path?: string) =>
  new DomainError("CONFLICT", message, path ? { issues: [{ path, message }] } : {});
