// Runs one property against one IUT: saved corpus cases first (regression),
// then generated cases with fast-check, shrinking any violation and saving it.
import fc from "fast-check";
import { AdapterReplyError, IutError, type Iut } from "../iut/iut.js";
import type { CheckOutcome, ConformanceProperty } from "../properties/property.js";
import { propertyId } from "../properties/property.js";
import { saveCase, type LoadedCase } from "./corpus-store.js";
import type { PropertyResult, Violation } from "./results.js";
import { propertySeed } from "./seeds.js";

export interface PropertyRunOptions {
  runSeed: number;
  runs: number;
  /** Stop generating after this long (fast-check interruptAfterTimeLimit). */
  timeLimitMs?: number;
  /** fast-check replay path: run only that counterexample. */
  path?: string;
  /** Where new violations are saved; null keeps them out of any corpus. */
  corpusDir: string | null;
  iutName: string | null;
  /** Builds the command lines printed for replays and reruns. */
  commands: {
    replayCase(caseFile: string): string;
    rerunProperty(propertyId: string, extra: string[]): string;
  };
  onProgress?: (done: number, violations: number) => void;
  /** Set to stop early (Ctrl-C in a campaign): what was found so far is kept. */
  signal?: { aborted: boolean };
}

interface CaseRun {
  outcome?: CheckOutcome;
  declined?: AdapterReplyError;
}

/**
 * Runs one case: reset, then the check. IutError propagates; an adapter's
 * `unsupported`/`invalid` answer declines the case; any other throw from the
 * check (a reply it could not judge) is a violation that says so.
 */
async function runCase(property: ConformanceProperty, iut: Iut, profile: string, input: unknown): Promise<CaseRun> {
  try {
    await iut.call("reset", {});
    return { outcome: await property.check(input, { iut, profile }) };
  } catch (error) {
    if (error instanceof IutError) throw error;
    if (error instanceof AdapterReplyError && error.code !== "internal") return { declined: error };
    if (error instanceof AdapterReplyError) throw new IutError(error.message);
    const message = error instanceof Error ? error.message : String(error);
    return {
      outcome: {
        ok: false,
        expected: null,
        observed: { error: message },
        message: `the check could not judge the reply: ${message}`,
      },
    };
  }
}

