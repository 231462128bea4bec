// Every checksum mutant must be caught: some property fails with a shrunk
// counterexample that fails again on the mutant and passes on the model.
import { describe, expect, it } from "vitest";
import { runSuite } from "../../harness/run-suite.js";
import type { Iut } from "../../iut/iut.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { MUTANTS, mutantIut } from "../../iut/mutants/index.js";
import { CHECKSUM_AREA } from "../../properties/checksum/area.js";
import type { AreaDefinition } from "../../properties/property.js";

const commands = { replayCase: (f: string) => `replay ${f}`, rerunProperty: (id: string) => `rerun ${id}` };

async function run(iut: Iut, areas: readonly AreaDefinition[], seed: number, profileOverrides = {}) {
  return runSuite({
    iut,
    hello: await iut.hello(),
    areas,
    profileOverrides,
    propertyFilter: [],
    corpusCases: [],
    seed,
    runs: 300,
    corpusDir: null,
    command: "test",
    commands,
  });
}

describe("the model against itself", () => {
  for (const profile of CHECKSUM_AREA.profiles) {
    it(`passes every checksum property in profile ${profile.name}`, async () => {
      const result = await run(new ModelIut({ profiles: { checksum: profile.name } }), [CHECKSUM_AREA], 42, { checksum: profile.name });
      expect(result.properties.map((p) => [p.id, p.status])).toEqual(result.properties.map((p) => [p.id, "passed"]));
    });
  }
});

describe("checksum mutants", () => {
  for (const mutant of MUTANTS.filter((m) => m.name.startsWith("checksum-"))) {
    it(`catches ${mutant.name} (${mutant.description})`, async () => {
      const result = await run(mutantIut(mutant), [CHECKSUM_AREA], 42);
      const failed = result.properties.filter((p) => p.status === "failed");
      expect(failed.length, `no property caught ${mutant.name}`).toBeGreaterThan(0);
      expect(result.properties.filter((p) => p.status === "iut-error")).toEqual([]);
      for (const p of failed) {
        const v = p.violation!;
        expect(v.source).toBe("generated");
        expect(v.flaky).toBeUndefined();
        expect(v.shrinks).toBeGreaterThanOrEqual(0);
        // The shrunk case is a real disagreement with the model, not noise.
        const property = CHECKSUM_AREA.properties.find((q) => q.name === p.name)!;
        const onMutant = await property.check(v.counterexample, { iut: mutantIut(mutant), profile: "linux" });
        const onModel = await property.check(v.counterexample, { iut: new ModelIut(), profile: "linux" });
        expect(onMutant.ok).toBe(false);
        expect(onModel.ok).toBe(true);
      }
    });
  }

  it("gives the same cases and verdicts for the same seed", async () => {
    const mutant = MUTANTS.find((m) => m.name === "checksum-odd-byte-dropped")!;
    const strip = (r: Awaited<ReturnType<typeof run>>) => r.properties.map(({ durationMs: _d, ...p }) => p);
    expect(strip(await run(mutantIut(mutant), [CHECKSUM_AREA], 9))).toEqual(strip(await run(mutantIut(mutant), [CHECKSUM_AREA], 9)));
  });
});
