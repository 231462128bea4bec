// Whether the kernel takes a classic program, and with which errno, for the
// two attach points of the adapter protocol. Each rule is the kernel's, in the
// kernel's order:
//  socket (SO_ATTACH_FILTER): sk_attach_filter() -> __get_filter():
//    bpf_check_basics_ok(), bpf_prepare_filter() -> bpf_check_classic()
//    [chk_code_allowed() and the per-opcode checks, pc by pc; the final RET;
//    check_load_and_stores()], bpf_migrate_filter() -> bpf_convert_filter()
//    [jump offsets], then __sk_attach_prog() -> __sk_filter_charge() [optmem].
//  xt_bpf revision 0: bpf_mt_check() -> __bpf_mt_check_bytecode()
//    (net/netfilter/xt_bpf.c): len > XT_BPF_MAX_NUM_INSTR is -EINVAL, then
//    bpf_prog_create(); any failure of it is reported as -EINVAL.
import { convertProgram } from "./converted-length.js";
import { LINUX_SEMANTICS, type BpfSemantics } from "./semantics.js";
import {
  ancillaryOf,
  BPF_A,
  BPF_ABS,
  BPF_ALU,
  BPF_B,
  BPF_DIV,
  BPF_H,
  BPF_JA,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JMP,
  BPF_JSET,
  BPF_K,
  BPF_LD,
  BPF_LDX,
  BPF_LSH,
  BPF_MEM,
  BPF_MEMWORDS,
  BPF_MOD,
  BPF_RET,
  BPF_RSH,
  BPF_ST,
  BPF_STX,
  BPF_W,
  BPF_X,
  codeAllowed,
  SKF_AD_OFF,
  type Program,
} from "./opcodes.js";
import { EINVAL, ENOMEM } from "../../sys/errno.js";
import type { RuleTrace } from "../rules.js";
import { BPF_RULES } from "./rule-catalogue.js";

export type Attach = "socket" | "xt_bpf";
export const ATTACH_POINTS: readonly Attach[] = ["socket", "xt_bpf"];

/** Every reason the kernel refuses a program, named for reports and generator statistics. */
export const REJECTION_RULES = [
  "xt-count", // xt_bpf.c __bpf_mt_check_bytecode: len > XT_BPF_MAX_NUM_INSTR
  "length", // bpf_check_basics_ok: flen == 0 || flen > BPF_MAXINSNS
  "opcode", // chk_code_allowed
  "div-by-zero", // bpf_check_classic: DIV/MOD K with k == 0
  "shift-range", // bpf_check_classic: LSH/RSH K with k >= 32
  "scratch-index", // bpf_check_classic: LD/LDX MEM, ST, STX with k >= BPF_MEMWORDS
  "ja-range", // bpf_check_classic: JA with k >= flen - pc - 1
  "jcond-range", // bpf_check_classic: pc + jt + 1 >= flen || pc + jf + 1 >= flen
  "ancillary-unknown", // bpf_check_classic: ABS load with k >= SKF_AD_OFF that bpf_anc_helper does not know
  "no-final-ret", // bpf_check_classic: last instruction not RET K / RET A
  "scratch-unwritten", // check_load_and_stores: a load of a cell not written on every path
  "jump-offset", // bpf_convert_filter BPF_EMIT_JMP: converted offset outside s16
  "optmem", // __sk_filter_charge: bpf_prog_size(len) over optmem_max
] as const;
export type RejectionRule = (typeof REJECTION_RULES)[number];

export interface Verdict {
  errno: number;
  /** Why it was refused; absent when accepted. */
  rule?: RejectionRule;
  /** The instruction the rule fired on, where there is one. */
  pc?: number;
}

/** sysctl net.core.optmem_max default (128 KiB since 6.6: "net: increase optmem_max default value"). */
export const OPTMEM_MAX = 131072;
/**
 * offsetof(struct bpf_prog, insns) on this kernel: bpf_prog_size(len) is
 * max(sizeof(struct bpf_prog), this + len * 8). Measured on 6.18 x86_64 by
 * attaching programs of growing converted length: 16,371 eBPF instructions
 * are charged, 16,372 are refused with ENOMEM (test/iut/bpf-linux.test.ts).
 */
export const BPF_PROG_INSNS_OFFSET = 96;

export function bpfProgSize(ebpfLength: number): number {
  return BPF_PROG_INSNS_OFFSET + ebpfLength * 8;
}

