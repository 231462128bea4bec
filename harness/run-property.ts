// Runs one property against one IUT: saved corpus cases first (regression),
// then generated cases with fast-check until the budget of judged cases is
// spent, each distinct violation (by its key: what the model says differs)
// shrunk, re-run, saved once and reported. A property passes only if it
// judged a case; with none it is skipped and says why.
import type { Iut } from "../iut/iut.js";
import { IutError } from "../iut/iut.js";
import { type InstanceLender, IutInstances } from "../iut/iut-instances.js";
import { ModelIut } from "../iut/model/model-iut.js";
import type { CheckOutcome, ConformanceProperty } from "../properties/property.js";
import { propertyId } from "../properties/property.js";
import { CasePool } from "./case-pool.js";
import { CaseSource } from "./case-source.js";
import { CaseTally, runCase, settleCase, type Settled } from "./case-run.js";
import { CorpusError, saveCase, type LoadedCase, type SavedCase } from "./corpus-store.js";
import { exploreRound, maxDraws, type CaseRunner, type Failure, type RoundEnd } from "./explore.js";
import { LOW_JUDGED_SHARE, lowJudgedNote, type PropertyResult, type Violation } from "./results.js";
import { propertySeed } from "./seeds.js";

export interface PropertyRunOptions {
  runSeed: number;
  /** Generated cases to judge. */
  runs: number;
  /** Stop generating after this long (fast-check interruptAfterTimeLimit). */
  timeLimitMs?: number;
  /** fast-check replay path: run only that counterexample. */
  path?: string;
  /** Where new violations are saved; null keeps them out of any corpus. */
  corpusDir: string | null;
  iutName: string | null;
  /**
   * --jobs: every instance of the IUT (the `iut` argument first) to judge
   * cases on at once. Verdicts, counts and shrunk cases are the same for any
   * number: cases are drawn ahead and read in order, and a failure shrinks on
   * one instance, one case at a time.
   */
  instances?: InstanceLender;
  /** Kinds of violation found before (earlier rounds of a campaign): not reported or saved again. */
  knownKeys?: ReadonlySet<string>;
  /** --min-judged: a property that judged under this share of its cases fails. */
  minJudgedShare?: number;
  /** --max-violations: distinct violations to find before the property stops exploring (default MAX_DISTINCT_VIOLATIONS). */
  maxViolations?: number;
  /** --no-shrink: each violation is kept as found (verdicts unchanged; a fast gate such as the stacks' expectations). */
  noShrink?: boolean;
  /** Builds the command lines printed for replays and reruns. */
  commands: {
    replayCase(caseFile: string): string;
    rerunProperty(propertyId: string, extra: string[]): string;
  };
  onProgress?: (done: number, violations: number) => void;
  /** Set to stop early (Ctrl-C in a campaign): what was found so far is kept. */
  signal?: { aborted: boolean };
  /** --coverage: count the model rules each answered case reached (PropertyResult.ruleHits). */
  coverage?: boolean;
}

/** Distinct violations a property reports at most: past that, the IUT is broken enough to stop looking. */
export const MAX_DISTINCT_VIOLATIONS = 10;

/** Why a property stopped judging before its budget was spent. */
type Stop =
  | { kind: "iut-error"; iutError: NonNullable<PropertyResult["iutError"]> }
  | { kind: "suite-fault"; message: string };

/** One property's run in progress: what every step below reads and adds to. */
interface Session {
  property: ConformanceProperty;
  /** The IUT's first instance: its spec names the IUT in saved cases. */
  iut: Iut;
  instances: InstanceLender;
  profile: string;
  options: PropertyRunOptions;
  id: string;
  seed: number;
  started: number;
  tally: CaseTally;
  violations: Violation[];
  stop?: Stop;
  interrupted: boolean;
  /** Under --coverage: how many answered cases reached each model rule. */
  ruleHits?: Map<string, number>;
  /** Under --coverage: how many cases the IUT declined would have reached each rule (the model's answer to them). */
  declinedRuleHits?: Map<string, number>;
  /** The model that answers declined cases for declinedRuleHits, made at the first. */
  declinedModel?: Iut;
}

export async function runProperty(
  property: ConformanceProperty,
  iut: Iut,
  profile: string,
  corpusCases: readonly LoadedCase[],
  options: PropertyRunOptions,
): Promise<PropertyResult> {
  const id = propertyId(property);
  const s: Session = {
    property,
    iut,
    instances: options.instances ?? new IutInstances(iut),
    profile,
    options,
    id,
    seed: propertySeed(options.runSeed, id),
    started: Date.now(),
    tally: new CaseTally(),
    violations: [],
    interrupted: false,
    ...(options.coverage ? { ruleHits: new Map<string, number>(), declinedRuleHits: new Map<string, number>() } : {}),
  };
  await replayCorpus(s, corpusCases);
  await explore(s);
  return result(s, corpusCases.length);
}

