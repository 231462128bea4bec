// Issue 21: a default model run (the CI gate's seed, default runs, the seeded
// corpus) reaches every named rule of every area that its profile applies,
// or the rule is on file as a known generator gap with why
// (harness/rule-coverage.ts KNOWN_UNREACHED), and an entry there that a run
// now reaches fails too, so the list only shrinks.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_RUNS } from "../../cli/suite-options.js";
import { loadCorpus } from "../../harness/corpus-store.js";
import { KNOWN_UNREACHED } from "../../harness/rule-coverage.js";
import { runSuite } from "../../harness/run-suite.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import fc from "fast-check";
import { frag6RuleHits } from "../../model/frag6/rule-catalogue.js";
import { AREAS } from "../../properties/areas.js";
import { frag6Stream } from "../../properties/frag6/generators.js";
import { expectationFor } from "../../properties/frag6/model-view.js";

/** The seed .ci/run gates with. */
const CI_SEED = 1543570559;
const CORPUS = resolve(import.meta.dirname, "../../corpus");
const commands = { replayCase: (f: string) => `replay ${f}`, rerunProperty: (id: string) => `rerun ${id}` };

describe("rule coverage of a default model run", () => {
  it("every catalogue names each rule once, with a summary and a citation", () => {
    for (const area of AREAS) {
      const ids = area.rules.map((r) => r.id);
      expect(new Set(ids).size, area.name).toBe(ids.length);
      for (const r of area.rules) {
        expect(r.summary.length, `${area.name}.${r.id}`).toBeGreaterThan(10);
        expect(r.citation.length, `${area.name}.${r.id}`).toBeGreaterThan(5);
        for (const p of r.profiles ?? []) expect(area.profiles.map((q) => q.name)).toContain(p);
      }
    }
  });

  it("frag6: every line of the model's account is named by a rule, in every profile", () => {
    for (const profile of ["rfc8200", "linux-ipv6", "linux-nfct"]) {
      const unnamed = new Set<string>();
      for (const input of fc.sample(frag6Stream({}), { seed: 7, numRuns: 300 }))
        for (const line of frag6RuleHits(expectationFor(input, profile)).unnamed)
          unnamed.add(line.replace(/\d+/g, "N"));
      expect([...unnamed], profile).toEqual([]);
    }
  });

  for (const area of AREAS) {
    it(`${area.name}: every rule of the default profile is reached, or a known gap`, async () => {
      const iut = new ModelIut();
      const result = await runSuite({
        iut,
        hello: await iut.hello(),
        areas: [area],
        profileOverrides: {},
        propertyFilter: [],
        corpusCases: loadCorpus(CORPUS, [area], AREAS),
        seed: CI_SEED,
        runs: DEFAULT_RUNS,
        corpusDir: null,
        command: "test",
        commands,
        coverage: true,
      });
      const coverage = result.coverage!.areas.find((a) => a.area === area.name)!;
      const known = KNOWN_UNREACHED[area.name] ?? {};
      expect(coverage.unreached.filter((id) => !known[id])).toEqual([]);
      // A known gap that is reached now must leave the list.
      expect(Object.keys(known).filter((id) => !coverage.unreached.includes(id))).toEqual([]);
      expect(coverage.total).toBeGreaterThan(0);
    });
  }
});
