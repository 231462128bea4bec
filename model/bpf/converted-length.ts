// How long the kernel's eBPF translation of a classic program is, instruction
// by instruction: net/core/filter.c bpf_convert_filter(), convert_bpf_ld_abs(),
// convert_bpf_extensions(), convert_skb_access() on x86_64 (unaligned access
// is efficient, NET_IP_ALIGN 0). The length matters twice at load time:
// jumps whose converted offset does not fit insn->off (s16) are refused
// (BPF_EMIT_JMP, -EINVAL), as are jumps placed past converted position
// 32,767 (see convertProgram), and SO_ATTACH_FILTER charges bpf_prog_size(len)
// against optmem_max (__sk_filter_charge(), -ENOMEM).
import {
  ancillaryOf,
  BPF_A,
  BPF_ABS,
  BPF_ALU,
  BPF_B,
  BPF_DIV,
  BPF_IND,
  BPF_JA,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JMP,
  BPF_K,
  BPF_LD,
  BPF_LDX,
  BPF_MOD,
  BPF_MSH,
  BPF_RET,
  BPF_X,
  bpfClass,
  bpfMode,
  bpfOp,
  bpfRval,
  bpfSize,
  bpfSrc,
  type Insn,
  type Program,
} from "./opcodes.js";

/** convert_bpf_ld_abs(): the eBPF instructions of an ABS or IND load of `size` at k. */
function ldAbsLength(code: number, k: number): number {
  const indirect = bpfMode(code) === BPF_IND;
  const endian = bpfSize(code) !== BPF_B;
  const offset = k | 0;
  // The slow path: ARG1..ARG4 (+ ADD k for IND), CALL, JSGE, XOR, EXIT.
  const slow = indirect ? 4 + (offset !== 0 ? 1 : 0) + 1 + 3 : 4 + 1 + 3;
  if (indirect || offset < 0) return slow;
  // The fast path for a non-negative absolute offset: MOV, SUB (k != 0),
  // JSLT, LDX (three when k > S16_MAX), ENDIAN for H/W, JA.
  const fast = 1 + (offset !== 0 ? 1 : 0) + 1 + (offset <= 0x7fff ? 1 : 3) + (endian ? 1 : 0) + 1;
  return fast + slow;
}

/** convert_bpf_extensions(): ancillary loads, or undefined for a plain load. */
function ancillaryLength(k: number): number | undefined {
  switch (ancillaryOf(k)) {
    case "protocol":
    case "vlan_tpid":
      return 2; // LDX + ENDIAN
    case "pkttype":
      return 2; // LDX + AND (little endian)
    case "ifindex":
    case "hatype":
      return 4; // LDX dev, JNE, EXIT, LDX field
    case "mark":
    case "rxhash":
    case "queue":
    case "vlan_tag":
    case "alu_xor_x":
      return 1;
    case "vlan_tag_present":
      return 3; // LDX vlan_all, JEQ, MOV (since "net: remove skb->vlan_present", 2022)
    case "pay_offset":
    case "nlattr":
    case "nlattr_nest":
    case "cpu":
    case "random":
      return 4; // three MOVs and a CALL
    case undefined:
      return undefined;
  }
}

/** The eBPF instructions one classic instruction becomes (tmp_insns of bpf_convert_filter()). */
export function convertedLength(ins: Insn): number {
  const [code, jt, jf, k] = ins;
  switch (bpfClass(code)) {
    case BPF_ALU:
      return code === (BPF_ALU | BPF_DIV | BPF_X) || code === (BPF_ALU | BPF_MOD | BPF_X) ? 5 : 1;
    case BPF_LD:
      if (bpfMode(code) === BPF_ABS) return ancillaryLength(k) ?? ldAbsLength(code, k);
      if (bpfMode(code) === BPF_IND) return ldAbsLength(code, k);
      return 1;
    case BPF_LDX:
      // MSH: X = A, the byte load, AND, LSH, three MOVs.
      return bpfMode(code) === BPF_MSH ? 1 + ldAbsLength(BPF_LD | BPF_B | BPF_ABS, k) + 5 : 1;
    case BPF_RET:
      return bpfRval(code) === BPF_A ? 1 : 2;
    case BPF_JMP: {
      if (bpfOp(code) === BPF_JA) return 1;
      // A negative (as int) K is first moved into a temporary register.
      const tmp = bpfSrc(code) === BPF_K && (k | 0) < 0 ? 1 : 0;
      if (jf === 0) return tmp + 1;
      if (jt === 0 && [BPF_JEQ, BPF_JGT, BPF_JGE].includes(bpfOp(code))) return tmp + 1;
      return tmp + 2;
    }
    default:
      return 1; // ST, STX, MEM, IMM, LEN, TAX, TXA
  }
}

/** Whether the prologue caches skb->data and headlen (seen_ld_abs). */
function seesLdAbs(program: Program): boolean {
  return program.some(([code, , , k]) => {
    if (bpfClass(code) === BPF_LDX) return bpfMode(code) === BPF_MSH;
    if (bpfClass(code) !== BPF_LD) return false;
    return bpfMode(code) === BPF_IND || (bpfMode(code) === BPF_ABS && ancillaryOf(k) === undefined);
  });
}

export interface Conversion {
  /** fp->len after bpf_migrate_filter(). */
  length: number;
  /** The first classic jump whose converted offset does not fit s16, if any. */
  jumpOutOfRange?: number;
}

/** bpf_convert_filter(): the converted length and whether every jump fits. */
export function convertProgram(program: Program): Conversion {
  const prologue = 3 + (seesLdAbs(program) ? 4 : 0);
  const addrs: number[] = [];
  let at = prologue;
  for (const ins of program) {
    addrs.push(at);
    at += convertedLength(ins);
  }
  for (let i = 0; i < program.length; i++) {
    const [code, jt, jf, k] = program[i]!;
    if (bpfClass(code) !== BPF_JMP) continue;
    // off = addrs[target] - addrs[i] - 1 - (position of the jump in tmp_insns)
    const offsets: { target: number; position: number }[] = [];
    if (bpfOp(code) === BPF_JA) offsets.push({ target: i + k + 1, position: 0 });
    else {
      const tmp = bpfSrc(code) === BPF_K && (k | 0) < 0 ? 1 : 0;
      if (jf === 0) offsets.push({ target: i + jt + 1, position: tmp });
      else if (jt === 0 && [BPF_JEQ, BPF_JGT, BPF_JGE].includes(bpfOp(code)))
        offsets.push({ target: i + jf + 1, position: tmp });
      else offsets.push({ target: i + jt + 1, position: tmp }, { target: i + jf + 1, position: tmp + 1 });
    }
    for (const { target, position } of offsets) {
      const off = (addrs[target] ?? 0) - addrs[i]! - 1 - position;
      // The first pass that writes the program runs with addrs[] kcalloc'd and
      // filled as it goes, so every (forward) target still reads 0 there:
      // off = 0 - addrs[i] - 1 - position, refused below S16_MIN. A jump whose
      // own converted position passes 32,767 is refused however short it is
      // (measured on 6.18: a JEQ at position 32,767 loads, one at 32,780 gets EINVAL).
      const firstPass = -addrs[i]! - 1 - position;
      if (firstPass < -0x8000 || off < -0x8000 || off > 0x7fff) return { length: at, jumpOutOfRange: i };
    }
  }
  return { length: at };
}
