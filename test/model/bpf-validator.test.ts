// The validator's boundaries and order (model/bpf/validator.ts): net/core/filter.c
// bpf_check_basics_ok(), bpf_check_classic(), check_load_and_stores(), and
// xt_bpf.c __bpf_mt_check_bytecode(); plus the semantics knobs mutants turn.
import { describe, expect, it } from "vitest";
import {
  ALLOWED_CODES,
  ancillaryOf,
  codeAllowed,
  insn,
  isConditionalJump,
  opcodeClassName,
  SKF_AD_MAX,
  SKF_AD_OFF,
  SKF_NET_OFF,
  type Insn,
} from "../../model/bpf/opcodes.js";
import { LINUX_SEMANTICS } from "../../model/bpf/semantics.js";
import { checkClassic, checkLoadAndStores, validate } from "../../model/bpf/validator.js";

type Row = [number, number, number, number];
const P = (...rows: Row[]): Insn[] => rows.map(([c, jt, jf, k]) => insn(c, jt, jf, k));
const RET: Row = [0x06, 0, 0, 1];
const NOP: Row = [0x00, 0, 0, 0];
const v = (program: Insn[]) => validate(program, "socket");

describe("bpf_check_classic boundaries", () => {
  it("shifts by K: 31 is fine, 32 is not, for LSH and RSH", () => {
    expect(v(P([0x74, 0, 0, 31], RET)).errno).toBe(0);
    expect(v(P([0x74, 0, 0, 32], RET))).toEqual({ errno: 22, rule: "shift-range", pc: 0 });
  });

  it("scratch cells 0..15 for LD/LDX MEM, ST and STX", () => {
    for (const code of [0x60, 0x61, 0x02, 0x03])
      expect(v(P(NOP, [code, 0, 0, 16], RET))).toEqual({ errno: 22, rule: "scratch-index", pc: 1 });
    expect(v(P([0x02, 0, 0, 15], [0x61, 0, 0, 15], RET)).errno).toBe(0);
  });

  it("JA must land inside the program: k < flen - pc - 1", () => {
    expect(v(P(NOP, [0x05, 0, 0, 1], NOP, RET)).errno).toBe(0);
    expect(v(P(NOP, [0x05, 0, 0, 2], NOP, RET))).toEqual({ errno: 22, rule: "ja-range", pc: 1 });
  });

  it("both conditional targets must be inside, for every conditional opcode", () => {
    for (const code of [0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d]) {
      expect(v(P([code, 1, 0, 0], NOP, RET)).errno).toBe(0);
      expect(v(P([code, 2, 0, 0], NOP, RET))).toEqual({ errno: 22, rule: "jcond-range", pc: 0 });
      expect(v(P([code, 0, 2, 0], NOP, RET))).toEqual({ errno: 22, rule: "jcond-range", pc: 0 });
    }
    // A slack of 1 (a mutant's knob) admits a target one past the end.
    expect(checkClassic(P([0x15, 2, 0, 0], NOP, RET), { ...LINUX_SEMANTICS, jumpTargetSlack: 1 }).errno).toBe(0);
    expect(checkClassic(P([0x15, 0, 2, 0], NOP, RET), { ...LINUX_SEMANTICS, jumpTargetSlack: 1 }).errno).toBe(0);
  });

  it("ABS loads of every size refuse an unknown ancillary offset, and only those", () => {
    for (const code of [0x20, 0x28, 0x30]) {
      expect(v(P([code, 0, 0, SKF_AD_OFF + 2], RET))).toEqual({ errno: 22, rule: "ancillary-unknown", pc: 0 });
      expect(v(P([code, 0, 0, SKF_AD_OFF + SKF_AD_MAX], RET)).rule).toBe("ancillary-unknown");
      expect(v(P([code, 0, 0, SKF_AD_OFF - 1], RET)).errno).toBe(0);
    }
    // IND loads are not checked for ancillary offsets.
    expect(v(P([0x40, 0, 0, SKF_AD_OFF + 2], RET)).errno).toBe(0);
    expect(v(P([0x30, 0, 0, SKF_NET_OFF], RET)).errno).toBe(0);
  });

  it("checks instruction by instruction: the first bad one is reported", () => {
    expect(v(P([0x34, 0, 0, 0], [0x64, 0, 0, 40], RET))).toEqual({ errno: 22, rule: "div-by-zero", pc: 0 });
    expect(v(P([0x34, 0, 0, 1], [0xff, 0, 0, 0], RET))).toEqual({ errno: 22, rule: "opcode", pc: 1 });
    // The final RET comes after every per-instruction check.
    expect(v(P([0x64, 0, 0, 40], NOP))).toEqual({ errno: 22, rule: "shift-range", pc: 0 });
    expect(v(P(NOP, [0x16, 0, 0, 0])).errno).toBe(0);
    expect(v(P(NOP, NOP))).toEqual({ errno: 22, rule: "no-final-ret", pc: 1 });
  });
});