export async function runProperty(
  property: ConformanceProperty,
  iut: Iut,
  profile: string,
  corpusCases: readonly LoadedCase[],
  options: PropertyRunOptions,
): Promise<PropertyResult> {
  const id = propertyId(property);
  const seed = propertySeed(options.runSeed, id);
  const started = Date.now();
  const base = {
    id,
    area: property.area,
    name: property.name,
    statement: property.statement,
    citation: property.citation,
    profile,
    seed,
    corpusCases: corpusCases.length,
    rerun: options.commands.rerunProperty(id, ["--runs", String(options.runs)]),
  };
  const finish = (fields: Partial<PropertyResult> & Pick<PropertyResult, "status">): PropertyResult => ({
    ...base,
    runs: 0,
    interrupted: false,
    declined: declines.count,
    ...(declines.reasons.length ? { declinedReasons: declines.reasons } : {}),
    ...fields,
    durationMs: Date.now() - started,
  });

  const declines = new DeclinedCases();
  // Regression before exploration: every saved case of this property.
  for (const saved of corpusCases) {
    if (options.signal?.aborted) return finish({ status: "passed", interrupted: true });
    let run: CaseRun;
    try {
      run = await runCase(property, iut, profile, saved.input);
    } catch (error) {
      return finish({ status: "iut-error", iutError: iutErrorOf(error, `corpus case ${saved.path}`) });
    }
    if (run.declined?.code === "unsupported") return declinedResult(finish, run.declined);
    if (run.declined) {
      declines.note(run.declined);
      continue;
    }
    if (run.outcome && !run.outcome.ok) {
      const violation: Violation = {
        counterexample: saved.input,
        expected: run.outcome.expected,
        observed: run.outcome.observed,
        message: run.outcome.message ?? "differs from the model",
        source: "corpus",
        caseFile: saved.path,
        ...(saved.case.pcap ? { pcapFile: `${saved.path.replace(/[^/]*$/, "")}${saved.case.pcap.file}` } : {}),
        replay: options.commands.replayCase(saved.path),
      };
      return finish({ status: "failed", violation });
    }
  }

  let iutError: PropertyResult["iutError"];
  let unsupported: AdapterReplyError | undefined;
  let lastFailure: { input: unknown; outcome: CheckOutcome } | undefined;
  let done = 0;
  let violations = 0;
  const judge = async (input: unknown): Promise<boolean> => {
    await yieldNowAndThen();
    if (iutError || unsupported || options.signal?.aborted) return true; // stop judging; the runner reports why
    let run: CaseRun;
    try {
      run = await runCase(property, iut, profile, input);
    } catch (error) {
      iutError = iutErrorOf(error, "generated case");
      return true;
    }
    if (run.declined?.code === "unsupported") {
      unsupported = run.declined;
      return true;
    }
    if (run.declined) {
      // The IUT cannot represent this input: not a verdict, counted and reported.
      declines.note(run.declined);
      return true;
    }
    done++;
    const outcome = run.outcome!;
    if (!outcome.ok) {
      violations++;
      lastFailure = { input, outcome };
    }
    options.onProgress?.(done, violations);
    return outcome.ok;
  };
  // fast-check abandons a predicate still running when its time limit strikes;
  // track it, so the next case or property never talks to the IUT alongside it.
  let inFlight: Promise<boolean> = Promise.resolve(true);
  const predicate = fc.asyncProperty(property.arbitrary(profile), (input) => (inFlight = judge(input)));
  let details: fc.RunDetails<[unknown]>;
  try {
    details = await fc.check(predicate, {
      seed,
      numRuns: options.runs,
      ...(options.path ? { path: options.path } : {}),
      ...(options.timeLimitMs !== undefined
        ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false }
        : {}),
    });
  } catch (error) {
    // A generator threw (a defect of the suite, not of the IUT): the run goes on with the other properties,
    // and a violation already found is kept, unshrunk past that point.
    await inFlight.catch(() => false);
    const cause = error instanceof Error ? error.message : String(error);
    if (!lastFailure)
      return finish({
        status: "iut-error",
        runs: done,
        interrupted: false,
        iutError: { message: `nfconform's generator failed, not the IUT: ${cause}` },
      });
    details = {
      failed: true,
      interrupted: false,
      counterexample: null,
      counterexamplePath: null,
      numShrinks: 0,
    } as unknown as typeof details;
  }
  await inFlight.catch(() => false);
  const runs = done;
  const interrupted = details.interrupted || options.signal?.aborted === true;
  if (iutError) return finish({ status: "iut-error", runs, interrupted, iutError });
  if (unsupported) return declinedResult(finish, unsupported);
  if (!details.failed) {
    if (runs === 0 && corpusCases.length === declines.count) {
      return finish({
        status: "skipped",
        interrupted,
        skipReason: `the IUT declined every case (${declines.reasons.join("; ")})`,
      });
    }
    return finish({ status: "passed", runs, interrupted });
  }

  // Interrupted by the time limit before a single case ran: fast-check calls that a failure; it is no verdict.
  if (
    details.counterexample === null &&
    !lastFailure &&
    interrupted &&
    (details as { errorInstance?: unknown }).errorInstance == null
  ) {
    return finish({
      status: "skipped",
      runs,
      interrupted: true,
      skipReason: "the time limit struck before a case was judged",
    });
  }
  if (details.counterexample === null && !lastFailure) {
    const thrown: unknown = (details as { errorInstance?: unknown }).errorInstance;
    const cause = thrown instanceof Error ? thrown.message : String(thrown);
    return finish({
      status: "iut-error",
      runs,
      interrupted,
      iutError: { message: `the check itself failed: ${cause}` },
    });
  }
  // Without fast-check's counterexample (the time limit struck mid-shrink), the last failing case stands.
  const counterexample = details.counterexample ? details.counterexample[0] : lastFailure!.input;
  // Re-run the shrunk case: its outcome goes in the report, and a case that no
  // longer fails is flagged instead of silently trusted.
  let confirm: CaseRun;
  try {
    confirm = await runCase(property, iut, profile, counterexample);
  } catch (error) {
    return finish({
      status: "iut-error",
      runs,
      interrupted,
      iutError: iutErrorOf(error, "re-running the shrunk case"),
    });
  }
  const flaky = !confirm.outcome || confirm.outcome.ok;
  const outcome = flaky ? (lastFailure?.outcome ?? { ok: false, expected: null, observed: null }) : confirm.outcome!;
  const input = flaky && lastFailure ? lastFailure.input : counterexample;
  const path = details.counterexamplePath ?? undefined;
  const violation: Violation = {
    counterexample: input,
    expected: outcome.expected,
    observed: outcome.observed,
    message: outcome.message ?? "differs from the model",
    source: "generated",
    shrinks: details.numShrinks,
    ...(path ? { path } : {}),
    replay: options.commands.rerunProperty(id, ["--runs", String(options.runs), ...(path ? ["--path", path] : [])]),
    ...(flaky ? { flaky: true } : {}),
  };
  if (options.corpusDir !== null) {
    const saved = saveCase(
      options.corpusDir,
      {
        area: property.area,
        property: property.name,
        profile,
        input,
        expected: outcome.expected,
        observed: outcome.observed,
        message: violation.message,
        foundBy: { iut: iut.spec, iutName: options.iutName, seed: options.runSeed, savedAt: new Date().toISOString() },
      },
      property.packets?.(input, outcome),
    );
    violation.caseFile = saved.caseFile;
    if (saved.pcapFile) violation.pcapFile = saved.pcapFile;
    violation.replay = options.commands.replayCase(saved.caseFile);
  }
  return finish({ status: "failed", runs, interrupted, violation });
}

function iutErrorOf(error: unknown, during: string): NonNullable<PropertyResult["iutError"]> {
  if (error instanceof IutError)
    return { message: `${error.message} (${during})`, ...(error.evidence ? { evidence: error.evidence } : {}) };
  return { message: `${error instanceof Error ? error.message : String(error)} (${during})` };
}

let lastYield = Date.now();

/**
 * An in-process IUT answers in microtasks only, so a run would never return to
 * the event loop: every 50 ms (counted across properties and rounds), let
 * signals (Ctrl-C) and progress output through.
 */
async function yieldNowAndThen(): Promise<void> {
  if (Date.now() - lastYield < 50) return;
  await new Promise((resolve) => setImmediate(resolve));
  lastYield = Date.now();
}

/** Cases the IUT answered `invalid`: how many, and the distinct reasons (a few). */
class DeclinedCases {
  count = 0;
  readonly reasons: string[] = [];

  note(error: AdapterReplyError): void {
    this.count++;
    const reason = error.detail;
    if (this.reasons.length < 5 && !this.reasons.includes(reason)) this.reasons.push(reason);
  }
}

function declinedResult(
  finish: (fields: Partial<PropertyResult> & Pick<PropertyResult, "status">) => PropertyResult,
  declined: AdapterReplyError,
): PropertyResult {
  return finish({ status: "skipped", skipReason: `the IUT answered ${declined.code}: ${declined.message}` });
}
