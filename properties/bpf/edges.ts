// The arithmetic and size edges the bpf model has a rule for, as short
// instruction idioms drawn with a fixed weight (generators.ts), so that each
// comes up in every default run rather than by luck. A run edge sets up its
// operands, hits the edge, and (mostly) returns what it computed at once, so
// a wrong rule shows in the result; a load edge is an instruction the
// validator must refuse (or just accept) at its limit.
import fc from "fast-check";
import {
  ANCILLARY,
  type AncillaryName,
  BPF_A,
  BPF_ABS,
  BPF_ALU,
  BPF_B,
  BPF_DIV,
  BPF_H,
  BPF_IMM,
  BPF_IND,
  BPF_JA,
  BPF_JEQ,
  BPF_JMP,
  BPF_K,
  BPF_LD,
  BPF_LDX,
  BPF_LSH,
  BPF_MEM,
  BPF_MOD,
  BPF_MSH,
  BPF_RET,
  BPF_RSH,
  BPF_ST,
  BPF_STX,
  BPF_W,
  BPF_X,
  insn,
  SKF_AD_OFF,
  SKF_LL_OFF,
  SKF_NET_OFF,
  type Insn,
} from "../../model/bpf/opcodes.js";
import type { Attach, RejectionRule } from "../../model/bpf/validator.js";

/** Shift counts with a rule: 0 and 31 (the ends of the range), 32 and 33 (X & 31 vs. "too far"), and u32 max. */
export const SHIFT_COUNTS = [0, 31, 32, 33, 0xffffffff] as const;
/** Divisors with a rule: 0 (by X: the program returns 0; by K: refused) and 1 (the identity). */
export const DIVISORS = [0, 1] as const;

/** Edges an accepted program reaches at run time (interpreter.ts). */
export const RUN_EDGES = [
  ...SHIFT_COUNTS.map((c) => `shift-x-${c}` as const),
  "shift-k-0",
  "shift-k-31",
  ...DIVISORS.map((d) => `div-x-${d}` as const),
  "div-k-1",
  "load-length-1", // the last byte(s) of the packet
  "load-length", // just past the end: the load fails
  "load-length+1",
  "load-ind-negative", // X + k < 0 outside the negative areas
  "load-net-off", // SKF_NET_OFF + offset: the network header
  "load-net-off-end", // SKF_NET_OFF + length: past its end
  "load-ll-off", // SKF_LL_OFF area: the MAC header (fails on a socket, "any" in xt_bpf where allowed)
  "load-below-ll-off", // under SKF_LL_OFF: always fails
  "load-ad-off-1", // SKF_AD_OFF - 1: not an ancillary load, a network-header offset that fails
  "ancillary-protocol", // SKF_AD_PROTOCOL: 0 on a socket, the EtherType in xt_bpf
  "ancillary-device", // SKF_AD_IFINDEX/HATYPE: no device on a socket (the program returns A)
  "ancillary-computed", // SKF_AD_ALU_XOR_X, NLATTR, NLATTR_NEST: from A, X and the packet
  "msh-length-1",
  "msh-length",
  "scratch-15", // the last scratch cell
  "ja-to-last", // a jump to the final instruction
  "jcond-to-last",
] as const;
export type RunEdge = (typeof RUN_EDGES)[number];

/** Instructions the validator refuses exactly at (or just past) its limit. */
export const LOAD_EDGES = [
  "shift-k-32",
  "shift-k-33",
  "shift-k-ffffffff",
  "div-k-0",
  "mod-k-0",
  "scratch-16",
  "ja-one-past", // k = flen - pc - 1
  "ja-ffffffff",
  "ja-wraps", // pc + 1 + k wraps past 2^32 back inside the program
  "jcond-one-past",
] as const;
export type LoadEdge = (typeof LOAD_EDGES)[number];

/** Program lengths at the limits (xt_bpf's 64, BPF_MAXINSNS 4096) and one past each, at both attach points. */
export const LIMIT_LENGTHS = [64, 65, 4096, 4097] as const;

export interface EdgeChoice {
  edge: RunEdge;
  /** Picks an operator (LSH or RSH, DIV or MOD), a size, a value. */
  pick: number;
  /** How the idiom ends: 0 returns A, 1 returns a large constant, 2 goes on into the rest of the program. */
  end: number;
}

/**
 * Edges whose rule depends on the attach point (no device on a socket, the
 * EtherType and undetermined MAC bytes in xt_bpf): each reaches its rule on
 * one attach point in two, so they are drawn twice as often.
 */
const PER_ATTACH_EDGES: readonly RunEdge[] = ["load-ll-off", "ancillary-protocol", "ancillary-device"];

export const edgeChoiceArb: fc.Arbitrary<EdgeChoice> = fc.record({
  edge: fc.oneof(
    { weight: RUN_EDGES.length, arbitrary: fc.constantFrom(...RUN_EDGES) },
    { weight: PER_ATTACH_EDGES.length, arbitrary: fc.constantFrom(...PER_ATTACH_EDGES) },
  ),
  pick: fc.nat(0xffff),
  end: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0, 1) }, { weight: 1, arbitrary: fc.constant(2) }),
});

