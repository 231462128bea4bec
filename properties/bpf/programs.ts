// Valid classic programs by construction, built from a list of small choices
// (so fast-check shrinks a program by shrinking its choices): forward jumps in
// range, a RET at the end, scratch cells loaded only where every path wrote
// them. Loads mostly hit the seed packet and comparisons use constants read
// from it, so both branches of a jump are taken by the seed and its variants.
import fc from "fast-check";
import { ancillaryDeterministic, contextRules } from "../../model/bpf/contexts.js";
import { loadPacket } from "../../model/bpf/interpreter.js";
import type { SkbMeta } from "../../model/bpf/skb.js";
import {
  ANCILLARY,
  ANCILLARY_NAMES,
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
  BPF_K,
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
  BPF_TXA,
  BPF_W,
  BPF_X,
  BPF_XOR,
  insn,
  SKF_AD_OFF,
  SKF_LL_OFF,
  SKF_NET_OFF,
  type Insn,
} from "../../model/bpf/opcodes.js";
import type { Attach } from "../../model/bpf/validator.js";
import { runEdgeIdiom, type EdgeChoice } from "./edges.js";

export interface Choice {
  kind: number;
  a: number;
  b: number;
  c: number;
}

export const choiceArb: fc.Arbitrary<Choice> = fc.record({
  kind: fc.nat(63),
  a: fc.nat(0xffff),
  b: fc.nat(0xffff),
  c: fc.nat(0xffff),
});

const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_MOD, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH, BPF_NEG];
/** ALU with X, weighted toward the operations with run-time edge cases (count >= 32, divisor 0). */
const X_OPS = [
  BPF_LSH,
  BPF_RSH,
  BPF_LSH,
  BPF_RSH,
  BPF_DIV,
  BPF_MOD,
  BPF_ADD,
  BPF_SUB,
  BPF_MUL,
  BPF_AND,
  BPF_OR,
  BPF_XOR,
];
const JMP_OPS = [BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET];
const SIZES = [BPF_W, BPF_H, BPF_B];
const SIZE_LEN: Record<number, number> = { [BPF_W]: 4, [BPF_H]: 2, [BPF_B]: 1 };

function read(p: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + (p[at + i] ?? 0);
  return v >>> 0;
}

/** A constant worth comparing with: a value of the seed packet (sometimes one off), or a small one. */
function packetConstant(seed: Uint8Array, c: Choice): number {
  const size = SIZE_LEN[SIZES[c.b % 3]!]!;
  const at = seed.length > size ? c.a % (seed.length - size + 1) : 0;
  const v = read(seed, at, size);
  switch (c.c % 6) {
    case 0:
      return (v + 1) >>> 0;
    case 1:
      return c.c % 64;
    case 2:
      return seed.length;
    default:
      return v;
  }
}

export interface BuildOptions {
  attach: Attach;
  /** Allow loads the request does not determine (ancillary "any", link-layer bytes in xt_bpf). */
  allowAny: boolean;
  /** A boundary idiom to start the program with (edges.ts), when it fits. */
  edge?: EdgeChoice | null;
  /** The run's metadata: the loads it determines are drawn too, and jumps compare with its values. */
  meta?: SkbMeta;
}

/** The values a run's metadata gives, for jumps to compare with. */
function metaConstants(meta: SkbMeta): number[] {
  const d = meta.device ?? undefined;
  return [meta.mark, meta.vlan?.tci, meta.vlan?.proto, meta.pkttype, meta.queue, meta.rxhash, meta.protocol, d?.ifindex]
    .concat(d ? [d.hatype] : [])
    .filter((x): x is number => x !== undefined);
}

/**
 * Builds a program of choices.length + 1 instructions that the Linux
 * validator accepts (except the optmem/jump-offset limits of very long
 * programs, which depend on the converted length).
 */
