// Every bpf mutant must be caught: some property fails with a shrunk program
// and packets that fail again on the mutant and pass on the model, shown
// disassembled; the model passes; the same seed gives the same verdicts.
import { describe, expect, it } from "vitest";
import { runSuite } from "../../harness/run-suite.js";
import type { Iut } from "../../iut/iut.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { MUTANTS, mutantIut } from "../../iut/mutants/index.js";
import { BPF_AREA } from "../../properties/bpf/area.js";

const commands = { replayCase: (f: string) => `replay ${f}`, rerunProperty: (id: string) => `rerun ${id}` };

async function run(iut: Iut, seed: number) {
  return runSuite({
    iut,
    hello: await iut.hello(),
    areas: [BPF_AREA],
    profileOverrides: {},
    propertyFilter: [],
    corpusCases: [],
    seed,
    runs: 300,
    corpusDir: null,
    command: "test",
    commands,
  });
}

describe("the bpf model against itself", () => {
  it("passes every bpf property", async () => {
    const result = await run(new ModelIut(), 42);
    expect(result.properties.map((p) => [p.id, p.status])).toEqual(result.properties.map((p) => [p.id, "passed"]));
  });
});

describe("bpf mutants", () => {
  const bpfMutants = MUTANTS.filter((m) => m.name.startsWith("bpf-"));

  it("has at least six", () => expect(bpfMutants.length).toBeGreaterThanOrEqual(6));

  for (const mutant of bpfMutants) {
    it(`catches ${mutant.name} (${mutant.description})`, async () => {
      const result = await run(mutantIut(mutant), 42);
      const failed = result.properties.filter((p) => p.status === "failed");
      expect(failed.length, `no property caught ${mutant.name}`).toBeGreaterThan(0);
      expect(result.properties.filter((p) => p.status === "iut-error")).toEqual([]);
      for (const p of failed) {
        const v = p.violation!;
        expect(v.source).toBe("generated");
        expect(v.flaky).toBeUndefined();
        // The counterexample is shown disassembled, tcpdump -d style.
        if (p.name !== "xt-bpf-refuses-65") expect(v.message).toMatch(/\(000\) \w+|instructions/);
        const property = BPF_AREA.properties.find((q) => q.name === p.name)!;
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

  it("gives the same cases and verdicts for the same seed", async () => {
    const mutant = MUTANTS.find((m) => m.name === "bpf-oob-load-continues")!;
    const strip = (r: Awaited<ReturnType<typeof run>>) => r.properties.map(({ durationMs: _d, ...p }) => p);
    expect(strip(await run(mutantIut(mutant), 9))).toEqual(strip(await run(mutantIut(mutant), 9)));
  });
});
