// The wall time of the default run (`nfconform run`, as CI's main job runs it),
// with how many cases it judged, so a slower suite shows up here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export function defaultRunBench(): string[] {
  const bin = fileURLToPath(new URL("../../bin/nfconform", import.meta.url));
  const out = mkdtempSync(join(tmpdir(), "nfconform-bench-run-"));
  const started = process.hrtime.bigint();
  const cpuBefore = childrenCpuSeconds();
  const r = spawnSync(bin, ["run", "--seed", "1", "--corpus", "none", "--out", out], { encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = childrenCpuSeconds();
  try {
    if (r.status !== 0 && r.status !== 1) return [`default run: failed (${r.stderr.trim().split("\n").pop()})`];
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    const judged = report.properties.reduce((n: number, p: { judged: number }) => n + p.judged, 0);
    const user = cpu.user - cpuBefore.user;
    const sys = cpu.sys - cpuBefore.sys;
    return [
      `default run (nfconform run, IUT ${report.iut.spec}): ${seconds.toFixed(1)} s wall, ${(user + sys).toFixed(1)} s CPU (user ${user.toFixed(1)}, sys ${sys.toFixed(1)}; 1-min load ${loadavg()[0]!.toFixed(1)}), ${judged} cases judged, ${report.summary.passed} passed, ${report.summary.skipped} skipped`,
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * CPU seconds of this process's waited-for children (cutime, cstime of
 * /proc/self/stat): the run, its adapters and every tool they started, since
 * each is reaped by its parent. Ticks are USER_HZ, 100 on Linux.
 */
function childrenCpuSeconds(): { user: number; sys: number } {
  const stat = readFileSync("/proc/self/stat", "utf8");
  // Fields after the command name (which may hold spaces) start at field 3 (state): cutime is 16, cstime 17.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(fields[13]) / 100, sys: Number(fields[14]) / 100 };
}
