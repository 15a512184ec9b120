import {
  type AnyTRPCProcedure,
  type AnyTRPCRouter,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  TRPCError,
  type TRPCProcedureType,
} from "@trpc/server";
import {
  type FastifyTRPCPluginOptions,
  fastifyRequestHandler,
} from "@trpc/server/adapters/fastify";
import { getHTTPStatusCode, type ResponseMeta, type TRPCRequestInfo } from "@trpc/server/http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/**
 * Serves the tRPC v11 HTTP protocol on Fastify without the stock adapter's detour through
 * Fetch API `Request`/`Response` objects, `AbortSignal.any` and web streams, which cost
 * several times the work of a typical procedure. Behaviour follows tRPC's
 * `resolveResponse` step by step (status codes, batch rules, error shapes, headers), and
 * the stock adapter's output is the oracle its tests compare against.
 *
 * Only plain JSON calls take the lean path: GET queries and POST mutations with
 * `application/json`, single or batched. Anything else (HEAD, other methods, streaming
 * `jsonl` responses, subscriptions, form data, connection params, a data transformer,
 * method override) is handed to the stock handler, so it behaves exactly as before.
 */
export type LeanTRPCPluginOptions<TRouter extends AnyTRPCRouter> = Pick<
  FastifyTRPCPluginOptions<TRouter>,
  "prefix" | "trpcOptions"
> & {
  /**
   * Runs first with the matched path (`a.b` or `a.b,c.d`), in the route handler rather
   * than as a hook, so a check that concerns a few procedures costs the others nothing.
   * Returns true when it has answered the request itself.
   */
  guard?: (req: FastifyRequest, reply: FastifyReply, path: string) => boolean;
};

type TrpcOptions<TRouter extends AnyTRPCRouter> = FastifyTRPCPluginOptions<TRouter>["trpcOptions"];
type Ctx<TRouter extends AnyTRPCRouter> = TRouter["_def"]["_config"]["$types"]["ctx"];

interface ErrorResponse {
  error: { data?: unknown; [key: string]: unknown };
}
interface ResultResponse {
  result: { data: unknown };
}
type RpcResponse = ErrorResponse | ResultResponse;

interface Call {
  batchIndex: number;
  path: string;
  procedure: AnyTRPCProcedure | null;
  getRawInput: () => Promise<unknown>;
  result: () => unknown;
}

const TYPE_ACCEPTED_METHOD: Record<TRPCProcedureType, string> = {
  mutation: "POST",
  query: "GET",
  subscription: "GET",
};

export function leanTRPCPlugin<TRouter extends AnyTRPCRouter>(
  fastify: FastifyInstance,
  opts: LeanTRPCPluginOptions<TRouter>,
  done: (err?: Error) => void,
): void {
  const trpc = opts.trpcOptions;
  // The same body handling as the stock plugin: JSON stays a string until a procedure
  // reads its input, so malformed JSON is a tRPC error and not a Fastify one.
  fastify.removeContentTypeParser("application/json");
  fastify.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, next) => {
    next(null, body);
  });
  fastify.removeContentTypeParser("multipart/form-data");
  fastify.addContentTypeParser("multipart/form-data", {}, (_req, body, next) => {
    next(null, body);
  });

  const leanEverything = canServeLean(trpc);
  const guard = opts.guard;
  fastify.all<{ Params: { path: string } }>("/:path", async (req, reply) => {
    const path = req.params.path;
    if (guard?.(req, reply, path)) return reply;
    if (leanEverything && isPlainJsonCall(req)) {
      const handled = await handleJsonCall(trpc, req, reply, path);
      if (handled) return reply;
    }
    await fastifyRequestHandler({ ...trpc, req, res: reply, path });
    return reply;
  });
  done();
}

