// Shared by the tests of the shipped adapters: whether one is built, its
// IUT, and its saved findings replayed through the harness's own case runner.
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { findAdapterFolder } from "../../cli/adapter-folders.js";
import { resolveIut } from "../../cli/resolve-iut.js";
import { runCase, type CaseRun } from "../../harness/case-run.js";
import { loadCaseFile } from "../../harness/corpus-store.js";
import type { Iut } from "../../iut/iut.js";
import { AREAS } from "../../properties/areas.js";

const ADAPTERS = resolve(__dirname, "../../adapters");

/** The test-name suffix and skip flag: CI builds every adapter (scripts/setup-adapters in .ci/run). */
export function shipped(name: string): { built: boolean; because: string } {
  const built = findAdapterFolder(name, ADAPTERS)?.built === true;
  return { built, because: built ? "" : ` (skipped: not built; run scripts/setup-adapters ${name})` };
}

export function openShipped(name: string): Iut {
  return resolveIut(name, { profiles: {}, timeoutMs: 10_000 });
}

/** Each case under adapters/<name>/findings/ run on the adapter: its file name and what it gave. */
export async function replayFindings(name: string, iut: Iut): Promise<{ file: string; run: CaseRun }[]> {
  const dir = join(ADAPTERS, name, "findings");
  const out: { file: string; run: CaseRun }[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const loaded = loadCaseFile(join(dir, file), AREAS);
    out.push({ file, run: await runCase(loaded.property, iut, loaded.case.profile, loaded.input) });
  }
  return out;
}
