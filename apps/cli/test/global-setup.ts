import { ensureBundles } from "./e2e-helpers";

/** Builds the bundles once, before any test file starts a server or runs the CLI. */
export default function setup(): void {
  ensureBundles();
}
