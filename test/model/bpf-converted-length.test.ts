// The length of the kernel's eBPF translation (model/bpf/converted-length.ts),
// instruction by instruction as its comments derive it from net/core/filter.c
// bpf_convert_filter() / convert_bpf_ld_abs() / convert_bpf_extensions() on
// x86_64: what load-time jump offsets (s16) and optmem charging depend on.
import { describe, expect, it } from "vitest";
import { convertedLength, convertProgram } from "../../model/bpf/converted-length.js";
import { ANCILLARY, insn, SKF_AD_OFF, SKF_NET_OFF, type Insn } from "../../model/bpf/opcodes.js";
import { bpfProgSize, OPTMEM_MAX, validate } from "../../model/bpf/validator.js";

const L = (code: number, jt: number, jf: number, k: number) => convertedLength(insn(code, jt, jf, k));
const P = (...rows: [number, number, number, number][]): Insn[] => rows.map(([c, jt, jf, k]) => insn(c, jt, jf, k));

describe("convertedLength", () => {
  it("ALU: one instruction, five for DIV and MOD by X (the X == 0 check)", () => {
    expect([
      L(0x04, 0, 0, 1),
      L(0x0c, 0, 0, 0),
      L(0x34, 0, 0, 3),
      L(0x94, 0, 0, 3),
      L(0x3c, 0, 0, 0),
      L(0x9c, 0, 0, 0),
    ]).toEqual([1, 1, 1, 1, 5, 5]);
  });

  it("ancillary loads (convert_bpf_extensions)", () => {
    const lengths = Object.fromEntries(
      Object.entries(ANCILLARY).map(([name, off]) => [name, L(0x20, 0, 0, SKF_AD_OFF + off)]),
    );
    expect(lengths).toEqual({
      protocol: 2,
      pkttype: 2,
      ifindex: 4,
      nlattr: 4,
      nlattr_nest: 4,
      mark: 1,
      queue: 1,
      hatype: 4,
      rxhash: 1,
      cpu: 4,
      alu_xor_x: 1,
      vlan_tag: 1,
      vlan_tag_present: 3,
      pay_offset: 4,
      random: 4,
      vlan_tpid: 2,
    });
  });

  it("packet loads: the fast path (MOV, SUB if k, JSLT, LDX or three for k > S16_MAX, ENDIAN for H/W, JA) then the slow path (8, one more ADD for IND k)", () => {
    expect(L(0x30, 0, 0, 0)).toBe(4 + 8); // ldb [0]
    expect(L(0x20, 0, 0, 0)).toBe(5 + 8); // ld [0]
    expect(L(0x20, 0, 0, 5)).toBe(6 + 8);
    expect(L(0x28, 0, 0, 0x7fff)).toBe(6 + 8);
    expect(L(0x28, 0, 0, 0x8000)).toBe(8 + 8);
    expect(L(0x30, 0, 0, SKF_NET_OFF)).toBe(8); // negative k: the slow path only
    expect([L(0x40, 0, 0, 0), L(0x50, 0, 0, 1)]).toEqual([8, 9]);
    expect([L(0x00, 0, 0, 1), L(0x60, 0, 0, 1), L(0x80, 0, 0, 0)]).toEqual([1, 1, 1]);
  });

  it("LDX MSH: X = A, the byte load, AND, LSH and three MOVs; other LDX one", () => {
    expect(L(0xb1, 0, 0, 14)).toBe(1 + 13 + 5);
    expect(L(0xb1, 0, 0, SKF_NET_OFF)).toBe(1 + 8 + 5);
    expect([L(0x01, 0, 0, 1), L(0x61, 0, 0, 1), L(0x81, 0, 0, 0)]).toEqual([1, 1, 1]);
  });

  it("RET A one, RET K two; stores and TAX/TXA one", () => {
    expect([L(0x16, 0, 0, 0), L(0x06, 0, 0, 1)]).toEqual([1, 2]);
    expect([L(0x02, 0, 0, 1), L(0x03, 0, 0, 1), L(0x07, 0, 0, 0), L(0x87, 0, 0, 0)]).toEqual([1, 1, 1, 1]);
  });

  it("jumps: JA one; one conditional jump when a branch falls through (jt == 0 only for JEQ/JGT/JGE), else two; a negative K adds a MOV", () => {
    expect(L(0x05, 0, 0, 3)).toBe(1);
    expect([L(0x15, 1, 0, 1), L(0x15, 0, 1, 1), L(0x15, 1, 1, 1)]).toEqual([1, 1, 2]);
    expect([L(0x25, 0, 1, 1), L(0x35, 0, 1, 1), L(0x45, 0, 1, 1)]).toEqual([1, 1, 2]);
    expect([L(0x15, 1, 0, 0x80000000), L(0x15, 0, 1, 0xffffffff), L(0x45, 1, 1, 0xffffffff)]).toEqual([2, 2, 3]);
    expect([L(0x1d, 1, 1, 0x80000000), L(0x15, 1, 1, 0x7fffffff), L(0x15, 1, 0, 0)]).toEqual([2, 2, 1]);
  });
});

