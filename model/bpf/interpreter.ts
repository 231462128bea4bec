// The reference interpreter: classic BPF as the kernel runs it after
// bpf_convert_filter() (net/core/filter.c), one instruction at a time. It
// assumes a program the validator accepted (forward jumps, a final RET,
// scratch written before read), so it always terminates.
import { CONTEXT_RULES, type ContextRules } from "./contexts.js";
import { nlattr, nlattrNest } from "./nlattr.js";
import {
  ancillaryOf,
  BPF_A,
  BPF_ABS,
  BPF_ADD,
  BPF_ALU,
  BPF_AND,
  BPF_B,
  BPF_DIV,
  BPF_H,
  BPF_IMM,
  BPF_IND,
  BPF_JA,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JMP,
  BPF_JSET,
  BPF_LD,
  BPF_LDX,
  BPF_LEN,
  BPF_LSH,
  BPF_MEM,
  BPF_MISC,
  BPF_MOD,
  BPF_MSH,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_RET,
  BPF_RSH,
  BPF_ST,
  BPF_STX,
  BPF_SUB,
  BPF_TAX,
  BPF_X,
  BPF_XOR,
  bpfClass,
  bpfMode,
  bpfOp,
  bpfRval,
  bpfSize,
  bpfSrc,
  SKF_LL_OFF,
  SKF_NET_OFF,
  type AncillaryName,
  type Program,
} from "./opcodes.js";
import { LINUX_SEMANTICS, type BpfSemantics } from "./semantics.js";
import type { Attach } from "./validator.js";

export interface RunEnvironment {
  /** The value an "any" ancillary load gives (the model's choice; the default is 0). */
  anyAncillary?(name: AncillaryName): number;
  /** The value an "any" link-layer load gives. */
  anyLinkLayer?(offset: number, size: number): number;
}

export interface RunResult {
  /** The program's return value (u32). */
  returned: number;
  /** False when a load not determined by the request ran. */
  deterministic: boolean;
  /** Instructions executed. */
  steps: number;
}

/** Where a packet load ends up: a value, a failed load (program returns 0), or an undetermined link-layer read. */
type Loaded = { value: number } | { fail: true } | { any: true };

function readBE(p: Uint8Array, at: number, size: number): number {
  if (size === 1) return p[at]!;
  if (size === 2) return (p[at]! << 8) | p[at + 1]!;
  return ((p[at]! << 24) | (p[at + 1]! << 16) | (p[at + 2]! << 8) | p[at + 3]!) >>> 0;
}

/**
 * bpf_skb_load_helper_{8,16,32}() with bpf_internal_load_pointer_neg_helper():
 * an int offset >= 0 reads the packet; [SKF_NET_OFF, 0) reads from the
 * network header (the packet's start in both contexts); [SKF_LL_OFF,
 * SKF_NET_OFF) from the MAC header; anything out of bounds fails.
 */
export function loadPacket(packet: Uint8Array, offset: number, size: number, rules: ContextRules): Loaded {
  let at = offset | 0;
  if (at < 0) {
    const u = at >>> 0;
    if (u >= SKF_NET_OFF) at = u - SKF_NET_OFF;
    else if (u >= SKF_LL_OFF) return rules.linkLayer === "any" ? { any: true } : { fail: true };
    else return { fail: true };
  }
  if (at + size > packet.length) return { fail: true };
  return { value: readBE(packet, at, size) };
}

export const SIZE_BYTES: Record<number, number> = { 0: 4, [BPF_H]: 2, [BPF_B]: 1 };

/** The count an ALU32 shift uses, or null when the semantics make a count >= 32 give 0. */
function shiftCount(count: number, semantics: BpfSemantics): number | null {
  return semantics.shiftByX === "zero" && count >= 32 ? null : count & 31;
}

