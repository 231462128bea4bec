// --jobs judges a property's cases on several IUT instances at once, and
// several properties at once on them; what a run decides must not depend on
// how many: the same verdicts, counts, shrunk counterexamples and replay paths,
// listed in the same order, for 1, 2 and 8 instances, on the model and
// on mutants that fail (so that shrinking and the rounds after a violation
// are covered), and the cases drawn ahead are exactly fast-check's.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CaseSource } from "../../harness/case-source.js";
import type { RunResult } from "../../harness/results.js";
import { runSuite } from "../../harness/run-suite.js";
import type { Iut } from "../../iut/iut.js";
import { IutInstances } from "../../iut/iut-instances.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { findMutant, mutantIut } from "../../iut/mutants/index.js";
import { AREAS } from "../../properties/areas.js";

const commands = { replayCase: (f: string) => `replay ${f}`, rerunProperty: (id: string) => `rerun ${id}` };

/** An instance that counts the requests it answers; `onFirstCall` runs once, at its first request. */
function counted(iut: Iut, calls: number[], i: number, onFirstCall?: () => void): Iut {
  calls[i] = 0;
  return {
    spec: iut.spec,
    hello: () => iut.hello(),
    call: (op, params) => {
      if (calls[i]!++ === 0) onFirstCall?.();
      return iut.call(op, params);
    },
    close: () => iut.close(),
  };
}

async function run(
  make: () => Iut,
  area: string,
  jobs: number,
  runs: number,
  calls: number[] = [],
  events: string[] = [],
): Promise<RunResult> {
  // One joins at once, the others only once the run is under way (the first instance's first request), as a
  // slow adapter would: tied to progress, not to a timer, so a fast IUT cannot finish before they join.
  const join = () => {
    for (const other of later) instances.add(other);
  };
  const [iut, ...others] = Array.from({ length: jobs }, (_, i) =>
    counted(make(), calls, i, i === 0 ? join : undefined),
  );
  const instances = new IutInstances(iut!, jobs);
  const [soon, ...later] = others;
  if (soon) instances.add(soon);
  return runSuite({
    iut: iut!,
    instances,
    hello: await iut.hello(),
    areas: AREAS.filter((a) => a.name === area),
    profileOverrides: {},
    // hooks.limit-1024 registers a thousand hooks a case: seconds even on the model, and nothing new here.
    propertyFilter: AREAS.flatMap((a) => (a.name === area ? a.properties : []))
      .map((p) => p.name)
      .filter((name) => name !== "limit-1024"),
    corpusCases: [],
    seed: 11,
    runs,
    corpusDir: null,
    command: "test",
    commands,
    onProgress: (event) => events.push(event.kind === "done" ? `done ${event.result.id}` : `cases ${event.id}`),
  });
}

/** Whether a property judged a case before the one listed before it had ended: properties ran at once. */
function overlapped(result: RunResult, events: readonly string[]): boolean {
  return result.properties.some((p, i) => {
    const before = result.properties[i - 1];
    const first = events.indexOf(`cases ${p.id}`);
    return before !== undefined && first >= 0 && first < events.indexOf(`done ${before.id}`);
  });
}

/** What a run decided, without timings: every field a report derives from the cases judged. */
function fingerprint(result: RunResult): unknown[] {
  return result.properties.map((p) => ({
    id: p.id,
    status: p.status,
    runs: p.runs,
    judged: p.judged,
    declined: p.declined,
    declinedReasons: p.declinedReasons,
    unjudged: p.unjudged,
    shrinkSteps: p.shrinkSteps,
    lowJudged: p.lowJudged,
    skipReason: p.skipReason,
    violations: p.violations.map((v) => ({
      key: v.key,
      counterexample: v.counterexample,
      expected: v.expected,
      observed: v.observed,
      path: v.path,
      shrinks: v.shrinks,
      flaky: v.flaky,
    })),
  }));
}

const CASES: { label: string; area: string; make: () => Iut; runs: number }[] = [
  { label: "model", area: "checksum", make: () => new ModelIut(), runs: 100 },
  { label: "model", area: "cttimeout", make: () => new ModelIut(), runs: 30 },
  ...[
    "checksum-odd-byte-dropped",
    "bpf-socket-not-trimmed",
    "hooks-equal-priority-after",
    "cttimeout-delete-all-stops-at-busy",
    "frag6-duplicate-replaces",
  ].map((name) => ({
    label: `mutant ${name}`,
    area: name.split("-")[0]!,
    make: () => mutantIut(findMutant(name)!),
    runs: 15,
  })),
];

describe("--jobs", () => {
  for (const { label, area, make, runs } of CASES) {
    it(`${label} (${area}): the same run for 1, 2 and 8 instances, properties judged at once`, async () => {
      const events: string[] = [];
      const single = await run(make, area, 1, runs, [], events);
      expect(overlapped(single, events), "--jobs 1 judges one property at a time").toBe(false);
      const one = fingerprint(single);
      for (const jobs of [2, 8]) {
        const calls: number[] = [];
        const events: string[] = [];
        const result = await run(make, area, jobs, runs, calls, events);
        expect(fingerprint(result), `--jobs ${jobs}`).toEqual(one);
        expect(overlapped(result, events), `--jobs ${jobs}: properties judged at once`).toBe(true);
        // Every instance the area may use judged cases (the run was concurrent, not one instance's), and no other.
        const usable = Math.min(jobs, AREAS.find((a) => a.name === area)!.maxInstances ?? jobs);
        expect(calls.filter((n) => n > 0).length, `requests per instance: ${calls.join(", ")}`).toBe(usable);
      }
      if (label !== "model") expect(JSON.stringify(one)).toMatch(/"status":"failed"/);
    }, 120_000); // three runs of a property set; minutes, not seconds, beside CI's other test workers
  }

  it("draws ahead exactly the cases fast-check's own run draws, by index", async () => {
    const arbitrary = fc.array(fc.integer(), { maxLength: 5 });
    const seen: unknown[] = [];
    await fc.check(
      fc.asyncProperty(arbitrary, async (xs) => {
        seen.push(xs);
        fc.pre(xs.length !== 2); // skipped cases keep their index
        return true;
      }),
      { seed: 7, numRuns: 40, maxSkipsPerRun: 1 },
    );
    const source = new CaseSource(arbitrary, 7, seen.length);
    const drawn = [];
    for (let i = 0; i < seen.length; i++) drawn.push((await source.take(i))?.input);
    expect(await source.take(seen.length)).toBeUndefined();
    await source.close();
    expect(drawn).toEqual(seen);
  });
});
