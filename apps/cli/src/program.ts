import { Command, CommanderError } from "commander";
import type { z } from "zod";
import { registerAnalyticsCommands } from "./commands/analytics";
import { registerAuthCommands } from "./commands/auth";
import { registerCategoryCommands } from "./commands/categories";
import { registerExpenseCommands } from "./commands/expenses";
import { registerTransferCommands } from "./commands/transfer";
import { CliError, EXIT, EXIT_CODES_HELP, toCliError, usageError } from "./errors";
import { Output } from "./output";
import { type GlobalOptions, type Io, Session } from "./session";

export const VERSION = "0.1.0";

/** The command path (`categories add`) of a commander command, for hints. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * Wraps a command body: validates its options with a zod schema (a bad value is a usage
 * error naming the option) and hands it the session.
 */
export function action<S extends z.ZodType, A extends string[]>(
  io: Io,
  schema: S,
  body: (session: Session, opts: z.infer<S>, ...args: A) => Promise<void>,
) {
  return async (...raw: unknown[]): Promise<void> => {
    const cmd = raw.at(-1) as Command;
    const args = raw.slice(0, -2) as A;
    const all = cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
    const parsed = schema.safeParse(all);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const option = issue?.path[0]
        ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
        : "an option";
      throw usageError(
        `${option} ${issue?.message ?? "is not valid"}.`,
        `Run 'ledgerflow ${commandPath(cmd)} --help' for usage and an example.`,
      );
    }
    await body(new Session(all, io), parsed.data, ...args);
  };
}

export function example(...lines: string[]): string {
  return `\nExample${lines.length > 1 ? "s" : ""}:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

export function buildProgram(io: Io): Command {
  const program = new Command("ledgerflow")
    .description("LedgerFlow from the terminal: track, list, summarise and export expenses.")
    .version(VERSION, "-V, --version")
    .option(
      "--url <url>",
      "server address (else LEDGERFLOW_URL, the config file, http://127.0.0.1:3000)",
    )
    .option("--json", "machine-readable JSON output (errors too, on stderr)")
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Usage errors are printed by run() in the same shape as every other error.
      outputError: () => {},
    })
    .addHelpText(
      "after",
      `${example(
        "ledgerflow register ada@example.com --currency EUR",
        "ledgerflow add 12.50 FOOD --date yesterday --note lunch",
        "ledgerflow list --from 2026-11-01 --category FOOD",
      )}
Config: tokens are kept in $XDG_CONFIG_HOME/ledgerflow/config.json (or ~/.config/...), mode 600.

${EXIT_CODES_HELP}\n`,
    );

  registerAuthCommands(program, io);
  registerCategoryCommands(program, io);
  registerExpenseCommands(program, io);
  registerAnalyticsCommands(program, io);
  registerTransferCommands(program, io);
  return program;
}

/** The subcommand named by argv, for hints when parsing itself fails. */
function guessCommand(program: Command, argv: string[]): string {
  const words: string[] = [];
  let cmd: Command | undefined = program;
  for (const arg of argv) {
    if (arg.startsWith("-")) continue;
    const sub: Command | undefined = cmd?.commands.find(
      (c) => c.name() === arg || c.aliases().includes(arg),
    );
    if (!sub) break;
    words.push(sub.name());
    cmd = sub;
  }
  return words.join(" ");
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function run(argv: string[], io: Io): Promise<number> {
  const json = argv.includes("--json");
  const out = new Output(json, io, io.env);
  const program = buildProgram(io);
  const command = guessCommand(program, argv);
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version")
        return EXIT.ok;
      // A bare `ledgerflow` or `ledgerflow categories` has already printed its help.
      if (err.code === "commander.help") return EXIT.usage;
      const [first = err.message, ...rest] = err.message.replace(/^error:\s*/i, "").split("\n");
      const suggestion = /\(Did you mean (.+)\?\)/.exec(rest.join(" "))?.[1];
      const message = first;
      out.error(
        usageError(
          `${message.charAt(0).toUpperCase()}${message.slice(1).replace(/\.?$/, ".")}`,
          suggestion
            ? `Did you mean ${suggestion}? Run 'ledgerflow${command ? ` ${command}` : ""} --help' for usage.`
            : `Run 'ledgerflow${command ? ` ${command}` : ""} --help' for usage and an example.`,
        ),
      );
      return EXIT.usage;
    }
    let url = "the server";
    try {
      url = new Session({ url: flagValue(argv, "--url"), json }, io).url;
    } catch {
      // The address itself is what failed; keep the generic wording.
    }
    const cliError =
      err instanceof CliError ? err : toCliError(err, { url, command: command || "ledgerflow" });
    out.error(cliError);
    return cliError.exitCode;
  }
}

function flagValue(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`${flag}=`));
  return eq?.slice(flag.length + 1);
}
