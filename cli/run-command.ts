// `nfconform run`: the properties of the chosen areas against one IUT.
import type { PropertyResult } from "../harness/results.js";
import { partialRun, type RunIdentity, runSuite } from "../harness/run-suite.js";
import { startV8Coverage } from "./v8-coverage.js";
import { shellCommand } from "../harness/shell-quote.js";
import { commandBuilders } from "./commands-text.js";
import { failedStart, finishRun } from "./finish-run.js";
import { durationOption, integerOption, parseOptions } from "./options.js";
import { progressPrinter } from "./progress.js";
import { guardRun } from "./run-guard.js";
import {
  IutStartError,
  loadSuiteCorpus,
  jobsWorthStarting,
  openIut,
  prepareOutputs,
  readSuiteSettings,
  SUITE_OPTIONS,
} from "./suite-options.js";
import { errorLine, UsageError } from "./usage-error.js";

export { DEFAULT_RUNS, DEFAULT_RUNS_LINUX } from "./suite-options.js";
export { finishRun } from "./finish-run.js";

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

/** --path: fast-check's replay path, colon-separated numbers (as a failure prints it). */
function pathOption(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+(:\d+)*$/.test(text))
    throw new UsageError(`--path must be fast-check's replay path, numbers joined by ":", got ${JSON.stringify(text)}`);
  return text;
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

type Io = { stderr: (line: string) => void };

export async function runCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseOptions(
    argv,
    {
      ...SUITE_OPTIONS,
      "time-budget": { type: "string" },
      path: { type: "string" },
      shard: { type: "string" },
      "allow-empty": { type: "boolean" },
      "min-judged": { type: "string" },
      "max-violations": { type: "string" },
      "no-shrink": { type: "boolean" },
    },
    0,
  );
  const settings = readSuiteSettings(values);
  const timeBudgetMs = durationOption("time-budget", values["time-budget"]);
  const shard = shardOption(values.shard);
  const minJudged = integerOption("min-judged", values["min-judged"], 0, 100);
  const maxViolations = integerOption("max-violations", values["max-violations"], 1, 1000);
  const path = pathOption(values.path);
  prepareOutputs(settings);
  const corpusCases = loadSuiteCorpus(settings);
  const { seed, runs, areas, runsByArea, outDir } = settings;
  const startedAt = new Date();
  const identity: RunIdentity = {
    iut: { spec: settings.iutSpec },
    hello: null,
    areas,
    propertyFilter: settings.propertyFilter,
    seed,
    runs,
    ...(shard ? { shard } : {}),
    command: shellCommand(["nfconform", "run", ...argv, ...(settings.seedGiven ? [] : ["--seed", String(seed)])]),
    commands: commandBuilders({
      iutSpec: settings.iutSpec,
      seed,
      profiles: settings.profileOverrides,
      corpusDir: settings.corpusDir,
    }),
  };
  const found: PropertyResult[] = [];
  const guard = guardRun(
    "run",
    outDir,
    (why) => partialRun(identity, startedAt, found, { skipReason: why }),
    io.stderr,
  );
  try {
    let opened: Awaited<ReturnType<typeof openIut>>;
    try {
      opened = await openIut(settings.iutSpec, settings, io.stderr, jobsWorthStarting(settings, shard));
    } catch (error) {
      if (error instanceof IutStartError) return failedStart(identity, startedAt, error, outDir, io);
      throw error;
    }
    const { iut, hello, instances } = opened;
    identity.hello = hello;
    if (hello.name === "linux") identity.kernel = hello.version;
    try {
      const fewer = Object.entries(runsByArea)
        .map(([area, n]) => ` (${area}: ${n})`)
        .join("");
      io.stderr(
        `nfconform run: IUT ${settings.iutSpec} (${hello.name} ${hello.version}), seed ${seed}, ${runs} cases per property${fewer}, areas ${areas.map((a) => a.name).join(", ")}${instances.wanted > 1 ? `, ${instances.wanted} jobs` : ""}${shard ? `, shard ${shard.index}/${shard.count}` : ""}${corpusCases.length ? `, ${corpusCases.length} saved cases` : ""}`,
      );
      const progress = progressPrinter(io.stderr);
      const v8 = values.coverage ? await startV8Coverage() : undefined;
      const run = await runSuite({
        ...identity,
        iut,
        instances,
        hello,
        profileOverrides: settings.profileOverrides,
        corpusCases,
        runsByArea,
        ...(timeBudgetMs !== undefined ? { timeBudgetMs } : {}),
        ...(path ? { path } : {}),
        ...(minJudged !== undefined ? { minJudgedShare: minJudged / 100 } : {}),
        ...(maxViolations !== undefined ? { maxViolations } : {}),
        ...(values["no-shrink"] ? { noShrink: true } : {}),
        corpusDir: settings.corpusDir,
        signal: guard.signal,
        ...(values.coverage ? { coverage: true } : {}),
        onProgress: (event) => {
          if (event.kind === "done") found.push(event.result);
          progress(event);
        },
      });
      if (v8 && run.coverage) run.coverage.v8 = await v8.stop();
      const code = finishRun(run, outDir, io, { allowEmpty: values["allow-empty"] === true });
      // Stopped by a signal: not a pass, whatever was judged before it (a violation still says 1).
      const stoppedBy = guard.stoppedBy();
      return stoppedBy && code !== 1 ? SIGNAL_EXIT[stoppedBy]! : code;
    } catch (error) {
      guard.writeSoFar(`nfconform stopped on an error before this property ran: ${errorLine(error)}`);
      throw error;
    } finally {
      await opened.close();
    }
  } finally {
    guard.dispose();
  }
}
