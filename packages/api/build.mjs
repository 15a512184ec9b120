// Bundles the server into dist/main.mjs, runnable with plain node. The
// migrations are copied beside the bundle, where the server looks for them.
import { cpSync, rmSync } from "node:fs";
import { build } from "esbuild";

rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/main.mjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  // Everything is bundled but PGlite (WASM and data files in its package folder) and
  // argon2 (a native addon); both are dependencies of this package so they resolve.
  external: ["@electric-sql/pglite", "@node-rs/argon2"],
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  logLevel: "warning",
});
cpSync("../core/drizzle", "dist/drizzle", { recursive: true });
