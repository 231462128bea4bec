// A fuzzing campaign: rounds of the whole suite with fresh seeds until the
// time budget is spent or the campaign is interrupted, folded into one result.
// Violations are saved as they are found (the corpus keeps each distinct
// shrunk case once), so an interrupted campaign loses nothing it found; the
// rounds' violations are folded one per key, as within a run.
import {
  LOW_JUDGED_SHARE,
  lowJudgedNote,
  type PropertyResult,
  type PropertyStatus,
  type RunResult,
  type Violation,
} from "./results.js";
import { addRuleHits, ruleCoverage } from "./rule-coverage.js";
import { propertiesDigest, runSuite, type ProgressEvent, type SuitePlan } from "./run-suite.js";

export interface CampaignPlan
  extends Omit<SuitePlan, "seed" | "runs" | "timeBudgetMs" | "path" | "shard" | "onProgress" | "knownKeys"> {
  baseSeed: number;
  runsPerRound: number;
  budgetMs: number;
  signal: { aborted: boolean };
  onProgress?: (event: CampaignEvent) => void;
}

/** A round's progress; a finished property also carries its result folded over every round so far. */
export type CampaignEvent =
  | (Extract<ProgressEvent, { kind: "cases" }> & { round: number })
  | (Extract<ProgressEvent, { kind: "done" }> & { round: number; total: PropertyResult });

/** Round r's seed: a fixed sequence from the base seed, so a campaign can be repeated. */
export function roundSeed(baseSeed: number, round: number): number {
  return (Math.imul(baseSeed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(round, 0x85ebca6b)) >>> 1;
}

const PRECEDENCE: Record<PropertyStatus, number> = { failed: 3, "iut-error": 2, passed: 1, skipped: 0 };

/** Violations of both, one per key (the first found wins), in the order found: the same dedup as within a run. */
function distinct(violations: readonly Violation[]): Violation[] {
  const byKey = new Map<string, Violation>();
  for (const v of violations) if (!byKey.has(v.key)) byKey.set(v.key, v);
  return [...byKey.values()];
}

/** One property's result over rounds: the worst status, counts summed, every distinct violation. */
export function fold(
  total: PropertyResult | undefined,
  round: PropertyResult,
  minJudgedShare?: number,
): PropertyResult {
  const caseFiles = (vs: readonly Violation[]) => vs.flatMap((v) => (v.caseFile ? [v.caseFile] : []));
  if (!total) return { ...round, distinctViolations: caseFiles(round.violations) };
  const worse = PRECEDENCE[round.status] > PRECEDENCE[total.status] ? round : total;
  const violations = distinct([...total.violations, ...round.violations]);
  const judged = total.judged + round.judged;
  const declined = total.declined + round.declined;
  const unjudged = total.unjudged + round.unjudged;
  const attempted = judged + declined + unjudged;
  const lowJudged = judged ? lowJudgedNote(judged, attempted, minJudgedShare ?? LOW_JUDGED_SHARE) : undefined;
  const { lowJudged: _dropped, violation: _first, ...rest } = worse;
  return {
    ...rest,
    runs: total.runs + round.runs,
    judged,
    declined,
    unjudged,
    shrinkSteps: total.shrinkSteps + round.shrinkSteps,
    judgedShare: attempted ? judged / attempted : null,
    ...(lowJudged ? { lowJudged } : {}),
    durationMs: total.durationMs + round.durationMs,
    corpusCases: total.corpusCases,
    interrupted: round.interrupted,
    ...(violations[0] ? { violation: violations[0] } : {}),
    violations,
    distinctViolations: caseFiles(violations),
    ...(total.ruleHits || round.ruleHits ? { ruleHits: addRuleHits(total.ruleHits, round.ruleHits)! } : {}),
    ...(total.declinedRuleHits || round.declinedRuleHits
      ? { declinedRuleHits: addRuleHits(total.declinedRuleHits, round.declinedRuleHits)! }
      : {}),
  };
}

export async function runCampaign(plan: CampaignPlan): Promise<RunResult & { rounds: number }> {
  const started = Date.now();
  const totals = new Map<string, PropertyResult>();
  let round = 0;
  let last: RunResult | undefined;
  while (!plan.signal.aborted && Date.now() - started < plan.budgetMs) {
    const r = round;
    last = await runSuite({
      ...plan,
      seed: roundSeed(plan.baseSeed, r),
      runs: plan.runsPerRound,
      timeBudgetMs: Math.max(1, plan.budgetMs - (Date.now() - started)),
      // Saved cases are regression: the first round replays them, later rounds explore.
      corpusCases: r === 0 ? plan.corpusCases : [],
      // Folded as each property finishes, so a progress line or an interrupted campaign's report sees every round so far.
      onProgress: (event) => {
        if (event.kind === "cases") return plan.onProgress?.({ ...event, round: r });
        const total = fold(totals.get(event.result.id), event.result, plan.minJudgedShare);
        totals.set(event.result.id, total);
        plan.onProgress?.({ ...event, round: r, total });
      },
      // A kind found in an earlier round is not shrunk or saved again: later rounds look for others.
      knownKeys: (id) => new Set(totals.get(id)?.violations.map((v) => v.key)),
    });
    round++;
  }
  return {
    iut: last?.iut ?? { spec: plan.iut.spec, hello: plan.hello },
    seed: plan.baseSeed,
    runsPerProperty: plan.runsPerRound,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    command: plan.command,
    propertiesDigest: propertiesDigest(plan),
    properties: [...totals.values()],
    ...(plan.coverage ? { coverage: ruleCoverage(plan.areas, [...totals.values()]) } : {}),
    rounds: round,
  };
}
