import { mkdirSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient, type LedgerFlowClient, type Tokens } from "@ledgerflow/client";
import {
  configPath,
  DEFAULT_URL,
  parseTokens,
  readConfig,
  sameServer,
  updateConfig,
} from "./config";
import { CliError, EXIT } from "./errors";
import { Output, type Streams } from "./output";

export interface GlobalOptions {
  url?: string;
  json?: boolean;
}

export interface Io extends Streams {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** Everything a command needs: where the server is, the signed-in client, the output. */
export class Session {
  readonly out: Output;
  readonly configFile: string;
  readonly url: string;
  #client: LedgerFlowClient | null = null;

  constructor(
    readonly opts: GlobalOptions,
    readonly io: Io,
  ) {
    this.out = new Output(opts.json === true, io, io.env);
    this.configFile = configPath(io.env);
    const config = readConfig(this.configFile);
    this.url = (opts.url || io.env.LEDGERFLOW_URL || config.url || DEFAULT_URL).replace(/\/+$/, "");
    if (!/^https?:\/\/[^/]/.test(this.url)) {
      throw new CliError(
        `The server address '${this.url}' is not an http:// or https:// URL.`,
        EXIT.usage,
        "For example: --url http://127.0.0.1:3000",
      );
    }
  }

  /**
   * The client, with tokens kept in the config file. Tokens saved for another server
   * are not sent to this one.
   */
  get client(): LedgerFlowClient {
    if (this.#client) return this.#client;
    const file = this.configFile;
    const url = this.url;
    this.#client = createClient({
      url,
      headers: { "user-agent": "ledgerflow-cli" },
      store: {
        load(): Tokens | null {
          const config = readConfig(file);
          return sameServer(config.url, url) ? parseTokens(config.tokens) : null;
        },
        save(tokens) {
          updateConfig(file, { url, tokens });
        },
        exclusive: (fn) => withLock(`${file}.lock`, fn),
      },
    });
    return this.#client;
  }

  /** Fails early, without a request, when there is nothing to sign the call with. */
  async requireSignedIn(): Promise<LedgerFlowClient> {
    const client = this.client;
    if (!(await client.getTokens())) {
      throw new CliError(
        `You are not signed in to ${this.url}.`,
        EXIT.auth,
        "Run 'ledgerflow login <email>' (or 'ledgerflow register <email>' for a new account).",
        [],
        "UNAUTHORIZED",
      );
    }
    return client;
  }

  rememberEmail(email: string | undefined): void {
    updateConfig(this.configFile, { url: this.url, email });
  }
}

/** A lock held longer than this belongs to a command that died while refreshing. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 15_000;

/**
 * Runs `fn` holding a lock folder beside the config file. Commands started together (a
 * script running several at once) would otherwise each spend the same refresh token, and
 * the server, taking the second use for theft, would sign them all out.
 */
export async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(lock), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock, { mode: 0o700 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS)
          rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released meanwhile: try again.
      }
      if (Date.now() > deadline) {
        throw new CliError(
          "Another ledgerflow command is still renewing the session.",
          EXIT.general,
          `If no other command is running, delete ${lock} and try again.`,
        );
      }
      await sleep(25 + Math.random() * 50);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
