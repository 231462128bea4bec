// `nfconform fuzz --time DURATION`: a campaign of fresh seeds against one IUT,
// with a live progress line, every distinct violation saved once, and the
// report `run` writes, also when interrupted with Ctrl-C.
import { startV8Coverage } from "./v8-coverage.js";
import { runCampaign } from "../harness/campaign.js";
import type { PropertyResult } from "../harness/results.js";
import { partialRun, type RunIdentity } from "../harness/run-suite.js";
import { shellCommand } from "../harness/shell-quote.js";
import type { AreaName } from "../iut/protocol.js";
import { commandBuilders } from "./commands-text.js";
import { durationOption, integerOption, parseOptions } from "./options.js";
import { failedStart, finishRun } from "./finish-run.js";
import { guardRun } from "./run-guard.js";
import {
  IutStartError,
  loadSuiteCorpus,
  openIut,
  prepareOutputs,
  readSuiteSettings,
  SUITE_OPTIONS,
} from "./suite-options.js";
import { errorLine, UsageError } from "./usage-error.js";

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

export async function fuzzCommand(argv: string[], io: { stderr: (line: string) => void }): Promise<number> {
  const { values } = parseOptions(
    argv,
    {
      ...SUITE_OPTIONS,
      time: { type: "string" },
      "allow-empty": { type: "boolean" },
      "min-judged": { type: "string" },
      "max-violations": { type: "string" },
    },
    0,
  );
  const minJudged = integerOption("min-judged", values["min-judged"], 0, 100);
  const maxViolations = integerOption("max-violations", values["max-violations"], 1, 1000);
  const minJudgedShare = minJudged !== undefined ? minJudged / 100 : undefined;
  const budgetMs = durationOption("time", values.time);
  if (budgetMs === undefined) throw new UsageError("fuzz needs --time DURATION (e.g. --time 60s)");
  const settings = readSuiteSettings(values, { runs: 200 });
  prepareOutputs(settings);
  const corpusCases = loadSuiteCorpus(settings);
  const command = shellCommand([
    "nfconform",
    "fuzz",
    ...argv,
    ...(settings.seedGiven ? [] : ["--seed", String(settings.seed)]),
  ]);
  const commands = commandBuilders({
    iutSpec: settings.iutSpec,
    seed: settings.seed,
    profiles: settings.profileOverrides,
    corpusDir: settings.corpusDir,
  });
  const identity: RunIdentity = {
    iut: { spec: settings.iutSpec },
    hello: null,
    areas: settings.areas,
    propertyFilter: settings.propertyFilter,
    seed: settings.seed,
    runs: settings.runs,
    command,
    commands,
  };
  const startedAt = new Date();
  let opened: Awaited<ReturnType<typeof openIut>>;
  try {
    opened = await openIut(settings.iutSpec, settings, io.stderr);
  } catch (error) {
    if (error instanceof IutStartError) return failedStart(identity, startedAt, error, settings.outDir, io);
    throw error;
  }
  const { iut, hello, instances } = opened;
  identity.hello = hello;
  if (hello.name === "linux") identity.kernel = hello.version;
  // Every property's results over the rounds so far: what a crash or a second signal still reports.
  const totals = new Map<string, PropertyResult>();
  const guard = guardRun(
    "fuzz",
    settings.outDir,
    (why) => partialRun(identity, startedAt, [...totals.values()], { skipReason: why }),
    io.stderr,
  );
  const signal = guard.signal;
  try {
    io.stderr(
      `nfconform fuzz: IUT ${settings.iutSpec} (${hello.name} ${hello.version}), seed ${settings.seed}, ${clock(budgetMs)} budget, areas ${settings.areas.map((a) => a.name).join(", ")}`,
    );
    const started = Date.now();
    const cases = new Map<AreaName, number>();
    const lastDone = new Map<string, number>();
    const distinctViolations = () => [...totals.values()].reduce((n, p) => n + p.violations.length, 0);
    const savedViolations = () =>
      [...totals.values()].reduce((n, p) => n + p.violations.filter((v) => v.caseFile).length, 0);
    let lastPrinted = 0;
    const v8 = values.coverage ? await startV8Coverage() : undefined;
    const campaign = await runCampaign({
      iut,
      instances,
      hello,
      areas: settings.areas,
      profileOverrides: settings.profileOverrides,
      propertyFilter: settings.propertyFilter,
      corpusCases,
      baseSeed: settings.seed,
      runsPerRound: settings.runs,
      budgetMs,
      signal,
      ...(minJudgedShare !== undefined ? { minJudgedShare } : {}),
      ...(maxViolations !== undefined ? { maxViolations } : {}),
      corpusDir: settings.corpusDir,
      ...(values.coverage ? { coverage: true } : {}),
      command,
      commands,
      ...(hello.name === "linux" ? { kernel: hello.version } : {}),
      onProgress: (event) => {
        if (event.kind === "cases") {
          const key = `${event.round}/${event.id}`;
          const area = event.id.split(".")[0] as AreaName;
          cases.set(area, (cases.get(area) ?? 0) + event.done - (lastDone.get(key) ?? 0));
          lastDone.set(key, event.done);
        } else {
          totals.set(event.result.id, event.total);
        }
        const now = Date.now();
        if (now - lastPrinted < 1000) return;
        lastPrinted = now;
        const elapsed = now - started;
        const total = [...cases.values()].reduce((a, b) => a + b, 0);
        const perArea = [...cases].map(([area, n]) => `${area} ${Math.round((n * 1000) / elapsed)}/s`).join(", ");
        io.stderr(
          `fuzz ${clock(elapsed)} elapsed, ${clock(budgetMs - elapsed)} left: ${total} cases (${Math.round((total * 1000) / elapsed)}/s; ${perArea}), ${distinctViolations()} distinct violations`,
        );
      },
    });
    if (v8 && campaign.coverage) campaign.coverage.v8 = await v8.stop();
    io.stderr(
      `fuzz: ${campaign.rounds} rounds in ${clock(campaign.durationMs)}, ${distinctViolations()} distinct violations (${savedViolations()} saved)`,
    );
    if (guard.stoppedBy()) io.stderr("fuzz: interrupted; keeping what was found and writing the report");
    return finishRun(campaign, settings.outDir, io, { allowEmpty: values["allow-empty"] === true });
  } catch (error) {
    guard.writeSoFar(`nfconform stopped on an error before this property ran: ${errorLine(error)}`);
    throw error;
  } finally {
    guard.dispose();
    await opened.close();
  }
}
