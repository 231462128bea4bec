// The end of a run, fuzz campaign or merge: what it found on stderr, the
// reports on disk, and the exit code. Which code wins:
//   1  a property failed (a violation is a finding, even if other properties had IUT errors)
//   2  an IUT error (no violation), or nothing was judged (every property skipped, or none
//      selected) unless --allow-empty: a run that judged nothing is not a pass
//   0  every property judged conforms (skipped ones aside)
import { summarize, type RunResult } from "../harness/results.js";
import { partialRun, type RunIdentity } from "../harness/run-suite.js";
import { explanationLine } from "../properties/explain.js";
import { writeReports } from "../reporting/write-reports.js";
import type { IutStartError } from "./suite-options.js";

type Io = { stderr: (line: string) => void };

/** The violations, each with where it was saved and the command that replays it. */
export function printFindings(run: RunResult, io: Io): void {
  for (const p of run.properties) {
    if (!p.violation) continue;
    io.stderr(`violation in ${p.id}: ${p.violation.message}`);
    if (p.violation.explanation) io.stderr(`  ${explanationLine(p.violation.explanation)}`);
    if (p.violation.caseFile)
      io.stderr(`  saved: ${p.violation.caseFile}${p.violation.pcapFile ? ` and ${p.violation.pcapFile}` : ""}`);
    if (p.violation.saveError) io.stderr(`  not saved: ${p.violation.saveError}`);
    io.stderr(`  replay: ${p.violation.replay}`);
  }
}

export function writeRunReports(outDir: string, run: RunResult, io: Io): void {
  const files = writeReports(outDir, run);
  io.stderr(`reports: ${files.json}, ${files.junit}, ${files.markdown}`);
}

export function exitCode(run: RunResult, options: { allowEmpty?: boolean }, io: Io): number {
  const summary = summarize(run.properties);
  if (summary.failed > 0) return 1;
  if (summary.iutError > 0) {
    const first = run.properties.find((p) => p.status === "iut-error");
    io.stderr(
      `nfconform: ${summary.iutError} of ${run.properties.length} properties met an IUT error (${first?.id}: ${first?.iutError?.message})`,
    );
    return 2;
  }
  if (summary.passed === 0 && !options.allowEmpty) {
    io.stderr(
      `nfconform: no property was judged (${summary.skipped} skipped of ${run.properties.length}): not a pass; --allow-empty accepts a run that judged nothing`,
    );
    return 2;
  }
  return 0;
}

/** Prints the findings first (so a report that cannot be written hides nothing), writes the reports, returns the exit code. */
export function finishRun(run: RunResult, outDir: string, io: Io, options: { allowEmpty?: boolean } = {}): number {
  printFindings(run, io);
  writeRunReports(outDir, run, io);
  const summary = summarize(run.properties);
  for (const a of run.coverage?.areas ?? [])
    io.stderr(
      `rules ${a.area}: ${a.reached}/${a.total} reached${a.unreached.length ? `; never reached: ${a.unreached.join(", ")}` : ""}${a.outOfReach?.length ? `; out of the IUT's reach (only declined cases): ${a.outOfReach.join(", ")}` : ""}`,
    );
  io.stderr(
    `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped, ${summary.iutError} iut-error`,
  );
  return exitCode(run, options, io);
}

/** The IUT never said hello: every property of the run is that IUT error, in a report like any other. */
export function failedStart(
  identity: RunIdentity,
  startedAt: Date,
  error: IutStartError,
  outDir: string,
  io: Io,
): number {
  const evidence = error.iutError.evidence;
  const run = partialRun(identity, startedAt, [], {
    iutError: { message: error.message, ...(evidence ? { evidence } : {}) },
  });
  finishRun(run, outDir, io);
  return 2;
}
