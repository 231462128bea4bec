// `nfconform expectations check|update [--stack NAME]...`: runs every shipped
// adapter (adapters/<name>/, built) against its areas at the seed and runs of
// adapters/expectations.json and compares each property's verdict with the
// one kept there (harness/expectations.ts). check: exit 1 naming stack,
// property and old -> new verdict when any changed, either way, or a stack
// could not run; update: rewrites the file with what the stacks got.
//
// Each stack runs as its own `nfconform run` process, all at once: they wait
// on their adapters more than they compute, and one stack's fault stays its own.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  changeLine,
  EXPECTATIONS_FORMAT,
  type Expectations,
  readExpectations,
  updatedVerdicts,
  verdictChanges,
  verdictsOf,
} from "../harness/expectations.js";
import type { PropertyStatus } from "../harness/results.js";
import { readReport } from "../reporting/read-report.js";
import { adapterFolders, adaptersRoot } from "./adapter-folders.js";
import { integerOption, parseOptions } from "./options.js";
import { UsageError } from "./usage-error.js";

type Io = { stdout: (line: string) => void; stderr: (line: string) => void };

/** What every stack's run adds to the seed and runs: a verdict needs no second violation, nor a shrunk one. */
export const STACK_RUN_FLAGS = ["--corpus", "none", "--max-violations", "1", "--no-shrink"] as const;

/**
 * Seed and runs of a first `update`: the runs' default. Measured: all four
 * stacks in 8-28 s wall at load 20-30 on 2 cores, since a failing property
 * stops at its first, unshrunk violation.
 */
const FIRST = { seed: 1, runs: 100 };

type StackRun =
  | { stack: string; verdicts: Record<string, PropertyStatus>; seconds: number }
  | { stack: string; fault: string };

export async function expectationsCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(
    argv,
    { stack: { type: "string", multiple: true }, seed: { type: "string" }, runs: { type: "string" } },
    1,
  );
  const action = positionals[0];
  if (action !== "check" && action !== "update")
    throw new UsageError(
      "usage: nfconform expectations check|update [--stack NAME]... (update also [--seed N] [--runs N])",
    );
  const file = join(adaptersRoot(), "expectations.json");
  const kept = existsSync(file) ? readExpectationsFile(file) : undefined;
  if (!kept && action === "check")
    throw new UsageError(`${file}: no expectations file; write one with nfconform expectations update`);
  if (action === "check" && (values.seed !== undefined || values.runs !== undefined))
    throw new UsageError(
      "expectations check runs at the file's seed and runs; --seed and --runs are options of update",
    );
  const seed = integerOption("seed", values.seed, 0, 2 ** 31 - 1) ?? kept?.seed ?? FIRST.seed;
  const runs = integerOption("runs", values.runs, 1, 100000) ?? kept?.runs ?? FIRST.runs;

  const folders = adapterFolders();
  const known = folders.map((f) => f.name);
  const named = values.stack ?? [];
  for (const name of named)
    if (!known.includes(name))
      throw new UsageError(`--stack ${name}: no adapter of that name (adapters: ${known.join(" ")})`);
  // Every stack the file keeps or adapters/ ships, unless --stack names some.
  const stacks = named.length ? named : [...new Set([...Object.keys(kept?.stacks ?? {}), ...known])].sort();
  const started = Date.now();
  const results = await Promise.all(stacks.map((stack) => runStack(stack, folders, seed, runs)));
  io.stderr(
    `expectations: ${stacks.length} stacks at seed ${seed}, ${runs} runs, in ${seconds(Date.now() - started)} s`,
  );

  const faults = results.flatMap((r) => ("fault" in r ? [`${r.stack}: ${r.fault}`] : []));
  if (action === "update") {
    if (faults.length) {
      for (const f of faults) io.stderr(`expectations: ${f}`);
      io.stderr("expectations: not updated (a stack could not run)");
      return 1;
    }
    const next: Expectations = {
      format: EXPECTATIONS_FORMAT,
      seed,
      runs,
      stacks: { ...(named.length ? kept?.stacks : {}) },
    };
    for (const r of results)
      if ("verdicts" in r) next.stacks[r.stack] = updatedVerdicts(kept?.stacks[r.stack], r.verdicts);
    writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
    io.stdout(`expectations: wrote ${file}`);
    return 0;
  }

  let changed = 0;
  for (const r of results) {
    if ("fault" in r) continue;
    const changes = verdictChanges(r.stack, kept!.stacks[r.stack] ?? {}, r.verdicts);
    changed += changes.length;
    for (const c of changes) io.stdout(`CHANGED   ${changeLine(c)}`);
    if (!changes.length)
      io.stdout(`ok        ${r.stack}: ${Object.keys(r.verdicts).length} verdicts as expected (${r.seconds} s)`);
  }
  for (const f of faults) io.stdout(`FAULT     ${f}`);
  if (changed || faults.length) {
    io.stdout(
      `expectations: ${changed} verdicts changed, ${faults.length} stacks could not run; if the change is meant, run nfconform expectations update and commit ${file}`,
    );
    return 1;
  }
  return 0;
}

function readExpectationsFile(file: string): Expectations {
  try {
    return readExpectations(readFileSync(file, "utf8"), file);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/** One stack's `nfconform run` in a process of its own, read back from its report.json. */
async function runStack(
  stack: string,
  folders: ReturnType<typeof adapterFolders>,
  seed: number,
  runs: number,
): Promise<StackRun> {
  const folder = folders.find((f) => f.name === stack);
  if (!folder) return { stack, fault: "no such adapter folder in adapters/ (kept in the file: remove it with update)" };
  if (!folder.built) return { stack, fault: `not built; run scripts/setup-adapters ${stack}` };
  const out = mkdtempSync(join(tmpdir(), `nfconform-expectations-${stack}-`));
  try {
    const main = fileURLToPath(new URL("./main.js", import.meta.url));
    const args = [
      main,
      "run",
      "--iut",
      stack,
      "--seed",
      String(seed),
      "--runs",
      String(runs),
      ...STACK_RUN_FLAGS,
      "--out",
      out,
    ];
    const started = Date.now();
    const { code, lastLine } = await spawnRun(args);
    const report = join(out, "report.json");
    if (!existsSync(report)) return { stack, fault: `its run wrote no report (exit ${code}): ${lastLine}` };
    const run = readReport(report);
    if (!run.iut.hello) return { stack, fault: `its adapter did not start: ${lastLine}` };
    return { stack, verdicts: verdictsOf(run), seconds: Number(seconds(Date.now() - started)) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function spawnRun(args: string[]): Promise<{ code: number | null; lastLine: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let tail = "";
    child.stderr.on("data", (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, lastLine: tail.trim().split("\n").at(-1) ?? "" }));
  });
}