describe("convertProgram", () => {
  it("a prologue of 3, plus 4 when the program has a plain packet load (seen_ld_abs)", () => {
    expect(convertProgram(P([0x06, 0, 0, 1])).length).toBe(3 + 2);
    expect(convertProgram(P([0x20, 0, 0, SKF_AD_OFF], [0x16, 0, 0, 0])).length).toBe(3 + 2 + 1);
    expect(convertProgram(P([0x30, 0, 0, 0], [0x16, 0, 0, 0])).length).toBe(3 + 4 + 12 + 1);
    expect(convertProgram(P([0x40, 0, 0, 0], [0x16, 0, 0, 0])).length).toBe(3 + 4 + 8 + 1);
    expect(convertProgram(P([0xb1, 0, 0, 0], [0x16, 0, 0, 0])).length).toBe(3 + 4 + 18 + 1);
    expect(convertProgram(P([0x00, 0, 0, 0], [0x60, 0, 0, 0], [0x16, 0, 0, 0])).length).toBe(3 + 3);
    expect(convertProgram(P([0x01, 0, 0, 1], [0x16, 0, 0, 0])).length).toBe(3 + 2);
    expect(convertProgram(P([0x00, 0, 0, 1], [0x44, 0, 0, 2], [0x16, 0, 0, 0])).length).toBe(3 + 3);
  });

  it("a JA whose converted offset passes S16_MAX is out of range", () => {
    const over = (n: number) => [
      insn(0x05, 0, 0, n),
      ...Array.from({ length: n }, () => insn(0x20, 0, 0, 1)),
      insn(0x06, 0, 0, 1),
    ];
    // off = 1 + 14 n - 1: 32,760 fits, 32,774 does not.
    expect(convertProgram(over(2340))).toEqual({ length: 3 + 4 + 1 + 14 * 2340 + 2 });
    expect(convertProgram(over(2341))).toEqual({ length: 3 + 4 + 1 + 14 * 2341 + 2, jumpOutOfRange: 0 });
    expect(validate(over(2341), "socket")).toEqual({ errno: 22, rule: "jump-offset", pc: 0 });
    expect(validate(over(2341), "xt_bpf").rule).toBe("xt-count");
    // The exact limit: an offset of 32,767 fits, 32,768 does not.
    const exact = (pads: number) => [
      insn(0x05, 0, 0, 2340 + pads),
      ...Array.from({ length: 2340 }, () => insn(0x20, 0, 0, 1)),
      ...Array.from({ length: pads }, () => insn(0x00, 0, 0, 0)),
      insn(0x06, 0, 0, 1),
    ];
    expect(convertProgram(exact(7)).jumpOutOfRange).toBeUndefined();
    expect(convertProgram(exact(8)).jumpOutOfRange).toBe(0);
  });

  it("a jump placed past converted position 32,767 is refused, however short (the first pass reads targets as 0)", () => {
    // Measured on 6.18: ld [1] is 14 eBPF instructions, the prologue 7.
    const late = (loads: number) => [
      ...Array.from({ length: loads }, () => insn(0x20, 0, 0, 1)),
      insn(0x15, 0, 0, 100000),
      insn(0x06, 0, 0, 1),
    ];
    // The JEQ at 7 + 14 * 2340 = 32,767: off = -32,768 in the first pass, which fits.
    expect(convertProgram(late(2340)).jumpOutOfRange).toBeUndefined();
    expect(validate(late(2340), "socket")).toMatchObject({ errno: 12, rule: "optmem" });
    // At 32,781 it does not: EINVAL, where the charge would have given ENOMEM.
    expect(convertProgram(late(2341)).jumpOutOfRange).toBe(2341);
    expect(validate(late(2341), "socket")).toEqual({ errno: 22, rule: "jump-offset", pc: 2341 });
  });

  it("optmem: bpf_prog_size(len) must stay below optmem_max", () => {
    expect(bpfProgSize(10)).toBe(96 + 80);
    // (131072 - 96) / 8 = 16372 eBPF instructions reach optmem_max exactly.
    const loads = (n: number) => [...Array.from({ length: n }, () => insn(0x20, 0, 0, 1)), insn(0x06, 0, 0, 1)];
    expect(convertProgram(loads(1168)).length).toBe(16361);
    expect(bpfProgSize(16372)).toBe(OPTMEM_MAX);
    expect(validate(loads(1168), "socket").errno).toBe(0);
    expect(validate(loads(1169), "socket")).toEqual({ errno: 12, rule: "optmem" });
    // Exactly optmem_max is refused (filter_size <= optmem_max, but omem_alloc + filter_size < optmem_max).
    const padded = (pads: number) => [
      ...Array.from({ length: 1168 }, () => insn(0x20, 0, 0, 1)),
      ...Array.from({ length: pads }, () => insn(0x00, 0, 0, 0)),
      insn(0x06, 0, 0, 1),
    ];
    expect(convertProgram(padded(11)).length).toBe(16372);
    expect(validate(padded(10), "socket").errno).toBe(0);
    expect(validate(padded(11), "socket")).toEqual({ errno: 12, rule: "optmem" });
  });
});