/** Runs a case on the next free instance, one at a time (shrinking, re-runs); a fault of the IUT stops the property (and gives undefined), as does Ctrl-C. */
async function runOrStop(s: Session, input: unknown, during: string, saveOnError = true): ReturnType<CaseRunner> {
  if (halted(s)) return undefined;
  // Any instance will do (every case starts with reset); properties judged at once share them.
  const iut = (await s.instances.acquire())!;
  let settled: Settled;
  try {
    settled = await settleCase(runCase(s.property, iut, s.profile, input, s.ruleHits !== undefined));
  } finally {
    s.instances.release(iut);
  }
  const run = verdictOf(s, settled, during, saveOnError ? input : NOT_SAVED);
  await countDeclinedRules(s, run, input);
  return run;
}

/** Case `index` from the pool (judged ahead on any instance), or undefined once the property has stopped. */
async function takeOrStop(s: Session, pool: CasePool, index: number, input: unknown, during: string) {
  if (halted(s)) return undefined;
  const run = verdictOf(s, await pool.take(index, input), during, input);
  await countDeclinedRules(s, run, input);
  return run;
}

/**
 * Under --coverage, the rules a case the IUT declined would have reached: the
 * model answers it in the IUT's place (its own instance, under the profile
 * judged), so a rule only declined cases reach is reported as out of this
 * IUT's reach rather than as a generator gap.
 */
async function countDeclinedRules(s: Session, run: Awaited<ReturnType<CaseRunner>>, input: unknown): Promise<void> {
  if (!s.declinedRuleHits || run?.kind !== "declined") return;
  s.declinedModel ??= new ModelIut({ profiles: { [s.property.area]: s.profile } });
  const answered = await settleCase(runCase(s.property, s.declinedModel, s.profile, input, true));
  if ("run" in answered && "outcome" in answered.run) countRules(s.declinedRuleHits, answered.run.outcome.rules);
}

/** True once the property stopped (an IUT error) or Ctrl-C struck: no case starts. */
function halted(s: Session): boolean {
  if (s.stop) return true;
  if (!s.options.signal?.aborted) return false;
  s.interrupted = true;
  return true;
}

const NOT_SAVED = Symbol("not saved");

/** A case's verdict, read in case order: an IUT error stops the property here, its case kept for replay. */
function verdictOf(s: Session, settled: Settled, during: string, input: unknown): Awaited<ReturnType<CaseRunner>> {
  if ("error" in settled) {
    const iutError = iutErrorOf(settled.error, during);
    const ofTheCase = !(settled.error instanceof IutError && settled.error.beforeTheRequest);
    const kept = input === NOT_SAVED || !ofTheCase ? {} : keepFailedCase(s, input, iutError.message);
    s.stop = { kind: "iut-error", iutError: { ...iutError, ...kept } };
    return undefined;
  }
  const run = settled.run;
  if (s.ruleHits && "outcome" in run) countRules(s.ruleHits, run.outcome.rules);
  return run;
}

/** A pool over the session's instances; none for one instance, which judges each case as it is read. */
function poolFor(
  s: Session,
  draw: (index: number) => Promise<{ input: unknown } | undefined>,
  needed?: () => number,
): CasePool | undefined {
  if (s.instances.wanted < 2) return undefined;
  return new CasePool({
    instances: s.instances,
    draw,
    ...(needed ? { needed } : {}),
    judge: (iut, input) => runCase(s.property, iut, s.profile, input, s.ruleHits !== undefined),
    stopped: () => s.stop !== undefined || s.options.signal?.aborted === true,
  });
}

/** Counts each rule once per case that reached it (shrink steps included: they are cases the model answered). */
function countRules(into: Map<string, number>, rules: CheckOutcome["rules"]): void {
  for (const rule of new Set((rules ?? []).map((h) => h.rule))) into.set(rule, (into.get(rule) ?? 0) + 1);
}

/** Regression before exploration: every saved case of this property, each new kind of violation reported. */
async function replayCorpus(s: Session, cases: readonly LoadedCase[]): Promise<void> {
  const pool = poolFor(s, async (index) => (index < cases.length ? { input: cases[index]!.input } : undefined));
  try {
    for (const [index, saved] of cases.entries()) {
      if (s.options.signal?.aborted) return;
      const during = `corpus case ${saved.path}`;
      const run = pool
        ? await takeOrStop(s, pool, index, saved.input, during)
        : await runOrStop(s, saved.input, during);
      if (!run) return;
      noteSaved(s, saved, run);
    }
  } finally {
    await pool?.close();
  }
}

