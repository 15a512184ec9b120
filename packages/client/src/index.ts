import type { AppRouter, RouterOutputs } from "@ledgerflow/api";
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  isTRPCClientError,
  type TRPCClient,
  TRPCClientError,
  type TRPCLink,
} from "@trpc/client";
import { observable } from "@trpc/server/observable";

export type { AppRouter, RouterInputs, RouterOutputs } from "@ledgerflow/api";
export { isTRPCClientError, TRPCClientError } from "@trpc/client";

/** The token pair the server hands out at register, login and refresh. */
export type Tokens = RouterOutputs["auth"]["login"]["tokens"];

/**
 * Where the caller keeps tokens between runs (a file, localStorage, a cookie jar...).
 * `load` is also asked again just before a refresh, so that a pair another process or
 * tab has already rotated is adopted instead of presenting a spent refresh token, which
 * the server treats as theft and answers by revoking the whole login.
 */
export interface TokenStore {
  load(): Tokens | null | Promise<Tokens | null>;
  save(tokens: Tokens | null): void | Promise<void>;
  /**
   * Runs a refresh (load, call, save) while holding a lock that other processes sharing
   * this store respect, so that two of them never spend the same refresh token. Within
   * one client, refreshes are already one at a time.
   */
  exclusive?<T>(fn: () => Promise<T>): Promise<T>;
}

export interface ClientOptions {
  /** The server's address (`https://ledger.example.com`) or its tRPC endpoint (`.../api`). */
  url: string;
  /** Tokens to start with; when absent they are loaded from `store`. */
  tokens?: Tokens | null;
  store?: TokenStore;
  /** A `fetch` to use instead of the global one (tests, proxies, older runtimes). */
  fetch?: typeof fetch;
  /** Extra headers on every request (a user agent, a tracing id). */
  headers?: Record<string, string>;
  /** The server's batch limit; calls beyond it go in another request. */
  maxBatchSize?: number;
}

export interface LedgerFlowClient {
  /** Every procedure, typed from the server's router: `api.expenses.list.query({...})`. */
  api: TRPCClient<AppRouter>;
  /** The server address without the `/api` suffix. */
  baseUrl: string;
  getTokens(): Promise<Tokens | null>;
  setTokens(tokens: Tokens | null): Promise<void>;
  /**
   * Exchanges the refresh token for a new pair. Concurrent callers share one request,
   * because a refresh token can be spent only once.
   */
  refresh(): Promise<Tokens>;
  /** Revokes this login on the server and forgets the tokens. */
  logout(): Promise<void>;
  /**
   * A GET on a plain HTTP route of the server with the bearer token, refreshed and retried
   * once when the server answers 401. Errors throw `LedgerFlowHttpError`.
   */
  fetchAuthed(path: string, query?: Record<string, string | undefined>): Promise<Response>;
  /** `GET /export/expenses.csv`: the user's expenses as CSV text. */
  exportExpensesCsv(input?: { from?: string; to?: string }): Promise<string>;
}

/** A failure of a plain HTTP route, with the tRPC-style code its status stands for. */
export class LedgerFlowHttpError extends Error {
  override readonly name = "LedgerFlowHttpError";
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

const STATUS_CODES: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  429: "TOO_MANY_REQUESTS",
};

/** Procedures whose answer carries a fresh token pair. */
const ISSUES_TOKENS = new Set(["auth.register", "auth.login", "auth.refresh"]);
/** Procedures that never need, and so never retry for, an access token. */
const NO_ACCESS_TOKEN = new Set([...ISSUES_TOKENS, "auth.logout"]);

// Treat a token as expired a little early so a call does not race its expiry in flight.
const EXPIRY_SKEW_MS = 10_000;

function splitUrl(url: string): { baseUrl: string; apiUrl: string } {
  const trimmed = url.replace(/\/+$/, "");
  if (trimmed.endsWith("/api")) return { baseUrl: trimmed.slice(0, -4), apiUrl: trimmed };
  return { baseUrl: trimmed, apiUrl: `${trimmed}/api` };
}

