// Strict checks of inputs read back from corpus files before they replay:
// programs, attach points and packets have bpf.load's and bpf.run's shapes
// (iut/ops/bpf.ts); the corpus adds no unknown fields and a known intent.
import Type from "typebox";
import { AttachPoint, Program, SkbMetaShape } from "../../iut/ops/bpf.js";
import { shape } from "../../iut/ops/codec.js";
import { Hex } from "../../iut/ops/fields.js";
import { REJECTION_RULES, type Attach } from "../../model/bpf/validator.js";
import type { JsonProgram, LoadInput, RunInput, SessionInput } from "./generators.js";

function asRecord(input: unknown, what: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new Error(`${what} must be a JSON object`);
  const extra = Object.keys(input).filter((k) => !keys.includes(k));
  if (extra.length) throw new Error(`${what} has unknown fields: ${extra.join(", ")}`);
  return input as Record<string, unknown>;
}

const attachPoint = shape(AttachPoint);
const program = shape(Program);
const packets = shape(Type.Array(Hex));
const skbMeta = shape(SkbMetaShape);

function validAttach(value: unknown): Attach {
  return attachPoint.read(value, `"attach"`);
}

/** A program as bpf.load sends it (iut/ops/bpf.ts). */
export function validProgramJson(value: unknown): JsonProgram {
  return program.read(value, `"program"`).map(([code, jt, jf, k]) => [code, jt, jf, k]);
}

function validPackets(value: unknown): string[] {
  return packets.read(value, `"packets"`);
}

export function validateRunInput(input: unknown): RunInput {
  const r = asRecord(input, "input", ["attach", "program", "packets", "meta"]);
  return {
    attach: validAttach(r.attach),
    program: validProgramJson(r.program),
    packets: validPackets(r.packets),
    ...(r.meta === undefined ? {} : { meta: skbMeta.read(r.meta, `"meta"`) }),
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
