import { join } from "node:path";
import { build } from "esbuild";
import { expect, it } from "vitest";
import { REPO } from "./e2e-helpers";

// The client promises to work in a browser bundle. esbuild is this package's build tool,
// so the check lives here: a browser build fails on any Node built-in the client imports.
it("bundles @ledgerflow/client for a browser, without server code", async () => {
  const result = await build({
    entryPoints: [join(REPO, "packages/client/src/index.ts")],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  expect(result.errors).toEqual([]);
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((p) => p.includes("@trpc/client"))).toBe(true);
  const server = /packages\/(api|core)\/|node_modules\/(fastify|@electric-sql|drizzle-orm)\//;
  expect(inputs.filter((p) => server.test(p))).toEqual([]);
  const code = result.outputFiles?.[0]?.text ?? "";
  expect(code).not.toMatch(/from\s*["']node:/);
});
