// The reference interpreter: classic BPF as the kernel runs it after
// bpf_convert_filter() (net/core/filter.c), one instruction at a time. It
// assumes a program the validator accepted (forward jumps, a final RET,
// scratch written before read), so it always terminates. runProgram() is the
// dispatch; below it, one function per instruction class (the shape of
// golang.org/x/net/bpf's vm.go and vm_instructions.go).
import { CONTEXT_RULES, contextRules, type ContextRules } from "./contexts.js";
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
  BPF_MEMWORDS,
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
  type Insn,
  type Program,
} from "./opcodes.js";
import { LINUX_SEMANTICS, type BpfSemantics } from "./semantics.js";
import type { SkbMeta } from "./skb.js";
import type { Attach } from "./validator.js";
import type { RuleTrace } from "../rules.js";
import { BPF_RULES } from "./rule-catalogue.js";

export interface RunEnvironment {
  /** The packet's metadata the request gives (skb.ts); absent fields keep the context's defaults. */
  skb?: SkbMeta;
  /** The value an "any" ancillary load gives (the model's choice; the default is 0). */
  anyAncillary?(name: AncillaryName): number;
  /** The value an "any" link-layer load gives. */
  anyLinkLayer?(offset: number, size: number): number;
  /** Called after each instruction with the registers it left (for the instruction trace of a report). */
  onStep?(pc: number, a: number, x: number): void;
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
 * network header (the packet's start unless the request moves it);
 * [SKF_LL_OFF, SKF_NET_OFF) from the MAC header on, when it was set; anything
 * past skb_tail_pointer() (the packet's end) fails.
 */
export function loadPacket(packet: Uint8Array, offset: number, size: number, rules: ContextRules): Loaded {
  let at = offset | 0;
  if (at < 0) {
    const u = at >>> 0;
    if (u >= SKF_NET_OFF) at = (rules.network ?? 0) + u - SKF_NET_OFF;
    else if (u >= SKF_LL_OFF) {
      const ll = rules.linkLayer;
      if (typeof ll === "string") return ll === "any" ? { any: true } : { fail: true };
      return loadFromMac(ll.mac, packet, u - SKF_LL_OFF, size);
    } else return { fail: true };
  }
  if (at + size > packet.length) return { fail: true };
  return { value: readBE(packet, at, size) };
}

/** A load at n bytes past skb_mac_header(): the MAC header, then the packet, up to the packet's end. */
function loadFromMac(mac: Uint8Array, packet: Uint8Array, at: number, size: number): Loaded {
  if (at + size > mac.length + packet.length) return { fail: true };
  let value = 0;
  for (let i = at; i < at + size; i++) value = value * 256 + (i < mac.length ? mac[i]! : packet[i - mac.length]!);
  return { value: value >>> 0 };
}

export const SIZE_BYTES: Record<number, number> = { 0: 4, [BPF_H]: 2, [BPF_B]: 1 };

/** One run's state (the Go VM's regA, regX, regScratch) and what its loads read. */
interface Machine {
  a: number;
  x: number;
  readonly mem: Uint32Array;
  /** False once a load not determined by the request ran. */
  deterministic: boolean;
  readonly packet: Uint8Array;
  readonly rules: ContextRules;
  readonly env: RunEnvironment;
  readonly semantics: BpfSemantics;
  /** Where the runtime rules applied go; the pc is kept only for it. */
  readonly trace: RuleTrace | undefined;
  pc: number;
}

/** Records a runtime rule at the current pc, when a trace is kept. */
function hit(m: Machine, rule: keyof typeof BPF_RULES): void {
  m.trace?.hit(BPF_RULES[rule], `pc ${m.pc}`);
}

/** The end of the program, with the value it returns (BPF_EXIT_INSN with R0). */
interface End {
  returned: number;
}
const end = (returned: number): End => ({ returned });

/** What an instruction does to control: how many instructions to skip (0: go on to the next), or the end. */
type Next = number | End;

/** Runs an accepted program on one packet in the given context. */
export function runProgram(
  program: Program,
  packet: Uint8Array,
  attach: Attach,
  env: RunEnvironment = {},
  semantics: BpfSemantics = LINUX_SEMANTICS,
  trace?: RuleTrace,
): RunResult {
  // A and X start at 0 (the conversion's prologue clears them); 16 scratch words.
  const m: Machine = {
    a: 0,
    x: 0,
    mem: new Uint32Array(BPF_MEMWORDS),
    deterministic: true,
    packet,
    rules: env.skb ? contextRules(attach, env.skb, semantics) : CONTEXT_RULES[attach],
    env,
    semantics,
    trace,
    pc: 0,
  };
  const onStep = env.onStep;
  let steps = 0;
  for (let pc = 0; ; pc++) {
    const ins = program[pc];
    if (ins === undefined) throw new Error(`fell off the end of the program at pc ${pc}: not a validated program`);
    steps++;
    m.pc = pc;
    const next = step(m, ins);
    if (onStep) onStep(pc, m.a, m.x);
    if (typeof next !== "number") return { returned: next.returned >>> 0, deterministic: m.deterministic, steps };
    pc += next;
  }
}

/** One instruction, by class (bpf_convert_filter() converts each class as below). */
function step(m: Machine, ins: Insn): Next {
  // Index reads: with `const [code, , , k] = ins` V8 ran the bench about 3x slower (measured).
  const code = ins[0];
  const k = ins[3];
  switch (bpfClass(code)) {
    case BPF_LD:
      return ld(m, code, k);
    case BPF_LDX:
      return ldx(m, code, k);
    case BPF_ST:
      return st(m, k);
    case BPF_STX:
      return stx(m, k);
    case BPF_ALU:
      return alu(m, code, k);
    case BPF_JMP:
      return jmp(m, code, ins[1], ins[2], k);
    case BPF_RET:
      return ret(m, code, k);
    default:
      return misc(m, code); // BPF_MISC: the class is three bits, all eight named
  }
}

/** LD: A = #k, M[k], the packet's length (skb->len), an ancillary value (ABS only), P[k] or P[X + k]. */
function ld(m: Machine, code: number, k: number): Next {
  const mode = bpfMode(code);
  if (mode === BPF_IMM) m.a = k;
  else if (mode === BPF_MEM) m.a = m.mem[k]!;
  else if (mode === BPF_LEN) m.a = m.packet.length;
  else {
    const anc = mode === BPF_ABS ? ancillaryOf(k) : undefined;
    if (anc !== undefined) return ancillary(m, anc);
    // IND: the helper gets (int)(X + k), a 64-bit sum truncated to an int.
    const value = loadFrom(m, mode === BPF_IND ? (m.x + k) | 0 : k | 0, SIZE_BYTES[bpfSize(code)]!);
    if (typeof value !== "number") return value;
    m.a = value;
  }
  return 0;
}

/** LDX: X = #k, M[k], the packet's length, or 4 * (P[k] & 0xf). */
function ldx(m: Machine, code: number, k: number): Next {
  const mode = bpfMode(code);
  if (mode === BPF_IMM) m.x = k;
  else if (mode === BPF_MEM) m.x = m.mem[k]!;
  else if (mode === BPF_LEN) m.x = m.packet.length;
  else if (mode === BPF_MSH) {
    // X = 4 * (P[k] & 0xf), through the same byte-load helper (negative k included).
    const byte = loadFrom(m, k | 0, 1);
    if (typeof byte !== "number") return byte;
    m.x = m.semantics.msh === "low-nibble" ? (byte & 0xf) << 2 : (byte >> 4) << 2;
  }
  return 0;
}

/**
 * A packet load through bpf_skb_load_helper_*() (loadPacket): the value, or
 * when the helper fails the end returning 0 (convert_bpf_ld_abs(): JSGE /
 * XOR / EXIT), or a 0 that goes on when the semantics say so.
 */
function loadFrom(m: Machine, offset: number, size: number): number | End {
  const loaded = loadPacket(m.packet, offset, size, m.rules);
  if ("fail" in loaded) {
    hit(m, "load-out-of-bounds");
    return m.semantics.failedLoad === "return-0" ? end(0) : 0;
  }
  if ("any" in loaded) {
    hit(m, "load-link-layer-any");
    m.deterministic = false;
    return (m.env.anyLinkLayer?.(offset, size) ?? 0) >>> 0;
  }
  return loaded.value;
}

/** SKF_AD_PROTOCOL's value as a host-order EtherType, or as it lies in skb->protocol (network order) when the semantics skip ntohs. */
function protocolOrder(m: Machine, ethertype: number): number {
  return m.semantics.protocolOrder === "host" ? ethertype : ((ethertype & 0xff) << 8) | ((ethertype >> 8) & 0xff);
}

/** An ancillary load (convert_bpf_extensions()), as the context gives it (contexts.ts). */
function ancillary(m: Machine, anc: AncillaryName): Next {
  const b = m.rules.ancillary[anc];
  if (m.trace) hit(m, `ancillary-${b.kind}`);
  switch (b.kind) {
    case "value":
      m.a = anc === "protocol" ? protocolOrder(m, b.value) : b.value;
      return 0;
    case "ethertype":
      m.a = protocolOrder(m, m.packet[0]! >> 4 === 6 ? 0x86dd : 0x0800);
      return 0;
    case "exit-a":
      return end(m.a);
    case "any":
      m.deterministic = false;
      m.a = (m.env.anyAncillary?.(anc) ?? 0) >>> 0;
      return 0;
    case "computed":
      m.a =
        anc === "alu_xor_x"
          ? (m.a ^ m.x) >>> 0
          : anc === "nlattr"
            ? nlattr(m.packet, m.a, m.x)
            : nlattrNest(m.packet, m.a, m.x);
      return 0;
  }
}

/** ST: M[k] = A (bpf_convert_filter(): a word store to the stack frame at -(4k + 4)). */
function st(m: Machine, k: number): Next {
  m.mem[k] = m.a;
  return 0;
}

/** STX: M[k] = X. */
function stx(m: Machine, k: number): Next {
  m.mem[k] = m.x;
  return 0;
}

/** ALU: A = A op k, or A op X (bpf_convert_filter() emits each as its ALU32 instruction). */
function alu(m: Machine, code: number, k: number): Next {
  const op = bpfOp(code);
  const src = bpfSrc(code) === BPF_X ? m.x : k;
  if ((op === BPF_DIV || op === BPF_MOD) && src === 0) {
    // Division by X == 0 ends the program returning 0 (bpf_convert_filter: "For cBPF programs, this was always return 0").
    hit(m, "div-by-x-zero");
    if (m.semantics.divideByZero === "return-0") return end(0);
    m.a = 0;
    return 0;
  }
  if (m.trace && (op === BPF_LSH || op === BPF_RSH) && src >= 32) hit(m, "shift-by-x-masked");
  m.a = alu32(op, m.a, src, m.semantics);
  return 0;
}

/** The ALU32 operations (kernel/bpf/core.c) on u32 operands; src is never 0 for DIV and MOD here. */
function alu32(op: number, a: number, src: number, semantics: BpfSemantics): number {
  switch (op) {
    case BPF_ADD:
      return (a + src) >>> 0;
    case BPF_SUB:
      return (a - src) >>> 0;
    case BPF_MUL:
      return Math.imul(a, src) >>> 0;
    case BPF_DIV:
      return Math.floor(a / src) >>> 0;
    case BPF_MOD:
      return (a % src) >>> 0;
    case BPF_AND:
      return (a & src) >>> 0;
    case BPF_OR:
      return (a | src) >>> 0;
    case BPF_XOR:
      return (a ^ src) >>> 0;
    // ALU32 shifts mask the count to 5 bits (kernel/bpf/core.c ALU_LSH_X: SRC & 31; x86 shl/shr).
    case BPF_LSH:
      return shiftCount(src, semantics) === null ? 0 : (a << (src & 31)) >>> 0;
    case BPF_RSH:
      return shiftCount(src, semantics) === null ? 0 : a >>> (src & 31);
    case BPF_NEG:
      return -a >>> 0;
    default:
      return a;
  }
}

/** The count an ALU32 shift uses, or null when the semantics make a count >= 32 give 0. */
function shiftCount(count: number, semantics: BpfSemantics): number | null {
  return semantics.shiftByX === "zero" && count >= 32 ? null : count & 31;
}

/**
 * JMP: JA skips k; a conditional jump compares A with k or X and skips jt or
 * jf. The compare is unsigned 32-bit (bpf_convert_filter() moves a negative k
 * into a temporary, zero-extended).
 */
function jmp(m: Machine, code: number, jt: number, jf: number, k: number): Next {
  const op = bpfOp(code);
  if (op === BPF_JA) return k;
  const src = bpfSrc(code) === BPF_X ? m.x : k;
  switch (op) {
    case BPF_JEQ:
      return m.a === src ? jt : jf;
    case BPF_JGT:
      return m.a > src ? jt : jf;
    case BPF_JGE:
      return m.a >= src ? jt : jf;
    case BPF_JSET:
      return (m.a & src) !== 0 ? jt : jf;
    default:
      throw new Error(`unknown jump 0x${code.toString(16)}`);
  }
}

/** RET: the program ends returning k or A (bpf_convert_filter(): R0 = k or A, then BPF_EXIT_INSN). */
function ret(m: Machine, code: number, k: number): Next {
  const returnsA = bpfRval(code) === BPF_A;
  hit(m, returnsA ? "ret-a" : "ret-k");
  return end(returnsA ? m.a : k);
}

/** MISC: TAX copies A to X, TXA X to A (bpf_convert_filter(): BPF_MOV64_REG). */
function misc(m: Machine, code: number): Next {
  if ((code & 0xf8) === BPF_TAX) m.x = m.a;
  else m.a = m.x;
  return 0;
}
