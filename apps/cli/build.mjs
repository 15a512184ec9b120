// Bundles the CLI into one file, dist/ledgerflow.mjs, that runs with plain node and
// needs nothing beside it: the client, commander, csv-parse and zod are all inside.
// Only types come from @ledgerflow/api, so no server code is bundled.
import { chmodSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { build } from "esbuild";

// Built beside the old file and renamed over it, so a command running meanwhile (a test,
// a shell) never finds the file missing or half written.
mkdirSync("dist", { recursive: true });
const tmp = `dist/ledgerflow.${process.pid}.tmp.mjs`;
const result = await build({
  entryPoints: ["src/main.ts"],
  outfile: tmp,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  legalComments: "none",
  // commander is CommonJS and requires node built-ins, which an ES module bundle cannot
  // do without a require of its own.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __lfCreateRequire } from 'node:module'; const require = __lfCreateRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: "warning",
});
chmodSync(tmp, 0o755);

// A server package in the bundle would mean a runtime import slipped in where a type was meant.
const inputs = Object.keys(result.metafile.inputs);
const SERVER =
  /packages\/(api|core)\/src\/(?!money|currencies|errors|schemas\/)|node_modules\/(fastify|@fastify|@electric-sql|drizzle-orm|@node-rs|postgres|jose)\//;
const leaked = inputs.filter((p) => SERVER.test(p));
if (leaked.length > 0) {
  rmSync(tmp, { force: true });
  console.error(`The CLI bundle pulled in server code:\n  ${leaked.join("\n  ")}`);
  process.exit(1);
}
renameSync(tmp, "dist/ledgerflow.mjs");
const kb = Math.round(statSync("dist/ledgerflow.mjs").size / 1024);
console.log(`dist/ledgerflow.mjs (${kb} kB)`);
