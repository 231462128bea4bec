// Strict checks of inputs read back from corpus files before they replay.
import { ATTACH_POINTS, REJECTION_RULES, type Attach } from "../../model/bpf/validator.js";
import { fromHex } from "../../wire/hex.js";
import type { JsonProgram, LoadInput, RunInput, SessionInput } from "./generators.js";

function asRecord(input: unknown, what: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new Error(`${what} must be a JSON object`);
  const extra = Object.keys(input).filter((k) => !keys.includes(k));
  if (extra.length) throw new Error(`${what} has unknown fields: ${extra.join(", ")}`);
  return input as Record<string, unknown>;
}

function validAttach(value: unknown): Attach {
  if (!ATTACH_POINTS.includes(value as Attach)) throw new Error(`"attach" must be one of ${ATTACH_POINTS.join(", ")}`);
  return value as Attach;
}

export function validProgramJson(value: unknown): JsonProgram {
  if (!Array.isArray(value)) throw new Error(`"program" must be an array of [code, jt, jf, k]`);
  if (value.length > 0xffff) throw new Error(`"program" is longer than a u16 count`);
  return value.map((ins, i) => {
    const ok =
      Array.isArray(ins) &&
      ins.length === 4 &&
      ins.every((f) => typeof f === "number" && Number.isInteger(f)) &&
      ins[0] >= 0 &&
      ins[0] <= 0xffff &&
      ins[1] >= 0 &&
      ins[1] <= 255 &&
      ins[2] >= 0 &&
      ins[2] <= 255 &&
      ins[3] >= 0 &&
      ins[3] <= 0xffffffff;
    if (!ok) throw new Error(`"program"[${i}] must be [code 0..65535, jt 0..255, jf 0..255, k 0..4294967295]`);
    return [ins[0], ins[1], ins[2], ins[3]] as [number, number, number, number];
  });
}

function validPackets(value: unknown): string[] {
  if (!Array.isArray(value)) throw new Error(`"packets" must be an array of hex strings`);
  return value.map((p, i) => {
    fromHex(p, `packets[${i}]`);
    return p as string;
  });
}

export function validateRunInput(input: unknown): RunInput {
  const r = asRecord(input, "input", ["attach", "program", "packets"]);
  return {
    attach: validAttach(r.attach),
    program: validProgramJson(r.program),
    packets: validPackets(r.packets),
  };
}

export function validateLoadInput(input: unknown): LoadInput {
  const r = asRecord(input, "input", ["attach", "program", "intent"]);
  const intent = r.intent;
  if (intent !== "none" && !REJECTION_RULES.includes(intent as never))
    throw new Error(`"intent" must be "none" or a rejection rule`);
  return {
    attach: validAttach(r.attach),
    program: validProgramJson(r.program),
    intent: intent as LoadInput["intent"],
  };
}

export function validateSessionInput(input: unknown): SessionInput {
  const r = asRecord(input, "input", ["steps"]);
  if (!Array.isArray(r.steps) || r.steps.length === 0) throw new Error(`"steps" must be a non-empty array`);
  return {
    steps: r.steps.map((s, i) => {
      const step = asRecord(s, `steps[${i}]`, ["load", "packets", "unload"]);
      if (typeof step.unload !== "boolean") throw new Error(`steps[${i}].unload must be a boolean`);
      return { load: validateLoadInput(step.load), packets: validPackets(step.packets), unload: step.unload };
    }),
  };
}
