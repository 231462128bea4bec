// fast-check generators for the bpf area. Inputs are plain JSON: programs as
// arrays of [code, jt, jf, k], packets as hex.
import fc from "fast-check";
import { ATTACH_POINTS, REJECTION_RULES, type Attach, type RejectionRule } from "../../model/bpf/validator.js";
import type { Insn } from "../../model/bpf/opcodes.js";
import { toHex } from "../../wire/hex.js";
import { breakProgram } from "./invalid.js";
import { ipPacket } from "./packets.js";
import { buildProgram, choiceArb, type Choice } from "./programs.js";

export type JsonProgram = [number, number, number, number][];

export interface RunInput {
  attach: Attach;
  program: JsonProgram;
  packets: string[];
}

export interface LoadInput {
  attach: Attach;
  program: JsonProgram;
  /** The rule the generator meant to break, or "none" (for statistics and reports). */
  intent: RejectionRule | "none";
}

const toJson = (p: readonly Insn[]): JsonProgram => p.map((i) => [i[0], i[1], i[2], i[3]]);

/** Program lengths: mostly short, sometimes at or one past the limits (64, 4096). */
function lengthArb(limits: boolean): fc.Arbitrary<number> {
  const short = fc.integer({ min: 1, max: 24 });
  if (!limits)
    return fc.oneof({ weight: 8, arbitrary: short }, { weight: 2, arbitrary: fc.integer({ min: 25, max: 64 }) });
  return fc.oneof(
    { weight: 8, arbitrary: short },
    { weight: 2, arbitrary: fc.integer({ min: 25, max: 64 }) },
    { weight: 1, arbitrary: fc.constantFrom(64, 65, 4096, 4097) },
  );
}

/** Variants of the seed that keep it a well-formed IP packet: payload bytes flipped, and unrelated packets. */
function packetsFor(seed: Uint8Array): fc.Arbitrary<Uint8Array[]> {
  const headerLength = seed[0]! >> 4 === 6 ? 40 : 20;
  const flipped = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
    const p = seed.slice();
    if (p.length > headerLength) p[headerLength + (at % (p.length - headerLength))]! ^= x;
    return p;
  });
  return fc.array(fc.oneof(flipped, ipPacket()), { minLength: 0, maxLength: 4 }).map((others) => [seed, ...others]);
}

export interface ProgramOptions {
  attaches?: readonly Attach[];
  allowAny?: boolean;
  limits?: boolean;
}

/** A valid program (by construction) with a seed packet it is correlated with. */
export function validProgram(options: ProgramOptions = {}) {
  // Short programs draw a variable-length list of choices, so shrinking drops
  // instructions; the limit lengths are drawn exactly.
  const choices = options.limits
    ? lengthArb(true).chain((length) => fc.array(choiceArb, { minLength: length - 1, maxLength: length - 1 }))
    : fc.oneof(
        { weight: 8, arbitrary: fc.array(choiceArb, { maxLength: 23 }) },
        { weight: 2, arbitrary: fc.array(choiceArb, { minLength: 24, maxLength: 63 }) },
      );
  return fc
    .record({
      attach: fc.constantFrom(...(options.attaches ?? ATTACH_POINTS)),
      seed: ipPacket(),
      final: choiceArb,
      choices,
    })
    .map(({ attach, seed, final, choices: cs }) => ({
      attach,
      seed,
      program: buildProgram(seed, cs as Choice[], final, { attach, allowAny: options.allowAny ?? false }),
    }));
}

/** A valid program and packets to run it on. */
export function runInput(options: ProgramOptions = {}): fc.Arbitrary<RunInput> {
  return validProgram(options).chain(({ attach, seed, program }) =>
    packetsFor(seed).map((packets) => ({ attach, program: toJson(program), packets: packets.map(toHex) })),
  );
}

/** Programs to load: valid ones, and single mutations breaking each rejection rule. */
export function loadInput(): fc.Arbitrary<LoadInput> {
  const valid = validProgram({ limits: true }).map(
    ({ attach, program }): LoadInput => ({ attach, program: toJson(program), intent: "none" }),
  );
  const broken = fc
    .record({
      base: validProgram({}),
      rule: fc.constantFrom(...REJECTION_RULES),
      pick: fc.nat(),
      extra: fc.array(choiceArb, { minLength: 64, maxLength: 64 }),
    })
    .map(({ base, rule, pick, extra }): LoadInput => {
      let program = base.program;
      let attach = base.attach;
      if (rule === "xt-count" || (rule === "length" && pick % 2 === 1)) {
        // One past a limit: 65 for xt_bpf, 4097 for the socket.
        const length = rule === "xt-count" ? 65 : 4097;
        const choices = Array.from({ length: length - 1 }, (_, i) => extra[i % extra.length]!);
        program = buildProgram(base.seed, choices, extra[0]!, { attach: "socket", allowAny: false });
        attach = rule === "xt-count" ? "xt_bpf" : attach;
      } else program = breakProgram(program, rule, pick);
      if (rule === "optmem" || rule === "jump-offset") attach = "socket";
      return { attach, program: toJson(program), intent: rule };
    });
  return fc.oneof({ weight: 1, arbitrary: valid }, { weight: 3, arbitrary: broken });
}

/** A session of several loads, runs and unloads, for the catch-all property. */
export interface SessionInput {
  steps: { load: LoadInput; packets: string[]; unload: boolean }[];
}

export function sessionInput(): fc.Arbitrary<SessionInput> {
  const step = fc.oneof(
    {
      weight: 3,
      arbitrary: runInput({ allowAny: true }).map((r) => ({
        load: { attach: r.attach, program: r.program, intent: "none" as const },
        packets: r.packets,
      })),
    },
    { weight: 1, arbitrary: loadInput().map((load) => ({ load, packets: [] as string[] })) },
  );
  return fc.array(fc.record({ step, unload: fc.boolean() }), { minLength: 1, maxLength: 4 }).map((steps) => ({
    steps: steps.map(({ step: s, unload }) => ({ ...s, unload })),
  }));
}
