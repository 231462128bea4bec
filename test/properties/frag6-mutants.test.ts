// Every frag6 mutant is caught with a replayable shrunk fragment stream; the model passes in each profile.
//
// Shrunk frag6 counterexamples keep the point of the property that found
// them: every counterexample a mutant's run gets shrunk to still has its
// pattern class (an overlap still overlaps, a flood still passes high_thresh)
// and what its property is about (another datagram for
// other-datagrams-unaffected, a late fragment for expired-never-completes).
// Checked on the catching run at seed 42 (no second run of the same seed) and
// on a run at seed 7.
import { describe, expect, it } from "vitest";
import type { RunResult } from "../../harness/results.js";
import { FRAG6_MUTANTS } from "../../iut/mutants/frag6-mutants.js";
import { mutantIut } from "../../iut/mutants/index.js";
import { FRAG6_AREA } from "../../properties/frag6/area.js";
import type { StreamInput } from "../../properties/frag6/stream.js";
import { keepsPropertyPoint } from "./frag6-points.js";
import { describeAreaMutants, runArea } from "./mutant-harness.js";

/** The properties whose shrunk counterexamples were checked. */
const checked = new Set<string>();

function expectPointsKept(result: RunResult, seed: number): void {
  for (const p of result.properties.filter((q) => q.violation?.source === "generated")) {
    const input = p.violation!.counterexample as StreamInput;
    expect(keepsPropertyPoint(p.name, input), `${p.id} seed ${seed}: ${JSON.stringify(input)}`).toBe(true);
    checked.add(p.name);
  }
}

describeAreaMutants(
  {
    area: FRAG6_AREA,
    prefix: "frag6-",
    atLeast: 6,
    deterministicWith: "frag6-overlap-keeps-later-data",
    runs: 100,
    checkResult: (result) => expectPointsKept(result, 42),
    // What catches each mutant at seed 42 (each listed property must fail on it); the others are not judged
    // against it. A new mutant not listed here is judged by every property.
    caughtBy: {
      "frag6-overlap-keeps-later-data": [
        "matches-model",
        "overlap-rule",
        "delivered-equals-original",
        "no-hole-delivered",
        "delivered-at-most-once",
        "discarded-queue-takes-all",
      ],
      "frag6-duplicate-replaces": [
        "matches-model",
        "overlap-rule",
        "delivered-equals-original",
        "delivered-at-most-once",
        "discarded-queue-takes-all",
      ],
      "frag6-hole-delivered": [
        "matches-model",
        "overlap-rule",
        "delivered-equals-original",
        "no-hole-delivered",
        "delivered-at-most-once",
        "discarded-queue-takes-all",
        "other-datagrams-unaffected",
      ],
      "frag6-timeout-ignored": [
        "matches-model",
        "delivered-at-most-once",
        "expired-never-completes",
        "icmp-as-predicted",
      ],
      "frag6-delivered-twice": [
        "matches-model",
        "overlap-rule",
        "delivered-at-most-once",
        "other-datagrams-unaffected",
      ],
      "frag6-fragment-header-left-in": [
        "matches-model",
        "overlap-rule",
        "delivered-equals-original",
        "no-hole-delivered",
        "delivered-at-most-once",
        "discarded-queue-takes-all",
        "other-datagrams-unaffected",
      ],
      "frag6-payload-length-not-fixed": [
        "matches-model",
        "overlap-rule",
        "delivered-equals-original",
        "no-hole-delivered",
        "delivered-at-most-once",
        "discarded-queue-takes-all",
        "other-datagrams-unaffected",
      ],
    },
  },
  { describe, it },
);

describe("shrunk frag6 counterexamples", () => {
  for (const mutant of FRAG6_MUTANTS) {
    it(`keep their property's point on ${mutant.name} (seed 7; seed 42 above)`, async () => {
      expectPointsKept(await runArea(mutantIut(mutant), FRAG6_AREA, 7, { runs: 100 }), 7);
    });
  }
  // Runs after the tests above: the narrow points were checked on real counterexamples, not skipped.
  it("were checked for other-datagrams-unaffected, overlap-rule, discarded-queue-takes-all and expired-never-completes", () => {
    expect(
      ["other-datagrams-unaffected", "overlap-rule", "discarded-queue-takes-all", "expired-never-completes"].filter(
        (n) => !checked.has(n),
      ),
    ).toEqual([]);
  });
});