/** Runs an accepted program on one packet in the given context. */
export function runProgram(
  program: Program,
  packet: Uint8Array,
  attach: Attach,
  env: RunEnvironment = {},
  semantics: BpfSemantics = LINUX_SEMANTICS,
): RunResult {
  const rules = CONTEXT_RULES[attach];
  const mem = new Uint32Array(16);
  let a = 0;
  let x = 0;
  let deterministic = true;
  let steps = 0;
  const done = (returned: number): RunResult => ({ returned: returned >>> 0, deterministic, steps });
  for (let pc = 0; ; pc++) {
    const ins = program[pc];
    if (ins === undefined) throw new Error(`fell off the end of the program at pc ${pc}: not a validated program`);
    steps++;
    const [code, jt, jf, k] = ins;
    switch (bpfClass(code)) {
      case BPF_RET:
        return done(bpfRval(code) === BPF_A ? a : k);
      case BPF_LD: {
        const mode = bpfMode(code);
        if (mode === BPF_IMM) a = k;
        else if (mode === BPF_MEM) a = mem[k]!;
        else if (mode === BPF_LEN) a = packet.length;
        else {
          const anc = mode === BPF_ABS ? ancillaryOf(k) : undefined;
          if (anc !== undefined) {
            const b = rules.ancillary[anc];
            switch (b.kind) {
              case "value":
                a = b.value;
                break;
              case "ethertype":
                a = packet[0]! >> 4 === 6 ? 0x86dd : 0x0800;
                break;
              case "exit-a":
                return done(a);
              case "any":
                deterministic = false;
                a = (env.anyAncillary?.(anc) ?? 0) >>> 0;
                break;
              case "computed":
                a =
                  anc === "alu_xor_x"
                    ? (a ^ x) >>> 0
                    : anc === "nlattr"
                      ? nlattr(packet, a, x)
                      : nlattrNest(packet, a, x);
                break;
            }
            break;
          }
          const size = SIZE_BYTES[bpfSize(code)]!;
          // IND: the helper gets (int)(X + k), a 64-bit sum truncated to an int.
          const offset = mode === BPF_IND ? (x + k) | 0 : k | 0;
          const loaded = loadPacket(packet, offset, size, rules);
          if ("fail" in loaded) {
            if (semantics.failedLoad === "return-0") return done(0);
            a = 0;
          } else if ("any" in loaded) {
            deterministic = false;
            a = (env.anyLinkLayer?.(offset, size) ?? 0) >>> 0;
          } else a = loaded.value;
        }
        break;
      }
      case BPF_LDX: {
        const mode = bpfMode(code);
        if (mode === BPF_IMM) x = k;
        else if (mode === BPF_MEM) x = mem[k]!;
        else if (mode === BPF_LEN) x = packet.length;
        else if (mode === BPF_MSH) {
          // X = 4 * (P[k] & 0xf), through the same byte-load helper (negative k included).
          const loaded = loadPacket(packet, k | 0, 1, rules);
          let byte: number;
          if ("fail" in loaded) {
            if (semantics.failedLoad === "return-0") return done(0);
            byte = 0;
          } else if ("any" in loaded) {
            deterministic = false;
            byte = env.anyLinkLayer?.(k | 0, 1) ?? 0;
          } else byte = loaded.value;
          x = semantics.msh === "low-nibble" ? (byte & 0xf) << 2 : (byte >> 4) << 2;
        }
        break;
      }
      case BPF_ST:
        mem[k] = a;
        break;
      case BPF_STX:
        mem[k] = x;
        break;
      case BPF_ALU: {
        const src = bpfSrc(code) === BPF_X ? x : k;
        switch (bpfOp(code)) {
          case BPF_ADD:
            a = (a + src) >>> 0;
            break;
          case BPF_SUB:
            a = (a - src) >>> 0;
            break;
          case BPF_MUL:
            a = Math.imul(a, src) >>> 0;
            break;
          case BPF_DIV:
            // Division by X == 0 ends the program returning 0 (bpf_convert_filter: "For cBPF programs, this was always return 0").
            if (src === 0) {
              if (semantics.divideByZero === "return-0") return done(0);
              a = 0;
            } else a = Math.floor(a / src) >>> 0;
            break;
          case BPF_MOD:
            if (src === 0) {
              if (semantics.divideByZero === "return-0") return done(0);
              a = 0;
            } else a = (a % src) >>> 0;
            break;
          case BPF_AND:
            a = (a & src) >>> 0;
            break;
          case BPF_OR:
            a = (a | src) >>> 0;
            break;
          case BPF_XOR:
            a = (a ^ src) >>> 0;
            break;
          // ALU32 shifts mask the count to 5 bits (kernel/bpf/core.c ALU_LSH_X: SRC & 31; x86 shl/shr).
          case BPF_LSH:
            a = shiftCount(src, semantics) === null ? 0 : (a << (src & 31)) >>> 0;
            break;
          case BPF_RSH:
            a = shiftCount(src, semantics) === null ? 0 : a >>> (src & 31);
            break;
          case BPF_NEG:
            a = -a >>> 0;
            break;
        }
        break;
      }
      case BPF_JMP: {
        if (bpfOp(code) === BPF_JA) {
          pc += k;
          break;
        }
        const src = bpfSrc(code) === BPF_X ? x : k;
        let taken: boolean;
        switch (bpfOp(code)) {
          case BPF_JEQ:
            taken = a === src;
            break;
          case BPF_JGT:
            taken = a > src;
            break;
          case BPF_JGE:
            taken = a >= src;
            break;
          case BPF_JSET:
            taken = (a & src) !== 0;
            break;
          default:
            throw new Error(`unknown jump 0x${code.toString(16)}`);
        }
        pc += taken ? jt : jf;
        break;
      }
      case BPF_MISC:
        if ((code & 0xf8) === BPF_TAX) x = a;
        else a = x;
        break;
    }
  }
}
