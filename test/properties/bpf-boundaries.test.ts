// Every bpf boundary the model has a rule for (properties/bpf/edges.ts) comes
// up in every default run (100 cases) of the properties that judge it, on
// each of 20 run seeds: shift counts, divisors, loads around the packet's end
// and in the negative areas, scratch cell 15/16, jumps to and past the end
// and wrapping u32, ancillary loads whose answer depends on the context,
// and program lengths 64/65/4096/4097 at both attach points.
import { describe, it } from "vitest";
import {
  ancillaryOf,
  BPF_ABS,
  BPF_ALU,
  BPF_DIV,
  BPF_IMM,
  BPF_IND,
  BPF_JA,
  BPF_JMP,
  BPF_LD,
  BPF_LDX,
  BPF_LSH,
  BPF_MEM,
  BPF_MOD,
  BPF_MSH,
  BPF_RSH,
  BPF_ST,
  BPF_STX,
  BPF_X,
  bpfClass,
  bpfMode,
  bpfOp,
  bpfSize,
  bpfSrc,
  SKF_AD_OFF,
  SKF_LL_OFF,
  SKF_NET_OFF,
} from "../../model/bpf/opcodes.js";
import { SIZE_BYTES } from "../../model/bpf/interpreter.js";
import { BPF_AREA } from "../../properties/bpf/area.js";
import { LIMIT_LENGTHS, LOAD_EDGES, RUN_EDGES } from "../../properties/bpf/edges.js";
import type { JsonProgram, LoadInput, RunInput, SessionInput } from "../../properties/bpf/generators.js";
import type { ConformanceProperty } from "../../properties/property.js";
import { expectEveryClassEverySeed, seedsReaching } from "./boundary-coverage.js";

const property = <T>(name: string) => BPF_AREA.properties.find((p) => p.name === name)! as ConformanceProperty<T>;

/** The run-time edges a program reaches on a packet of `length` bytes (by instruction, wherever it is). */
function runEdgesIn(program: JsonProgram, length: number): string[] {
  const found: string[] = [];
  const n = program.length;
  for (const [pc, [code, jt, jf, k]] of program.entries()) {
    const prev = program[pc - 1];
    const xImm = prev && prev[0] === (BPF_LDX | BPF_IMM) ? prev[3] : undefined;
    const cls = bpfClass(code);
    if (cls === BPF_ALU && (bpfOp(code) === BPF_LSH || bpfOp(code) === BPF_RSH)) {
      if (bpfSrc(code) === BPF_X && xImm !== undefined) found.push(`shift-x-${xImm}`);
      if (bpfSrc(code) !== BPF_X) found.push(`shift-k-${k}`);
    }
    if (cls === BPF_ALU && (bpfOp(code) === BPF_DIV || bpfOp(code) === BPF_MOD)) {
      if (bpfSrc(code) === BPF_X && xImm !== undefined) found.push(`div-x-${xImm}`);
      if (bpfSrc(code) !== BPF_X) found.push(`div-k-${k}`);
    }
    if (cls === BPF_LD && bpfMode(code) === BPF_ABS) {
      const width = SIZE_BYTES[bpfSize(code)]!;
      if (k === length - width) found.push("load-length-1");
      if (k === length) found.push("load-length");
      if (k === length + 1) found.push("load-length+1");
      if (k === SKF_AD_OFF - 1) found.push("load-ad-off-1");
      else if (k >= SKF_NET_OFF && k < SKF_AD_OFF)
        found.push(k - SKF_NET_OFF + width > length ? "load-net-off-end" : "load-net-off");
      if (k >= SKF_LL_OFF && k < SKF_NET_OFF) found.push("load-ll-off");
      if (k >= 0x80000000 && k < SKF_LL_OFF) found.push("load-below-ll-off");
      const anc = ancillaryOf(k);
      if (anc === "protocol") found.push("ancillary-protocol");
      if (anc === "ifindex" || anc === "hatype") found.push("ancillary-device");
      if (anc === "alu_xor_x" || anc === "nlattr" || anc === "nlattr_nest") found.push("ancillary-computed");
    }
    if (cls === BPF_LD && bpfMode(code) === BPF_IND && (k | 0) < 0) found.push("load-ind-negative");
    if (code === (BPF_LDX | 0x10 | BPF_MSH) && k === length - 1) found.push("msh-length-1");
    if (code === (BPF_LDX | 0x10 | BPF_MSH) && k === length) found.push("msh-length");
    if ([BPF_ST, BPF_STX, BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM].includes(code) && k === 15) found.push("scratch-15");
    if (code === (BPF_JMP | BPF_JA) && pc + 1 + k === n - 1) found.push("ja-to-last");
    if (cls === BPF_JMP && bpfOp(code) !== BPF_JA && (pc + 1 + jt === n - 1 || pc + 1 + jf === n - 1))
      found.push("jcond-to-last");
  }
  return found;
}

