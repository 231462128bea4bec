// Classic BPF encoding: include/uapi/linux/bpf_common.h and
// include/uapi/linux/filter.h. An instruction is struct sock_filter
// { u16 code; u8 jt; u8 jf; u32 k; }, written here as [code, jt, jf, k].

/** One struct sock_filter. k is kept as an unsigned 32-bit number. */
export type Insn = readonly [code: number, jt: number, jf: number, k: number];
export type Program = readonly Insn[];

// Instruction classes (bpf_common.h BPF_CLASS).
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_MISC = 0x07;

// ld/ldx size and mode (BPF_SIZE, BPF_MODE).
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_LEN = 0x80;
export const BPF_MSH = 0xa0;

// alu/jmp operation (BPF_OP) and source (BPF_SRC).
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_K = 0x00;
export const BPF_X = 0x08;
// ret source (BPF_RVAL) and misc op (BPF_MISCOP), filter.h.
export const BPF_A = 0x10;
export const BPF_TAX = 0x00;
export const BPF_TXA = 0x80;

export const bpfClass = (code: number) => code & 0x07;
export const bpfSize = (code: number) => code & 0x18;
export const bpfMode = (code: number) => code & 0xe0;
export const bpfOp = (code: number) => code & 0xf0;
export const bpfSrc = (code: number) => code & 0x08;
export const bpfRval = (code: number) => code & 0x18;

/** filter.h: BPF_MAXINSNS, BPF_MEMWORDS. */
export const BPF_MAXINSNS = 4096;
export const BPF_MEMWORDS = 16;

// Negative offsets (filter.h), as unsigned 32-bit k values.
export const SKF_AD_OFF = 0xfffff000; // -0x1000
export const SKF_NET_OFF = 0xfff00000; // -0x100000
export const SKF_LL_OFF = 0xffe00000; // -0x200000

/** filter.h SKF_AD_*: ancillary loads at SKF_AD_OFF + offset. */
export const ANCILLARY = {
  protocol: 0,
  pkttype: 4,
  ifindex: 8,
  nlattr: 12,
  nlattr_nest: 16,
  mark: 20,
  queue: 24,
  hatype: 28,
  rxhash: 32,
  cpu: 36,
  alu_xor_x: 40,
  vlan_tag: 44,
  vlan_tag_present: 48,
  pay_offset: 52,
  random: 56,
  vlan_tpid: 60,
} as const;
export type AncillaryName = keyof typeof ANCILLARY;
export const ANCILLARY_NAMES = Object.keys(ANCILLARY) as AncillaryName[];
/** SKF_AD_MAX */
export const SKF_AD_MAX = 64;

/** The ancillary load a k value names (include/linux/filter.h bpf_anc_helper(): exact k values only). */
export function ancillaryOf(k: number): AncillaryName | undefined {
  if (k < SKF_AD_OFF) return undefined;
  const off = k - SKF_AD_OFF;
  return ANCILLARY_NAMES.find((n) => ANCILLARY[n] === off);
}

/**
 * net/core/filter.c chk_code_allowed(): the 49 opcodes the kernel takes from
 * user space; anything else is refused with EINVAL.
 */
export const ALLOWED_CODES: readonly number[] = [
  // 32-bit ALU, K and X forms, and NEG
  ...[BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH].flatMap((op) => [
    BPF_ALU | op | BPF_K,
    BPF_ALU | op | BPF_X,
  ]),
  BPF_ALU | BPF_NEG,
  // loads
  BPF_LD | BPF_W | BPF_ABS,
  BPF_LD | BPF_H | BPF_ABS,
  BPF_LD | BPF_B | BPF_ABS,
  BPF_LD | BPF_W | BPF_LEN,
  BPF_LD | BPF_W | BPF_IND,
  BPF_LD | BPF_H | BPF_IND,
  BPF_LD | BPF_B | BPF_IND,
  BPF_LD | BPF_IMM,
  BPF_LD | BPF_MEM,
  BPF_LDX | BPF_W | BPF_LEN,
  BPF_LDX | BPF_B | BPF_MSH,
  BPF_LDX | BPF_IMM,
  BPF_LDX | BPF_MEM,
  // stores, misc, returns
  BPF_ST,
  BPF_STX,
  BPF_MISC | BPF_TAX,
  BPF_MISC | BPF_TXA,
  BPF_RET | BPF_K,
  BPF_RET | BPF_A,
  // jumps
  BPF_JMP | BPF_JA,
  ...[BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JSET].flatMap((op) => [BPF_JMP | op | BPF_K, BPF_JMP | op | BPF_X]),
];
const ALLOWED = new Set(ALLOWED_CODES);
export function codeAllowed(code: number): boolean {
  return ALLOWED.has(code);
}

export const isConditionalJump = (code: number) => bpfClass(code) === BPF_JMP && bpfOp(code) !== BPF_JA;

/** Classes used to report which opcodes a generator reaches. */
export function opcodeClassName(code: number): string {
  return ["ld", "ldx", "st", "stx", "alu", "jmp", "ret", "misc"][bpfClass(code)]!;
}

/** Normalises k to unsigned 32 bits (a program may carry SKF_AD_OFF as -4096). */
export function insn(code: number, jt: number, jf: number, k: number): Insn {
  return [code, jt, jf, k >>> 0];
}
