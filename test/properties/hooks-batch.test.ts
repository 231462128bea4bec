// hooks.batch (an optional op): the suite sends it only to an IUT whose hello
// lists it, the batched and the step-by-step paths give the same verdicts, and
// a batch reply off its contract is an IUT error. The mutants that break only
// the batch are caught in hooks-mutants.test.ts; here they pass step by step.
import { describe, expect, it } from "vitest";
import type { RunResult } from "../../harness/results.js";
import { AdapterReplyError, IutError, type Iut } from "../../iut/iut.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import { HOOKS_MUTANTS } from "../../iut/mutants/hooks-mutants.js";
import { mutantIut } from "../../iut/mutants/index.js";
import { readBatchReplies, type BatchStep } from "../../iut/ops/hooks.js";
import { HOOKS_AREA } from "../../properties/hooks/area.js";
import { expectAllPassed, runArea } from "./mutant-harness.js";

/** The IUT with `ops` left out of its hello: the suite must go step by step, and never send hooks.batch. */
function stepByStep(iut: Iut): Iut & { batches: number } {
  const wrapped = {
    spec: iut.spec,
    batches: 0,
    // Without hooks.batch only: the other optional ops stay (hooks.fragments has no stand-in).
    hello: async () => {
      const hello = await iut.hello();
      return { ...hello, ops: (hello.ops ?? []).filter((op) => op !== "hooks.batch") };
    },
    call: (op: string, params: Record<string, unknown>) => {
      if (op === "hooks.batch") wrapped.batches++;
      return iut.call(op, params);
    },
    close: () => iut.close(),
  };
  return wrapped;
}

/** Counts the hooks.batch requests an IUT gets. */
function counting(iut: Iut): Iut & { batches: number; requests: number } {
  const wrapped = {
    spec: iut.spec,
    batches: 0,
    requests: 0,
    hello: () => iut.hello(),
    call: (op: string, params: Record<string, unknown>) => {
      wrapped.requests++;
      if (op === "hooks.batch") wrapped.batches++;
      return iut.call(op, params);
    },
    close: () => iut.close(),
  };
  return wrapped;
}

const strip = (r: RunResult) => r.properties.map(({ durationMs: _d, ...p }) => p);
const BATCH_ONLY = HOOKS_MUTANTS.filter((m) => "hooks.batch" in m.overrides);

describe("hooks.batch against step by step", () => {
  it("the model and every mutant that answers steps alike give identical verdicts either way", async () => {
    const iuts = [
      () => new ModelIut(),
      ...HOOKS_MUTANTS.filter((m) => !BATCH_ONLY.includes(m)).map((m) => () => mutantIut(m)),
    ];
    // limit-1024 fills a thousand hooks a case on the model (seconds a run); its batched requests are
    // checked below and on the kernel (test/fixtures/linux-hooks-batch.mjs), so the mutants here skip it.
    const allButLimit = HOOKS_AREA.properties.map((p) => p.name).filter((name) => name !== "limit-1024");
    for (const [i, make] of iuts.entries()) {
      const batched = counting(make());
      const alone = stepByStep(make());
      const options = { runs: 20, ...(i === 0 ? {} : { propertyFilter: allButLimit }) };
      const a = await runArea(batched, HOOKS_AREA, 5, options);
      const b = await runArea(alone, HOOKS_AREA, 5, options);
      expect(strip(a), batched.spec).toEqual(strip(b));
      expect(batched.batches, batched.spec).toBeGreaterThan(0);
      expect(alone.batches, alone.spec).toBe(0);
    }
  });

  it("sends one request a case batched (after reset), one per 256 steps of a fill", async () => {
    const iut = counting(new ModelIut());
    const result = await runArea(iut, HOOKS_AREA, 5, { runs: 40 });
    const cases = result.properties.reduce((n, p) => n + p.runs + p.declined, 0);
    const limit = result.properties.find((p) => p.name === "limit-1024")!;
    const refused = result.properties.find((p) => p.name === "refused-register-changes-nothing")!;
    // reset + hooks.batch per case (shrinking never runs: the model passes); a limit case is 1,027 to 1,035 steps.
    expect(iut.requests).toBeGreaterThan(2 * cases + 3 * limit.runs);
    expect(iut.requests).toBeLessThanOrEqual(2 * cases + 4 * (limit.runs + refused.runs));
  });

  for (const mutant of BATCH_ONLY) {
    it(`${mutant.name} conforms step by step (only its batch is broken)`, async () => {
      expectAllPassed(await runArea(stepByStep(mutantIut(mutant)), HOOKS_AREA, 42, { runs: 50 }));
    });
  }
});

describe("a hooks.batch reply off its contract", () => {
  const register: BatchStep = {
    op: "hooks.register",
    name: "a",
    family: "ipv4",
    hook: "input",
    priority: 0,
    verdict: "accept",
    device: null,
  };
  const traverse: BatchStep = { op: "hooks.traverse", family: "ipv4", hook: "input", device: null };
  const steps = [register, traverse];
  const read = (replies: unknown[]) => () => readBatchReplies(steps, { replies });

  it("a reply left out is an IUT error", () => {
    expect(read([{ errno: 0 }])).toThrow(IutError);
    expect(read([{ errno: 0 }])).toThrow(/1 replies for 2 steps/);
  });

  it("one reply too many, an error before the end, or a reply of another op are IUT errors", () => {
    expect(read([{ errno: 0 }, { visited: ["a"], verdict: "accept" }, { errno: 0 }])).toThrow(/3 replies for 2 steps/);
    expect(read([{ error: { code: "invalid", message: "no" } }, { visited: [], verdict: "accept" }])).toThrow(
      /replies\[0\] is an error, but replies follow it/,
    );
    // Replies swapped: each step's reply is read by its own op.
    expect(read([{ visited: ["a"], verdict: "accept" }, { errno: 0 }])).toThrow(
      /replies\[0\] \(hooks\.register\): "errno" must be an errno number/,
    );
  });

  it("an error reply ends it and stands for the step's own error", () => {
    const replies = readBatchReplies(steps, {
      replies: [{ errno: 0 }, { error: { code: "invalid", message: "no path" } }],
    });
    expect(replies[0]).toEqual({ errno: 0 });
    expect(replies[1]).toBeInstanceOf(AdapterReplyError);
    expect(replies[1]).toMatchObject({ code: "invalid", op: "hooks.traverse", detail: "no path" });
  });
});
