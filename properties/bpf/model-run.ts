// What the model says for a run: per packet, the protocol's result and whether
// the request determines it.
import { contextResult } from "../../model/bpf/contexts.js";
import { disassemble, disassembleInsn } from "../../model/bpf/formats.js";
import { runProgram } from "../../model/bpf/interpreter.js";
import { insn, type Insn } from "../../model/bpf/opcodes.js";
import { BPF_RULES } from "../../model/bpf/rule-catalogue.js";
import type { Attach } from "../../model/bpf/validator.js";
import type { RuleHit, RuleTrace } from "../../model/rules.js";
import { explanation, lastHitAt } from "../explain.js";
import type { Explanation } from "../property.js";
import { skbMetaFromJson, type SkbMetaJson } from "../../iut/ops/bpf.js";
import { fromHex } from "../../wire/hex.js";
import type { JsonProgram } from "./generators.js";

export interface ModelResult {
  result: number;
  returned: number;
  deterministic: boolean;
}

export const asProgram = (p: JsonProgram): Insn[] => p.map(([c, jt, jf, k]) => insn(c, jt, jf, k));

export function modelResults(
  program: JsonProgram,
  attach: Attach,
  packets: string[],
  trace?: RuleTrace,
  meta?: SkbMetaJson,
): ModelResult[] {
  const insns = asProgram(program);
  const env = meta ? { skb: skbMetaFromJson(meta) } : {};
  return packets.map((hex, i) => {
    const p = fromHex(hex);
    trace?.within(`packet ${i}`);
    const r = runProgram(insns, p, attach, env, undefined, trace);
    return {
      result: contextResult(attach, r.returned, p.length, trace),
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

/** The first packet whose result leaves the model's, or -1. */
export function firstDifference(
  attach: Attach,
  packets: string[],
  expected: ModelResult[],
  observed: number[],
): number {
  return packets.findIndex((hex, i) => {
    const e = expected[i]!;
    return e.deterministic ? observed[i] !== e.result : !inRange(attach, observed[i]!, hex);
  });
}

/**
 * The model's instruction trace on one packet: each instruction run, with A
 * and X after it; the last line is the pc where the model's program returns,
 * the point the IUT's result leaves it.
 */
export function instructionTrace(
  program: JsonProgram,
  attach: Attach,
  packetHex: string,
  meta?: SkbMetaJson,
): string[] {
  const insns = asProgram(program);
  const lines: string[] = [];
  const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;
  const r = runProgram(insns, fromHex(packetHex), attach, {
    ...(meta ? { skb: skbMetaFromJson(meta) } : {}),
    onStep: (pc, a, x) => lines.push(`${disassembleInsn(insns[pc]!, pc)}    ; A=${hex(a)} X=${hex(x)}`),
  });
  lines.push(`returns ${r.returned} (${r.steps} instructions run)`);
  return lines;
}

/** A run violation's explanation: the rule that decided what the program returns on the packet that differs. */
export function runExplanation(
  program: JsonProgram,
  attach: Attach,
  packets: string[],
  hits: readonly RuleHit[],
  at: number,
  meta?: SkbMetaJson,
): Explanation | undefined {
  const context = lastHitAt(hits, `packet ${at}`);
  const decided = lastHitAt(hits, `packet ${at}`, (h) => h !== context);
  const e = explanation(BPF_RULES, decided ?? context, hits, [
    ...(context ? [`context: ${context.rule} (${context.detail ?? ""})`] : []),
    ...(meta ? [`metadata: ${JSON.stringify(meta)}`] : []),
    ...instructionTrace(program, attach, packets[at]!, meta),
  ]);
  return e;
}
