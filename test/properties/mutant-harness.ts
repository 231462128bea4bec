// Shared by the per-area mutant tests: run an area against an IUT in-process,
// and check that a mutant is caught with shrunk counterexamples that are real
// disagreements (they replay from JSON, fail on the mutant, pass on the model).
import { expect } from "vitest";
import type { RunResult } from "../../harness/results.js";
import { runSuite } from "../../harness/run-suite.js";
import type { Iut } from "../../iut/iut.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { MUTANTS, mutantIut } from "../../iut/mutants/index.js";
import type { MutantDefinition } from "../../iut/mutants/mutant.js";
import type { AreaName } from "../../iut/protocol.js";
import type { AreaDefinition } from "../../properties/property.js";

const commands = { replayCase: (f: string) => `replay ${f}`, rerunProperty: (id: string) => `rerun ${id}` };

export async function runArea(
  iut: Iut,
  area: AreaDefinition,
  seed: number,
  options: {
    runs?: number;
    profileOverrides?: Partial<Record<AreaName, string>>;
    maxViolations?: number;
    propertyFilter?: string[];
    coverage?: boolean;
  } = {},
): Promise<RunResult> {
  return runSuite({
    iut,
    hello: await iut.hello(),
    areas: [area],
    profileOverrides: options.profileOverrides ?? {},
    propertyFilter: options.propertyFilter ?? [],
    corpusCases: [],
    seed,
    runs: options.runs ?? 300,
    corpusDir: null,
    // One violation a property is enough to show a mutant caught; finding every
    // distinct one is tested in test/harness/verdicts.test.ts.
    maxViolations: options.maxViolations ?? 1,
    command: "test",
    commands,
    ...(options.coverage ? { coverage: true } : {}),
  });
}

export function expectAllPassed(result: RunResult): void {
  expect(result.properties.map((p) => [p.id, p.status])).toEqual(result.properties.map((p) => [p.id, "passed"]));
}

/** Asserts the mutant was caught; returns the names of the properties that caught it. */
export async function expectCaught(
  result: RunResult,
  area: AreaDefinition,
  mutant: MutantDefinition,
  profile: string,
): Promise<string[]> {
  const failed = result.properties.filter((p) => p.status === "failed");
  expect(failed.length, `no property caught ${mutant.name}`).toBeGreaterThan(0);
  expect(result.properties.filter((p) => p.status === "iut-error")).toEqual([]);
  for (const p of failed) {
    const v = p.violation!;
    expect(v.source).toBe("generated");
    expect(v.flaky).toBeUndefined();
    const property = area.properties.find((q) => q.name === p.name)!;
    const input = property.validateInput(JSON.parse(JSON.stringify(v.counterexample)));
    const onMutant = mutantIut(mutant);
    await onMutant.call("reset", {});
    const onModel = new ModelIut({ profiles: { [area.name]: profile } });
    await onModel.call("reset", {});
    expect(
      (await property.check(input, { iut: onMutant, profile })).ok,
      `${p.id} does not fail again on ${mutant.name}`,
    ).toBe(false);
    expect(
      (await property.check(input, { iut: onModel, profile })).ok,
      `${p.id}'s counterexample fails on the model`,
    ).toBe(true);
  }
  return failed.map((p) => p.name);
}

export interface AreaMutantSuite {
  area: AreaDefinition;
  /** Mutant names start with this (e.g. "bpf-"). */
  prefix: string;
  /** The minimum number of mutants. */
  atLeast: number;
  /** The mutant whose run is repeated to show determinism. */
  deterministicWith: string;
  /** The profile mutants are judged against (default: the area's default). */
  profile?: string;
  runs?: number;
  /**
   * Mutants caught only with more runs than `runs` at seed 42, with their own
   * count: the others keep `runs`, so one hard mutant does not raise them all.
   */
  runsByMutant?: Readonly<Record<string, number>>;
  /**
   * The properties that catch each mutant at seed 42. A mutant named here is
   * judged by those properties only, and each must fail on it with a shrunk
   * counterexample: judging the other properties, which pass on it, was most
   * of these tests' time and asserted nothing about the mutant. A mutant not
   * named is judged by every property and must fail one.
   */
  caughtBy?: Readonly<Record<string, readonly string[]>>;
  /** Also require that every property catches at least one mutant. */
  everyPropertyCatches?: boolean;
  /** Extra checks on each violation (e.g. how the counterexample is shown). */
  checkViolation?: (propertyName: string, message: string) => void;
  /** Extra checks on a mutant's whole run at seed 42 (e.g. what its shrunk cases keep), so that no other test repeats that run. */
  checkResult?: (result: RunResult) => void;
}

