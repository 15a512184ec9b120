import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { isTRPCClientError, type RouterOutputs } from "@ledgerflow/client";
import type { Command } from "commander";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { type ImportRow, parseImport, type RowError } from "../csv-import";
import { parseDate } from "../dates";
import { CliError, EXIT, fieldErrorsOf, fieldLabel, toCliError } from "../errors";
import { plural } from "../format";
import { ImportFailure, writeInChunks } from "../import-writer";
import { action, example } from "../program";
import type { Io, Session } from "../session";

/** The server's limit per `expenses.createMany` call. */
export const IMPORT_CHUNK = 500;

const date = (option: string) => z.string().transform((d) => parseDate(d, option));

function readInput(io: Io, file: string): Promise<string> | string {
  if (file === "-") {
    return (async () => {
      const chunks: Buffer[] = [];
      for await (const c of io.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
      return Buffer.concat(chunks).toString("utf8");
    })();
  }
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      code === "ENOENT" ? `There is no file ${file}.` : `Cannot read ${file} (${code ?? "error"}).`,
      EXIT.usage,
      "Give the path of a CSV file, or - to read standard input.",
      [],
      "USAGE",
    );
  }
}

async function categoryRules(s: Session) {
  const { base, user } = await s.client.api.categories.list.query({ includeInactive: true });
  const activeBase = new Set(base.filter((b) => b.active).map((b) => b.code));
  const usable = new Set<string>(activeBase);
  const retired = new Set<string>(base.filter((b) => !b.active).map((b) => b.code));
  for (const c of user) (activeBase.has(c.baseCode) ? usable : retired).add(c.code);
  return { usable, retired };
}

function rejectedRows(errors: RowError[]): string[] {
  const shown = errors.slice(0, 50).map((e) => `line ${e.line}: ${e.message}`);
  if (errors.length > shown.length) shown.push(`... and ${errors.length - shown.length} more`);
  return shown;
}

/** Maps a refused chunk's `items.3.amount` details back to file lines. */
function chunkErrors(err: unknown, chunk: ImportRow[]): RowError[] {
  if (!isTRPCClientError(err)) return [];
  const out: RowError[] = [];
  for (const f of fieldErrorsOf(err.data)) {
    const m = /^items\.(\d+)(?:\.(.+))?$/.exec(f.path);
    const row = m ? chunk[Number(m[1])] : undefined;
    if (row) out.push({ line: row.line, message: `${fieldLabel(m?.[2] ?? "row")} ${f.message}` });
  }
  return out;
}

type Created = RouterOutputs["expenses"]["createMany"]["items"];

export function registerTransferCommands(program: Command, io: Io): void {
  program
    .command("export")
    .description("export expenses as CSV, to a file or standard output")
    .option("--from <date>", "from this date, inclusive")
    .option("--to <date>", "to this date, inclusive")
    .option("-o, --output <file>", "write to this file instead of standard output")
    .addHelpText(
      "after",
      `
Columns: id, spent_on, amount, currency, base_code, category_code, note, created_at.
The CSV is the machine-readable output; with -o, --json prints {"file", "rows"} instead
of a sentence.
${example("ledgerflow export -o expenses.csv", "ledgerflow export --from 2026-01-01 --to 2026-12-31 > 2026.csv")}`,
    )
    .action(
      action(
        io,
        z.object({
          from: date("--from").optional(),
          to: date("--to").optional(),
          output: z.string().optional(),
        }),
        async (s, o) => {
          const client = await s.requireSignedIn();
          const csv = await client.exportExpensesCsv({
            ...(o.from ? { from: o.from } : {}),
            ...(o.to ? { to: o.to } : {}),
          });
          if (!o.output) {
            io.stdout.write(csv);
            return;
          }
          const rows = (parse(csv, { columns: true, bom: true }) as unknown[]).length;
          writeFileSync(o.output, csv, { mode: 0o600 });
          s.out.result({ file: o.output, rows }, () =>
            s.out.line(`Exported ${plural(rows, "expense")} to ${o.output}.`),
          );
        },
      ),
    );

  program
    .command("import")
    .description("import expenses from a CSV file, all or nothing")
    .argument("<file.csv>", "the CSV file, or - for standard input")
    .option("--dry-run", "check every row and report, but write nothing")
    .addHelpText(
      "after",
      `
The first line names the columns: date (or spent_on), amount, category (or
category_code, else base_code), and optionally currency and note; other columns are
ignored, so a file from 'ledgerflow export' imports as is. Rows without a currency take
your default currency. Every row is checked first: if any is refused, each refusal is
reported with its line number, nothing is written, and the exit code is 5.
${example("ledgerflow import expenses.csv --dry-run", "ledgerflow import expenses.csv")}`,
    )
    .action(
      action(io, z.object({ dryRun: z.boolean().optional() }), async (s, o, path: string) => {
        const text = await readInput(io, path);
        const file = path === "-" ? "standard input" : path;
        const client = await s.requireSignedIn();
        const [me, rules] = await Promise.all([client.api.auth.me.query(), categoryRules(s)]);
        const { rows, errors } = parseImport(text, me.defaultCurrency, rules);
        const total = rows.length + errors.length;
        if (errors.length > 0) {
          throw new CliError(
            `${errors.length} of ${plural(total, "row")} in ${file} ${errors.length === 1 ? "was" : "were"} refused; nothing was imported.`,
            EXIT.validation,
            "Fix those lines and run the import again (--dry-run checks without writing).",
            rejectedRows(errors),
            "BAD_REQUEST",
          );
        }
        if (total === 0) {
          throw new CliError(
            `${file} holds no expenses.`,
            EXIT.validation,
            "The first line names the columns; each further line is one expense.",
            [],
            "BAD_REQUEST",
          );
        }
        if (o.dryRun) {
          s.out.result({ dryRun: true, valid: rows.length, rejected: [] }, () =>
            s.out.line(
              `All ${plural(rows.length, "row")} are valid; nothing was written (dry run).`,
            ),
          );
          return;
        }

        let created: Created;
        try {
          created = await writeInChunks(
            {
              createMany: async (items) =>
                (await client.api.expenses.createMany.mutate({ items })).items,
              remove: async (id) => {
                await client.api.expenses.delete.mutate({ id });
              },
            },
            rows,
            { chunkSize: IMPORT_CHUNK, runId: randomUUID() },
          );
        } catch (err) {
          if (!(err instanceof ImportFailure)) throw err;
          const rowErrors = chunkErrors(err.cause, err.chunk);
          const base = toCliError(err.cause, { url: s.url, command: "import" });
          const incomplete = err.leftBehind > 0 || err.uncertain;
          throw new CliError(
            incomplete
              ? `The import of ${file} failed (${base.message.replace(/\.$/, "")}), and some of its rows may remain.`
              : rowErrors.length > 0
                ? `The server refused ${plural(rowErrors.length, "row")} of ${file}; nothing was imported.`
                : `${base.message.replace(/\.$/, "")}; nothing was imported.`,
            rowErrors.length > 0 ? EXIT.validation : base.exitCode,
            incomplete ? "Check 'ledgerflow list' before importing again." : base.hint,
            rowErrors.length > 0 ? rejectedRows(rowErrors) : [],
            base.code,
          );
        }
        s.out.result({ imported: created.length, ids: created.map((e) => e.id) }, () =>
          s.out.line(`Imported ${plural(created.length, "expense")} from ${file}.`),
        );
      }),
    );
}