function noteSaved(s: Session, saved: LoadedCase, run: NonNullable<Awaited<ReturnType<CaseRunner>>>): void {
  if (run.kind === "declined" || run.kind === "unjudged") {
    (run.kind === "declined" ? s.tally.declined : s.tally.unjudged).note(run.reason);
    return;
  }
  s.tally.saved++;
  s.tally.noteJudged(run);
  if (run.kind !== "violates" || s.violations.some((v) => v.key === run.key)) return;
  s.violations.push({
    key: run.key,
    counterexample: saved.input,
    expected: run.outcome.expected,
    observed: run.outcome.observed,
    message: run.outcome.message ?? "differs from the model",
    ...(run.outcome.explanation ? { explanation: run.outcome.explanation } : {}),
    source: "corpus",
    caseFile: saved.path,
    ...(saved.case.pcap ? { pcapFile: `${saved.path.replace(/[^/]*$/, "")}${saved.case.pcap.file}` } : {}),
    replay: s.options.commands.replayCase(saved.path),
  });
}

/**
 * Exploration in rounds: each round ends at a new kind of violation, which is
 * shrunk, re-run and saved; the next round goes on with the runs left and a
 * seed derived from the property's, so the same seed finds the same list.
 */
async function explore(s: Session): Promise<void> {
  const { options } = s;
  // With --path only that counterexample is replayed: no kind counts as found already.
  const known = new Set(options.path ? [] : [...(options.knownKeys ?? []), ...s.violations.map((v) => v.key)]);
  for (let round = 0; ; round++) {
    const numRuns = options.runs - s.tally.generated;
    const timeLimitMs = options.timeLimitMs === undefined ? undefined : options.timeLimitMs - (Date.now() - s.started);
    if (timeLimitMs !== undefined && timeLimitMs <= 0) s.interrupted = true;
    if (options.signal?.aborted) s.interrupted = true;
    if (
      s.stop ||
      s.interrupted ||
      numRuns <= 0 ||
      s.violations.length >= (options.maxViolations ?? MAX_DISTINCT_VIOLATIONS)
    )
      return;
    const arbitrary = s.property.arbitrary(s.profile);
    const seed = roundSeed(s.seed, round);
    // With --path fast-check replays one case and its shrinks: nothing to judge ahead.
    const ahead = s.instances.wanted > 1 && !options.path;
    const source = ahead ? new CaseSource(arbitrary, seed, maxDraws(numRuns)) : undefined;
    // Judged runs left this round: a case judged ahead past them would never be read.
    const generatedBefore = s.tally.generated;
    const needed = () => numRuns - (s.tally.generated - generatedBefore);
    const pool = source && poolFor(s, (index) => source.take(index), needed);
    let end: RoundEnd;
    try {
      end = await exploreRound(
        arbitrary,
        {
          seed,
          numRuns,
          ...(timeLimitMs !== undefined ? { timeLimitMs: Math.max(1, timeLimitMs) } : {}),
          ...(options.path ? { path: options.path } : {}),
          ...(options.noShrink ? { noShrink: true } : {}),
          onJudged: () => options.onProgress?.(s.tally.generated, s.violations.length),
        },
        known,
        async (input, draw) => {
          if (!pool) return runOrStop(s, input, "generated case");
          if (draw !== undefined) return takeOrStop(s, pool, draw, input, "generated case");
          // Shrinking: one instance, one case at a time, once every case judged ahead has ended.
          await pool.close();
          return runOrStop(s, input, "generated case");
        },
        s.tally,
      );
    } finally {
      await pool?.close();
      await source?.close();
    }
    if (!(await endRound(s, end, round))) return;
    if (end.kind === "found") known.add(end.last.key);
  }
}

/** Takes in what a round found; true when exploration goes on. */
async function endRound(s: Session, end: RoundEnd, round: number): Promise<boolean> {
  switch (end.kind) {
    case "spent":
      s.interrupted ||= end.interrupted || s.options.signal?.aborted === true;
      return false;
    case "check-failed":
      s.stop ??= { kind: "suite-fault", message: `the check itself failed: ${end.message}` };
      return false;
    case "generator-failed":
      // A violation already seen is kept, unshrunk past the point where the generator broke.
      if (end.last) await keep(s, { input: end.last.input, shrinks: 0, last: end.last }, round);
      if (s.violations.length === 0)
        s.stop ??= { kind: "suite-fault", message: `nfconform's generator failed, not the IUT: ${end.message}` };
      return false;
    case "found":
      await keep(s, end, round);
      s.interrupted ||= end.interrupted;
      return !end.interrupted && !s.options.path;
  }
}

