// The frag6 model passes its own properties under each profile; every frag6
// mutant is caught by some property with a shrunk fragment stream that fails
// again on the mutant and passes on the model.
import { describe, expect, it } from "vitest";
import { runSuite } from "../../harness/run-suite.js";
import type { Iut } from "../../iut/iut.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { MUTANTS, mutantIut } from "../../iut/mutants/index.js";
import { FRAG6_AREA } from "../../properties/frag6/area.js";

const commands = { replayCase: (f: string) => `replay ${f}`, rerunProperty: (id: string) => `rerun ${id}` };

async function run(iut: Iut, seed: number, profileOverrides = {}, runs = 100) {
  return runSuite({
    iut,
    hello: await iut.hello(),
    areas: [FRAG6_AREA],
    profileOverrides,
    propertyFilter: [],
    corpusCases: [],
    seed,
    runs,
    corpusDir: null,
    command: "test",
    commands,
  });
}

describe("the frag6 model against itself", () => {
  for (const profile of FRAG6_AREA.profiles) {
    it(`passes every frag6 property in profile ${profile.name}`, async () => {
      const result = await run(new ModelIut({ profiles: { frag6: profile.name } }), 42, { frag6: profile.name });
      const failed = result.properties.filter((p) => p.status !== "passed");
      expect(failed.map((p) => [p.id, p.status, p.violation?.message, JSON.stringify(p.violation?.counterexample)?.slice(0, 400)])).toEqual([]);
    });
  }
});

describe("frag6 mutants", () => {
  const frag6Mutants = MUTANTS.filter((m) => m.name.startsWith("frag6-"));

  it("has at least six", () => expect(frag6Mutants.length).toBeGreaterThanOrEqual(6));

  for (const mutant of frag6Mutants) {
    it(`catches ${mutant.name} (${mutant.description})`, async () => {
      const result = await run(mutantIut(mutant), 42);
      const failed = result.properties.filter((p) => p.status === "failed");
      expect(failed.length, `no property caught ${mutant.name}`).toBeGreaterThan(0);
      expect(result.properties.filter((p) => p.status === "iut-error")).toEqual([]);
      for (const p of failed) {
        const v = p.violation!;
        expect(v.source).toBe("generated");
        expect(v.flaky).toBeUndefined();
        const property = FRAG6_AREA.properties.find((q) => q.name === p.name)!;
        const input = property.validateInput(JSON.parse(JSON.stringify(v.counterexample)));
        expect((await property.check(input, { iut: mutantIut(mutant), profile: "rfc8200" })).ok).toBe(false);
        expect((await property.check(input, { iut: new ModelIut(), profile: "rfc8200" })).ok).toBe(true);
      }
    });
  }

  it("gives the same cases and verdicts for the same seed", async () => {
    const mutant = MUTANTS.find((m) => m.name === "frag6-overlap-keeps-later-data")!;
    const strip = (r: Awaited<ReturnType<typeof run>>) => r.properties.map(({ durationMs: _d, ...p }) => p);
    expect(strip(await run(mutantIut(mutant), 9, {}, 40))).toEqual(strip(await run(mutantIut(mutant), 9, {}, 40)));
  });
});
