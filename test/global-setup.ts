// The CLI and adapter tests run the compiled dist/ (bin/nfconform its bundle): build once before them.
// .ci/run has just built dist/ (scripts/setup) from the same sources and says
// so with NFCONFORM_DIST_BUILT=1: a second build there would only cost CI ~15 s
// before any test starts.
import { execFileSync } from "node:child_process";

export default function setup(): void {
  if (process.env.NFCONFORM_DIST_BUILT === "1") return;
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], { stdio: "inherit" });
  execFileSync(process.execPath, ["scripts/bundle.mjs"], { stdio: "inherit" });
}