describe("check_load_and_stores", () => {
  it("a cell written before a jump is valid at both targets; what reaches a target is the AND over its predecessors", () => {
    expect(checkLoadAndStores(P([0x02, 0, 0, 1], [0x15, 0, 1, 0], [0x60, 0, 0, 1], [0x60, 0, 0, 1], RET)).errno).toBe(
      0,
    );
    // JA over the only store: the target sees nothing written.
    expect(checkLoadAndStores(P([0x05, 0, 0, 1], [0x02, 0, 0, 2], [0x60, 0, 0, 2], RET))).toEqual({
      errno: 22,
      rule: "scratch-unwritten",
      pc: 2,
    });
    // Written on both branches (STX on one), then read with LDX.
    expect(
      checkLoadAndStores(P([0x15, 0, 2, 0], [0x03, 0, 0, 3], [0x05, 0, 0, 1], [0x02, 0, 0, 3], [0x61, 0, 0, 3], RET))
        .errno,
    ).toBe(0);
    expect(
      checkLoadAndStores(P([0x15, 0, 2, 0], [0x03, 0, 0, 3], [0x05, 0, 0, 1], [0x02, 0, 0, 4], [0x61, 0, 0, 3], RET)),
    ).toEqual({ errno: 22, rule: "scratch-unwritten", pc: 4 });
    // A target reached twice keeps the AND of both: the second jump must not undo the first's.
    expect(checkLoadAndStores(P([0x15, 3, 0, 0], [0x02, 0, 0, 5], [0x05, 0, 0, 1], NOP, [0x60, 0, 0, 5], RET))).toEqual(
      { errno: 22, rule: "scratch-unwritten", pc: 4 },
    );
    expect(checkLoadAndStores(P([0x15, 3, 0, 0], [0x02, 0, 0, 5], [0x15, 1, 1, 0], NOP, [0x60, 0, 0, 5], RET))).toEqual(
      { errno: 22, rule: "scratch-unwritten", pc: 4 },
    );
    expect(checkLoadAndStores(P([0x15, 3, 0, 0], [0x02, 0, 0, 5], [0x15, 1, 0, 0], NOP, [0x60, 0, 0, 5], RET))).toEqual(
      { errno: 22, rule: "scratch-unwritten", pc: 4 },
    );
    // Code after a JA that no jump targets is unreachable: every cell counts as written there (memvalid = ~0).
    expect(checkLoadAndStores(P([0x05, 0, 0, 1], [0x60, 0, 0, 9], RET)).errno).toBe(0);
    expect(checkLoadAndStores(P([0x05, 0, 0, 0], [0x60, 0, 0, 9], RET))).toEqual({
      errno: 22,
      rule: "scratch-unwritten",
      pc: 1,
    });
  });

  it("the knob that skips the check", () => {
    expect(validate(P([0x60, 0, 0, 0], RET), "socket", { ...LINUX_SEMANTICS, checkScratchWritten: false }).errno).toBe(
      0,
    );
  });
});

describe("attach points", () => {
  it("xt_bpf: more than 64 instructions first, then every failure of bpf_prog_create as EINVAL, and no optmem charge", () => {
    const n = (count: number) => [...Array.from({ length: count - 1 }, () => insn(0x00, 0, 0, 0)), insn(0x06, 0, 0, 1)];
    expect(validate(n(64), "xt_bpf").errno).toBe(0);
    expect(validate(n(65), "xt_bpf")).toEqual({ errno: 22, rule: "xt-count" });
    expect(validate(n(65), "xt_bpf", { ...LINUX_SEMANTICS, xtMaxInstructions: 65 }).errno).toBe(0);
    expect(validate([], "xt_bpf")).toEqual({ errno: 22, rule: "length" });
    expect(validate(P([0x60, 0, 0, 0], RET), "xt_bpf")).toEqual({ errno: 22, rule: "scratch-unwritten", pc: 0 });
  });

  it("socket: at most BPF_MAXINSNS (4096) instructions", () => {
    const n = (count: number) => [...Array.from({ length: count - 1 }, () => insn(0x00, 0, 0, 0)), insn(0x06, 0, 0, 1)];
    expect(validate(n(4096), "socket").errno).toBe(0);
    expect(validate(n(4097), "socket")).toEqual({ errno: 22, rule: "length" });
  });
});

describe("opcodes (chk_code_allowed, bpf_anc_helper)", () => {
  it("the 49 codes user space may load", () => {
    expect([...ALLOWED_CODES].sort((a, b) => a - b)).toEqual([
      0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0c, 0x14, 0x15, 0x16, 0x1c, 0x1d, 0x20, 0x24, 0x25, 0x28, 0x2c,
      0x2d, 0x30, 0x34, 0x35, 0x3c, 0x3d, 0x40, 0x44, 0x45, 0x48, 0x4c, 0x4d, 0x50, 0x54, 0x5c, 0x60, 0x61, 0x64, 0x6c,
      0x74, 0x7c, 0x80, 0x81, 0x84, 0x87, 0x94, 0x9c, 0xa4, 0xac, 0xb1,
    ]);
    expect([codeAllowed(0x06), codeAllowed(0x0e), codeAllowed(0x8c)]).toEqual([true, false, false]);
  });

  it("ancillary offsets are exact SKF_AD_OFF + n values", () => {
    expect([ancillaryOf(SKF_AD_OFF), ancillaryOf(SKF_AD_OFF + 4), ancillaryOf(SKF_AD_OFF + 60)]).toEqual([
      "protocol",
      "pkttype",
      "vlan_tpid",
    ]);
    expect([
      ancillaryOf(SKF_AD_OFF + 1),
      ancillaryOf(SKF_AD_OFF - 4),
      ancillaryOf(SKF_AD_OFF + 64),
      ancillaryOf(0),
    ]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("classes and conditional jumps", () => {
    expect([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07].map(opcodeClassName)).toEqual([
      "ld",
      "ldx",
      "st",
      "stx",
      "alu",
      "jmp",
      "ret",
      "misc",
    ]);
    expect([
      isConditionalJump(0x15),
      isConditionalJump(0x4d),
      isConditionalJump(0x05),
      isConditionalJump(0x14),
    ]).toEqual([true, true, false, false]);
    expect(insn(6, 0, 0, -4096)).toEqual([6, 0, 0, SKF_AD_OFF]);
  });
});
