// Invalid programs as single mutations of valid ones, one kind per rejection
// rule of the validator (model/bpf/validator.ts REJECTION_RULES).
import {
  BPF_ABS,
  BPF_ALU,
  BPF_B,
  BPF_DIV,
  BPF_JA,
  BPF_JEQ,
  BPF_JMP,
  BPF_K,
  BPF_LD,
  BPF_LDX,
  BPF_LSH,
  BPF_MEM,
  BPF_MOD,
  BPF_RET,
  BPF_RSH,
  BPF_ST,
  BPF_W,
  codeAllowed,
  insn,
  SKF_AD_OFF,
  type Insn,
} from "../../model/bpf/opcodes.js";
import type { RejectionRule } from "../../model/bpf/validator.js";

/** Opcodes chk_code_allowed() refuses: RET X, LDX ABS (seccomp's), and others. */
export const DISALLOWED_CODES: readonly number[] = [...Array(0x100).keys()]
  .filter((c) => !codeAllowed(c))
  .concat([0x100, 0xffff]);

/** Replaces instruction `at` (never the final RET unless the rule is about it). */
function replace(program: readonly Insn[], at: number, ins: Insn): Insn[] {
  const out = program.slice();
  out[Math.min(at, Math.max(out.length - 2, 0))] = ins;
  return out;
}

/** Applies one mutation that breaks the named rule; `pick` chooses where and with what. */
export function breakProgram(program: readonly Insn[], rule: RejectionRule, pick: number): Insn[] {
  const n = program.length;
  const at = n > 1 ? pick % (n - 1) : 0;
  const ensureBody = (p: readonly Insn[]): Insn[] =>
    p.length >= 2 ? p.slice() : [insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0), ...p];
  switch (rule) {
    case "xt-count":
    case "length":
      return rule === "length" && pick % 2 === 0 ? [] : program.slice();
    case "opcode":
      return replace(ensureBody(program), at, insn(DISALLOWED_CODES[pick % DISALLOWED_CODES.length]!, 0, 0, pick));
    case "div-by-zero":
      return replace(ensureBody(program), at, insn(BPF_ALU | (pick % 2 ? BPF_DIV : BPF_MOD) | BPF_K, 0, 0, 0));
    case "shift-range":
      return replace(
        ensureBody(program),
        at,
        insn(BPF_ALU | (pick % 2 ? BPF_LSH : BPF_RSH) | BPF_K, 0, 0, pick % 3 === 0 ? 0xffffffff : 32 + (pick % 40)),
      );
    case "scratch-index":
      return replace(
        ensureBody(program),
        at,
        insn(pick % 2 ? BPF_ST : BPF_LD | BPF_MEM, 0, 0, 16 + (pick % 3 === 0 ? 0xfff0 : pick % 16)),
      );
    case "ja-range": {
      const p = ensureBody(program);
      const i = Math.min(at, p.length - 2);
      return replace(p, i, insn(BPF_JMP | BPF_JA, 0, 0, p.length - i - 1 + (pick % 3)));
    }
    case "jcond-range": {
      const p = ensureBody(program);
      const i = Math.min(at, p.length - 2);
      const over = Math.min(255, p.length - i - 1 + (pick % 2));
      if (over < p.length - i - 1) return replace(p, i, insn(BPF_JMP | BPF_JA, 0, 0, p.length)); // cannot reach past with 8 bits: use JA
      return replace(p, i, insn(BPF_JMP | BPF_JEQ | BPF_K, pick % 2 ? over : 0, pick % 2 ? 0 : over, 0));
    }
    case "ancillary-unknown": {
      const ks = [SKF_AD_OFF + 1, SKF_AD_OFF + 64, SKF_AD_OFF + 0x100, 0xffffffff, SKF_AD_OFF + 62];
      return replace(
        ensureBody(program),
        at,
        insn(BPF_LD | [BPF_W, 0x08, BPF_B][pick % 3]! | BPF_ABS, 0, 0, ks[pick % ks.length]!),
      );
    }
    case "no-final-ret": {
      const out = program.slice();
      out[out.length - 1] = insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, pick % 64);
      return out;
    }
    case "scratch-unwritten":
      // A load of a cell at the very start: nothing can have written it.
      return [insn(pick % 2 ? BPF_LD | BPF_MEM : BPF_LDX | BPF_MEM, 0, 0, pick % 16), ...program];
    case "jump-offset":
      // A JA over enough 14-instruction loads that its converted offset passes S16_MAX.
      return [
        insn(BPF_JMP | BPF_JA, 0, 0, 2400),
        ...Array.from({ length: 2400 }, () => insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, 1 + (pick % 8))),
        insn(BPF_RET | BPF_K, 0, 0, 1),
      ];
    case "optmem":
      // 2,000 byte loads: the converted program is charged over optmem_max.
      return [
        ...Array.from({ length: 2000 }, (_, i) => insn(BPF_LD | BPF_B | BPF_ABS, 0, 0, 1 + ((i + pick) % 30))),
        insn(BPF_RET | BPF_K, 0, 0, 0xffff),
      ];
  }
}