/** Options the lean path does not implement send every request to the stock handler. */
function canServeLean<TRouter extends AnyTRPCRouter>(trpc: TrpcOptions<TRouter>): boolean {
  const config = trpc.router._def._config;
  const probe = {};
  const identityTransformer = config.transformer.output.serialize(probe) === probe;
  const batching = trpc.allowBatching ?? trpc.batching?.enabled ?? true;
  return identityTransformer && batching && !trpc.allowMethodOverride;
}

function isPlainJsonCall(req: FastifyRequest): boolean {
  const h = req.headers;
  if (h["trpc-accept"] !== undefined) return false;
  const accept = h.accept;
  if (accept?.includes("application/jsonl")) return false;
  const contentType = h["content-type"];
  if (req.method === "GET") return contentType === undefined || isJson(contentType);
  return req.method === "POST" && contentType !== undefined && isJson(contentType);
}

function isJson(contentType: string): boolean {
  const semi = contentType.indexOf(";");
  const media = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return media === "application/json";
}

/** `decodeURIComponent` throws a URIError on a bad escape: that is the caller's fault. */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch (cause) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `Invalid URL-encoding in path "${path}"`,
      cause,
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && !Array.isArray(value) && typeof value === "object";
}

function isAsyncIterable(value: unknown): boolean {
  return isObject(value) && Symbol.asyncIterator in value;
}

function isPromiseLike(value: unknown): boolean {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/** A value only a streaming link can carry (tRPC's `isDataStream`). */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  const values = Object.values(value);
  return values.some(isPromiseLike) || values.some(isAsyncIterable);
}

/**
 * Reads and parses the inputs once, on the first call that needs them (tRPC's `memo`):
 * a procedure without an input never sees malformed JSON, and every call of a batch sees
 * the same parse error.
 */
function inputReader(raw: string | undefined, isBatch: boolean, batchSize: number) {
  let state: { ok: true; value: Record<number, unknown> } | { ok: false; error: TRPCError } | null =
    null;
  const parse = (): Record<number, unknown> => {
    const inputs: unknown = raw ? JSON.parse(raw) : undefined;
    const acc: Record<number, unknown> = Object.create(null);
    if (inputs === undefined) return acc;
    if (!isBatch) {
      acc[0] = inputs;
      return acc;
    }
    if (!isObject(inputs)) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: '"input" needs to be an object when doing a batch call',
      });
    }
    for (let i = 0; i < batchSize; i++) {
      const input = inputs[i];
      if (input !== undefined) acc[i] = input;
    }
    return acc;
  };
  return {
    read(): Record<number, unknown> {
      if (state === null) {
        try {
          state = { ok: true, value: parse() };
        } catch (cause) {
          const error =
            cause instanceof TRPCError
              ? cause
              : new TRPCError({
                  code: "BAD_REQUEST",
                  message: cause instanceof Error ? cause.message : "Invalid input",
                  cause,
                });
          state = { ok: false, error };
        }
      }
      if (!state.ok) throw state.error;
      return state.value;
    },
    result(): Record<number, unknown> | undefined {
      return state?.ok ? state.value : undefined;
    },
  };
}

function queryParams(url: string): URLSearchParams | null {
  const q = url.indexOf("?");
  return q === -1 ? null : new URLSearchParams(url.slice(q + 1));
}

/**
 * The request description tRPC hands to `createContext` and `responseMeta`. The URL and
 * the abort signal are made only if someone reads them: a plain call never does.
 */
class RequestInfo implements TRPCRequestInfo {
  readonly accept = null;
  readonly connectionParams = null;
  #signal: AbortSignal | undefined;
  #url: URL | null | undefined;

  constructor(
    private readonly req: FastifyRequest,
    private readonly reply: FastifyReply,
    readonly isBatchCall: boolean,
    readonly calls: TRPCRequestInfo["calls"],
    readonly type: TRPCRequestInfo["type"],
  ) {}