const ld = (k: number): Insn => insn(BPF_LD | BPF_IMM, 0, 0, k >>> 0);
const ldx = (k: number): Insn => insn(BPF_LDX | BPF_IMM, 0, 0, k >>> 0);
const SIZES = [BPF_W, BPF_H, BPF_B];
const SIZE_LEN = [4, 2, 1];

/**
 * An operand with every bit position live: odd, top bit set, so a shift by
 * any count from 0 to 31 either way leaves something non-zero.
 */
const operand = (pick: number) => (0x80000001 | ((pick * 0x9e3779b1) & 0x7ffffffe)) >>> 0;

/**
 * The instructions of one run edge on a packet of `length` bytes, ending in
 * a RET (returning A, or a constant when the edge is "the program stops
 * here") unless the choice says to go on. `room` is how far the first
 * instruction may jump forward and stay inside the program.
 */
export function runEdgeIdiom(
  choice: EdgeChoice,
  length: number,
  attach: Attach,
  room: number,
  allowAny: boolean,
): Insn[] {
  const { edge, pick } = choice;
  const shiftOp = pick % 2 ? BPF_RSH : BPF_LSH;
  const divOp = pick % 2 ? BPF_MOD : BPF_DIV;
  const size = pick % 3;
  const code = BPF_LD | SIZES[size]! | BPF_ABS;
  const width = SIZE_LEN[size]!;
  const retA = insn(BPF_RET | BPF_A, 0, 0, 0);
  const retBig = insn(BPF_RET | BPF_K, 0, 0, 0xffffffff);
  // A load that may fail: stop with a non-zero constant after it, so "the program returned 0" shows.
  const load = (ins: Insn) => [ins, choice.end === 1 ? retBig : retA];
  let body: Insn[];
  switch (edge) {
    case "shift-x-0":
    case "shift-x-31":
    case "shift-x-32":
    case "shift-x-33":
    case "shift-x-4294967295":
      body = [ld(operand(pick)), ldx(Number(edge.slice("shift-x-".length))), insn(BPF_ALU | shiftOp | BPF_X, 0, 0, 0)];
      return end(body, choice, retA);
    case "shift-k-0":
    case "shift-k-31":
      body = [ld(operand(pick)), insn(BPF_ALU | shiftOp | BPF_K, 0, 0, edge === "shift-k-0" ? 0 : 31)];
      return end(body, choice, retA);
    case "div-x-0":
      // Division by X == 0 ends the program with 0: a constant return after it shows whether it went on.
      return end([ld(operand(pick)), ldx(0), insn(BPF_ALU | divOp | BPF_X, 0, 0, 0)], choice, retBig);
    case "div-x-1":
      return end([ld(operand(pick)), ldx(1), insn(BPF_ALU | divOp | BPF_X, 0, 0, 0)], choice, retA);
    case "div-k-1":
      return end([ld(operand(pick)), insn(BPF_ALU | divOp | BPF_K, 0, 0, 1)], choice, retA);
    case "load-length-1":
      return load(insn(code, 0, 0, Math.max(length - width, 0)));
    case "load-length":
      return load(insn(code, 0, 0, length));
    case "load-length+1":
      return load(insn(code, 0, 0, length + 1));
    case "load-ind-negative":
      return load(insn(BPF_LD | SIZES[size]! | BPF_IND, 0, 0, -(1 + (pick % 4)) >>> 0));
    case "load-net-off":
      return load(insn(code, 0, 0, (SKF_NET_OFF + (pick % Math.max(length - width + 1, 1))) >>> 0));
    case "load-net-off-end":
      return load(insn(code, 0, 0, (SKF_NET_OFF + length - width + 1 + (pick % 2)) >>> 0));
    case "load-ll-off":
      // In xt_bpf the MAC header is not the request's to determine: the network area there, unless "any" is allowed.
      return load(insn(code, 0, 0, (attach === "socket" || allowAny ? SKF_LL_OFF + (pick % 14) : SKF_NET_OFF) >>> 0));
    case "load-below-ll-off":
      // Just under SKF_LL_OFF, or the most negative int.
      return load(insn(code, 0, 0, pick % 2 ? SKF_LL_OFF - 1 : 0x80000000));
    case "load-ad-off-1":
      // The last offset under SKF_AD_OFF: the top of the network-header area, far past any packet.
      return load(insn(code, 0, 0, SKF_AD_OFF - 1));
    case "ancillary-protocol":
      return [ancillaryLoad("protocol", size), retA];
    case "ancillary-device":
      // A set first, so "the program returned A" shows; xt_bpf's device is not the request's (no idiom there unless allowed).
      if (attach === "xt_bpf" && !allowAny) return [];
      return [ld(operand(pick)), ancillaryLoad(pick % 2 ? "hatype" : "ifindex", size), retBig];
    case "ancillary-computed": {
      const field = (["alu_xor_x", "nlattr", "nlattr_nest"] as const)[pick % 3]!;
      // A and X: an operand to XOR, or an offset into the packet and an attribute type to look for.
      const [a, x] =
        field === "alu_xor_x" ? [operand(pick), operand(pick >>> 1)] : [pick % Math.max(length, 1), pick % 8];
      return end([ld(a), ldx(x), ancillaryLoad(field, size)], choice, retA);
    }
    case "msh-length-1":
      return [insn(BPF_LDX | BPF_B | BPF_MSH, 0, 0, Math.max(length - 1, 0)), insn(BPF_MISC_TXA, 0, 0, 0), retA];
    case "msh-length":
      return [insn(BPF_LDX | BPF_B | BPF_MSH, 0, 0, length), choice.end === 1 ? retBig : retA];
    case "scratch-15":
      return end(
        [ld(operand(pick)), insn(pick % 2 ? BPF_ST : BPF_STX, 0, 0, 15), insn(BPF_LD | BPF_MEM, 0, 0, 15)],
        choice,
        retA,
      );
    case "ja-to-last":
      return [ld(operand(pick)), insn(BPF_JMP | BPF_JA, 0, 0, Math.max(room - 1, 0))];
    case "jcond-to-last": {
      const to = Math.min(Math.max(room - 1, 0), 255);
      return [ld(operand(pick)), insn(BPF_JMP | BPF_JEQ | BPF_K, pick % 2 ? to : 0, pick % 2 ? 0 : to, pick % 4)];
    }
  }
}