/** bpf_check_classic() and check_load_and_stores(), net/core/filter.c. */
export function checkClassic(program: Program, semantics: BpfSemantics = LINUX_SEMANTICS): Verdict {
  const flen = program.length;
  for (let pc = 0; pc < flen; pc++) {
    const [code, jt, jf, k] = program[pc]!;
    if (!codeAllowed(code)) return { errno: EINVAL, rule: "opcode", pc };
    switch (code) {
      case BPF_ALU | BPF_DIV | BPF_K:
      case BPF_ALU | BPF_MOD | BPF_K:
        if (k === 0) return { errno: EINVAL, rule: "div-by-zero", pc };
        break;
      case BPF_ALU | BPF_LSH | BPF_K:
      case BPF_ALU | BPF_RSH | BPF_K:
        if (k >= 32) return { errno: EINVAL, rule: "shift-range", pc };
        break;
      case BPF_LD | BPF_MEM:
      case BPF_LDX | BPF_MEM:
      case BPF_ST:
      case BPF_STX:
        if (k >= BPF_MEMWORDS) return { errno: EINVAL, rule: "scratch-index", pc };
        break;
      case BPF_JMP | BPF_JA:
        // k is u32, flen - pc - 1 cast to unsigned: only forward jumps inside the program.
        if (k >= flen - pc - 1) return { errno: EINVAL, rule: "ja-range", pc };
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
      case BPF_JMP | BPF_JEQ | BPF_X:
      case BPF_JMP | BPF_JGE | BPF_K:
      case BPF_JMP | BPF_JGE | BPF_X:
      case BPF_JMP | BPF_JGT | BPF_K:
      case BPF_JMP | BPF_JGT | BPF_X:
      case BPF_JMP | BPF_JSET | BPF_K:
      case BPF_JMP | BPF_JSET | BPF_X:
        if (pc + jt + 1 >= flen + semantics.jumpTargetSlack || pc + jf + 1 >= flen + semantics.jumpTargetSlack)
          return { errno: EINVAL, rule: "jcond-range", pc };
        break;
      case BPF_LD | BPF_W | BPF_ABS:
      case BPF_LD | BPF_H | BPF_ABS:
      case BPF_LD | BPF_B | BPF_ABS:
        // k >= SKF_AD_OFF compares u32 with (int)-0x1000 converted to unsigned.
        if (ancillaryOf(k) === undefined && k >= SKF_AD_OFF) return { errno: EINVAL, rule: "ancillary-unknown", pc };
        break;
    }
  }
  const last = program[flen - 1]![0];
  if (last !== (BPF_RET | BPF_K) && last !== (BPF_RET | BPF_A))
    return { errno: EINVAL, rule: "no-final-ret", pc: flen - 1 };
  return semantics.checkScratchWritten ? checkLoadAndStores(program) : { errno: 0 };
}

/**
 * check_load_and_stores(): one linear pass with a 16-bit mask of cells
 * written; a jump ANDs the mask into its targets and the mask after a jump is
 * all ones, so what reaches an instruction is the AND over its predecessors.
 */
export function checkLoadAndStores(program: Program): Verdict {
  // One extra slot: a lenient validator (a mutant's) may let a jump reach flen.
  const masks = new Array<number>(program.length + 1).fill(0xffff);
  let memvalid = 0;
  for (let pc = 0; pc < program.length; pc++) {
    memvalid &= masks[pc]!;
    const [code, jt, jf, k] = program[pc]!;
    switch (code) {
      case BPF_ST:
      case BPF_STX:
        memvalid |= 1 << k;
        break;
      case BPF_LD | BPF_MEM:
      case BPF_LDX | BPF_MEM:
        if (!(memvalid & (1 << k))) return { errno: EINVAL, rule: "scratch-unwritten", pc };
        break;
      case BPF_JMP | BPF_JA:
        masks[pc + 1 + k] = masks[pc + 1 + k]! & memvalid;
        memvalid = 0xffff;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
      case BPF_JMP | BPF_JEQ | BPF_X:
      case BPF_JMP | BPF_JGE | BPF_K:
      case BPF_JMP | BPF_JGE | BPF_X:
      case BPF_JMP | BPF_JGT | BPF_K:
      case BPF_JMP | BPF_JGT | BPF_X:
      case BPF_JMP | BPF_JSET | BPF_K:
      case BPF_JMP | BPF_JSET | BPF_X:
        masks[pc + 1 + jt] = masks[pc + 1 + jt]! & memvalid;
        masks[pc + 1 + jf] = masks[pc + 1 + jf]! & memvalid;
        memvalid = 0xffff;
        break;
    }
  }
  return { errno: 0 };
}

/** bpf_prog_create() / __get_filter(): basics, the classic checks, then the conversion. */
function prepare(program: Program, semantics: BpfSemantics): Verdict {
  if (program.length === 0 || program.length > semantics.maxInstructions) return { errno: EINVAL, rule: "length" };
  const classic = checkClassic(program, semantics);
  if (classic.errno !== 0) return classic;
  const converted = convertProgram(program);
  if (converted.jumpOutOfRange !== undefined)
    return { errno: EINVAL, rule: "jump-offset", pc: converted.jumpOutOfRange };
  return { errno: 0 };
}

/** The kernel's answer to loading `program` at `attach`; the rule that decided it goes to `trace`. */
export function validate(
  program: Program,
  attach: Attach,
  semantics: BpfSemantics = LINUX_SEMANTICS,
  trace?: RuleTrace,
): Verdict {
  const verdict = validateAt(program, attach, semantics);
  trace?.hit(BPF_RULES[verdict.rule ?? "accepted"], verdict.pc === undefined ? attach : `${attach}, pc ${verdict.pc}`);
  return verdict;
}

function validateAt(program: Program, attach: Attach, semantics: BpfSemantics): Verdict {
  if (attach === "xt_bpf") {
    if (program.length > semantics.xtMaxInstructions) return { errno: EINVAL, rule: "xt-count" };
    const v = prepare(program, semantics);
    // bpf_mt_check reports every bpf_prog_create failure as -EINVAL ("check failed: parse error").
    return v.errno === 0 ? v : { ...v, errno: EINVAL };
  }
  const v = prepare(program, semantics);
  if (v.errno !== 0) return v;
  // __sk_filter_charge(): filter_size <= optmem_max && omem_alloc + filter_size < optmem_max
  // (a fresh socket has charged nothing).
  if (bpfProgSize(convertProgram(program).length) >= OPTMEM_MAX) return { errno: ENOMEM, rule: "optmem" };
  return { errno: 0 };
}
