// The classic BPF model: each validator rule, the run-time rules, the formats.
import { describe, expect, it } from "vitest";
import { convertProgram } from "../../model/bpf/converted-length.js";
import {
  disassemble,
  formatBytecode,
  formatTcpdumpDdd,
  parseBytecode,
  parseTcpdumpDdd,
  encodeSockFilters,
  decodeSockFilters,
} from "../../model/bpf/formats.js";
import { runProgram } from "../../model/bpf/interpreter.js";
import { ALLOWED_CODES, insn, SKF_AD_OFF, SKF_LL_OFF, SKF_NET_OFF, type Insn } from "../../model/bpf/opcodes.js";
import { validate } from "../../model/bpf/validator.js";

const P = (...rows: [number, number, number, number][]): Insn[] => rows.map(([c, jt, jf, k]) => insn(c, jt, jf, k));
const RET1: [number, number, number, number] = [0x06, 0, 0, 1];
const pkt = Uint8Array.from({ length: 40 }, (_, i) => i + 1);

describe("validator (net/core/filter.c)", () => {
  it("has chk_code_allowed's 49 opcodes", () => expect(ALLOWED_CODES).toHaveLength(49));
  const cases: [string, Insn[], string | undefined][] = [
    ["empty program", [], "length"],
    ["RET X (0x0e)", P([0x0e, 0, 0, 0]), "opcode"],
    ["div by constant 0", P([0x34, 0, 0, 0], RET1), "div-by-zero"],
    ["mod by constant 0", P([0x94, 0, 0, 0], RET1), "div-by-zero"],
    ["shift by constant 32", P([0x64, 0, 0, 32], RET1), "shift-range"],
    ["shift by constant 31", P([0x64, 0, 0, 31], RET1), undefined],
    ["M[16]", P([0x02, 0, 0, 16], RET1), "scratch-index"],
    ["JA past the end", P([0x05, 0, 0, 1], RET1), "ja-range"],
    ["JA to the last", P([0x05, 0, 0, 0], RET1), undefined],
    ["jeq past the end", P([0x15, 1, 0, 0], RET1), "jcond-range"],
    ["unknown ancillary", P([0x20, 0, 0, SKF_AD_OFF + 1], RET1), "ancillary-unknown"],
    ["SKF_NET_OFF passes", P([0x30, 0, 0, SKF_NET_OFF], RET1), undefined],
    ["no final RET", P([0x00, 0, 0, 1]), "no-final-ret"],
    ["unwritten M[0]", P([0x60, 0, 0, 0], RET1), "scratch-unwritten"],
    ["M[0] written on one path only", P([0x15, 1, 0, 0], [0x02, 0, 0, 0], [0x60, 0, 0, 0], RET1), "scratch-unwritten"],
    [
      "M[0] written on both paths",
      P([0x02, 0, 0, 0], [0x15, 1, 0, 0], [0x02, 0, 0, 0], [0x60, 0, 0, 0], RET1),
      undefined,
    ],
  ];
  for (const [what, program, rule] of cases) {
    it(`${what}: ${rule ?? "accepted"}`, () => expect(validate(program, "socket").rule).toBe(rule));
  }
  it("xt_bpf refuses 65 instructions first, the socket takes them", () => {
    const p = P(...Array.from({ length: 64 }, () => [0x00, 0, 0, 1] as [number, number, number, number]), RET1);
    expect(validate(p, "xt_bpf")).toMatchObject({ errno: 22, rule: "xt-count" });
    expect(validate(p, "socket").errno).toBe(0);
    expect(
      validate(
        P(...Array.from({ length: 4096 }, () => [0x00, 0, 0, 1] as [number, number, number, number]))
          .slice(0, 4095)
          .concat([insn(6, 0, 0, 1)]),
        "socket",
      ).errno,
    ).toBe(0);
    expect(validate(P(...Array.from({ length: 4097 }, () => RET1)), "socket").rule).toBe("length");
  });
  it("2,000 byte loads are ENOMEM on a socket (optmem), a long JA over loads EINVAL (s16 offset)", () => {
    const loads = Array.from({ length: 2000 }, () => insn(0x30, 0, 0, 5));
    expect(validate([...loads, insn(6, 0, 0, 1)], "socket")).toMatchObject({ errno: 12, rule: "optmem" });
    const ja = [insn(0x05, 0, 0, 2400), ...Array.from({ length: 2400 }, () => insn(0x20, 0, 0, 1)), insn(6, 0, 0, 1)];
    expect(validate(ja, "socket")).toMatchObject({ errno: 22, rule: "jump-offset" });
    // Measured on 6.18: 1,168 word loads (16,361 eBPF insns) attach, 1,169 do not.
    expect(convertProgram([...Array.from({ length: 1168 }, () => insn(0x20, 0, 0, 1)), insn(6, 0, 0, 1)]).length).toBe(
      16361,
    );
  });
});

