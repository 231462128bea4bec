// Bundles the compiled CLI (dist/cli/main.js) into dist/bundle/: every process
// the suite starts (a kernel adapter per --jobs instance, the CLI) loads about
// 25 files instead of 700, which cut what a process pays to start about 3x
// (bench/start.md). Split at the commands' dynamic imports; koffi, a native
// addon, stays a package. bin/nfconform runs the bundle when it is not older
// than dist/cli/main.js, else the unbundled build.
// Chunks stay flat in dist/bundle/, as deep as dist/cli/: modules find the
// checkout from import.meta.url by a fixed number of "../" (sys/tool-version.ts,
// iut/vm/kernel-cache.ts, cli/adapter-folders.ts) and re-run "./main.js".
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const dist = (path) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));
rmSync(dist("bundle"), { recursive: true, force: true });
await build({
  input: { main: dist("cli/main.js") },
  platform: "node",
  external: ["koffi"],
  logLevel: "warn",
  output: { dir: dist("bundle"), format: "esm", entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js" },
});
