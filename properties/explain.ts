// Builds the explanation of a violation from the model's rule trace: the
// deciding hit, named with its catalogue entry, and the area's evidence.
import type { ModelRule, RuleHit } from "../model/rules.js";
import type { Explanation } from "./property.js";

/** The explanation naming `hit` (looked up in `catalogue`), with every rule applied and the evidence lines. */
export function explanation(
  catalogue: Readonly<Record<string, ModelRule>>,
  hit: RuleHit | undefined,
  rules: readonly RuleHit[],
  trace: string[],
): Explanation | undefined {
  const rule = hit && catalogue[hit.rule];
  if (!hit || !rule) return undefined;
  return {
    rule: rule.id,
    summary: rule.summary,
    citation: rule.citation,
    ...(hit.at !== undefined ? { at: hit.at } : {}),
    ...(hit.detail !== undefined ? { detail: hit.detail } : {}),
    trace,
    rules,
  };
}

/** The last hit that applied at `at` (and passes `keep`), the rule that decided there. */
export function lastHitAt(
  hits: readonly RuleHit[],
  at: string | undefined,
  keep: (h: RuleHit) => boolean = () => true,
): RuleHit | undefined {
  for (let i = hits.length - 1; i >= 0; i--) {
    const h = hits[i]!;
    if ((at === undefined || h.at === at) && keep(h)) return h;
  }
  return undefined;
}

/** One line: the deciding rule and its citation, as every report prints it. */
export function explanationLine(e: Pick<Explanation, "rule" | "summary" | "citation" | "at" | "detail">): string {
  const where = [e.at, e.detail].filter(Boolean).join(", ");
  return `model rule ${e.rule}${where ? ` (${where})` : ""}: ${e.summary} [${e.citation}]`;
}
