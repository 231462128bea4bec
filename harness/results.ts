// What a run found, property by property: the data behind every report.
import type { AreaName, Hello } from "../iut/protocol.js";

export type PropertyStatus = "passed" | "failed" | "skipped" | "iut-error";

export interface Violation {
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
  /** The command that reproduces it. */
  replay: string;
  /** Re-running the shrunk input did not reproduce the failure. */
  flaky?: boolean;
}

export interface PropertyResult {
  id: string;
  area: AreaName;
  name: string;
  statement: string;
  citation: string;
  profile: string;
  status: PropertyStatus;
  /** Generated cases the IUT judged (not counting corpus cases or declined ones). */
  runs: number;
  /** Cases the IUT answered `invalid` (it cannot represent them): not verdicts. */
  declined: number;
  /** Up to five distinct reasons the IUT gave for declining. */
  declinedReasons?: string[];
  seed: number;
  corpusCases: number;
  /** The time budget ran out before all runs were done. */
  interrupted: boolean;
  durationMs: number;
  violation?: Violation;
  /** Why the property was skipped. */
  skipReason?: string;
  /** The harness-level fault, with its evidence. */
  iutError?: { message: string; evidence?: string };
  /** Re-runs this property alone with the same cases. */
  rerun: string;
  /** Campaigns: the case files of every distinct violation found. */
  distinctViolations?: string[];
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
