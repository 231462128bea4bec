// The wall time of the default run (`nfconform run`, as CI's main job runs it),
// with how many cases it judged, so a slower suite shows up here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

interface TimedRun {
  seconds: number;
  user: number;
  sys: number;
  load: number;
  report: any;
}

/** One `nfconform run` with these arguments, timed; a string when it failed. */
function timedRun(args: string[]): TimedRun | string {
  const bin = fileURLToPath(new URL("../../bin/nfconform", import.meta.url));
  const out = mkdtempSync(join(tmpdir(), "nfconform-bench-run-"));
  const started = process.hrtime.bigint();
  const cpuBefore = childrenCpuSeconds();
  const r = spawnSync(bin, ["run", ...args, "--corpus", "none", "--out", out], { encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = childrenCpuSeconds();
  try {
    if (r.status !== 0 && r.status !== 1) return `failed (${r.stderr.trim().split("\n").pop()})`;
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    return {
      seconds,
      user: cpu.user - cpuBefore.user,
      sys: cpu.sys - cpuBefore.sys,
      load: loadavg()[0]!,
      report,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const judgedOf = (report: TimedRun["report"]): number =>
  report.properties.reduce((n: number, p: { judged: number }) => n + p.judged, 0);

const cpuOf = (r: TimedRun): string =>
  `${(r.user + r.sys).toFixed(1)} s CPU (user ${r.user.toFixed(1)}, sys ${r.sys.toFixed(1)}; 1-min load ${r.load.toFixed(1)})`;

export function defaultRunBench(): string[] {
  const r = timedRun(["--seed", "1"]);
  if (typeof r === "string") return [`default run: ${r}`];
  return [
    `default run (nfconform run, IUT ${r.report.iut.spec}): ${r.seconds.toFixed(1)} s wall, ${cpuOf(r)}, ${judgedOf(r.report)} cases judged, ${r.report.summary.passed} passed, ${r.report.summary.skipped} skipped`,
  ];
}

/**
 * The default run's areas at a few --jobs values, fewer cases a property
 * (NFCONFORM_BENCH_JOBS_RUNS, default 20) so the sweep stays affordable; the
 * verdicts (status, judged, declined, unjudged per property) must be the same
 * at every value.
 */
export function jobsScalingBench(): string[] {
  const runs = process.env.NFCONFORM_BENCH_JOBS_RUNS ?? "20";
  const values = (process.env.NFCONFORM_BENCH_JOBS ?? "1,2,4,8,24").split(",");
  const lines: string[] = [];
  let first: Map<string, string> | undefined;
  for (const jobs of values) {
    const r = timedRun(["--seed", "1", "--runs", runs, "--jobs", jobs]);
    if (typeof r === "string") {
      lines.push(`--jobs ${jobs}, --runs ${runs}: ${r}`);
      continue;
    }
    const verdicts = new Map<string, string>(
      r.report.properties.map((p: Record<string, unknown>) => [
        p.id,
        JSON.stringify([p.status, p.judged, p.declined, p.unjudged]),
      ]),
    );
    first ??= verdicts;
    const differ = [...verdicts]
      .filter(([id, v]) => first!.get(id) !== v)
      .map(([id, v]) => `${id} ${v} vs ${first!.get(id)}`);
    lines.push(
      `--jobs ${jobs.padEnd(2)}, --runs ${runs}: ${r.seconds.toFixed(1)} s wall, ${cpuOf(r)}, ${judgedOf(r.report)} cases judged, verdicts ${differ.length === 0 ? "as" : `differ (${differ.join("; ")}) from those`} at --jobs ${values[0]}`,
    );
  }
  return lines;
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
