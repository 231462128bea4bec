// A partial hooks.batch: an IUT may answer a step it cannot judge
// `{"unjudged": why}` and go on. The rest of the case is judged (a mutant
// that answers some steps unjudged is still caught), the case counts as
// judged in part, a case with no step judged is never passed, and an
// unjudged reply where the request was not partial is an IUT error.
import { describe, expect, it } from "vitest";
import { IutError, type Iut } from "../../iut/iut.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { HOOKS_MUTANTS } from "../../iut/mutants/hooks-mutants.js";
import { mutantIut } from "../../iut/mutants/index.js";
import { readBatchReplies, type BatchStep } from "../../iut/ops/hooks.js";
import { HOOKS_AREA } from "../../properties/hooks/area.js";
import { runArea } from "./mutant-harness.js";

/** `iut` with the replies to the steps `why` names (a reason) turned into unjudged ones, in partial batches only. */
function partial(iut: Iut, why: (step: BatchStep) => string | undefined): Iut & { unjudged: number } {
  const wrapped = {
    spec: iut.spec,
    unjudged: 0,
    hello: () => iut.hello(),
    call: async (op: string, params: Record<string, unknown>) => {
      const reply = await iut.call(op, params);
      if (op !== "hooks.batch" || params.partial !== true) return reply;
      const steps = params.steps as BatchStep[];
      const replies = (reply.replies as Record<string, unknown>[]).map((r, i) => {
        const reason = "error" in r ? undefined : why(steps[i]!);
        if (reason === undefined) return r;
        wrapped.unjudged++;
        return { unjudged: reason };
      });
      return { replies };
    },
    close: () => iut.close(),
  };
  return wrapped;
}

const arpForward = (step: BatchStep) =>
  (step.op === "hooks.register" || step.op === "hooks.traverse") && step.family === "arp" && step.hook === "forward"
    ? "arp forward: no interface reaches it"
    : undefined;

const RUNS = 60;
const SEQUENCE_PROPERTIES = ["replies-match-model", "traversal-visits-registered", "refused-register-changes-nothing"];

describe("hooks: steps an IUT answers unjudged", () => {
  it("judges the rest of the case and counts it judged in part", async () => {
    const iut = partial(new ModelIut(), arpForward);
    const result = await runArea(iut, HOOKS_AREA, 7, { runs: RUNS, propertyFilter: SEQUENCE_PROPERTIES });
    expect(iut.unjudged).toBeGreaterThan(0);
    for (const p of result.properties) {
      expect([p.id, p.status]).toEqual([p.id, "passed"]);
      expect(p.partlyJudged, p.id).toBeGreaterThan(0);
      expect(p.partlyJudgedCounts?.[0]?.reason).toMatch(/^a step unjudged by the IUT: arp forward/);
      expect(p.declined).toBe(0);
    }
  });

  it("still catches a mutant in the steps it judges", async () => {
    const mutant = HOOKS_MUTANTS.find((m) => m.name === "hooks-equal-priority-after")!;
    const result = await runArea(partial(mutantIut(mutant), arpForward), HOOKS_AREA, 42, {
      runs: 150,
      propertyFilter: ["replies-match-model"],
    });
    expect(result.properties.map((p) => p.status)).toEqual(["failed"]);
  });

  it("never passes a case with no step judged", async () => {
    const result = await runArea(
      partial(new ModelIut(), () => "nothing judged"),
      HOOKS_AREA,
      7,
      {
        runs: 20,
        propertyFilter: SEQUENCE_PROPERTIES,
      },
    );
    for (const p of result.properties) {
      expect(p.status, p.id).not.toBe("passed");
      expect(p.judged, p.id).toBe(0);
      expect(p.unjudgedCounts?.[0]?.reason).toBe("every step unjudged by the IUT: nothing judged");
    }
  });

  it("counts no case judged in part on a traversal property whose traversals were all unjudged", async () => {
    // Such a case compared nothing this property judges: it is not judged, never judged in part.
    // (A case with no traversal at all is still counted judged by these invariants: docs/model-hooks.md.)
    const traversals = (step: BatchStep) => (step.op === "hooks.traverse" ? "traversals unjudged" : undefined);
    const TRAVERSAL_PROPERTIES = [
      "traversal-sorted-by-priority",
      "equal-priority-order",
      "traversal-visits-registered",
      "traversal-stops-at-first-drop",
      "unregister-keeps-order",
      "refused-register-changes-nothing",
    ];
    const mutant = HOOKS_MUTANTS.find((m) => m.name === "hooks-drop-continues")!;
    for (const iut of [new ModelIut(), mutantIut(mutant)]) {
      const result = await runArea(partial(iut, traversals), HOOKS_AREA, 42, {
        runs: 20,
        propertyFilter: TRAVERSAL_PROPERTIES,
      });
      expect(result.properties.map((p) => p.id).sort()).toEqual(TRAVERSAL_PROPERTIES.map((n) => `hooks.${n}`).sort());
      for (const p of result.properties) {
        expect(p.partlyJudged ?? 0, p.id).toBe(0);
        expect(p.unjudgedCounts?.map((c) => c.reason) ?? [], p.id).toContain(
          "no traversal this property judges was judged: traversals unjudged",
        );
      }
    }
  });

  it("an unjudged reply is read only where the request was partial", () => {
    const steps: BatchStep[] = [{ op: "hooks.traverse", family: "arp", hook: "forward", device: null }];
    const reply = { replies: [{ unjudged: "no path" }] };
    expect(() => readBatchReplies(steps, reply)).toThrow(IutError);
    expect(() => readBatchReplies(steps, reply)).toThrow(/unjudged, but the request is not partial/);
    expect(readBatchReplies(steps, reply, true)).toEqual([{ unjudged: "no path" }]);
  });
});
