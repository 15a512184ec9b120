import type { RouterInputs, RouterOutputs } from "@ledgerflow/client";
import type { Command } from "commander";
import { z } from "zod";
import { parseDate } from "../dates";
import { usageError } from "../errors";
import { plural, totalsByCurrency } from "../format";
import type { Column } from "../output";
import { action, example } from "../program";
import type { Io, Session } from "../session";

type Expense = RouterOutputs["expenses"]["get"];
type ListInput = Extract<RouterInputs["expenses"]["list"], object>;

/** Codes and currencies are upper case on the server; a person types them any way. */
const code = z.string().transform((c) => c.trim().toUpperCase());
const date = (option: string) => z.string().transform((d) => parseDate(d, option));
const positiveInt = (max: number) =>
  z.coerce
    .number({ message: "must be a whole number" })
    .int({ message: "must be a whole number" })
    .min(1, { message: "must be at least 1" })
    .max(max, { message: `must be at most ${max}` });

export const EXPENSE_COLUMNS: Column<Expense>[] = [
  { header: "ID", value: (e) => e.id },
  { header: "DATE", value: (e) => e.spentOn },
  { header: "AMOUNT", value: (e) => e.amount, align: "right" },
  { header: "CUR", value: (e) => e.currency },
  { header: "CATEGORY", value: (e) => e.category?.code ?? e.baseCode },
  { header: "NOTE", value: (e) => e.note ?? "", max: 40 },
];

function describe(e: Expense): string {
  return `${e.amount} ${e.currency} ${e.category?.code ?? e.baseCode} on ${e.spentOn}`;
}

const addOptions = z.object({
  date: date("--date").optional(),
  note: z.string().optional(),
  currency: code.optional(),
  key: z.string().optional(),
});

const listOptions = z.object({
  from: date("--from").optional(),
  to: date("--to").optional(),
  category: code.optional(),
  currency: code.optional(),
  min: z.string().optional(),
  max: z.string().optional(),
  search: z.string().optional(),
  limit: positiveInt(100).optional(),
  cursor: z.string().optional(),
  all: z.boolean().optional(),
});

const editOptions = z.object({
  amount: z.string().optional(),
  category: code.optional(),
  date: date("--date").optional(),
  currency: code.optional(),
  note: z.string().optional(),
  clearNote: z.boolean().optional(),
  ifVersion: positiveInt(Number.MAX_SAFE_INTEGER).optional(),
});

