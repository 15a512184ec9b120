const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** Minor units of a decimal string, for proportions only (exact as a bigint). */
function scaled(amount: string, decimals: number): bigint {
  const [whole = "0", fraction = ""] = amount.split(".");
  return BigInt(whole + fraction.padEnd(decimals, "0").slice(0, decimals));
}

export interface BarRow {
  label: string;
  amount: string;
  count: number;
}

/**
 * A horizontal bar per row, scaled so the largest fills `width` cells, drawn in eighths
 * of a cell. Any spending at all shows at least a sliver, so a small month is not
 * mistaken for an empty one.
 */
export function barChart(rows: readonly BarRow[], width: number): string[] {
  const decimals = Math.max(0, ...rows.map((r) => (r.amount.split(".")[1] ?? "").length));
  const values = rows.map((r) => scaled(r.amount, decimals));
  // biome-ignore lint/complexity/useMathMinMax: Math.max takes no bigint
  const max = values.reduce((m, v) => (v > m ? v : m), 0n);
  const labelWidth = Math.max(0, ...rows.map((r) => r.label.length));
  const amountWidth = Math.max(0, ...rows.map((r) => r.amount.length));
  const cells = Math.max(1, width);
  return rows.map((r, i) => {
    const v = values[i] ?? 0n;
    let eighths = max === 0n ? 0 : Number((v * BigInt(cells * 8) + max / 2n) / max);
    if (v > 0n && eighths === 0) eighths = 1;
    const bar = "█".repeat(Math.floor(eighths / 8)) + (EIGHTHS[eighths % 8] ?? "");
    const count = r.count === 0 ? "" : `  (${r.count})`;
    return `${r.label.padEnd(labelWidth)}  ${bar.padEnd(cells)}  ${r.amount.padStart(amountWidth)}${count}`;
  });
}
