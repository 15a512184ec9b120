import type { Command } from "commander";
import { z } from "zod";
import { updateConfig } from "../config";
import { readPassword } from "../password";
import { action, example } from "../program";
import type { Io } from "../session";

const credentialOptions = z.object({
  passwordStdin: z.boolean().optional(),
});

const registerOptions = credentialOptions.extend({
  name: z.string().min(1, { message: "must not be empty" }).optional(),
  currency: z
    .string()
    .transform((c) => c.toUpperCase())
    .pipe(
      z
        .string()
        .regex(/^[A-Z]{3}$/, { message: "must be a three-letter currency code such as EUR" }),
    )
    .optional(),
});

const PASSWORD_HELP = `
The password is read from --password-stdin, else the LEDGERFLOW_PASSWORD variable, else
asked for at the terminal (never echoed). It is never taken as an argument, where other
users of the machine could see it.`;

export function registerAuthCommands(program: Command, io: Io): void {
  program
    .command("register")
    .description("create an account on the server and sign in")
    .argument("<email>", "your email address")
    .option("--name <name>", "your name")
    .option("--currency <code>", "default currency for new expenses (ISO 4217, default USD)")
    .option("--password-stdin", "read the password from standard input")
    .addHelpText(
      "after",
      `${PASSWORD_HELP}\n${example(
        "ledgerflow register ada@example.com --name Ada --currency EUR",
        "printf '%s' \"$PASS\" | ledgerflow register ada@example.com --password-stdin",
      )}`,
    )
    .action(
      action(io, registerOptions, async (s, o, email: string) => {
        const password = await readPassword(io, o.passwordStdin === true, true);
        const { user } = await s.client.api.auth.register.mutate({
          email,
          password,
          ...(o.name ? { name: o.name } : {}),
          ...(o.currency ? { defaultCurrency: o.currency } : {}),
        });
        s.rememberEmail(user.email);
        s.out.result({ user }, () =>
          s.out.line(
            `Registered ${user.email} (default currency ${user.defaultCurrency}) and signed in to ${s.url}.`,
          ),
        );
      }),
    );

  program
    .command("login")
    .description("sign in; the session is kept in the config file")
    .argument("<email>", "your email address")
    .option("--password-stdin", "read the password from standard input")
    .addHelpText(
      "after",
      `${PASSWORD_HELP}\n${example("ledgerflow login ada@example.com", "ledgerflow login ada@example.com --url https://ledger.example.com")}`,
    )
    .action(
      action(io, credentialOptions, async (s, o, email: string) => {
        const password = await readPassword(io, o.passwordStdin === true, false);
        const { user } = await s.client.api.auth.login.mutate({ email, password });
        s.rememberEmail(user.email);
        s.out.result({ user }, () => s.out.line(`Signed in to ${s.url} as ${user.email}.`));
      }),
    );

  program
    .command("logout")
    .description("sign out: revoke this session on the server and forget its tokens")
    .addHelpText("after", example("ledgerflow logout"))
    .action(
      action(io, z.object({}), async (s) => {
        const signedIn = (await s.client.getTokens()) !== null;
        try {
          await s.client.logout();
        } catch (err) {
          // Forget the tokens even when the server cannot be told: the user asked to sign out.
          await s.client.setTokens(null);
          throw err;
        } finally {
          updateConfig(s.configFile, { email: undefined });
        }
        s.out.result({ ok: true, wasSignedIn: signedIn }, () =>
          s.out.line(signedIn ? "Signed out." : "You were not signed in."),
        );
      }),
    );

  program
    .command("whoami")
    .description("show the signed-in user and the server")
    .addHelpText("after", example("ledgerflow whoami", "ledgerflow whoami --json"))
    .action(
      action(io, z.object({}), async (s) => {
        const client = await s.requireSignedIn();
        const user = await client.api.auth.me.query();
        s.out.result({ ...user, server: s.url }, () => {
          s.out.line(`${user.email}${user.name ? ` (${user.name})` : ""}`);
          s.out.line(`default currency  ${user.defaultCurrency}`);
          s.out.line(`server            ${s.url}`);
          const home = io.env.HOME;
          const shown =
            home && s.configFile.startsWith(`${home}/`)
              ? `~${s.configFile.slice(home.length)}`
              : s.configFile;
          s.out.line(`config            ${shown}`);
        });
      }),
    );
}