/** The standard tests of an area's mutants, declared with vitest's describe/it. */
export function describeAreaMutants(
  suite: AreaMutantSuite,
  vitest: { describe: typeof import("vitest").describe; it: typeof import("vitest").it },
): void {
  const { describe, it } = vitest;
  const { area } = suite;
  const profile = suite.profile ?? area.defaultProfile;
  const runs = suite.runs ?? 300;

  describe(`the ${area.name} model against itself`, () => {
    for (const { name } of area.profiles) {
      it(`passes every ${area.name} property in profile ${name}`, async () => {
        expectAllPassed(
          await runArea(new ModelIut({ profiles: { [area.name]: name } }), area, 42, {
            runs,
            profileOverrides: { [area.name]: name },
          }),
        );
      });
    }
  });

  describe(`${area.name} mutants`, () => {
    const mutants = MUTANTS.filter((m) => m.name.startsWith(suite.prefix));
    const catching = new Set<string>();
    it(`has at least ${suite.atLeast}`, () => expect(mutants.length).toBeGreaterThanOrEqual(suite.atLeast));
    const runsByMutant = suite.runsByMutant ?? {};
    const caughtBy = suite.caughtBy ?? {};
    // A run count or a catcher for a mutant or property that is gone or misspelt would be ignored without a word.
    it("gives run counts and catching properties to the area's own mutants only", () => {
      const known = (n: string) => mutants.some((m) => m.name === n);
      expect([...Object.keys(runsByMutant), ...Object.keys(caughtBy)].filter((n) => !known(n))).toEqual([]);
      const names = area.properties.map((p) => p.name);
      expect(Object.values(caughtBy).flatMap((list) => list.filter((n) => !names.includes(n)))).toEqual([]);
    });
    for (const mutant of mutants) {
      const mutantRuns = runsByMutant[mutant.name] ?? runs;
      const at = mutantRuns === runs ? "" : ` at ${mutantRuns} runs`;
      const catchers = caughtBy[mutant.name];
      it(`catches ${mutant.name}${at} (${mutant.description})`, async () => {
        const result = await runArea(mutantIut(mutant), area, 42, {
          runs: mutantRuns,
          ...(catchers ? { propertyFilter: [...catchers] } : {}),
        });
        for (const p of result.properties) if (p.violation) suite.checkViolation?.(p.name, p.violation.message);
        suite.checkResult?.(result);
        const caught = await expectCaught(result, area, mutant, profile);
        if (catchers)
          expect([...caught].sort(), `the properties that catch ${mutant.name} (caughtBy)`).toEqual(
            [...catchers].sort(),
          );
        for (const name of caught) catching.add(name);
      });
    }
    if (suite.everyPropertyCatches) {
      // Runs after the mutants above (tests in a file run in order).
      it("has no property that catches none of them", () => {
        expect(area.properties.map((p) => p.name).filter((n) => !catching.has(n))).toEqual([]);
      });
    }
    it("gives the same cases and verdicts for the same seed", async () => {
      const mutant = mutants.find((m) => m.name === suite.deterministicWith)!;
      const strip = (r: RunResult) => r.properties.map(({ durationMs: _d, ...p }) => p);
      expect(strip(await runArea(mutantIut(mutant), area, 9, { runs: Math.min(runs, 100) }))).toEqual(
        strip(await runArea(mutantIut(mutant), area, 9, { runs: Math.min(runs, 100) })),
      );
    });
  });
}