  get signal(): AbortSignal {
    if (!this.#signal) {
      const controller = new AbortController();
      const abort = () => controller.abort();
      const raw = this.reply.raw;
      raw.once("close", () => {
        if (!raw.writableEnded) abort();
      });
      this.req.raw.once("aborted", abort);
      this.#signal = controller.signal;
    }
    return this.#signal;
  }

  get url(): URL | null {
    if (this.#url === undefined) {
      try {
        this.#url = new URL(
          this.req.url,
          `${this.req.protocol}://${this.req.headers.host ?? "localhost"}`,
        );
      } catch {
        this.#url = null;
      }
    }
    return this.#url;
  }
}

/**
 * Answers a plain JSON call. Returns false, having sent nothing, when the request turns
 * out to need the stock handler (a subscription, connection params).
 */
async function handleJsonCall<TRouter extends AnyTRPCRouter>(
  trpc: TrpcOptions<TRouter>,
  req: FastifyRequest,
  reply: FastifyReply,
  rawPath: string,
): Promise<boolean> {
  const router = trpc.router;
  const config = router._def._config;
  const params = queryParams(req.url);
  if (params?.has("connectionParams")) return false;

  const headers: Record<string, string> = { vary: "trpc-accept, accept" };
  const method = req.method;
  let info: TRPCRequestInfo | undefined;
  let ctx: Ctx<TRouter> | undefined;
  let ctxError: TRPCError | undefined;

  const onError = (error: TRPCError, call: Call | undefined, type: TRPCProcedureType | "unknown") =>
    trpc.onError?.({ error, path: call?.path, input: call?.result(), ctx, type, req });

  const shapeOf = (error: TRPCError, call: Call | undefined, type: TRPCProcedureType | "unknown") =>
    getTRPCErrorShape({ config, ctx, error, input: call?.result(), path: call?.path, type });

  const send = (body: RpcResponse | RpcResponse[], errors: (TRPCError | undefined)[]): void => {
    let status = getHTTPStatusCode(body as never, errors as TRPCError[]);
    if (trpc.responseMeta) {
      const meta: ResponseMeta = trpc.responseMeta({
        ctx,
        info,
        paths: info?.calls.map((c) => c.path),
        data: (Array.isArray(body) ? body : [body]) as never,
        errors: errors.filter((e): e is TRPCError => e !== undefined),
        eagerGeneration: false,
        type: info?.type ?? "unknown",
      });
      if (meta.headers) applyMetaHeaders(headers, meta.headers);
      if (meta.status) status = meta.status;
    }
    // A Buffer, because Fastify would add "; charset=utf-8" to a string's content type.
    reply
      .code(status)
      .headers(headers)
      .send(Buffer.from(JSON.stringify(body)));
  };

  try {
    const isBatchCall = params?.get("batch") === "1";
    const fullPath = decodePath(rawPath);
    const paths = isBatchCall ? fullPath.split(",") : [fullPath];
    if (isBatchCall && typeof trpc.maxBatchSize === "number" && paths.length > trpc.maxBatchSize) {
      throw new TRPCError({ code: "BAD_REQUEST", message: "Batch call exceeds maximum size" });
    }
    const rawInput =
      method === "GET"
        ? (params?.get("input") ?? undefined)
        : typeof req.body === "string"
          ? req.body
          : undefined;
    const inputs = inputReader(rawInput, isBatchCall, paths.length);

    const procedures = router._def.procedures as Record<string, AnyTRPCProcedure | undefined>;
    let type: TRPCProcedureType | "unknown" = "unknown";
    let mixed = false;
    const calls: Call[] = [];
    for (let index = 0; index < paths.length; index++) {
      const path = paths[index] as string;
      const procedure = procedures[path] ?? (await lazyProcedure(router, path));
      if (procedure) {
        if (procedure._def.type === "subscription") return false;
        if (type === "unknown") type = procedure._def.type;
        else if (type !== procedure._def.type) mixed = true;
      }
      calls.push({
        batchIndex: index,
        path,
        procedure,
        getRawInput: async () => inputs.read()[index],
        result: () => inputs.result()?.[index],
      });
    }
    if (mixed) {
      const types = [...new Set(calls.map((c) => c.procedure?._def.type).filter(Boolean))];
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `Cannot mix procedure types in call: ${types.join(", ")}`,
      });
    }
    info = new RequestInfo(req, reply, isBatchCall, calls, type);

    try {
      ctx = (await trpc.createContext?.({ req, res: reply, info })) as Ctx<TRouter>;
    } catch (cause) {
      ctxError = getTRPCErrorFromUnknown(cause);
    }

    const runCall = async (call: Call): Promise<[TRPCError, undefined] | [undefined, unknown]> => {
      const proc = call.procedure;
      try {
        if (!proc) {
          throw new TRPCError({
            code: "NOT_FOUND",
            message: `No procedure found on path "${call.path}"`,
          });
        }
        const accepted = TYPE_ACCEPTED_METHOD[proc._def.type];
        if (accepted !== method) {
          headers.allow = accepted;
          throw new TRPCError({
            code: "METHOD_NOT_SUPPORTED",
            message: `Unsupported ${method}-request to ${proc._def.type} procedure at path "${call.path}"`,
          });
        }
        if (ctxError) throw ctxError;
        const data = await invoke(proc, {
          path: call.path,
          getRawInput: call.getRawInput,
          ctx,
          type: proc._def.type,
          // No procedure here listens for a client going away; tRPC's per-call
          // AbortSignal.any would cost more than many procedures do.
          signal: undefined,
          batchIndex: call.batchIndex,
        });
        return [undefined, data];
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        onError(error, call, proc?._def.type ?? "unknown");
        return [error, undefined];
      }
    };

    if (!isBatchCall) {
      const call = calls[0] as Call;
      const [error, data] = await runCall(call);
      headers["content-type"] = "application/json";
      if (!error && isDataStream(data)) {
        throw new TRPCError({
          code: "UNSUPPORTED_MEDIA_TYPE",
          message:
            "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
        });
      }
      const body: RpcResponse = error
        ? { error: shapeOf(error, call, type) }
        : { result: { data } };
      send(body, [error]);
      return true;
    }

    const results = await Promise.all(calls.map(runCall));
    headers["content-type"] = "application/json";
    const errors: (TRPCError | undefined)[] = [];
    const body = results.map(([error, data], index): RpcResponse => {
      const call = calls[index] as Call;
      let failure = error;
      if (!failure && isDataStream(data)) {
        failure = new TRPCError({
          code: "UNSUPPORTED_MEDIA_TYPE",
          message:
            "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
        });
      }
      errors.push(failure);
      return failure
        ? { error: shapeOf(failure, call, call.procedure?._def.type ?? "unknown") }
        : { result: { data } };
    });
    send(body, errors);
    return true;
  } catch (cause) {
    // A fault of the request as a whole: one error object, not one per call. tRPC answers
    // it with a bare string body, which the Fetch API labels as plain text.
    const error = getTRPCErrorFromUnknown(cause);
    const type = info?.type ?? "unknown";
    onError(error, undefined, type);
    headers["content-type"] ??= "text/plain;charset=UTF-8";
    send({ error: shapeOf(error, undefined, type) }, [error]);
    return true;
  }
}

