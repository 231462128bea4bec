// Bundles the compiled CLI (dist/cli/main.js) into dist/bundle/: every process
// the suite starts (a kernel adapter per --jobs instance, the CLI) loads about
// 25 files instead of 700, which cut what a process pays to start about 3x
// (bench/start.md). Split at the commands' dynamic imports; koffi, a native
// addon, stays a package. bin/nfconform runs the bundle when it is not older
// than dist/cli/main.js, else the unbundled build.
import { rmSync } from "node:fs";
import { build } from "rolldown";

rmSync("dist/bundle", { recursive: true, force: true });
await build({
  input: { main: "dist/cli/main.js" },
  platform: "node",
  external: ["koffi"],
  logLevel: "warn",
  output: { dir: "dist/bundle", format: "esm", entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js" },
});
