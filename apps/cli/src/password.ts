import { usageError } from "./errors";
import type { Io } from "./session";

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads a line at the terminal without echoing it. */
function prompt(io: Io, question: string): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream;
  return new Promise((resolve, reject) => {
    io.stderr.write(question);
    let value = "";
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const done = (err?: Error) => {
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.removeListener("data", onData);
      io.stderr.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003")
          return done(usageError("Cancelled.", "Run the command again to sign in."));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

/** The password from --password-stdin, LEDGERFLOW_PASSWORD, or a prompt at a terminal. */
export async function readPassword(io: Io, fromStdin: boolean, confirm: boolean): Promise<string> {
  if (fromStdin) {
    const text = (await readAll(io.stdin)).replace(/\r?\n$/, "");
    if (!text)
      throw usageError(
        "Standard input held no password.",
        "Pipe it in: printf '%s' \"$PASS\" | ledgerflow login <email> --password-stdin",
      );
    return text;
  }
  const fromEnv = io.env.LEDGERFLOW_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!io.stdin.isTTY) {
    throw usageError(
      "No password given.",
      "Use --password-stdin or set LEDGERFLOW_PASSWORD when not at a terminal.",
    );
  }
  const first = await prompt(io, "Password: ");
  if (confirm) {
    const again = await prompt(io, "Password again: ");
    if (again !== first) throw usageError("The two passwords differ.", "Run the command again.");
  }
  return first;
}
