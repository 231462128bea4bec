// The cost of `--iut linux@<version>` beside the running kernel: the start
// (boot, then node and the suite loaded over 9p, up to the adapter's hello)
// and judged cases per second per area, from one `nfconform run` each.
// Minutes under TCG, so `npm run bench` runs it only with
// NFCONFORM_BENCH_VM=1 (and only for the versions scripts/fetch-kernel fetched).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findKernel, parsePins, PINS_FILE } from "../iut/vm/kernel-cache.js";

interface PropertyRow {
  area: string;
  judged: number;
  durationMs: number;
}

function measure(spec: string, runs: number): string[] {
  const bin = fileURLToPath(new URL("../../bin/nfconform", import.meta.url));
  const out = mkdtempSync(join(tmpdir(), "nfconform-bench-vm-"));
  const started = Date.now();
  const argv = ["run", "--iut", spec, "--runs", String(runs), "--seed", "1", "--corpus", "none", "--out", out];
  const r = spawnSync(bin, argv, { encoding: "utf8" });
  const wallMs = Date.now() - started;
  try {
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    const rows = report.properties as PropertyRow[];
    const judgingMs = rows.reduce((n, p) => n + p.durationMs, 0);
    const lines = [
      `${spec}: ${(wallMs / 1000).toFixed(0)} s wall, start ${((wallMs - judgingMs) / 1000).toFixed(0)} s`,
    ];
    for (const area of [...new Set(rows.map((p) => p.area))]) {
      const of = rows.filter((p) => p.area === area);
      const judged = of.reduce((n, p) => n + p.judged, 0);
      const seconds = of.reduce((n, p) => n + p.durationMs, 0) / 1000;
      lines.push(`  ${area}: ${judged} judged in ${seconds.toFixed(1)} s, ${(judged / seconds).toFixed(1)} cases/s`);
    }
    return lines;
  } catch {
    return [`${spec}: no report (exit ${r.status}: ${r.stderr.trim().split("\n").pop()})`];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function kernelVersionsBench(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.NFCONFORM_BENCH_VM !== "1") return ["kernel versions: skipped (set NFCONFORM_BENCH_VM=1; minutes under TCG)"];
  const runs = Number(env.NFCONFORM_BENCH_VM_RUNS ?? 3);
  const pins = parsePins(readFileSync(PINS_FILE, "utf8"));
  const specs = [
    "linux",
    ...[...pins.keys()].filter((v) => !(findKernel(v, pins) instanceof Error)).map((v) => `linux@${v}`),
  ];
  return specs.flatMap((spec) => measure(spec, runs));
}