async function listAll(s: Session, input: ListInput): Promise<Expense[]> {
  const client = await s.requireSignedIn();
  const items: Expense[] = [];
  let cursor: string | null | undefined = input.cursor;
  do {
    const page: { items: Expense[]; nextCursor: string | null } =
      await client.api.expenses.list.query({
        ...input,
        limit: input.limit ?? 100,
        ...(cursor ? { cursor } : {}),
      });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export function registerExpenseCommands(program: Command, io: Io): void {
  program
    .command("add")
    .description("record an expense")
    .argument("<amount>", "a decimal amount, e.g. 12.50 (no sign or thousands separator)")
    .argument("<category>", "a base code (FOOD) or one of yours (FOOD.COFFEE)")
    .option("--date <date>", "today (default), yesterday or YYYY-MM-DD")
    .option("--note <text>", "a note, up to 500 characters")
    .option("--currency <code>", "ISO 4217 currency (default: your default currency)")
    .option("--key <key>", "idempotency key: repeating the command with it never adds twice")
    .addHelpText(
      "after",
      example(
        "ledgerflow add 12.50 FOOD --note lunch",
        "ledgerflow add 30 GROCERIES --date yesterday --currency EUR",
        "ledgerflow add 4.20 FOOD.COFFEE --date 2026-11-20 --key receipt-0042",
      ),
    )
    .action(
      action(io, addOptions, async (s, o, amount: string, category: string) => {
        const client = await s.requireSignedIn();
        const created = await client.api.expenses.create.mutate({
          amount: amount.trim(),
          category: category.trim().toUpperCase(),
          spentOn: o.date ?? parseDate("today", "--date"),
          ...(o.currency ? { currency: o.currency } : {}),
          ...(o.note !== undefined ? { note: o.note } : {}),
          ...(o.key ? { idempotencyKey: o.key } : {}),
        });
        s.out.result(created, () => s.out.line(`Added ${describe(created)} (id ${created.id}).`));
      }),
    );

  program
    .command("list")
    .alias("ls")
    .description("list expenses, newest first, a page at a time (or --all)")
    .option("--from <date>", "from this date (today, yesterday or YYYY-MM-DD), inclusive")
    .option("--to <date>", "to this date, inclusive")
    .option("--category <code>", "a base code (includes its subcategories) or one of yours")
    .option("--currency <code>", "only this currency")
    .option("--min <amount>", "amount at least this")
    .option("--max <amount>", "amount at most this")
    .option("-s, --search <text>", "search the notes")
    .option("--limit <n>", "expenses per page, 1 to 100 (default 20)")
    .option("--cursor <cursor>", "the page after this cursor (printed under a page)")
    .option("--all", "walk every page")
    .addHelpText(
      "after",
      example(
        "ledgerflow list",
        "ledgerflow list --from 2026-11-01 --to today --category FOOD --min 10",
        "ledgerflow list --search coffee --all --json",
      ),
    )
    .action(
      action(io, listOptions, async (s, o) => {
        const client = await s.requireSignedIn();
        const input: ListInput = {
          ...(o.from ? { from: o.from } : {}),
          ...(o.to ? { to: o.to } : {}),
          ...(o.category ? { category: o.category } : {}),
          ...(o.currency ? { currency: o.currency } : {}),
          ...(o.min ? { minAmount: o.min } : {}),
          ...(o.max ? { maxAmount: o.max } : {}),
          ...(o.search ? { q: o.search } : {}),
          ...(o.limit ? { limit: o.limit } : {}),
          ...(o.cursor ? { cursor: o.cursor } : {}),
        };
        const page = o.all
          ? { items: await listAll(s, input), nextCursor: null }
          : await client.api.expenses.list.query(input);
        s.out.result(page, () => {
          if (page.items.length === 0) {
            s.out.line(o.cursor ? "No more expenses." : "No expenses match.");
            return;
          }
          s.out.table(page.items, EXPENSE_COLUMNS);
          s.out.line();
          s.out.line(`${plural(page.items.length, "expense")}, ${totalsByCurrency(page.items)}.`);
          if (page.nextCursor) {
            s.out.line(
              s.out.style(
                "dim",
                `More: add --cursor ${page.nextCursor} for the next page, or --all.`,
              ),
            );
          }
        });
      }),
    );

  program
    .command("edit")
    .description("change an expense; only the options given change")
    .argument("<id>", "the expense id (from 'ledgerflow list')")
    .option("--amount <amount>", "new amount")
    .option("--category <code>", "new category code")
    .option("--date <date>", "new date: today, yesterday or YYYY-MM-DD")
    .option("--currency <code>", "new currency (the amount is checked again for it)")
    .option("--note <text>", "new note")
    .option("--clear-note", "remove the note")
    .option(
      "--if-version <n>",
      "change it only if it is still at this version (see list --json), else exit 6",
    )
    .addHelpText(
      "after",
      example(
        "ledgerflow edit 0b7c0a4e-2f6d-4c47-9a51-4a8f1e3b2c10 --amount 14 --note 'lunch with Sam'",
        "ledgerflow edit 0b7c0a4e-2f6d-4c47-9a51-4a8f1e3b2c10 --clear-note --if-version 2",
      ),
    )
    .action(
      action(io, editOptions, async (s, o, id: string) => {
        if (o.note !== undefined && o.clearNote) {
          throw usageError("--note and --clear-note cannot be used together.", "Pick one.");
        }
        const changes = {
          ...(o.amount ? { amount: o.amount.trim() } : {}),
          ...(o.category ? { category: o.category } : {}),
          ...(o.date ? { spentOn: o.date } : {}),
          ...(o.currency ? { currency: o.currency } : {}),
          ...(o.note !== undefined ? { note: o.note } : {}),
          ...(o.clearNote ? { note: null } : {}),
        };
        if (Object.keys(changes).length === 0) {
          throw usageError(
            "Nothing to change.",
            "Give at least one of --amount, --category, --date, --currency, --note or --clear-note.",
          );
        }
        const client = await s.requireSignedIn();
        const updated = await client.api.expenses.update.mutate({
          id: id.trim(),
          ...(o.ifVersion ? { version: o.ifVersion } : {}),
          ...changes,
        });
        s.out.result(updated, () =>
          s.out.line(`Updated ${updated.id}: ${describe(updated)} (version ${updated.version}).`),
        );
      }),
    );

  program
    .command("rm")
    .alias("delete")
    .description("delete an expense")
    .argument("<id>", "the expense id (from 'ledgerflow list')")
    .addHelpText("after", example("ledgerflow rm 0b7c0a4e-2f6d-4c47-9a51-4a8f1e3b2c10"))
    .action(
      action(io, z.object({}), async (s, _o, id: string) => {
        const client = await s.requireSignedIn();
        const res = await client.api.expenses.delete.mutate({ id: id.trim() });
        s.out.result({ ...res, id: id.trim() }, () => s.out.line(`Deleted expense ${id.trim()}.`));
      }),
    );
}
