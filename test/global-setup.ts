// The CLI and adapter tests run the compiled dist/ (bin/nfconform its bundle): build once before them.
// .ci/run has just built dist/ (scripts/setup) from the same sources and says
// so with NFCONFORM_DIST_BUILT=1: a second build there would only cost CI ~15 s
// before any test starts.
import { execFileSync } from "node:child_process";

export default function setup(): void {
  if (process.env.NFCONFORM_DIST_BUILT === "1") return;
  // package.json's build script (tsc, then the bundle): one recipe.
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
}
