// `nfconform run`: the properties of the chosen areas against one IUT.
import { summarize, type RunResult } from "../harness/results.js";
import { runSuite } from "../harness/run-suite.js";
import { shellCommand } from "../harness/shell-quote.js";
import { writeReports } from "../reporting/write-reports.js";
import { commandBuilders } from "./commands-text.js";
import { durationOption, parseOptions } from "./options.js";
import { progressPrinter } from "./progress.js";
import { loadSuiteCorpus, openIut, prepareOutputs, readSuiteSettings, SUITE_OPTIONS } from "./suite-options.js";
import { UsageError } from "./usage-error.js";

export { DEFAULT_RUNS, DEFAULT_RUNS_LINUX } from "./suite-options.js";

/** --shard i/n: 1 <= i <= n. */
function shardOption(text: string | undefined): { index: number; count: number } | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count)
    throw new UsageError(`--shard must look like i/n with 1 <= i <= n, got ${JSON.stringify(text)}`);
  return { index, count };
}

/** Prints what a run found, then its one-line summary; returns the exit code. */
export function finishRun(run: RunResult, outDir: string, io: { stderr: (line: string) => void }): number {
  const files = writeReports(outDir, run);
  const summary = summarize(run.properties);
  for (const p of run.properties) {
    if (p.violation) {
      io.stderr(`violation in ${p.id}: ${p.violation.message}`);
      if (p.violation.caseFile)
        io.stderr(`  saved: ${p.violation.caseFile}${p.violation.pcapFile ? ` and ${p.violation.pcapFile}` : ""}`);
      io.stderr(`  replay: ${p.violation.replay}`);
    }
  }
  io.stderr(`reports: ${files.json}, ${files.junit}, ${files.markdown}`);
  io.stderr(
    `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped, ${summary.iutError} iut-error`,
  );
  if (summary.failed > 0) return 1;
  if (summary.iutError > 0) return 2;
  return 0;
}

export async function runCommand(argv: string[], io: { stderr: (line: string) => void }): Promise<number> {
  const { values } = parseOptions(
    argv,
    { ...SUITE_OPTIONS, "time-budget": { type: "string" }, path: { type: "string" }, shard: { type: "string" } },
    0,
  );
  const settings = readSuiteSettings(values);
  const timeBudgetMs = durationOption("time-budget", values["time-budget"]);
  const shard = shardOption(values.shard);
  prepareOutputs(settings);
  const corpusCases = loadSuiteCorpus(settings);
  const { iut, hello } = await openIut(settings.iutSpec, settings, io.stderr);
  try {
    const { seed, runs, areas, runsByArea } = settings;
    const fewer = Object.entries(runsByArea)
      .map(([area, n]) => ` (${area}: ${n})`)
      .join("");
    io.stderr(
      `nfconform run: IUT ${settings.iutSpec} (${hello.name} ${hello.version}), seed ${seed}, ${runs} cases per property${fewer}, areas ${areas.map((a) => a.name).join(", ")}${shard ? `, shard ${shard.index}/${shard.count}` : ""}${corpusCases.length ? `, ${corpusCases.length} saved cases` : ""}`,
    );
    const run = await runSuite({
      iut,
      hello,
      areas,
      profileOverrides: settings.profileOverrides,
      propertyFilter: settings.propertyFilter,
      corpusCases,
      seed,
      runs,
      runsByArea,
      ...(timeBudgetMs !== undefined ? { timeBudgetMs } : {}),
      ...(values.path ? { path: values.path } : {}),
      ...(shard ? { shard } : {}),
      corpusDir: settings.corpusDir,
      command: shellCommand(["nfconform", "run", ...argv, ...(settings.seedGiven ? [] : ["--seed", String(seed)])]),
      commands: commandBuilders({
        iutSpec: settings.iutSpec,
        seed,
        profiles: settings.profileOverrides,
        corpusDir: settings.corpusDir,
      }),
      ...(hello.name === "linux" ? { kernel: hello.version } : {}),
      onProgress: progressPrinter(io.stderr),
    });
    return finishRun(run, settings.outDir, io);
  } finally {
    await iut.close();
  }
}
