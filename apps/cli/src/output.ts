import type { CliError } from "./errors";

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  align?: "left" | "right";
  /** Longer values are cut with an ellipsis, so one long note does not wrap every row. */
  max?: number;
}

export interface Streams {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
}

/** Colour only for a person at a terminal, and never when NO_COLOR asks for none. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

const STYLES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], cyan: [36, 39] };
export type Style = keyof typeof STYLES;

function cut(text: string, max: number | undefined): string {
  const flat = text.replace(/\s+/g, " ");
  if (max === undefined || flat.length <= max) return flat;
  return `${flat.slice(0, Math.max(0, max - 1))}…`;
}

export class Output {
  readonly color: boolean;
  readonly errColor: boolean;
  constructor(
    readonly json: boolean,
    readonly streams: Streams,
    env: NodeJS.ProcessEnv,
  ) {
    this.color = wantsColor(streams.stdout, env);
    this.errColor = wantsColor(streams.stderr, env);
  }

  style(s: Style, text: string, on = this.color): string {
    if (!on) return text;
    const [a, b] = STYLES[s];
    return `\u001b[${a}m${text}\u001b[${b}m`;
  }

  line(text = ""): void {
    this.streams.stdout.write(`${text}\n`);
  }

  /** Machine-readable output: one JSON document on stdout. */
  data(value: unknown): void {
    this.streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A human message when not in JSON mode; the JSON value otherwise. */
  result(value: unknown, human: () => void): void {
    if (this.json) this.data(value);
    else human();
  }

  table<T>(rows: readonly T[], columns: Column<T>[]): void {
    const cells = rows.map((r) => columns.map((c) => cut(c.value(r), c.max)));
    const widths = columns.map((c, i) =>
      Math.max(c.header.length, ...cells.map((row) => (row[i] ?? "").length)),
    );
    const fmt = (values: string[]) =>
      values
        .map((v, i) => {
          const w = widths[i] ?? 0;
          return columns[i]?.align === "right" ? v.padStart(w) : v.padEnd(w);
        })
        .join("  ")
        .trimEnd();
    this.line(this.style("bold", fmt(columns.map((c) => c.header))));
    for (const row of cells) this.line(fmt(row));
  }

  error(err: CliError): void {
    if (this.json) {
      this.streams.stderr.write(
        `${JSON.stringify({
          error: {
            message: err.message,
            code: err.code ?? null,
            exitCode: err.exitCode,
            hint: err.hint ?? null,
            details: err.details,
          },
        })}\n`,
      );
      return;
    }
    const on = this.errColor;
    const lines = [`${this.style("red", "error:", on)} ${err.message}`];
    for (const d of err.details) lines.push(`  ${d}`);
    if (err.hint) lines.push(`${this.style("dim", "hint:", on)} ${err.hint}`);
    this.streams.stderr.write(`${lines.join("\n")}\n`);
  }
}
