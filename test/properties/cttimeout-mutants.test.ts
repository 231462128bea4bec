// Every cttimeout mutant must be caught: some property fails with a shrunk command
// sequence that fails again on the mutant and passes on the model.
import { describe, expect, it } from "vitest";
import { runSuite } from "../../harness/run-suite.js";
import type { Iut } from "../../iut/iut.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { MUTANTS, mutantIut } from "../../iut/mutants/index.js";
import { CTTIMEOUT_AREA } from "../../properties/cttimeout/area.js";

const commands = { replayCase: (f: string) => `replay ${f}`, rerunProperty: (id: string) => `rerun ${id}` };

async function run(iut: Iut, seed: number, profileOverrides = {}) {
  return runSuite({
    iut,
    hello: await iut.hello(),
    areas: [CTTIMEOUT_AREA],
    profileOverrides,
    propertyFilter: [],
    corpusCases: [],
    seed,
    runs: 150,
    corpusDir: null,
    command: "test",
    commands,
  });
}

describe("the cttimeout model against itself", () => {
  for (const profile of CTTIMEOUT_AREA.profiles) {
    it(`passes every cttimeout property in profile ${profile.name}`, async () => {
      const result = await run(new ModelIut({ profiles: { cttimeout: profile.name } }), 42, { cttimeout: profile.name });
      expect(result.properties.map((p) => [p.id, p.status])).toEqual(result.properties.map((p) => [p.id, "passed"]));
    });
  }
});

describe("cttimeout mutants", () => {
  const cttMutants = MUTANTS.filter((m) => m.name.startsWith("cttimeout-"));
  const catching = new Set<string>();

  it("has at least five", () => expect(cttMutants.length).toBeGreaterThanOrEqual(5));

  for (const mutant of cttMutants) {
    it(`catches ${mutant.name} (${mutant.description})`, async () => {
      const result = await run(mutantIut(mutant), 42);
      const failed = result.properties.filter((p) => p.status === "failed");
      expect(failed.length, `no property caught ${mutant.name}`).toBeGreaterThan(0);
      expect(result.properties.filter((p) => p.status === "iut-error")).toEqual([]);
      for (const p of failed) {
        catching.add(p.name);
        const v = p.violation!;
        expect(v.source).toBe("generated");
        expect(v.flaky).toBeUndefined();
        // The shrunk case replays from its JSON and is a real disagreement.
        const property = CTTIMEOUT_AREA.properties.find((q) => q.name === p.name)!;
        const input = property.validateInput(JSON.parse(JSON.stringify(v.counterexample)));
        const onMutant = mutantIut(mutant);
        await onMutant.call("reset", {});
        const onModel = new ModelIut();
        await onModel.call("reset", {});
        expect((await property.check(input, { iut: onMutant, profile: "linux" })).ok).toBe(false);
        expect((await property.check(input, { iut: onModel, profile: "linux" })).ok).toBe(true);
      }
    });
  }

  // Runs after the mutants above (tests in a file run in order).
  it("has no property that catches none of them", () => {
    expect(CTTIMEOUT_AREA.properties.map((p) => p.name).filter((n) => !catching.has(n))).toEqual([]);
  });

  it("gives the same cases and verdicts for the same seed", async () => {
    const mutant = MUTANTS.find((m) => m.name === "cttimeout-use-off-by-one")!;
    const strip = (r: Awaited<ReturnType<typeof run>>) => r.properties.map(({ durationMs: _d, ...p }) => p);
    expect(strip(await run(mutantIut(mutant), 9))).toEqual(strip(await run(mutantIut(mutant), 9)));
  });
});