/** The validator edges and limits a load reaches. */
function loadEdgesIn(input: LoadInput): string[] {
  const { program, attach } = input;
  const found: string[] = [];
  const n = program.length;
  if ((LIMIT_LENGTHS as readonly number[]).includes(n)) found.push(`length-${n}-${attach}`);
  for (const [pc, [code, jt, jf, k]] of program.entries()) {
    const cls = bpfClass(code);
    if (cls === BPF_ALU && bpfSrc(code) !== BPF_X && (bpfOp(code) === BPF_LSH || bpfOp(code) === BPF_RSH)) {
      if (k === 32 || k === 33) found.push(`shift-k-${k}`);
      if (k === 0xffffffff) found.push("shift-k-ffffffff");
    }
    if (code === (BPF_ALU | BPF_DIV) && k === 0) found.push("div-k-0");
    if (code === (BPF_ALU | BPF_MOD) && k === 0) found.push("mod-k-0");
    if ([BPF_ST, BPF_STX, BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM].includes(code) && k === 16) found.push("scratch-16");
    if (code === (BPF_JMP | BPF_JA)) {
      if (pc + 1 + k === n) found.push("ja-one-past");
      if (k === 0xffffffff) found.push("ja-ffffffff");
      else if (pc + 1 + k >= 2 ** 32) found.push("ja-wraps");
    }
    if (cls === BPF_JMP && bpfOp(code) !== BPF_JA && (pc + 1 + jt === n || pc + 1 + jf === n))
      found.push("jcond-one-past");
  }
  return found;
}

const packetLength = (hex: string) => hex.length / 2;
const runClasses = (input: RunInput) => runEdgesIn(input.program, packetLength(input.packets[0]!));
const RUN_CLASSES = RUN_EDGES.map(String);
const LOAD_CLASSES = [...LOAD_EDGES, ...LIMIT_LENGTHS.flatMap((n) => [`length-${n}-socket`, `length-${n}-xt_bpf`])];

const sessionClasses = (input: SessionInput) =>
  input.steps.flatMap((s) => [
    ...loadEdgesIn(s.load),
    ...(s.packets.length ? runEdgesIn(s.load.program, packetLength(s.packets[0]!)) : []),
  ]);

describe("bpf boundaries in every default run", () => {
  it("the properties that run programs reach every run-time edge", () => {
    const reached = seedsReaching([
      { property: property<RunInput>("run-matches-model"), classify: runClasses },
      { property: property<RunInput>("accepted-program-returns"), classify: runClasses },
      { property: property<SessionInput>("session-matches-model"), classify: sessionClasses },
    ]);
    expectEveryClassEverySeed(reached, RUN_CLASSES);
  });
  it("the properties that load programs reach every validator edge and length limit at both attach points", () => {
    const reached = seedsReaching([
      { property: property<LoadInput>("load-errno-matches-model"), classify: loadEdgesIn },
      { property: property<SessionInput>("session-matches-model"), classify: sessionClasses },
    ]);
    expectEveryClassEverySeed(reached, LOAD_CLASSES);
  });
});