/** A round's seed: round 0 is the property's (so --path replays it), later ones derived from it. */
function roundSeed(seed: number, round: number): number {
  return round === 0 ? seed : propertySeed(seed, `round ${round}`);
}

interface Shrunk {
  input: unknown;
  shrinks: number;
  path?: string;
  last: Failure;
}

/** Re-runs the shrunk case (a case that no longer fails is flagged, not trusted), then records and saves it. */
async function keep(s: Session, shrunk: Shrunk, round: number): Promise<void> {
  if (s.violations.some((v) => v.key === shrunk.last.key)) return; // a saved case of that kind failed first (--path)
  // Not saved if the IUT fails here: the violation saves this very input below, as what it is.
  const again = await runOrStop(s, shrunk.input, "re-running the shrunk case", false);
  // Not re-run (the IUT failed meanwhile): the last failing case stands, unconfirmed but kept.
  const flaky = again !== undefined && (again.kind !== "violates" || again.key !== shrunk.last.key);
  const confirmed = again?.kind === "violates" && !flaky ? { input: shrunk.input, outcome: again.outcome } : undefined;
  const { input, outcome } = confirmed ?? shrunk.last;
  // Round 0's path replays with the property's seed; a later round's case replays from its file or a rerun.
  const path = round === 0 ? shrunk.path : undefined;
  const rerunArgs = ["--runs", String(s.options.runs), ...(path ? ["--path", path] : [])];
  const violation: Violation = {
    key: shrunk.last.key,
    counterexample: input,
    expected: outcome.expected,
    observed: outcome.observed,
    message: outcome.message ?? "differs from the model",
    ...(outcome.explanation ? { explanation: outcome.explanation } : {}),
    source: "generated",
    shrinks: shrunk.shrinks,
    ...(path ? { path } : {}),
    replay: s.options.commands.rerunProperty(s.id, rerunArgs),
    ...(flaky ? { flaky: true } : {}),
  };
  save(s, violation);
  s.violations.push(violation);
}

/**
 * Saves a violation in the corpus (unless the run keeps out of it); its replay
 * becomes the case file's. A corpus that cannot take the case loses nothing:
 * the violation keeps its rerun command and says why it has no case file.
 */
function save(s: Session, violation: Violation): void {
  const { counterexample, expected, observed, message } = violation;
  const saved = saveInCorpus(s, counterexample, { expected, observed, message }, () =>
    s.property.packets?.(counterexample, { ok: false, expected, observed, message }),
  );
  if (!saved) return;
  if ("saveError" in saved) {
    violation.saveError = saved.saveError;
    return;
  }
  violation.caseFile = saved.caseFile;
  if (saved.pcapFile) violation.pcapFile = saved.pcapFile;
  violation.replay = s.options.commands.replayCase(saved.caseFile);
}

/**
 * The case an IUT failed on, saved like a violation (unless the run keeps out
 * of the corpus) so that the failure replays by itself: a corpus case replays
 * from its own file. Its `expected` is null: the model's answer was never
 * compared. A corpus that cannot take it loses nothing but the file.
 */
function keepFailedCase(
  s: Session,
  input: unknown,
  message: string,
): Pick<NonNullable<PropertyResult["iutError"]>, "caseFile" | "replay" | "saveError"> {
  const observed = { iutError: message };
  const saved = saveInCorpus(
    s,
    input,
    { expected: null, observed, message: `the IUT failed on this case: ${message}` },
    () => {
      try {
        return s.property.packets?.(input, { ok: false, expected: null, observed, message });
      } catch {
        return undefined; // packets drawn from a reply the IUT never gave: the case file alone replays it
      }
    },
  );
  if (!saved) return {};
  if ("saveError" in saved) return saved;
  return { caseFile: saved.caseFile, replay: s.options.commands.replayCase(saved.caseFile) };
}

