// Rule coverage of a run: per area, every named model rule the profile
// applies with how many cases reached it, and the rules no case reached (a
// generator gap, or a rule the report explains). Counts come from each
// property's ruleHits (run --coverage); a rule counts once per case. A rule
// that only cases the IUT declined would have reached (the model answers them
// in its place: declinedRuleHits) is out of this IUT's reach, not a gap: it is
// listed apart and left out of the total, so a kernel run shows no false zeros.
import type { AreaName } from "../iut/protocol.js";
import { rulesOfProfile, type ModelRule } from "../model/rules.js";
import type { AreaDefinition } from "../properties/property.js";

export interface RuleCount {
  id: string;
  summary: string;
  citation: string;
  /** Cases that reached the rule, over every property of the area. */
  hits: number;
  /** Cases the IUT declined that would have reached it (the model's answer to them); absent when none. */
  declined?: number;
}

export interface AreaRuleCoverage {
  area: AreaName;
  /** The profiles the area's properties ran under (a rule counts if one of them applies it). */
  profiles: string[];
  rules: RuleCount[];
  reached: number;
  /** The rules this IUT can be judged on: every rule applied, less those out of its reach. */
  total: number;
  /** Ids of the rules no case reached, not even a declined one: generator gaps. */
  unreached: string[];
  /** Ids of the rules only cases the IUT declined would have reached: out of this IUT's reach. */
  outOfReach?: string[];
  /** Why a rule may stay unreached in a run (a known gap), by rule id. */
  explained?: Record<string, string>;
}

/** Line coverage of one model file measured by V8 while the run went (block coverage, per file). */
export interface FileCoverage {
  file: string;
  /** Share of the file's bytes in blocks that ran, 0..1. */
  bytes: number;
  functions: { total: number; called: number };
}

export interface RuleCoverage {
  areas: AreaRuleCoverage[];
  /** V8 block coverage of model/, when the run measured it. */
  v8?: FileCoverage[];
}

/**
 * Rules the default model run (CI's seed, default runs, the seeded corpus:
 * test/properties/rule-coverage.test.ts) leaves unreached, and why: each is
 * a generator gap on file, not a silent one, to be fixed in properties/<area>/
 * and then removed here (the test fails on an entry a run reaches).
 */
export const KNOWN_UNREACHED: Partial<Record<AreaName, Record<string, string>>> = {};

/** Adds two rule counts (rounds of a campaign). */
export function addRuleHits(
  a: Record<string, number> | undefined,
  b: Record<string, number> | undefined,
): Record<string, number> | undefined {
  if (!a && !b) return undefined;
  const out: Record<string, number> = { ...a };
  for (const [rule, n] of Object.entries(b ?? {})) out[rule] = (out[rule] ?? 0) + n;
  return out;
}

/** The coverage of the areas whose properties ran, from their results' ruleHits. */
export function ruleCoverage(
  areas: readonly AreaDefinition[],
  results: readonly {
    area: AreaName;
    profile: string;
    ruleHits?: Record<string, number>;
    declinedRuleHits?: Record<string, number>;
  }[],
): RuleCoverage {
  const out: AreaRuleCoverage[] = [];
  for (const area of areas) {
    const ran = results.filter((r) => r.area === area.name && r.ruleHits);
    if (ran.length === 0) continue;
    const profiles = [...new Set(ran.map((r) => r.profile))].sort();
    const applied = new Map<string, ModelRule>();
    for (const profile of profiles) for (const rule of rulesOfProfile(area.rules, profile)) applied.set(rule.id, rule);
    const hits = new Map<string, number>();
    for (const r of ran) for (const [rule, n] of Object.entries(r.ruleHits!)) hits.set(rule, (hits.get(rule) ?? 0) + n);
    const declined = new Map<string, number>();
    for (const r of ran)
      for (const [rule, n] of Object.entries(r.declinedRuleHits ?? {}))
        declined.set(rule, (declined.get(rule) ?? 0) + n);
    // A rule of another profile that a case reached anyway is listed too (a model bug or a shared path).
    for (const rule of area.rules) if (hits.has(rule.id)) applied.set(rule.id, rule);
    const rules = area.rules
      .filter((rule) => applied.has(rule.id))
      .map((rule) => ({
        id: rule.id,
        summary: rule.summary,
        citation: rule.citation,
        hits: hits.get(rule.id) ?? 0,
        ...(declined.has(rule.id) ? { declined: declined.get(rule.id)! } : {}),
      }));
    const outOfReach = rules.filter((r) => r.hits === 0 && r.declined).map((r) => r.id);
    const unreached = rules.filter((r) => r.hits === 0 && !r.declined).map((r) => r.id);
    const known = KNOWN_UNREACHED[area.name] ?? {};
    const explained = Object.fromEntries(unreached.filter((id) => known[id]).map((id) => [id, known[id]!]));
    out.push({
      area: area.name,
      profiles,
      rules,
      reached: rules.length - unreached.length - outOfReach.length,
      total: rules.length - outOfReach.length,
      unreached,
      ...(outOfReach.length ? { outOfReach } : {}),
      ...(Object.keys(explained).length ? { explained } : {}),
    });
  }
  return { areas: out };
}
