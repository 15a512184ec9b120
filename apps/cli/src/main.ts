import { run } from "./program";

const code = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});
// Let stdout drain (a large export into a pipe) before the exit code is set.
process.exitCode = code;
