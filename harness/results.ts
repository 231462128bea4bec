// What a run found, property by property: the data behind every report.
import type { AreaName, Hello } from "../iut/protocol.js";
import type { Explanation } from "../properties/property.js";
import type { RuleCoverage } from "./rule-coverage.js";

/** One reason cases were not judged, and how many were not for it. */
export interface ReasonCount {
  /** The first case's own words; later ones that differ only in numbers are counted with it. */
  reason: string;
  count: number;
}

export type PropertyStatus = "passed" | "failed" | "skipped" | "iut-error";

export interface Violation {
  /**
   * What kind of deviation this is, in the model's words (the validator rule,
   * the errno, the pattern class, the step kind): a property reports each key once.
   */
  key: string;
  /** The shrunk input (JSON), as the property's generator makes it. */
  counterexample: unknown;
  expected: unknown;
  observed: unknown;
  message: string;
  /** Where it came from: found by generation now, or a saved corpus case. */
  source: "generated" | "corpus";
  shrinks?: number;
  /** fast-check's replay path, with the property seed. */
  path?: string;
  caseFile?: string;
  pcapFile?: string;
  /** The command that reproduces it: the case file's replay, or (not saved) the property's rerun. */
  replay: string;
  /** Why the case could not be saved in the corpus (then there is no caseFile). */
  saveError?: string;
  /** Re-running the shrunk input did not reproduce the failure. */
  flaky?: boolean;
  /** The model's rule where the IUT's answer leaves the model's, with its citation and evidence. */
  explanation?: Explanation;
}

export interface PropertyResult {
  id: string;
  area: AreaName;
  name: string;
  statement: string;
  citation: string;
  profile: string;
  status: PropertyStatus;
  /** Generated cases judged while exploring (not corpus cases, declined or unjudged ones, or shrink steps). */
  runs: number;
  /** Cases judged in all: generated (`runs`) and saved corpus cases. */
  judged: number;
  /** Cases the IUT answered `invalid` (it cannot represent them) or the model does not predict: not verdicts. */
  declined: number;
  /** Up to five distinct reasons the IUT gave for declining. */
  declinedReasons?: string[];
  /** Every reason cases were declined for, with how many (reasons that differ only in numbers counted as one). */
  declinedCounts?: ReasonCount[];
  /** Cases the IUT answered without what the property judges (ICMP it does not report, say): not verdicts. */
  unjudged: number;
  unjudgedReasons?: string[];
  /**
   * Judged cases the implementation crashed on (the adapter answered `crashed`):
   * each a violation under the key CRASH_KEY; absent when none did.
   */
  crashed?: number;
  /** Up to five distinct crash messages. */
  crashedReasons?: string[];
  /** Every reason cases were left unjudged for, with how many. */
  unjudgedCounts?: ReasonCount[];
  /**
   * Judged cases of which a part the property judges was not reported (ICMP
   * errors the IUT left out, say): that part was not judged. Absent when none.
   */
  partlyJudged?: number;
  /** What part, and why, with how many (as declinedCounts). */
  partlyJudgedCounts?: ReasonCount[];
  /** Cases run while shrinking violations (not judged cases). */
  shrinkSteps: number;
  /** judged / (judged + declined + unjudged); null when no case was tried. */
  judgedShare: number | null;
  /** Set when judgedShare is under the threshold (LOW_JUDGED_SHARE, or --min-judged): says so in one line. */
  lowJudged?: string;
  seed: number;
  /** Saved corpus cases replayed (judged, declined or unjudged). */
  corpusCases: number;
  /** The time budget ran out, or a signal stopped the run, before all runs were done. */
  interrupted: boolean;
  durationMs: number;
  /** The first violation (the first of `violations`), kept for readers of one. */
  violation?: Violation;
  /** Every distinct violation found (one per key), in the order found. */
  violations: Violation[];
  /** Why the property was skipped. */
  skipReason?: string;
  /**
   * The harness-level fault, with its evidence; when a case caused it, that
   * case's file and the command that replays it (or why it could not be saved).
   */
  iutError?: { message: string; evidence?: string; caseFile?: string; replay?: string; saveError?: string };
  /** Re-runs this property alone with the same cases. */
  rerun: string;
  /** Campaigns: the case files of every distinct violation found. */
  distinctViolations?: string[];
  /** --coverage: per model rule id, how many answered cases reached it. */
  ruleHits?: Record<string, number>;
  /** --coverage: per model rule id, how many cases the IUT declined would have reached it (the model's answer to them). */
  declinedRuleHits?: Record<string, number>;
}

/**
 * A property that judged under this share of the cases it tried is flagged in
 * every report (a gate that judged little is weak); `--min-judged` sets another
 * threshold and fails such a property.
 */
export const LOW_JUDGED_SHARE = 0.5;

/** The line that flags a low judged share, or undefined when the share is fine. */
export function lowJudgedNote(judged: number, attempted: number, threshold: number): string | undefined {
  if (attempted === 0 || judged / attempted >= threshold) return undefined;
  return `judged ${judged} of ${attempted} cases tried (${percent(judged / attempted)}), under ${percent(threshold)}`;
}

function percent(share: number): string {
  return `${Math.floor(share * 1000) / 10}%`;
}

/** A result's violations; a report.json written before `violations` existed has only `violation`. */
export function violationsOf(p: Pick<PropertyResult, "violation" | "violations">): Violation[] {
  return p.violations ?? (p.violation ? [p.violation] : []);
}

/** The counts of a property, as every report shows them: judged, declined, unjudged, replayed, shrink steps. */
export function describeCounts(p: PropertyResult): string {
  return [
    `${p.judged} judged`,
    `${p.declined} declined`,
    ...(p.unjudged ? [`${p.unjudged} unjudged`] : []),
    ...(p.partlyJudged ? [`${p.partlyJudged} judged in part`] : []),
    ...(p.crashed ? [`${p.crashed} crashed the implementation`] : []),
    `${p.corpusCases} replayed from the corpus`,
    `${p.shrinkSteps} shrink steps`,
  ].join(", ");
}

export interface RunResult {
  iut: { spec: string; hello: Hello | null; kernel?: string };
  seed: number;
  runsPerProperty: number;
  startedAt: string;
  durationMs: number;
  command: string;
  /** Run with --shard i/n: which share of the property list this run judged. */
  shard?: { index: number; count: number };
  /** sha256 of the whole run's sorted property ids (all shards'): `report merge` checks its shards against it. */
  propertiesDigest?: string;
  properties: PropertyResult[];
  /** --coverage: the model rules the run's cases reached, per area (and V8 coverage of model/ when measured). */
  coverage?: RuleCoverage;
}

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  iutError: number;
}

export function summarize(results: readonly PropertyResult[]): Summary {
  const count = (status: PropertyStatus) => results.filter((r) => r.status === status).length;
  return { passed: count("passed"), failed: count("failed"), skipped: count("skipped"), iutError: count("iut-error") };
}
