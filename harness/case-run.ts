// One case against the IUT, read into what it means for a verdict: it
// conforms, it violates (with the key of what differs), it judged nothing (the
// IUT did not report what the property judges), or the IUT declined it.
//
// `unsupported` declines the one case, as `invalid` does: the protocol lets it
// cover a variant (bpf attach `xt_bpf`) as well as an op, so an adapter's
// other cases of the property are still judged, and a property every case of
// which was declined is skipped with the adapter's message.
//
// `crashed` (the implementation crashed on the case, the adapter lived on) is
// a violation of the property whose case it is, under one key, CRASH_KEY: it
// is shrunk, saved and replayed like any other, counted, and the property's
// other cases are still judged. Only `internal` (the adapter itself failed)
// stops the property as an IUT error.
import type { ReasonCount } from "./results.js";
import { AdapterReplyError, IutError, type Iut } from "../iut/iut.js";
import type { CheckOutcome, ConformanceProperty } from "../properties/property.js";

export type CaseRun =
  | { kind: "conforms"; outcome: CheckOutcome }
  | { kind: "violates"; outcome: CheckOutcome; key: string }
  | { kind: "unjudged"; reason: string; outcome: CheckOutcome }
  /** `invalid` (the IUT cannot represent the case), `unsupported` (an op or variant it has no counterpart of), or a case the model does not predict. */
  | { kind: "declined"; reason: string };

/** The key of a case the implementation crashed on: one kind per property, whatever the crash said. */
export const CRASH_KEY = "the implementation crashed";

/** Whether a case run is the implementation crashing (a violation under CRASH_KEY). */
export function isCrash(run: CaseRun): boolean {
  return run.kind === "violates" && run.key === CRASH_KEY;
}

/** The key of violations whose check named none: one kind per property. */
export const DEFAULT_KEY = "differs from the model";

/**
 * Runs one case: reset, then the check. IutError propagates (an `internal`
 * answer is one); any other throw from the check (a reply it could not judge)
 * is a violation that says so.
 */
export async function runCase(
  property: ConformanceProperty,
  iut: Iut,
  profile: string,
  input: unknown,
  collectRules = false,
): Promise<CaseRun> {
  let outcome: CheckOutcome;
  try {
    await iut.call("reset", {});
    outcome = await property.check(input, { iut, profile, ...(collectRules ? { collectRules } : {}) });
  } catch (error) {
    if (error instanceof IutError) throw error;
    if (error instanceof AdapterReplyError) {
      if (error.code === "internal") throw new IutError(error.message);
      if (error.code === "crashed") return crashed(error.detail);
      return { kind: "declined", reason: error.code === "unsupported" ? `unsupported: ${error.detail}` : error.detail };
    }
    const message = error instanceof Error ? error.message : String(error);
    return {
      kind: "violates",
      key: "reply the check could not judge",
      outcome: {
        ok: false,
        expected: null,
        observed: { error: message },
        message: `the check could not judge the reply: ${message}`,
      },
    };
  }
  if (!outcome.ok) return { kind: "violates", outcome, key: outcome.key ?? DEFAULT_KEY };
  if (outcome.judged === false)
    return { kind: "unjudged", reason: outcome.reason ?? "the IUT reported nothing this property judges", outcome };
  return { kind: "conforms", outcome };
}

/** What a crash shows: nothing was observed but the crash, in the adapter's words. */
export function crashOutcome(detail: string): CheckOutcome & { ok: false; observed: unknown; expected: null } {
  return { ok: false, expected: null, observed: { crashed: detail }, message: `the implementation crashed: ${detail}` };
}

function crashed(detail: string): CaseRun {
  return { kind: "violates", key: CRASH_KEY, outcome: crashOutcome(detail) };
}

/** A case run as a value: its verdict, or what it threw (an IutError), read later and in case order. */
export type Settled = { run: CaseRun } | { error: unknown };

export async function settleCase(run: Promise<CaseRun>): Promise<Settled> {
  try {
    return { run: await run };
  } catch (error) {
    return { error };
  }
}

/** Why a case gave no verdict: the check could not judge it, or the IUT declined it (`unsupported` included). */
export function noVerdict(run: CaseRun): { label: "not judged" | "declined"; reason: string } | undefined {
  if (run.kind === "unjudged") return { label: "not judged", reason: run.reason };
  if (run.kind === "declined") return { label: "declined", reason: run.reason };
  return undefined;
}

/** Distinct reasons counted apart; past this many, the rest go under one "other reasons" line. */
const MAX_REASONS = 40;
export const OTHER_REASONS = "other reasons (past the first 40 distinct ones)";

/**
 * A reason without the case's numbers ("packet 3 is 70000 bytes" and "packet 1
 * is 65600 bytes" are one reason): what declines are counted by.
 */
function reasonKind(reason: string): string {
  return reason.replace(/\d+/g, "#");
}

/** Cases of one kind (declined, unjudged): how many, a few distinct reasons, and every reason with its count. */
export class CountedReasons {
  count = 0;
  /** The first five distinct reasons, as the IUT gave them. */
  readonly reasons: string[] = [];
  private readonly byKind = new Map<string, ReasonCount>();

  note(reason: string): void {
    this.count++;
    if (this.reasons.length < 5 && !this.reasons.includes(reason)) this.reasons.push(reason);
    const kind =
      this.byKind.size < MAX_REASONS || this.byKind.has(reasonKind(reason)) ? reasonKind(reason) : OTHER_REASONS;
    const counted = this.byKind.get(kind);
    if (counted) counted.count++;
    else this.byKind.set(kind, { reason: kind === OTHER_REASONS ? OTHER_REASONS : reason, count: 1 });
  }

  /** Every reason with its count, most cases first (first seen first among equals). */
  get counts(): ReasonCount[] {
    return [...this.byKind.values()].map((r) => ({ ...r })).sort((a, b) => b.count - a.count);
  }
}

/** What a property run did with its cases, kept apart so reports never mix them. */
export class CaseTally {
  /** Generated cases judged while exploring (shrink steps not counted). */
  generated = 0;
  /** Saved corpus cases judged. */
  saved = 0;
  /** Cases run while shrinking a violation. */
  shrinkSteps = 0;
  readonly declined = new CountedReasons();
  readonly unjudged = new CountedReasons();
  /** Judged cases (generated or saved) the implementation crashed on, with the crash's words. */
  readonly crashed = new CountedReasons();
  /** Judged cases (generated or saved) of which a part was not judged (CheckOutcome.partlyJudged), with what and why. */
  readonly partlyJudged = new CountedReasons();

  /**
   * Counts what a judged case says beside its verdict: the implementation
   * crashed on it, or part of it was not judged (shrink steps are not judged
   * cases: not counted).
   */
  noteJudged(run: CaseRun): void {
    if (run.kind === "violates" && run.key === CRASH_KEY) this.crashed.note(run.outcome.message ?? CRASH_KEY);
    if (run.kind !== "declined" && run.outcome.partlyJudged !== undefined)
      this.partlyJudged.note(run.outcome.partlyJudged);
  }

  get judged(): number {
    return this.generated + this.saved;
  }

  /** Cases tried and answered: judged, declined or unjudged. */
  get attempted(): number {
    return this.judged + this.declined.count + this.unjudged.count;
  }
}
