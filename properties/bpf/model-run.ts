// What the model says for a run: per packet, the protocol's result and whether
// the request determines it.
import { contextResult } from "../../model/bpf/contexts.js";
import { disassemble } from "../../model/bpf/formats.js";
import { runProgram } from "../../model/bpf/interpreter.js";
import { insn, type Insn } from "../../model/bpf/opcodes.js";
import type { Attach } from "../../model/bpf/validator.js";
import { fromHex } from "../../wire/hex.js";
import type { JsonProgram } from "./generators.js";

export interface ModelResult {
  result: number;
  returned: number;
  deterministic: boolean;
}

export const asProgram = (p: JsonProgram): Insn[] => p.map(([c, jt, jf, k]) => insn(c, jt, jf, k));

export function modelResults(program: JsonProgram, attach: Attach, packets: string[]): ModelResult[] {
  const insns = asProgram(program);
  return packets.map((hex) => {
    const p = fromHex(hex);
    const r = runProgram(insns, p, attach);
    return {
      result: contextResult(attach, r.returned, p.length),
      returned: r.returned,
      deterministic: r.deterministic,
    };
  });
}

/** Whether a result is one the context can give at all (for nondeterministic runs). */
export function inRange(attach: Attach, result: number, packetHex: string): boolean {
  return attach === "xt_bpf" ? result === 0 || result === 1 : result >= 0 && result <= packetHex.length / 2;
}

/** Compares results; returns the first disagreement as a message with the program disassembled. */
export function compareResults(
  program: JsonProgram,
  attach: Attach,
  packets: string[],
  expected: ModelResult[],
  observed: number[],
): string | null {
  for (let i = 0; i < packets.length; i++) {
    const e = expected[i]!;
    const o = observed[i]!;
    const bad = e.deterministic ? o !== e.result : !inRange(attach, o, packets[i]!);
    if (!bad) continue;
    const want = e.deterministic
      ? `model ${e.result} (program returns ${e.returned})`
      : `any result the ${attach} context can give`;
    return `${attach} packet ${i} (${packets[i]!.length / 2} bytes): result ${o}, ${want}; program:\n${disassemble(asProgram(program))}`;
  }
  return null;
}
