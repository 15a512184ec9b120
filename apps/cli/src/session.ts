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
