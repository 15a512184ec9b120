import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export interface SessionStep {
  command: string;
  expected: string[];
}

/** The `console` block after `<!-- cli-session -->`: `$ ` lines and what they print. */
export function readSession(readmePath: string): SessionStep[] {
  const text = readFileSync(readmePath, "utf8");
  const start = text.indexOf("<!-- cli-session -->");
  if (start < 0) throw new Error(`${readmePath} has no <!-- cli-session --> block`);
  const open = text.indexOf("```console\n", start);
  const close = text.indexOf("\n```", open + 1);
  const lines = text.slice(open + "```console\n".length, close).split("\n");
  const steps: SessionStep[] = [];
  for (const line of lines) {
    if (line.startsWith("$ ")) steps.push({ command: line.slice(2), expected: [] });
    else steps.at(-1)?.expected.push(line);
  }
  return steps;
}

/**
 * Runs the steps in one shell, as a person would type them, where `ledgerflow` is the
 * bundle. Each step's output (stdout and stderr together) is returned in order.
 */
export function runSession(
  steps: SessionStep[],
  opts: { bundle: string; cwd: string; env: NodeJS.ProcessEnv },
): Promise<string[]> {
  const marker = "@@ledgerflow-session-step@@";
  const script = [
    `ledgerflow() { node ${JSON.stringify(opts.bundle)} "$@"; }`,
    ...steps.map((s) => `echo ${marker}\n${s.command} 2>&1`),
    `echo ${marker}`,
  ].join("\n");
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script], { cwd: opts.cwd, env: opts.env });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", reject);
    child.on("close", () => {
      const parts = out.split(`${marker}\n`).slice(1, steps.length + 1);
      // CSV lines end in CRLF; a terminal shows them like any other line.
      resolve(parts.map((p) => p.replace(/\r\n/g, "\n").replace(/\n$/, "")));
    });
  });
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g;

/**
 * Compares a step's printed output with the README's, where ids and creation times may
 * differ (they are new on every run). Ids are bound as they are first seen, so a later
 * command that names an id from the README is run with the real one.
 */
export function matchOutput(
  expected: string,
  actual: string,
  ids: Map<string, string>,
): { ok: boolean; detail: string } {
  const pattern = expected
    .split(UUID)
    .map((piece) =>
      piece
        .split(TIMESTAMP)
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join("\\S+"),
    )
    .join("([0-9a-f-]{36})");
  const m = new RegExp(`^${pattern}$`).exec(actual);
  if (!m) return { ok: false, detail: `expected:\n${expected}\nactual:\n${actual}` };
  const readmeIds = expected.match(UUID) ?? [];
  readmeIds.forEach((id, i) => {
    const real = m[i + 1];
    if (real && !ids.has(id)) ids.set(id, real);
  });
  return { ok: true, detail: "" };
}
