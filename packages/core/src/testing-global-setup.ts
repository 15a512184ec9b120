import { execFileSync } from "node:child_process";

/**
 * vitest globalSetup: with DATABASE_URL, drops the per-worker test databases this
 * package's run created (workers cannot reliably clean up after themselves).
 */
export default function setup(): () => void {
  // Several runs may share one server (two people, two CI jobs): each run drops only the
  // databases its own workers made, which carry this id (workers inherit the variable).
  const run = String(process.pid);
  process.env.LEDGERFLOW_TEST_RUN = run;
  return () => {
    const url = process.env.DATABASE_URL;
    if (!url) return;
    const admin = new URL(url);
    admin.pathname = "/postgres";
    const pkg = (process.env.npm_package_name ?? "lf").replace(/[^a-z0-9]+/gi, "_").toLowerCase();
    const psql = (q: string) =>
      execFileSync("psql", [admin.toString(), "-qAt", "-c", q], { encoding: "utf8" });
    const prefix = `ledgerflow_test_${pkg}_r${run}_`;
    const names = psql("SELECT datname FROM pg_database WHERE datname LIKE 'ledgerflow_test_%'")
      .split("\n")
      .filter((name) => name.startsWith(prefix));
    for (const name of names) psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };
}