function isExpired(tokens: Tokens): boolean {
  const at = Date.parse(tokens.accessTokenExpiresAt);
  return Number.isFinite(at) && at - EXPIRY_SKEW_MS <= Date.now();
}

export function isUnauthorized(err: unknown): boolean {
  if (err instanceof LedgerFlowHttpError) return err.code === "UNAUTHORIZED";
  return isTRPCClientError(err) && err.data?.code === "UNAUTHORIZED";
}

function hasTokens(data: unknown): data is { tokens: Tokens } {
  return (
    typeof data === "object" &&
    data !== null &&
    "tokens" in data &&
    typeof (data as { tokens: unknown }).tokens === "object"
  );
}

export function createClient(opts: ClientOptions): LedgerFlowClient {
  const { baseUrl, apiUrl } = splitUrl(opts.url);
  const fetchImpl = opts.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const extraHeaders = opts.headers ?? {};

  let current: Tokens | null = opts.tokens ?? null;
  let loaded = opts.tokens !== undefined || !opts.store;
  let refreshing: Promise<Tokens> | null = null;

  async function getTokens(): Promise<Tokens | null> {
    if (!loaded && opts.store) {
      current = await opts.store.load();
      loaded = true;
    }
    return current;
  }

  async function setTokens(tokens: Tokens | null): Promise<void> {
    current = tokens;
    loaded = true;
    await opts.store?.save(tokens);
  }

  // Refresh goes through its own unbatched client without the retry link: it must not
  // wait behind, or be retried with, the calls that are waiting for it.
  const authClient = createTRPCClient<AppRouter>({
    links: [httpLink({ url: apiUrl, fetch: fetchImpl, headers: extraHeaders })],
  });

  async function doRefresh(): Promise<Tokens> {
    const held = await getTokens();
    // Another process may have rotated the pair since we loaded it: adopt theirs.
    const stored = opts.store ? await opts.store.load() : null;
    if (stored && held && stored.refreshToken !== held.refreshToken && !isExpired(stored)) {
      current = stored;
      return stored;
    }
    const pair = stored ?? held;
    if (!pair) {
      throw new TRPCClientError("Not signed in: there is no refresh token", {
        result: {
          error: {
            code: -32001,
            message: "Not signed in: there is no refresh token",
            data: { code: "UNAUTHORIZED", httpStatus: 401 },
          },
        },
      });
    }
    try {
      const { tokens } = await authClient.auth.refresh.mutate({
        refreshToken: pair.refreshToken,
      });
      await setTokens(tokens);
      return tokens;
    } catch (err) {
      // A refused refresh token will never work again; a network failure might.
      if (isUnauthorized(err)) await setTokens(null);
      throw err;
    }
  }

  function refresh(): Promise<Tokens> {
    const store = opts.store;
    refreshing ??= (store?.exclusive ? store.exclusive(doRefresh) : doRefresh()).finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  /** A valid-looking access token for the next request, refreshing one known to be expired. */
  async function accessTokenForRequest(): Promise<string | null> {
    const tokens = await getTokens();
    if (!tokens) return null;
    if (!refreshing && !isExpired(tokens)) return tokens.accessToken;
    try {
      return (await refresh()).accessToken;
    } catch (err) {
      // A refused refresh token leaves the call unsigned, so the server answers it with
      // UNAUTHORIZED; any other failure (the network) is the call's failure too.
      if (isUnauthorized(err)) return null;
      throw err;
    }
  }

  const sessionLink: TRPCLink<AppRouter> = () => {
    return ({ op, next }) =>
      observable((observer) => {
        let sub: { unsubscribe(): void } | null = null;
        let stopped = false;
        // Tokens a call hands out are saved before its caller sees the answer.
        let saving: Promise<void> = Promise.resolve();
        const fail = (err: unknown) =>
          observer.error(isTRPCClientError(err) ? err : TRPCClientError.from(toError(err)));

        const attempt = async (retried: boolean) => {
          const token = NO_ACCESS_TOKEN.has(op.path) ? null : await accessTokenForRequest();
          if (stopped) return;
          sub = next({ ...op, context: { ...op.context, accessToken: token } }).subscribe({
            next(value) {
              const result = value.result;
              if (ISSUES_TOKENS.has(op.path) && "data" in result && hasTokens(result.data)) {
                saving = setTokens(result.data.tokens);
              } else if (op.path === "auth.logout") {
                saving = setTokens(null);
              }
              saving.then(() => observer.next(value), fail);
            },
            error(err) {
              if (retried || token === null || !isUnauthorized(err)) {
                observer.error(err);
                return;
              }
              // The token we sent was refused. If someone already replaced it, just retry;
              // otherwise refresh (once, shared with every other waiting call) and retry.
              const fresh =
                current && current.accessToken !== token ? Promise.resolve(current) : refresh();
              fresh.then(
                () => attempt(true).catch(fail),
                (refreshErr: unknown) =>
                  isUnauthorized(refreshErr) ? observer.error(err) : fail(refreshErr),
              );
            },
            complete() {
              saving.then(() => observer.complete(), fail);
            },
          });
        };

        attempt(false).catch(fail);
        return () => {
          stopped = true;
          sub?.unsubscribe();
        };
      });
  };

  const api = createTRPCClient<AppRouter>({
    links: [
      sessionLink,
      httpBatchLink({
        url: apiUrl,
        fetch: fetchImpl,
        maxItems: opts.maxBatchSize ?? 50,
        // Long GET batches are split before they outgrow what proxies and the server accept.
        maxURLLength: 6000,
        headers({ opList }) {
          const token = opList.find((o) => typeof o.context.accessToken === "string")?.context
            .accessToken;
          return typeof token === "string"
            ? { ...extraHeaders, authorization: `Bearer ${token}` }
            : extraHeaders;
        },
      }),
    ],
  });

  async function fetchAuthed(
    path: string,
    query: Record<string, string | undefined> = {},
  ): Promise<Response> {
    const url = new URL(`${baseUrl}${path.startsWith("/") ? path : `/${path}`}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const send = (token: string | null) =>
      fetchImpl(url, {
        headers: token ? { ...extraHeaders, authorization: `Bearer ${token}` } : extraHeaders,
      });
    const token = await accessTokenForRequest();
    let res = await send(token);
    if (res.status === 401 && token !== null) {
      await res.body?.cancel();
      const fresh =
        current && current.accessToken !== token
          ? current
          : await refresh().catch((err: unknown) => {
              if (isUnauthorized(err)) return null;
              throw err;
            });
      if (fresh) res = await send(fresh.accessToken);
    }
    if (!res.ok) {
      const message = await errorMessage(res);
      throw new LedgerFlowHttpError(message, res.status, STATUS_CODES[res.status] ?? "ERROR");
    }
    return res;
  }

  return {
    api,
    baseUrl,
    getTokens,
    setTokens,
    refresh,
    async logout() {
      const tokens = await getTokens();
      if (tokens) await api.auth.logout.mutate({ refreshToken: tokens.refreshToken });
      await setTokens(null);
    },
    fetchAuthed,
    async exportExpensesCsv(input = {}) {
      const res = await fetchAuthed("/export/expenses.csv", { from: input.from, to: input.to });
      return res.text();
    },
  };
}

async function errorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown }; message?: unknown };
    const message = body.error?.message ?? body.message;
    if (typeof message === "string" && message) return message;
  } catch {
    // Not JSON: fall through to the status line.
  }
  return `The server answered ${res.status} ${res.statusText}`.trim();
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
