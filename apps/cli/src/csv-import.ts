import { checkMoney } from "@ledgerflow/core/money";
import { createExpenseInput } from "@ledgerflow/core/schemas/expenses";
import { parse } from "csv-parse/sync";
import { parseDate } from "./dates";
import { CliError, EXIT, usageError } from "./errors";

/** One row of an import file, ready for `expenses.createMany`, with where it came from. */
export interface ImportRow {
  line: number;
  item: {
    amount: string;
    category: string;
    spentOn: string;
    currency?: string;
    note?: string;
  };
}

export interface RowError {
  line: number;
  message: string;
}

/** Header names accepted for each field; the export's own columns among them. */
const ALIASES: Record<string, string[]> = {
  spentOn: ["spent_on", "spenton", "date"],
  amount: ["amount"],
  category: ["category_code", "category", "code"],
  baseCode: ["base_code", "base"],
  currency: ["currency"],
  note: ["note", "notes", "description"],
};

function normalise(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

export interface CategoryRules {
  /** Codes new expenses may use (active bases and the user's own under them). */
  usable: Set<string>;
  /** Codes that exist but take no new expenses (retired). */
  retired: Set<string>;
}

/**
 * Reads and checks a whole import file before anything is sent, so that a bad row is
 * reported with its line number and nothing from the file is written. It accepts the
 * file `ledgerflow export` writes, so an export can be imported elsewhere.
 */
export function parseImport(
  text: string,
  defaultCurrency: string,
  categories: CategoryRules,
): { rows: ImportRow[]; errors: RowError[] } {
  let records: { record: Record<string, string>; raw: string; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map(normalise),
      bom: true,
      info: true,
      raw: true,
      skip_empty_lines: true,
      relax_column_count: false,
    });
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    const reason = err instanceof Error ? err.message.replace(/^Invalid Record Length: /, "") : "";
    throw new CliError(
      `The file is not valid CSV${line ? ` (line ${line})` : ""}: ${reason.replace(/\.$/, "")}.`,
      EXIT.validation,
      "Every row needs as many fields as the header; quote fields that hold commas.",
      [],
      "BAD_REQUEST",
    );
  }

  const header = Object.keys(records[0]?.record ?? {});
  const column = (field: string) => ALIASES[field]?.find((a) => header.includes(a));
  const cols = {
    spentOn: column("spentOn"),
    amount: column("amount"),
    category: column("category"),
    baseCode: column("baseCode"),
    currency: column("currency"),
    note: column("note"),
  };
  if (records.length > 0 && (!cols.spentOn || !cols.amount || !(cols.category || cols.baseCode))) {
    const missing = [
      !cols.spentOn && "date",
      !cols.amount && "amount",
      !(cols.category || cols.baseCode) && "category",
    ].filter(Boolean);
    throw usageError(
      `The first line of the file must name the columns; ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing.`,
      "For example: date,amount,category,currency,note (the columns of 'ledgerflow export' work too).",
    );
  }

  const rows: ImportRow[] = [];
  const errors: RowError[] = [];
  for (const { record, raw, info } of records) {
    // info.lines is where the record ends; a quoted note may span several lines.
    const line = info.lines - (raw.replace(/\r?\n$/, "").match(/\n/g)?.length ?? 0);
    const get = (c: string | undefined) => (c ? (record[c] ?? "").trim() : "");
    const problems: string[] = [];

    let spentOn = get(cols.spentOn);
    try {
      spentOn = parseDate(spentOn, "date");
    } catch {
      problems.push(`date '${spentOn}' must be YYYY-MM-DD, today or yesterday`);
    }
    const currency = (get(cols.currency) || defaultCurrency).toUpperCase();
    const amount = get(cols.amount);
    const category = (get(cols.category) || get(cols.baseCode)).toUpperCase();
    const note = get(cols.note);
    const item = {
      amount,
      category,
      spentOn,
      currency,
      ...(note ? { note } : {}),
    };

    const shape = createExpenseInput.safeParse(item);
    if (!shape.success) {
      for (const issue of shape.error.issues) {
        const field = String(issue.path[0] ?? "row");
        if (field === "spentOn" && problems.length > 0) continue;
        const label = field === "spentOn" ? "date" : field;
        const value = String((item as Record<string, unknown>)[field] ?? "");
        problems.push(
          field === "note" ? `note ${issue.message}` : `${label} '${value}' ${issue.message}`,
        );
      }
    } else {
      const money = checkMoney(amount, currency);
      if (typeof money === "string") {
        const where = money.endsWith("in this currency") ? ` (${currency})` : "";
        problems.push(`amount '${amount}' ${money}${where}`);
      }
      if (categories.retired.has(category)) {
        problems.push(`category ${category} is retired and takes no new expenses`);
      } else if (!categories.usable.has(category)) {
        problems.push(`category ${category} does not exist (see 'ledgerflow categories list')`);
      }
    }
    if (problems.length > 0) errors.push({ line, message: problems.join("; ") });
    else rows.push({ line, item });
  }
  return { rows, errors };
}
