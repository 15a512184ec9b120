/** Settings shared by the loader, the servers and the runner. */

export const BENCH_PASSWORD = "bench password 1234";

/** Both servers check tokens signed with this; it never leaves the benchmark. */
export const BENCH_JWT_SECRET = "ledgerflow-benchmark-secret-not-for-production-use";

export const HEAVY_USERS = [
  { email: "bench-10k@ledgerflow.test", label: "10k", expenses: 10_000 },
  { email: "bench-100k@ledgerflow.test", label: "100k", expenses: 100_000 },
  { email: "bench-1m@ledgerflow.test", label: "1m", expenses: 1_000_000 },
] as const;

export const ORDINARY_USERS = 1_000;

export const benchConfig = {
  databaseUrl:
    process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/ledgerflow_bench",
  /** The same pool size for the product and the baseline, so neither waits more for one. */
  poolSize: Number(process.env.BENCH_POOL_SIZE ?? 10),
  writerEmail: "bench-writer@ledgerflow.test",
  ordinaryEmail: (i: number) => `bench-user-${String(i + 1).padStart(4, "0")}@ledgerflow.test`,
};

/** One item of the createMany scenarios' import, as `expenses.createMany` takes it. */
export interface ImportItem {
  amount: string;
  category: string;
  spentOn: string;
  note?: string;
}

/**
 * The createMany scenarios' import, 500 rows as a bank export would give them: six
 * categories, amounts in USD, 252 distinct days, a note on every third row. The scenarios,
 * the profiling scripts and the database-only ceiling all send these rows.
 */
export function importItems(): ImportItem[] {
  const codes = ["FOOD", "TRANSPORT", "GROCERIES", "BILLS", "SHOPPING", "MISC"];
  return Array.from({ length: 500 }, (_, i) => ({
    amount: `${1 + (i % 400)}.${String(i % 100).padStart(2, "0")}`,
    category: codes[i % codes.length] ?? "MISC",
    spentOn: `2026-0${1 + (i % 9)}-${String(1 + (i % 28)).padStart(2, "0")}`,
    ...(i % 3 === 0 ? { note: `imported row ${i}` } : {}),
  }));
}