/** An ABS load of an ancillary field (SKF_AD_OFF + its offset), of any size: the kernel ignores the size. */
function ancillaryLoad(field: AncillaryName, size: number): Insn {
  return insn(BPF_LD | SIZES[size]! | BPF_ABS, 0, 0, SKF_AD_OFF + ANCILLARY[field]);
}

/** BPF_MISC | BPF_TXA: A = X, so what MSH loaded into X is returned. */
const BPF_MISC_TXA = 0x07 | 0x80;

function end(body: Insn[], choice: EdgeChoice, ret: Insn): Insn[] {
  return choice.end === 2 ? body : [...body, ret];
}

/** One instruction breaking the validator at its limit, for a program of `flen` instructions at `pc`. */
export function loadEdgeInsn(edge: LoadEdge, pc: number, flen: number, pick: number): Insn {
  const shiftOp = pick % 2 ? BPF_RSH : BPF_LSH;
  switch (edge) {
    case "shift-k-32":
      return insn(BPF_ALU | shiftOp | BPF_K, 0, 0, 32);
    case "shift-k-33":
      return insn(BPF_ALU | shiftOp | BPF_K, 0, 0, 33);
    case "shift-k-ffffffff":
      return insn(BPF_ALU | shiftOp | BPF_K, 0, 0, 0xffffffff);
    case "div-k-0":
      return insn(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 0);
    case "mod-k-0":
      return insn(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 0);
    case "scratch-16":
      return insn([BPF_ST, BPF_STX, BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM][pick % 4]!, 0, 0, 16);
    case "ja-one-past":
      return insn(BPF_JMP | BPF_JA, 0, 0, flen - pc - 1);
    case "ja-ffffffff":
      return insn(BPF_JMP | BPF_JA, 0, 0, 0xffffffff);
    case "ja-wraps":
      // pc + 1 + k = 2^32 + target: a backward jump to `target` if the sum is taken in 32 bits.
      return insn(BPF_JMP | BPF_JA, 0, 0, 2 ** 32 + (pick % (pc + 1)) - pc - 1);
    case "jcond-one-past": {
      const over = Math.min(flen - pc - 1, 255);
      return insn(BPF_JMP | BPF_JEQ | BPF_K, pick % 2 ? over : 0, pick % 2 ? 0 : over, 0);
    }
  }
}

/** The rule each load edge breaks (validator.ts REJECTION_RULES). */
export const LOAD_EDGE_RULE = {
  "shift-k-32": "shift-range",
  "shift-k-33": "shift-range",
  "shift-k-ffffffff": "shift-range",
  "div-k-0": "div-by-zero",
  "mod-k-0": "div-by-zero",
  "scratch-16": "scratch-index",
  "ja-one-past": "ja-range",
  "ja-ffffffff": "ja-range",
  "ja-wraps": "ja-range",
  "jcond-one-past": "jcond-range",
} as const satisfies Record<LoadEdge, RejectionRule>;

/**
 * `program` with one body instruction replaced by the load edge: where a
 * conditional jump can still reach one past the end (8-bit offsets), and
 * after the first instruction for a wrapping jump, so it wraps to a real pc.
 */
export function withLoadEdge(program: readonly Insn[], edge: LoadEdge, pick: number): Insn[] {
  const body = program.length >= 3 ? program.slice() : [ld(pick), ld(pick + 1), ...program];
  const flen = body.length;
  const lowest = edge === "jcond-one-past" ? Math.max(flen - 256, 0) : edge === "ja-wraps" ? 1 : 0;
  const pc = lowest + (pick % (flen - 1 - lowest));
  body[pc] = loadEdgeInsn(edge, pc, flen, pick >>> 1);
  return body;
}
