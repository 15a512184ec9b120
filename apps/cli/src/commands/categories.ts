import type { RouterOutputs } from "@ledgerflow/client";
import type { Command } from "commander";
import { z } from "zod";
import { CliError, EXIT } from "../errors";
import { action, example } from "../program";
import type { Io, Session } from "../session";

type UserCategory = RouterOutputs["categories"]["list"]["user"][number];

const upperCode = z.string().transform((c) => c.trim().toUpperCase());

/** Finds one of the user's categories by its code (or id), for the calls that take an id. */
async function findUserCategory(s: Session, codeOrId: string): Promise<UserCategory> {
  const client = await s.requireSignedIn();
  const { user } = await client.api.categories.list.query({ includeInactive: true });
  const wanted = codeOrId.trim();
  const found =
    user.find((c) => c.id === wanted) ?? user.find((c) => c.code === wanted.toUpperCase());
  if (!found) {
    throw new CliError(
      `You have no category with the code ${wanted}.`,
      EXIT.notFound,
      "'ledgerflow categories list' shows your codes; base categories such as FOOD cannot be changed.",
      [],
      "NOT_FOUND",
    );
  }
  return found;
}

export function registerCategoryCommands(program: Command, io: Io): void {
  const categories = program
    .command("categories")
    .alias("category")
    .description("list the base categories and manage your own subcategories")
    .addHelpText(
      "after",
      example("ledgerflow categories list", "ledgerflow categories add Coffee --base FOOD"),
    );

  categories
    .command("list")
    .alias("ls")
    .description("list the base categories and yours")
    .option("--inactive", "also show retired base categories and yours under them")
    .addHelpText(
      "after",
      example("ledgerflow categories list", "ledgerflow categories list --json"),
    )
    .action(
      action(io, z.object({ inactive: z.boolean().optional() }), async (s, o) => {
        const client = await s.requireSignedIn();
        const res = await client.api.categories.list.query({
          includeInactive: o.inactive === true,
        });
        s.out.result(res, () => {
          const rows = [
            ...res.base.map((b) => ({ code: b.code, name: b.name, base: "", active: b.active })),
            ...res.user.map((u) => ({
              code: u.code,
              name: u.name,
              base: u.baseCode,
              active: true,
            })),
          ].sort((a, b) => a.code.localeCompare(b.code));
          const columns = [
            { header: "CODE", value: (r: (typeof rows)[number]) => r.code },
            { header: "NAME", value: (r: (typeof rows)[number]) => r.name },
          ];
          if (o.inactive) {
            columns.push({
              header: "ACTIVE",
              value: (r: (typeof rows)[number]) => (r.active ? "yes" : "no"),
            });
          }
          s.out.table(rows, columns);
        });
      }),
    );

  categories
    .command("add")
    .description("create a subcategory; its code is <BASE>.<NAME IN CAPITALS>")
    .argument("<name>", 'the name, e.g. "Coffee & Tea"')
    .requiredOption("--base <code>", "the base category it belongs to, e.g. FOOD")
    .addHelpText("after", example('ledgerflow categories add "Coffee & Tea" --base FOOD'))
    .action(
      action(io, z.object({ base: upperCode }), async (s, o, name: string) => {
        const client = await s.requireSignedIn();
        const created = await client.api.categories.create.mutate({ name, baseCode: o.base });
        s.out.result(created, () => s.out.line(`Created ${created.code} "${created.name}".`));
      }),
    );

  categories
    .command("rename")
    .description("rename one of your categories (its code stays), or move it with --base")
    .argument("<code>", "its code, e.g. FOOD.COFFEE")
    .argument("[name]", "the new name")
    .option("--base <code>", "move it under another base category (its code follows)")
    .addHelpText(
      "after",
      example(
        'ledgerflow categories rename FOOD.COFFEE "Coffee & Tea"',
        "ledgerflow categories rename FOOD.SNACKS --base GROCERIES",
      ),
    )
    .action(
      action(
        io,
        z.object({ base: upperCode.optional() }),
        async (s, o, code: string, name?: string) => {
          if (!name && !o.base) {
            throw new CliError(
              "Give a new name, --base, or both.",
              EXIT.usage,
              'For example: ledgerflow categories rename FOOD.COFFEE "Coffee & Tea"',
              [],
              "USAGE",
            );
          }
          const found = await findUserCategory(s, code);
          const updated = await s.client.api.categories.update.mutate({
            id: found.id,
            ...(name ? { name } : {}),
            ...(o.base ? { baseCode: o.base } : {}),
          });
          s.out.result(updated, () =>
            s.out.line(
              updated.code === found.code
                ? `Renamed ${updated.code} to "${updated.name}".`
                : `Moved ${found.code} to ${updated.code} "${updated.name}".`,
            ),
          );
        },
      ),
    );

  categories
    .command("rm")
    .alias("delete")
    .description("delete one of your categories; its expenses keep their base category")
    .argument("<code>", "its code, e.g. FOOD.COFFEE")
    .addHelpText("after", example("ledgerflow categories rm FOOD.COFFEE"))
    .action(
      action(io, z.object({}), async (s, _o, code: string) => {
        const found = await findUserCategory(s, code);
        const res = await s.client.api.categories.delete.mutate({ id: found.id });
        s.out.result({ ...res, code: found.code }, () =>
          s.out.line(
            `Deleted ${found.code}; ${res.detachedExpenses} expense${res.detachedExpenses === 1 ? "" : "s"} now filed under ${found.baseCode}.`,
          ),
        );
      }),
    );
}