type CallOptions = Parameters<AnyTRPCProcedure>[0];
type MiddlewareResult =
  | { ok: true; data: unknown; marker: string }
  | { ok: false; error: TRPCError; marker: string };
interface MiddlewareOptions extends CallOptions {
  meta: unknown;
  next(opts?: {
    ctx?: object;
    input?: unknown;
    getRawInput?: () => Promise<unknown>;
  }): Promise<MiddlewareResult>;
}
type Middleware = (opts: MiddlewareOptions) => Promise<MiddlewareResult>;
interface ProcedureInternals {
  middlewares?: unknown;
  meta?: unknown;
  caller?: unknown;
}

/** The value tRPC tags middleware results with. */
const MIDDLEWARE_MARKER = "middlewareMarker";

/**
 * Runs a procedure's middleware chain as tRPC's own `callRecursive` does, step for step,
 * but with native object spreads: tRPC's compiled `_objectSpread2` helper copies every
 * option with `Object.defineProperty` twice per middleware, a tenth of a simple call's
 * CPU time. A procedure built any other way is called as tRPC calls it.
 */
function invoke(proc: AnyTRPCProcedure, opts: CallOptions): Promise<unknown> {
  const def = proc._def as ProcedureInternals;
  const middlewares = def.middlewares;
  if (
    def.caller ||
    !Array.isArray(middlewares) ||
    !middlewares.every((m) => typeof m === "function")
  ) {
    return proc(opts);
  }
  const chain = middlewares as Middleware[];
  const failed = (cause: unknown): MiddlewareResult => ({
    ok: false,
    error: getTRPCErrorFromUnknown(cause),
    marker: MIDDLEWARE_MARKER,
  });
  // Not an async function: a step hands on its middleware's promise with one handler for a
  // rejection, instead of awaiting it in a promise of its own. A bare `next()` passes the
  // options on as they are; each middleware still gets an object of its own.
  const step = (index: number, stepOpts: CallOptions): Promise<MiddlewareResult> => {
    try {
      const middleware = chain[index];
      if (!middleware) throw new Error("middleware chain ended without a result");
      return Promise.resolve(
        middleware({
          ...stepOpts,
          meta: def.meta,
          next(nextOpts) {
            if (!nextOpts) return step(index + 1, stepOpts);
            return step(index + 1, {
              ...stepOpts,
              ctx: nextOpts.ctx ? { ...(stepOpts.ctx as object), ...nextOpts.ctx } : stepOpts.ctx,
              input: "input" in nextOpts ? nextOpts.input : stepOpts.input,
              getRawInput: nextOpts.getRawInput ?? stepOpts.getRawInput,
            });
          },
        }),
      ).catch(failed);
    } catch (cause) {
      return Promise.resolve(failed(cause));
    }
  };
  return step(0, opts).then((result) => {
    if (!result) {
      throw new TRPCError({
        code: "INTERNAL_SERVER_ERROR",
        message: "No result from middlewares - did you forget to `return next()`?",
      });
    }
    if (!result.ok) throw result.error;
    return result.data;
  });
}

