import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CLI_BUNDLE, CLI_DIR, startServer, type TestServer } from "./e2e-helpers";
import { matchOutput, readSession, runSession } from "./readme-session";

let server: TestServer;
let home: string;

beforeAll(async () => {
  server = await startServer();
  home = mkdtempSync(join(tmpdir(), "ledgerflow-readme-"));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

it("runs the README session as printed", async () => {
  const steps = readSession(join(CLI_DIR, "README.md"));
  expect(steps.length).toBeGreaterThan(10);
  const ids = new Map<string, string>();
  // Each step runs in its own shell, after the session's earlier `export` lines, so that
  // ids from the README can be swapped for the real ones as they become known.
  const exports: string[] = [];
  for (const step of steps) {
    let command = step.command;
    for (const [readmeId, real] of ids) command = command.split(readmeId).join(real);
    const [out = ""] = await runSession(
      [{ command: [...exports, command].join("; "), expected: step.expected }],
      {
        bundle: CLI_BUNDLE,
        cwd: home,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          LEDGERFLOW_URL: server.url,
        },
      },
    );
    // The README is written for a server on the default address.
    const shown = out.split(server.url).join("http://127.0.0.1:3000");
    if (step.command.startsWith("export ")) exports.push(step.command);
    const { ok, detail } = matchOutput(step.expected.join("\n"), shown, ids);
    expect(ok, `$ ${step.command}\n${detail}`).toBe(true);
  }
}, 300_000);