export function buildProgram(
  seed: Uint8Array,
  choices: readonly Choice[],
  final: Choice,
  options: BuildOptions,
): Insn[] {
  const n = choices.length + 1;
  const masks = new Array<number>(n + 1).fill(0xffff);
  let memvalid = 0;
  const program: Insn[] = [];
  const len = Math.max(seed.length, 1);
  const meta = options.meta;
  const rules = meta && contextRules(options.attach, meta);
  const ancillaries = ANCILLARY_NAMES.filter(
    (a) => options.allowAny || (rules ? rules.ancillary[a].kind !== "any" : ancillaryDeterministic(options.attach, a)),
  );
  const constants = meta ? metaConstants(meta) : [];
  const macGiven = meta?.mac instanceof Uint8Array;
  const flowTo = (target: number) => {
    masks[target] = masks[target]! & memvalid;
  };
  // What an instruction does to the scratch cells known written (check_load_and_stores).
  const track = (ins: Insn, pc: number) => {
    const [code, jt, jf, k] = ins;
    if (code === BPF_ST || code === BPF_STX) memvalid |= 1 << k;
    else if (code === (BPF_JMP | BPF_JA)) {
      flowTo(pc + 1 + k);
      memvalid = 0xffff;
    } else if ((code & 0x07) === BPF_JMP && (code & 0xf0) !== BPF_JA) {
      flowTo(pc + 1 + jt);
      flowTo(pc + 1 + jf);
      memvalid = 0xffff;
    }
  };
  const idiom = options.edge ? runEdgeIdiom(options.edge, len, options.attach, n - 2, options.allowAny) : [];
  const prefix = idiom.length <= n - 1 ? idiom : [];
  for (let pc = 0; pc < n - 1; pc++) {
    memvalid &= masks[pc]!;
    if (pc < prefix.length) {
      program.push(prefix[pc]!);
      track(prefix[pc]!, pc);
      continue;
    }
    const c = choices[pc]!;
    const room = n - 2 - pc; // the largest forward distance that stays inside
    const written = [...Array(16).keys()].filter((i) => memvalid & (1 << i));
    let ins: Insn;
    // With metadata, one instruction in three loads it (an ancillary field or a MAC/network header byte).
    switch (meta && c.kind % 3 === 0 ? 16 : c.kind % 18) {
      case 0:
      case 1: // absolute load, mostly inside the packet, sometimes just past it
        ins = insn(BPF_LD | SIZES[c.b % 3]! | BPF_ABS, 0, 0, c.a % (len + (c.c % 4 === 0 ? 8 : 0)));
        break;
      case 2: // indirect load
        ins = insn(BPF_LD | SIZES[c.b % 3]! | BPF_IND, 0, 0, c.c % 3 === 0 ? -(c.a % 8) >>> 0 : c.a % len);
        break;
      case 3:
        ins = c.b % 2 ? insn(BPF_LD | BPF_IMM, 0, 0, packetConstant(seed, c)) : insn(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0);
        break;
      case 4: // X: small values (shift counts around 32 included), packet values, the length
        ins =
          c.b % 3 === 2
            ? insn(BPF_LDX | BPF_W | BPF_LEN, 0, 0, 0)
            : insn(
                BPF_LDX | BPF_IMM,
                0,
                0,
                c.b % 3 === 1 ? 28 + (c.a % 12) : c.b % 3 ? c.a % 48 : packetConstant(seed, c),
              );
        break;
      case 5:
        ins = insn(
          BPF_LDX | BPF_B | BPF_MSH,
          0,
          0,
          c.c % 5 === 0 ? (SKF_NET_OFF + (c.a % len)) >>> 0 : c.a % (len + 2),
        );
        break;
      case 6:
        ins = insn(c.b % 2 ? BPF_ST : BPF_STX, 0, 0, c.a % 16);
        break;
      case 7: // scratch load of a cell written on every path here, else a store
        if (written.length === 0) ins = insn(BPF_ST, 0, 0, c.a % 16);
        else ins = insn(c.b % 2 ? BPF_LD | BPF_MEM : BPF_LDX | BPF_MEM, 0, 0, written[c.a % written.length]!);
        break;
      case 8:
      case 9: {
        const op = ALU_OPS[c.b % ALU_OPS.length]!;
        let k = c.c % 2 ? packetConstant(seed, c) : c.a % 256;
        if (op === BPF_DIV || op === BPF_MOD) k = k || 1;
        if (op === BPF_LSH || op === BPF_RSH) k = c.a % 32;
        ins = insn(BPF_ALU | op | (op === BPF_NEG ? 0 : BPF_K), 0, 0, op === BPF_NEG ? 0 : k);
        break;
      }
      case 10: // ALU with X: division by X == 0 and shifts by X >= 32 come up here
        ins = insn(BPF_ALU | X_OPS[c.b % X_OPS.length]! | BPF_X, 0, 0, 0);
        break;
      case 11:
        ins = insn(BPF_MISC | (c.b % 2 ? BPF_TAX : BPF_TXA), 0, 0, 0);
        break;
      case 12:
      case 13:
      case 14: {
        const src = c.kind % 18 === 14 ? BPF_X : BPF_K;
        const jt = room === 0 ? 0 : (c.b % Math.min(room + 1, 256)) % (c.c % 3 === 0 ? 256 : 4);
        const jf = room === 0 ? 0 : (c.c % Math.min(room + 1, 256)) % (c.b % 3 === 0 ? 256 : 4);
        const k = constants.length && c.c % 2 === 0 ? constants[c.a % constants.length]! : packetConstant(seed, c);
        ins = insn(BPF_JMP | JMP_OPS[c.a % 4]! | src, Math.min(jt, room), Math.min(jf, room), src === BPF_K ? k : 0);
        break;
      }
      case 15:
        ins = insn(BPF_JMP | BPF_JA, 0, 0, room === 0 ? 0 : c.a % Math.min(room + 1, 8));
        break;
      case 16: {
        // ancillary load (two in three), or the network/link-layer areas (each as often as any one kind of load)
        if (c.c % 3 !== 0)
          ins = insn(
            BPF_LD | SIZES[c.b % 3]! | BPF_ABS,
            0,
            0,
            SKF_AD_OFF + ANCILLARY[ancillaries[c.a % ancillaries.length]!],
          );
        else if (c.a % 2 === 0 || (!options.allowAny && options.attach === "xt_bpf" && !macGiven)) {
          ins = insn(BPF_LD | SIZES[c.b % 3]! | BPF_ABS, 0, 0, (SKF_NET_OFF + (c.c % (len + 4))) >>> 0);
        } else ins = insn(BPF_LD | SIZES[c.b % 3]! | BPF_ABS, 0, 0, (SKF_LL_OFF + (c.c % 20)) >>> 0);
        break;
      }
      default: // an early return
        ins = c.b % 2 ? insn(BPF_RET | BPF_A, 0, 0, 0) : insn(BPF_RET | BPF_K, 0, 0, c.a % (len + 2));
    }
    program.push(ins);
    track(ins, pc);
  }
  program.push(
    final.kind % 3 === 0 || (meta && final.kind % 3 === 1)
      ? insn(BPF_RET | BPF_A, 0, 0, 0)
      : insn(BPF_RET | BPF_K, 0, 0, [0, 0xffffffff, final.a % (len + 2), 1][final.b % 4]!),
  );
  return program;
}

