import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_BUNDLE, CLI_DIR, REPO, startServer, type TestServer } from "./e2e-helpers";
import { matchOutput, readSession, runSession } from "./readme-session";

let server: TestServer;
const homes: string[] = [];

beforeAll(async () => {
  server = await startServer();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

describe("README sessions", () => {
  // The two sessions register different users, so they can share one server.
  it.each([
    ["README.md", join(REPO, "README.md"), 5],
    ["apps/cli/README.md", join(CLI_DIR, "README.md"), 15],
  ])(
    "%s runs as printed",
    async (_name, file, minSteps) => {
      const steps = readSession(file);
      expect(steps.length).toBeGreaterThanOrEqual(minSteps);
      const home = mkdtempSync(join(tmpdir(), "ledgerflow-readme-"));
      homes.push(home);
      const ids = new Map<string, string>();
      // Each step runs in its own shell, after the session's earlier `export` lines, so
      // that ids from the README can be swapped for the real ones as they become known.
      const exports: string[] = [];
      for (const step of steps) {
        let command = step.command;
        for (const [readmeId, real] of ids) command = command.split(readmeId).join(real);
        const [out = ""] = await runSession(
          [{ command: [...exports, command].join("; "), expected: step.expected }],
          {
            bundle: CLI_BUNDLE,
            cwd: home,
            env: { PATH: process.env.PATH, HOME: home, LEDGERFLOW_URL: server.url },
          },
        );
        if (step.command.startsWith("export ")) exports.push(step.command);
        // The READMEs are written for a server on the default address.
        const shown = out.split(server.url).join("http://127.0.0.1:3000");
        const { ok, detail } = matchOutput(step.expected.join("\n"), shown, ids);
        expect(ok, `$ ${step.command}\n${detail}`).toBe(true);
      }
    },
    300_000,
  );
});