/** One case into the run's corpus: null when the run keeps out of it, the reason when the corpus cannot take it. */
function saveInCorpus(
  s: Session,
  input: unknown,
  found: { expected: unknown; observed: unknown; message: string },
  packets: () => ReturnType<NonNullable<ConformanceProperty["packets"]>>,
): SavedCase | { saveError: string } | null {
  if (s.options.corpusDir === null) return null;
  try {
    return saveCase(
      s.options.corpusDir,
      {
        area: s.property.area,
        property: s.property.name,
        profile: s.profile,
        input,
        ...found,
        foundBy: {
          iut: s.iut.spec,
          iutName: s.options.iutName,
          seed: s.options.runSeed,
          savedAt: new Date().toISOString(),
        },
      },
      packets(),
    );
  } catch (error) {
    if (!(error instanceof CorpusError)) throw error;
    return { saveError: error.message };
  }
}

/** The verdict: a fault first, then violations; no judged case is a skip (a failure under --min-judged), never a pass. */
function verdict(
  s: Session,
  lowJudged: string | undefined,
): Pick<PropertyResult, "status" | "skipReason" | "iutError"> {
  const stop = s.stop;
  if (stop?.kind === "iut-error") return { status: "iut-error", iutError: stop.iutError };
  if (stop?.kind === "suite-fault" && s.violations.length === 0)
    return { status: "iut-error", iutError: { message: stop.message } };
  if (s.violations.length > 0) return { status: "failed" };
  if (s.options.minJudgedShare !== undefined && lowJudged) return { status: "failed" };
  if (s.tally.judged === 0) return { status: "skipped", skipReason: nothingJudged(s) };
  return { status: "passed" };
}

/** The low-judged flag: under --min-judged also when nothing was judged (then it fails the property). */
function lowJudgedFlag(s: Session): string | undefined {
  const { tally, options } = s;
  if (tally.judged > 0) return lowJudgedNote(tally.judged, tally.attempted, options.minJudgedShare ?? LOW_JUDGED_SHARE);
  return options.minJudgedShare !== undefined ? nothingJudged(s) : undefined;
}

/** Why no case was judged, in one line. */
function nothingJudged(s: Session): string {
  const { declined, unjudged } = s.tally;
  const parts = [
    ...(declined.count ? [`the IUT declined ${declined.count} (${declined.reasons.join("; ")})`] : []),
    ...(unjudged.count ? [`${unjudged.count} judged nothing (${unjudged.reasons.join("; ")})`] : []),
  ];
  if (parts.length) return `no case was judged: ${parts.join("; ")}`;
  return s.interrupted ? "the time limit struck before a case was judged" : "no case was judged";
}

function result(s: Session, corpusCases: number): PropertyResult {
  const { tally, options } = s;
  const lowJudged = lowJudgedFlag(s);
  const { status, skipReason, iutError } = verdict(s, lowJudged);
  return {
    id: s.id,
    area: s.property.area,
    name: s.property.name,
    statement: s.property.statement,
    citation: s.property.citation,
    profile: s.profile,
    status,
    runs: tally.generated,
    judged: tally.judged,
    declined: tally.declined.count,
    ...(tally.declined.reasons.length
      ? { declinedReasons: tally.declined.reasons, declinedCounts: tally.declined.counts }
      : {}),
    unjudged: tally.unjudged.count,
    ...(tally.unjudged.reasons.length
      ? { unjudgedReasons: tally.unjudged.reasons, unjudgedCounts: tally.unjudged.counts }
      : {}),
    ...(tally.crashed.count ? { crashed: tally.crashed.count, crashedReasons: tally.crashed.reasons } : {}),
    ...(tally.partlyJudged.count
      ? { partlyJudged: tally.partlyJudged.count, partlyJudgedCounts: tally.partlyJudged.counts }
      : {}),
    shrinkSteps: tally.shrinkSteps,
    judgedShare: tally.attempted ? tally.judged / tally.attempted : null,
    ...(lowJudged ? { lowJudged } : {}),
    seed: s.seed,
    corpusCases,
    interrupted: s.interrupted,
    durationMs: Date.now() - s.started,
    ...(s.violations[0] ? { violation: s.violations[0] } : {}),
    violations: s.violations,
    ...(skipReason ? { skipReason } : {}),
    ...(iutError ? { iutError } : {}),
    rerun: options.commands.rerunProperty(s.id, ["--runs", String(options.runs)]),
    ...(s.ruleHits ? { ruleHits: sortedCounts(s.ruleHits) } : {}),
    ...(s.declinedRuleHits?.size ? { declinedRuleHits: sortedCounts(s.declinedRuleHits) } : {}),
  };
}

function sortedCounts(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

function iutErrorOf(error: unknown, during: string): NonNullable<PropertyResult["iutError"]> {
  if (error instanceof IutError)
    return { message: `${error.message} (${during})`, ...(error.evidence ? { evidence: error.evidence } : {}) };
  return { message: `${error instanceof Error ? error.message : String(error)} (${during})` };
}