export const LD_W_ABS = BPF_LD | BPF_W | BPF_ABS;

/**
 * A probe of the run's metadata: blocks of "load a field (or a MAC / network
 * header byte); if it is not the value the metadata gives, return i + 1", then
 * RET #0. On the model every block passes and the program returns 0; an IUT
 * that reads one field wrong returns that block's number (`picks` choose the
 * loads, values as read from the seed packet).
 */
export function probeProgram(seed: Uint8Array, attach: Attach, meta: SkbMeta, picks: readonly number[]): Insn[] {
  const rules = contextRules(attach, meta);
  // Half the picks an ancillary field, half a MAC / network header load.
  const fields: [Insn, number][] = [];
  const headers: [Insn, number][] = [];
  for (const name of ANCILLARY_NAMES) {
    const b = rules.ancillary[name];
    const k = SKF_AD_OFF + ANCILLARY[name];
    if (b.kind === "value") fields.push([insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, k), b.value]);
    else if (b.kind === "ethertype")
      fields.push([insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, k), seed[0]! >> 4 === 6 ? 0x86dd : 0x0800]);
  }
  for (const base of [SKF_LL_OFF, SKF_NET_OFF])
    for (let n = 0; n < 24; n++)
      for (const size of SIZES) {
        const loaded = loadPacket(seed, (base + n) | 0, SIZE_LEN[size]!, rules);
        if ("value" in loaded) headers.push([insn(BPF_LD | size | BPF_ABS, 0, 0, (base + n) >>> 0), loaded.value]);
      }
  const program: Insn[] = [];
  picks.forEach((pick, i) => {
    const from = (pick % 2 === 0 && fields.length) || !headers.length ? fields : headers;
    const chosen = from[Math.floor(pick / 2) % Math.max(from.length, 1)];
    if (!chosen) return;
    const [load, value] = chosen;
    program.push(load, insn(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, value), insn(BPF_RET | BPF_K, 0, 0, i + 1));
  });
  program.push(insn(BPF_RET | BPF_K, 0, 0, 0));
  return program;
}
