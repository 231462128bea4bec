// Deliberately broken classic BPF IUTs: the model with one rule of its
// semantics wrong each (model/bpf/semantics.ts). The test suite asserts that
// each one is caught with a shrunk program and packet.
import { contextResult } from "../../model/bpf/contexts.js";
import { BPF_ALU, BPF_JA, BPF_JMP, BPF_K, BPF_LSH, BPF_RSH, insn, type Insn } from "../../model/bpf/opcodes.js";
import { LINUX_SEMANTICS, type BpfSemantics } from "../../model/bpf/semantics.js";
import { validate } from "../../model/bpf/validator.js";
import { loadWith, runWith } from "../model/bpf-handlers.js";
import type { OpHandler } from "../model/model-state.js";
import { readLoadRequest } from "../ops/bpf.js";
import type { MutantDefinition } from "./mutant.js";

function withSemantics(name: string, description: string, change: Partial<BpfSemantics>): MutantDefinition {
  const semantics = { ...LINUX_SEMANTICS, ...change };
  return { name, description, overrides: { "bpf.load": loadWith(semantics), "bpf.run": runWith(semantics) } };
}

/**
 * A validator that lets through the instructions `lenient` matches: it
 * checks (and keeps, for running) the program with each of them replaced by
 * `stand-in`, an instruction that does what the lenient one would at run time.
 */
function lenientLoad(lenient: (ins: Insn, pc: number, program: readonly Insn[]) => Insn | null): OpHandler {
  return (params, state) => {
    const { program, attach } = readLoadRequest(params);
    const checked = program.map((ins, pc) => lenient(ins, pc, program) ?? ins);
    const { errno } = validate(checked, attach);
    if (errno !== 0) return { errno };
    const handle = `bpf-${state.bpf.nextHandle++}`;
    state.bpf.programs.set(handle, { program: checked, attach });
    return { errno: 0, handle };
  };
}

function withLenientLoad(
  name: string,
  description: string,
  lenient: (ins: Insn, pc: number, program: readonly Insn[]) => Insn | null,
): MutantDefinition {
  return { name, description, overrides: { "bpf.load": lenientLoad(lenient), "bpf.run": runWith(LINUX_SEMANTICS) } };
}

const U32 = 2 ** 32;

export const BPF_MUTANTS: readonly MutantDefinition[] = [
  withSemantics(
    "bpf-div-by-x-zero-continues",
    "division or modulo by X == 0 sets A to 0 and goes on instead of returning 0",
    { divideByZero: "zero-continues" },
  ),
  withSemantics(
    "bpf-shift-by-x-unmasked",
    "a shift by X of 32 or more gives 0 (libpcap's rule) instead of using X & 31",
    { shiftByX: "zero" },
  ),
  withSemantics("bpf-scratch-unchecked", "accepts loads of scratch cells no path wrote (no check_load_and_stores)", {
    checkScratchWritten: false,
  }),
  withSemantics("bpf-jump-range-off-by-one", "accepts a conditional jump to one past the last instruction", {
    jumpTargetSlack: 1,
  }),
  withSemantics("bpf-xt-accepts-65", "xt_bpf accepts 65 instructions (> 65 instead of > 64)", {
    xtMaxInstructions: 65,
  }),
  withSemantics(
    "bpf-oob-load-continues",
    "an out-of-bounds load gives 0 and the program goes on instead of returning 0",
    { failedLoad: "zero-continues" },
  ),
  withSemantics("bpf-msh-high-nibble", "ldxb 4*([k]&0xf) takes the high nibble of the byte", { msh: "high-nibble" }),
  {
    name: "bpf-socket-not-trimmed",
    description: "a socket accepts the whole datagram whenever the program returns non-zero (no min(return, length))",
    overrides: {
      "bpf.load": loadWith(LINUX_SEMANTICS),
      "bpf.run": runWith(LINUX_SEMANTICS, (attach, returned, length) =>
        attach === "socket" && returned !== 0 ? length : contextResult(attach, returned, length),
      ),
    },
  },
  withSemantics(
    "bpf-vlan-tag-cfi-masked",
    "SKF_AD_VLAN_TAG masks bit 12 of the tci (~VLAN_TAG_PRESENT, kernels before 5.0) instead of giving it whole",
    { vlanTag: "without-cfi" },
  ),
  withSemantics(
    "bpf-vlan-present-cfi-bit",
    "SKF_AD_VLAN_TAG_PRESENT reads bit 12 of the tci (kernels before 5.0) instead of vlan_all != 0",
    { vlanPresent: "cfi-bit" },
  ),
  withSemantics("bpf-link-layer-from-data", "SKF_LL_OFF + n reads from the packet's start instead of the MAC header", {
    linkLayerBase: "data",
  }),
  withSemantics(
    "bpf-protocol-network-order",
    "SKF_AD_PROTOCOL gives skb->protocol in network byte order (no BPF_ENDIAN(BPF_FROM_BE, 16) after the load)",
    { protocolOrder: "network" },
  ),
  withSemantics(
    "bpf-rxhash-half",
    "SKF_AD_RXHASH loads the low 16 bits of skb->hash (BPF_H) instead of the whole word",
    { rxhashLoad: "half" },
  ),
  withSemantics("bpf-accepts-4097", "accepts a 4,097-instruction program (flen > BPF_MAXINSNS + 1)", {
    maxInstructions: 4097,
  }),
  withLenientLoad(
    "bpf-shift-k-32-accepted",
    "refuses a shift by constant only above 32 (k > 32 instead of k >= 32); the shift by 32 then uses 32 & 31",
    ([code, , , k]) =>
      (code === (BPF_ALU | BPF_LSH | BPF_K) || code === (BPF_ALU | BPF_RSH | BPF_K)) && k === 32
        ? insn(code, 0, 0, 0)
        : null,
  ),
  withLenientLoad(
    "bpf-ja-wraps",
    "checks a JA's target as pc + 1 + k in 32 bits, so a k that wraps past 2^32 to inside the program is accepted (run as JA 0)",
    ([code, , , k], pc, program) =>
      code === (BPF_JMP | BPF_JA) && pc + 1 + k >= U32 && pc + 1 + k - U32 < program.length
        ? insn(code, 0, 0, 0)
        : null,
  ),
];
