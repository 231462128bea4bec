// The bpf generators reach every opcode class, the run-time edge cases, and
// every rejection rule of the validator.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { opcodeClassName } from "../../model/bpf/opcodes.js";
import { REJECTION_RULES, validate } from "../../model/bpf/validator.js";
import { loadInput, runInput } from "../../properties/bpf/generators.js";
import { asProgram, modelResults } from "../../properties/bpf/model-run.js";

describe("bpf generators", () => {
  it("build valid programs reaching every opcode class, both branches and both attach points", () => {
    const seen = new Map<string, number>();
    const note = (c: string) => seen.set(c, (seen.get(c) ?? 0) + 1);
    fc.statistics(
      runInput({ allowAny: false }),
      (input) => {
        const program = asProgram(input.program);
        expect(validate(program, input.attach).errno).toBe(0);
        for (const [code] of program) note(`class ${opcodeClassName(code)}`);
        note(`attach ${input.attach}`);
        const results = modelResults(input.program, input.attach, input.packets);
        for (const r of results) note(r.result === 0 ? "result 0" : "result non-zero");
        if (new Set(results.map((r) => r.result)).size > 1) note("packets disagree");
        return "";
      },
      { numRuns: 1000, seed: 1, logger: () => {} },
    );
    for (const c of ["ld", "ldx", "st", "stx", "alu", "jmp", "ret", "misc"])
      expect(seen.get(`class ${c}`) ?? 0, c).toBeGreaterThan(50);
    for (const c of ["attach socket", "attach xt_bpf", "result 0", "result non-zero", "packets disagree"])
      expect(seen.get(c) ?? 0, c).toBeGreaterThan(30);
  });

  it("reach every rejection rule, and programs at and past the limits", () => {
    const rules = new Map<string, number>();
    const lengths = new Set<number>();
    fc.statistics(
      loadInput(),
      (input) => {
        const verdict = validate(asProgram(input.program), input.attach);
        rules.set(verdict.rule ?? "accepted", (rules.get(verdict.rule ?? "accepted") ?? 0) + 1);
        lengths.add(input.program.length);
        return verdict.rule ?? "accepted";
      },
      { numRuns: 3000, seed: 1, logger: () => {} },
    );
    for (const rule of [...REJECTION_RULES, "accepted"]) expect(rules.get(rule) ?? 0, rule).toBeGreaterThan(5);
    for (const n of [0, 64, 65, 4096, 4097]) expect(lengths.has(n), `length ${n}`).toBe(true);
  });
});