describe("interpreter", () => {
  const run = (program: Insn[], packet = pkt, attach: "socket" | "xt_bpf" = "socket") =>
    runProgram(program, packet, attach).returned;
  it("division and modulo by X == 0 return 0", () => {
    expect(run(P([0x00, 0, 0, 9], [0x3c, 0, 0, 0], RET1))).toBe(0);
    expect(run(P([0x00, 0, 0, 9], [0x9c, 0, 0, 0], RET1))).toBe(0);
  });
  it("an out-of-bounds load returns 0; in bounds it reads big endian", () => {
    expect(run(P([0x20, 0, 0, 38], RET1))).toBe(0);
    expect(run(P([0x28, 0, 0, 38], [0x16, 0, 0, 0]))).toBe(0x2728);
  });
  it("IFINDEX on a socket without a device returns the current A (measured: A=7 returns 7)", () => {
    expect(run(P([0x00, 0, 0, 7], [0x20, 0, 0, SKF_AD_OFF + 8], RET1))).toBe(7);
  });
  it("shift by X uses X & 31", () =>
    expect(run(P([0x00, 0, 0, 1], [0x01, 0, 0, 33], [0x6c, 0, 0, 0], [0x16, 0, 0, 0]))).toBe(2));
  it("MSH: X = 4 * (P[k] & 0xf)", () => expect(run(P([0xb1, 0, 0, 4], [0x87, 0, 0, 0], [0x16, 0, 0, 0]))).toBe(20));
  it("SKF_NET_OFF reads the packet; SKF_LL_OFF fails on a socket", () => {
    expect(run(P([0x30, 0, 0, SKF_NET_OFF + 5], [0x16, 0, 0, 0]))).toBe(6);
    expect(run(P([0x00, 0, 0, 7], [0x30, 0, 0, SKF_LL_OFF], RET1))).toBe(0);
  });
  it("indirect loads add X and k as a 32-bit int", () =>
    expect(run(P([0x01, 0, 0, 0xffffffff], [0x50, 0, 0, 3], [0x16, 0, 0, 0]))).toBe(3));
  it("xt_bpf PROTOCOL is the EtherType of the packet's version", () => {
    const v6 = new Uint8Array(40);
    v6[0] = 0x60;
    expect(run(P([0x28, 0, 0, SKF_AD_OFF], [0x16, 0, 0, 0]), v6, "xt_bpf")).toBe(0x86dd);
  });
});

describe("formats", () => {
  const ipProto6 = "4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0";
  it("parses and prints iptables --bytecode (the ip proto 6 example)", () => {
    const p = parseBytecode(ipProto6);
    expect(formatBytecode(p)).toBe(ipProto6);
    expect(parseTcpdumpDdd(formatTcpdumpDdd(p))).toEqual(p);
    expect(decodeSockFilters(encodeSockFilters(p))).toEqual(p);
    expect(disassemble(p)).toBe(
      [
        "(000) ldb      [9]",
        "(001) jeq      #0x6             jt 2\tjf 3",
        "(002) ret      #1",
        "(003) ret      #0",
      ].join("\n"),
    );
  });
  it("parses the seed thread's program with its trailing comma", () => {
    expect(parseBytecode("6,40 0 0 14, 21 0 3 2048,48 0 0 25,21 0 1 20,6 0 0 96,6 0 0 0,")).toHaveLength(6);
  });
});