async function lazyProcedure(
  router: AnyTRPCRouter,
  path: string,
): Promise<AnyTRPCProcedure | null> {
  const lazy = router._def.lazy as Record<string, { load(): Promise<void> } | undefined>;
  for (;;) {
    const found = (router._def.procedures as Record<string, AnyTRPCProcedure | undefined>)[path];
    if (found) return found;
    const key = Object.keys(lazy).find((k) => path === k || path.startsWith(`${k}.`));
    const loader = key === undefined ? undefined : lazy[key];
    if (!loader) return null;
    await loader.load();
  }
}

/** `responseMeta` headers, merged the way a Fetch `Headers` object would merge them. */
function applyMetaHeaders(target: Record<string, string>, extra: ResponseMeta["headers"]): void {
  if (!extra) return;
  if (extra instanceof Headers) {
    extra.forEach((value, key) => {
      const k = key.toLowerCase();
      target[k] = target[k] === undefined ? value : `${target[k]}, ${value}`;
    });
    return;
  }
  for (const [key, value] of Object.entries(extra)) {
    const k = key.toLowerCase();
    if (Array.isArray(value)) {
      for (const v of value) target[k] = target[k] === undefined ? v : `${target[k]}, ${v}`;
    } else if (typeof value === "string") {
      target[k] = value;
    }
  }
}
