// Issue 19 item 1: a violation names the model rule where the IUT's answer
// leaves the model's, with its citation and evidence, in every report. Each
// area is shown on a mutant that breaks one known rule.
import { describe, expect, it } from "vitest";
import { violationsOf } from "../../harness/results.js";
import { MUTANTS, mutantIut } from "../../iut/mutants/index.js";
import { AREAS } from "../../properties/areas.js";
import { explanationLine } from "../../properties/explain.js";
import { junitReport } from "../../reporting/junit-report.js";
import { markdownReport } from "../../reporting/markdown-report.js";
import { runArea } from "./mutant-harness.js";

/**
 * Mutant, the property run against it (one, to stay fast), the rule (of its
 * area's catalogue) its violation must name, and what the evidence must show.
 */
const CASES: { mutant: string; property: string; rule: string; shows: RegExp }[] = [
  { mutant: "bpf-div-by-x-zero-continues", property: "run-matches-model", rule: "div-by-x-zero", shows: /returns 0/ },
  {
    mutant: "bpf-scratch-unchecked",
    property: "load-errno-matches-model",
    rule: "scratch-unwritten",
    shows: /<- the rule fires here/,
  },
  {
    mutant: "hooks-equal-priority-after",
    property: "replies-match-model",
    rule: "insert-before-equal",
    shows: /before: \[/,
  },
  {
    mutant: "hooks-drop-continues",
    property: "traversal-stops-at-first-drop",
    rule: "traverse-drop-stops",
    shows: /after: {2}\[/,
  },
  {
    mutant: "checksum-zero-not-mangled",
    property: "fill-matches-model",
    rule: "zero-stored-mangled",
    shows: /partial-filled/,
  },
  { mutant: "checksum-any-table", property: "checkentry-errno", rule: "checkentry-not-mangle", shows: /checkentry/ },
  {
    mutant: "cttimeout-delete-ignores-refcount",
    property: "replies-match-model",
    rule: "delete-busy",
    shows: /model policies before it/,
  },
  {
    mutant: "cttimeout-excl-ignored",
    property: "replies-match-model",
    rule: "new-exists-excl",
    shows: /model policies before it/,
  },
  { mutant: "frag6-overlap-keeps-later-data", property: "overlap-rule", rule: "rfc-overlap", shows: /event 0 t=/ },
];

describe("a violation names the deciding model rule", () => {
  for (const c of CASES) {
    it(`${c.mutant}: ${c.rule}`, async () => {
      const mutant = MUTANTS.find((m) => m.name === c.mutant)!;
      const area = AREAS.find((a) => c.mutant.startsWith(`${a.name}-`))!;
      const result = await runArea(mutantIut(mutant), area, 42, { runs: 100, propertyFilter: [c.property] });
      const violations = result.properties.flatMap(violationsOf);
      expect(violations.length, `${c.mutant} caught`).toBeGreaterThan(0);
      for (const v of violations) expect(v.explanation, `${v.key} explained`).toBeDefined();
      const naming = violations.filter((v) => v.explanation?.rule === c.rule);
      expect(
        naming.length,
        `a violation names ${c.rule}; named: ${violations.map((v) => v.explanation?.rule).join(", ")}`,
      ).toBeGreaterThan(0);
      const why = naming[0]!.explanation!;
      const cited = area.rules.find((r) => r.id === c.rule)!.citation;
      expect(why.citation).toBe(cited);
      expect(why.trace.join("\n")).toMatch(c.shows);
      expect(why.rules.length).toBeGreaterThan(0);
      // Every report carries the one line: summary.md and the junit message.
      const line = explanationLine(why);
      expect(line).toContain(cited);
      expect(markdownReport(result)).toContain(`Where the IUT leaves the model: model rule ${c.rule}`);
      expect(junitReport(result)).toContain(`model rule ${c.rule}`);
    });
  }
});
