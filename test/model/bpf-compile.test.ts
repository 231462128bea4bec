// The compiled form agrees with the reference interpreter on generated programs and packets.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileProgram } from "../../model/bpf/compile.js";
import { runProgram } from "../../model/bpf/interpreter.js";
import { runInput } from "../../properties/bpf/generators.js";
import { asProgram } from "../../properties/bpf/model-run.js";
import { fromHex } from "../../wire/hex.js";

describe("compiled programs", () => {
  it("return what the interpreter returns, determinism included", () => {
    fc.assert(
      fc.property(runInput({ allowAny: true }), (input) => {
        const program = asProgram(input.program);
        const compiled = compileProgram(program, input.attach);
        for (const hex of input.packets) {
          const p = fromHex(hex);
          const a = runProgram(program, p, input.attach);
          const b = compiled(p);
          expect([b.returned, b.deterministic]).toEqual([a.returned, a.deterministic]);
        }
      }),
      { numRuns: 2000, seed: 5 },
    );
  });
});
