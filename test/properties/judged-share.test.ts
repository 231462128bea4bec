// Every property of every area judges at least half the cases it tries on the
// model, at default runs, on a few seeds: a generator change that leaves a
// property little to judge (cases without the step it is about) fails here,
// before `--min-judged 50` fails a correct implementation in someone's CI.
import { describe, expect, it } from "vitest";
import { DEFAULT_RUNS } from "../../cli/suite-options.js";
import { LOW_JUDGED_SHARE } from "../../harness/results.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { AREAS } from "../../properties/areas.js";
import { runArea } from "./mutant-harness.js";

const SEEDS = [1, 2, 3];

describe("judged share on the model", () => {
  for (const area of AREAS) {
    it(`every ${area.name} property judges at least ${LOW_JUDGED_SHARE * 100}% of its cases (seeds ${SEEDS.join(", ")})`, async () => {
      const low: string[] = [];
      for (const seed of SEEDS) {
        const result = await runArea(new ModelIut(), area, seed, { runs: DEFAULT_RUNS });
        for (const p of result.properties) {
          const share = p.judgedShare ?? 0;
          if (p.lowJudged || share < LOW_JUDGED_SHARE)
            low.push(`${p.id} seed ${seed}: judged ${p.judged}, unjudged ${p.unjudged}, declined ${p.declined}`);
        }
      }
      expect(low).toEqual([]);
    });
  }
});
