// One exploration round with fast-check. The round ends at the first violation
// of a kind not found before, shrunk toward that kind only (a failure of
// another kind is no progress for it, so shrinking cannot slide from one rule to
// another); violations of known kinds count as judged cases and the search goes
// on. Declined and unjudged cases are no runs for fast-check (fc.pre): they do
// not use up the budget of judged cases, up to as many of them as runs.
import fc from "fast-check";
import type { CaseRun, CaseTally } from "./case-run.js";
import type { CheckOutcome } from "../properties/property.js";

export interface RoundSettings {
  seed: number;
  /** Judged cases this round may use. */
  numRuns: number;
  timeLimitMs?: number;
  /** fast-check replay path: run only that counterexample. */
  path?: string;
  /** After each judged case of the exploration (for progress lines). */
  onJudged?: () => void;
  /** --no-shrink: a failure ends the round as found (fast-check endOnFailure), unshrunk. */
  noShrink?: boolean;
}

/** A failing case of the kind the round is after. */
export interface Failure {
  key: string;
  input: unknown;
  outcome: CheckOutcome;
}

export type RoundEnd =
  /** The budget is spent (or the time limit struck, or the runner stopped) with no new kind of violation. */
  | { kind: "spent"; interrupted: boolean }
  /** A new kind, shrunk: `last` is the last failing case seen, kept in case the shrunk one does not fail again. */
  | { kind: "found"; input: unknown; path: string; shrinks: number; interrupted: boolean; last: Failure }
  /** The generator threw: a fault of the suite; a failure already seen is kept, unshrunk past that point. */
  | { kind: "generator-failed"; message: string; last?: Failure }
  /** The predicate itself threw (a fault of the harness). */
  | { kind: "check-failed"; message: string };

/**
 * Runs a case; undefined once the property has stopped (IUT error, Ctrl-C): no more verdicts.
 * `draw` is the case's index among the cases fast-check drew this round (a CaseSource's index); none while shrinking.
 */
export type CaseRunner = (input: unknown, draw: number | undefined) => Promise<CaseRun | undefined>;

/** Declined cases a round may skip per judged run (fast-check's maxSkipsPerRun). */
const MAX_SKIPS_PER_RUN = 1;

/** The most cases a round of `numRuns` draws: its runs, its skips and the one skip too many that ends it. */
export function maxDraws(numRuns: number): number {
  return numRuns * (1 + MAX_SKIPS_PER_RUN) + 1;
}

export async function exploreRound(
  arbitrary: fc.Arbitrary<unknown>,
  settings: RoundSettings,
  known: ReadonlySet<string>,
  runCase: CaseRunner,
  tally: CaseTally,
): Promise<RoundEnd> {
  let target: Failure | undefined;
  // False once fast-check has returned: a case it abandoned at its time limit is no verdict.
  let open = true;
  // Set once the runner said stop: the round ends then, not after its remaining runs.
  let stopped = false;
  // Cases fast-check drew this round (not shrinks): the index of the next one.
  let draws = 0;
  const judge = async (input: unknown): Promise<boolean> => {
    await yieldNowAndThen();
    const shrinking = target !== undefined;
    const run = await runCase(input, shrinking ? undefined : draws++);
    if (!open) return true;
    if (run === undefined) {
      // Stopped (the caller reports why): fast-check's own interrupt ends the run at once,
      // keeping a failure being shrunk; passing every remaining run instead would take
      // as long as generating them (minutes at --runs 100000000).
      stopped = true;
      throw new fc.PreconditionFailure(true);
    }
    if (shrinking) tally.shrinkSteps++;
    if (run.kind === "declined" || run.kind === "unjudged") {
      if (!shrinking) (run.kind === "declined" ? tally.declined : tally.unjudged).note(run.reason);
      fc.pre(false); // not a run: fast-check draws another case
    }
    if (!shrinking) {
      tally.generated++;
      tally.noteJudged(run);
      settings.onJudged?.();
    }
    if (run.kind === "conforms") return true;
    if (!target ? known.has(run.key) : run.key !== target.key) return true;
    target = { key: run.key, input, outcome: run.outcome };
    return false;
  };
  // fast-check abandons a predicate still running when its time limit strikes;
  // track it, so the next case or property never talks to the IUT alongside it.
  let inFlight: Promise<boolean> = Promise.resolve(true);
  const settle = () => inFlight.catch(() => false);
  let details: fc.RunDetails<[unknown]>;
  try {
    details = await fc.check(
      fc.asyncProperty(arbitrary, (input) => (inFlight = judge(input))),
      {
        seed: settings.seed,
        numRuns: settings.numRuns,
        maxSkipsPerRun: MAX_SKIPS_PER_RUN,
        ...(settings.noShrink ? { endOnFailure: true } : {}),
        ...(settings.path ? { path: settings.path } : {}),
        ...(settings.timeLimitMs !== undefined
          ? { interruptAfterTimeLimit: settings.timeLimitMs, markInterruptAsFailure: false }
          : {}),
      },
    );
  } catch (error) {
    open = false;
    await settle();
    const message = error instanceof Error ? error.message : String(error);
    return { kind: "generator-failed", message, ...(target ? { last: target } : {}) };
  }
  open = false;
  await settle();
  const end = readRound(details, target);
  // `interrupted` means the time limit struck; a stop is the caller's to report.
  return stopped && "interrupted" in end ? { ...end, interrupted: false } : end;
}

/** What fast-check's result says about the round, by its union: passed, out of skips, interrupted or failed. */
function readRound(details: fc.RunDetails<[unknown]>, target: Failure | undefined): RoundEnd {
  if (!details.failed) return { kind: "spent", interrupted: details.interrupted };
  // Too many skips (declines used the budget up) or interrupted before a case ran: nothing new found.
  if (details.counterexample === null) return { kind: "spent", interrupted: details.interrupted };
  if (!target) {
    const thrown = details.errorInstance;
    return { kind: "check-failed", message: thrown instanceof Error ? thrown.message : String(thrown) };
  }
  return {
    kind: "found",
    input: details.counterexample[0],
    path: details.counterexamplePath,
    shrinks: details.numShrinks,
    interrupted: details.interrupted,
    last: target,
  };
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
