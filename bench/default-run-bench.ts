// The wall time of the default run (`nfconform run`, as CI's main job runs it),
// with how many cases it judged, so a slower suite shows up here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export function defaultRunBench(): string[] {
  const bin = fileURLToPath(new URL("../../bin/nfconform", import.meta.url));
  const out = mkdtempSync(join(tmpdir(), "nfconform-bench-run-"));
  const started = process.hrtime.bigint();
  const r = spawnSync(bin, ["run", "--seed", "1", "--corpus", "none", "--out", out], { encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  try {
    if (r.status !== 0 && r.status !== 1) return [`default run: failed (${r.stderr.trim().split("\n").pop()})`];
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    const judged = report.properties.reduce((n: number, p: { runs: number }) => n + p.runs, 0);
    return [
      `default run (nfconform run, IUT ${report.iut.spec}): ${seconds.toFixed(1)} s wall, ${judged} cases judged, ${report.summary.passed} passed, ${report.summary.skipped} skipped`,
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
