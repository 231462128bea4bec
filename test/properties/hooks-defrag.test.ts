// The cross-area defrag property: its generator reaches each side of -400 and
// -400 itself on both sides of the defrag user, with streams that reassemble
// and streams that do not; each defrag mutant is caught with a small shrunk
// counterexample that replays.
import { describe, expect, it } from "vitest";
import { mutantIut } from "../../iut/mutants/index.js";
import { findMutant } from "../../iut/mutants/index.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { preroutingSightings } from "../../model/defrag/prerouting.js";
import { HOOKS_AREA } from "../../properties/hooks/area.js";
import { DEFRAG_PROPERTY, type DefragInput } from "../../properties/hooks/defrag.js";
import { readFragmentsRequest } from "../../iut/ops/hooks-fragments.js";
import { parseFragmentPacket } from "../../wire/ipv6-fragment.js";
import { expectEveryClassEverySeed, seedsReaching } from "./boundary-coverage.js";
import { runArea } from "./mutant-harness.js";

function classesOf(input: DefragInput): string[] {
  const found: string[] = [];
  const user = input.steps.findIndex((s) => "defragUser" in s);
  if (user < 0) found.push("no defrag user");
  for (const [i, s] of input.steps.entries()) {
    if (!("chain" in s)) continue;
    if (s.priority === -401 || s.priority === -399) found.push(`priority ${s.priority}`);
    if (s.priority === -400 && user >= 0) found.push(i < user ? "-400 before the user" : "-400 after the user");
  }
  if (user >= 0) {
    const { steps, packets } = readFragmentsRequest(input);
    const reassembled = preroutingSightings(steps, packets).some(
      (s) => parseFragmentPacket(s.packet) === null && parseFragmentPacket(packets[s.event]!) !== null,
    );
    found.push(reassembled ? "a chain sees a reassembled datagram" : "nothing reassembled");
  }
  return found;
}

describe("hooks.prerouting-defrag-split", () => {
  it("reaches -401, -399, -400 on each side of the user, no user, and streams that do and do not reassemble", () => {
    const reached = seedsReaching([{ property: DEFRAG_PROPERTY, classify: classesOf }], { profile: "linux" });
    expectEveryClassEverySeed(reached, [
      "no defrag user",
      "priority -401",
      "priority -399",
      "-400 before the user",
      "-400 after the user",
      "a chain sees a reassembled datagram",
      "nothing reassembled",
    ]);
  });

  for (const name of ["hooks-defrag-priority", "hooks-defrag-passes-fragments"]) {
    it(`catches ${name} with a shrunk counterexample that replays`, async () => {
      const mutant = findMutant(name)!;
      const result = await runArea(mutantIut(mutant), HOOKS_AREA, 42, {
        runs: 150,
        propertyFilter: ["prerouting-defrag-split"],
      });
      const p = result.properties.find((q) => q.name === "prerouting-defrag-split")!;
      expect(p.status).toBe("failed");
      const input = DEFRAG_PROPERTY.validateInput(JSON.parse(JSON.stringify(p.violation!.counterexample)));
      // Shrunk: one or two chains, the user, and one or two packets are enough to show either mutant.
      expect(input.steps.length).toBeLessThanOrEqual(3);
      expect(input.packets.length).toBeLessThanOrEqual(2);
      const onMutant = mutantIut(mutant);
      expect((await DEFRAG_PROPERTY.check(input, { iut: onMutant, profile: "linux" })).ok).toBe(false);
      expect((await DEFRAG_PROPERTY.check(input, { iut: new ModelIut(), profile: "linux" })).ok).toBe(true);
    });
  }

  it("declines every case, as unsupported, on an IUT whose hello does not list hooks.fragments", async () => {
    const model = new ModelIut();
    const without = Object.assign(Object.create(model), {
      hello: async () => ({ ...(await model.hello()), ops: [] }),
    }) as ModelIut;
    const result = await runArea(without, HOOKS_AREA, 42, { runs: 5, propertyFilter: ["prerouting-defrag-split"] });
    const p = result.properties[0]!;
    expect([p.status, p.judged]).toEqual(["skipped", 0]);
    expect(p.declined).toBeGreaterThanOrEqual(5);
    expect(p.declinedReasons).toEqual(["unsupported: the IUT's hello does not list hooks.fragments"]);
  });
});
