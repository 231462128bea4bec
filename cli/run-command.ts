// `nfconform run`: the properties of the chosen areas against one IUT.
import { resolve } from "node:path";
import { loadCorpus } from "../harness/corpus-store.js";
import { summarize } from "../harness/results.js";
import { runSuite } from "../harness/run-suite.js";
import { randomRunSeed } from "../harness/seeds.js";
import { shellCommand } from "../harness/shell-quote.js";
import { IutError } from "../iut/iut.js";
import { AREAS } from "../properties/areas.js";
import { writeReports } from "../reporting/write-reports.js";
import { commandBuilders } from "./commands-text.js";
import { areaOption, durationOption, integerOption, parseOptions, profileOption } from "./options.js";
import { progressPrinter } from "./progress.js";
import { DEFAULT_IUT, resolveIut } from "./resolve-iut.js";
import { UsageError } from "./usage-error.js";

/** Generated cases per property; the kernel gets more, so a default run judges over 1,000 kernel cases. */
export const DEFAULT_RUNS = 100;
export const DEFAULT_RUNS_LINUX = 300;

function timestamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, "-");
}

export async function runCommand(argv: string[], io: { stderr: (line: string) => void }): Promise<number> {
  const { values } = parseOptions(
    argv,
    {
      iut: { type: "string" },
      area: { type: "string", multiple: true },
      profile: { type: "string", multiple: true },
      property: { type: "string", multiple: true },
      seed: { type: "string" },
      runs: { type: "string" },
      "time-budget": { type: "string" },
      out: { type: "string" },
      corpus: { type: "string" },
      path: { type: "string" },
      timeout: { type: "string" },
    },
    0,
  );
  const iutSpec = values.iut ?? DEFAULT_IUT;
  const areas = areaOption(values.area);
  const profileOverrides = profileOption(values.profile);
  const seed = integerOption("seed", values.seed, 0, 0x7fffffff) ?? randomRunSeed();
  const runs = integerOption("runs", values.runs, 1, 100_000_000) ?? (iutSpec === "linux" ? DEFAULT_RUNS_LINUX : DEFAULT_RUNS);
  const timeBudgetMs = durationOption("time-budget", values["time-budget"]);
  const timeoutMs = durationOption("timeout", values.timeout);
  const corpusDir = values.corpus === "none" ? null : resolve(values.corpus ?? "corpus");
  const propertyFilter = values.property ?? [];
  for (const wanted of propertyFilter) {
    const known = areas.some((a) => a.properties.some((p) => p.name === wanted || `${p.area}.${p.name}` === wanted));
    if (!known) throw new UsageError(`--property: no property "${wanted}" in the chosen areas (see nfconform list)`);
  }
  const startedAt = new Date();
  const outDir = resolve(values.out ?? `reports/${timestamp(startedAt)}`);

  // Saved cases first: a malformed corpus stops the run before anything runs.
  const corpusCases = corpusDir === null ? [] : loadCorpus(corpusDir, areas, AREAS);

  const iut = resolveIut(iutSpec, { profiles: profileOverrides, ...(timeoutMs !== undefined ? { timeoutMs } : {}), onStderr: (l) => io.stderr(`[adapter] ${l}`) });
  try {
    let hello;
    try {
      hello = await iut.hello();
    } catch (error) {
      if (error instanceof IutError) throw new UsageError(`the IUT ${iutSpec} failed to start: ${error.message}${error.evidence ? ` (${error.evidence.split("\n").slice(-1)[0]})` : ""}`);
      throw error;
    }
    io.stderr(`nfconform run: IUT ${iutSpec} (${hello.name} ${hello.version}), seed ${seed}, ${runs} cases per property, areas ${areas.map((a) => a.name).join(", ")}${corpusCases.length ? `, ${corpusCases.length} saved cases` : ""}`);
    const command = shellCommand(["nfconform", "run", ...argv, ...(values.seed === undefined ? ["--seed", String(seed)] : [])]);
    const run = await runSuite({
      iut,
      hello,
      areas,
      profileOverrides,
      propertyFilter,
      corpusCases,
      seed,
      runs,
      ...(timeBudgetMs !== undefined ? { timeBudgetMs } : {}),
      ...(values.path ? { path: values.path } : {}),
      corpusDir,
      command,
      commands: commandBuilders({ iutSpec, seed, profiles: profileOverrides, corpusDir }),
      ...(hello.name === "linux" ? { kernel: hello.version } : {}),
      onProgress: progressPrinter(io.stderr),
    });
    const files = writeReports(outDir, run);
    const summary = summarize(run.properties);
    for (const p of run.properties) {
      if (p.violation) {
        io.stderr(`violation in ${p.id}: ${p.violation.message}`);
        if (p.violation.caseFile) io.stderr(`  saved: ${p.violation.caseFile}${p.violation.pcapFile ? ` and ${p.violation.pcapFile}` : ""}`);
        io.stderr(`  replay: ${p.violation.replay}`);
      }
    }
    io.stderr(`reports: ${files.json}, ${files.junit}, ${files.markdown}`);
    io.stderr(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped, ${summary.iutError} iut-error`);
    if (summary.failed > 0) return 1;
    if (summary.iutError > 0) return 2;
    return 0;
  } finally {
    await iut.close();
  }
}
