/**
 * Display helpers. Amounts arrive as decimal strings already normalised to their
 * currency's decimals, so they are added as scaled integers, never as floats.
 */
export function sumAmounts(amounts: readonly string[]): string {
  const decimals = Math.max(0, ...amounts.map((a) => (a.split(".")[1] ?? "").length));
  let total = 0n;
  for (const a of amounts) {
    const [whole = "0", fraction = ""] = a.split(".");
    total += BigInt(whole + fraction.padEnd(decimals, "0"));
  }
  const digits = total.toString().padStart(decimals + 1, "0");
  return decimals === 0
    ? digits
    : `${digits.slice(0, -decimals)}.${digits.slice(digits.length - decimals)}`;
}

/** Totals per currency, in first-seen order: "54.20 EUR, 1500 JPY". */
export function totalsByCurrency(rows: readonly { amount: string; currency: string }[]): string {
  const by = new Map<string, string[]>();
  for (const r of rows) {
    const list = by.get(r.currency) ?? [];
    list.push(r.amount);
    by.set(r.currency, list);
  }
  return [...by].map(([cur, list]) => `${sumAmounts(list)} ${cur}`).join(", ");
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
