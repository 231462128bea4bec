// Shrunk frag6 counterexamples keep the point of the property that found
// them: each frag6 mutant is run, and every counterexample it gets shrunk to
// still has its pattern class (an overlap still overlaps, a flood still
// passes high_thresh) and what its property is about (another datagram for
// other-datagrams-unaffected, a late fragment for expired-never-completes).
import { describe, expect, it } from "vitest";
import { FRAG6_MUTANTS } from "../../iut/mutants/frag6-mutants.js";
import { mutantIut } from "../../iut/mutants/index.js";
import { FRAG6_AREA } from "../../properties/frag6/area.js";
import type { StreamInput } from "../../properties/frag6/stream.js";
import { keepsPropertyPoint } from "./frag6-points.js";
import { runArea } from "./mutant-harness.js";

describe("shrunk frag6 counterexamples", () => {
  const checked = new Set<string>();
  for (const mutant of FRAG6_MUTANTS) {
    it(`keep their property's point on ${mutant.name}`, async () => {
      for (const seed of [42, 7]) {
        const result = await runArea(mutantIut(mutant), FRAG6_AREA, seed, { runs: 100 });
        for (const p of result.properties.filter((q) => q.violation?.source === "generated")) {
          const input = p.violation!.counterexample as StreamInput;
          expect(keepsPropertyPoint(p.name, input), `${p.id} seed ${seed}: ${JSON.stringify(input)}`).toBe(true);
          checked.add(p.name);
        }
      }
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
