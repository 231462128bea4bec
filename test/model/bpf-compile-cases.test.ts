// The compiled fast path (model/bpf/compile.ts) against the reference
// interpreter on hand-written programs that reach every statement it emits:
// each ALU operation in both forms, every load mode and size, negative offsets,
// ancillary loads per context, MSH, scratch cells and every jump shape.
import { describe, expect, it } from "vitest";
import { compileProgram, compiledSource } from "../../model/bpf/compile.js";
import { runProgram, type RunEnvironment } from "../../model/bpf/interpreter.js";
import { insn, SKF_AD_OFF, SKF_LL_OFF, SKF_NET_OFF, type Insn } from "../../model/bpf/opcodes.js";
import { validate } from "../../model/bpf/validator.js";

type Row = [number, number, number, number];
const P = (...rows: Row[]): Insn[] => rows.map(([c, jt, jf, k]) => insn(c, jt, jf, k));
const RETA: Row = [0x16, 0, 0, 0];
const packets = [
  new Uint8Array(0),
  Uint8Array.of(0x45),
  Uint8Array.from({ length: 40 }, (_, i) => (i === 0 ? 0x45 : (i * 37) & 0xff)),
  Uint8Array.from({ length: 60 }, (_, i) => (i === 0 ? 0x60 : 255 - i)),
  Uint8Array.of(8, 0, 1, 0, 0xaa, 0xbb, 0xcc, 0xdd, 4, 0, 2, 0),
];
const env: RunEnvironment = {
  anyAncillary: (name) => name.length * 1000 + 7,
  anyLinkLayer: (offset, size) => ((offset >>> 0) % 251) * size,
};

const alu = [0x04, 0x14, 0x24, 0x34, 0x94, 0x54, 0x44, 0xa4, 0x64, 0x74].flatMap((k) => [
  P([0x00, 0, 0, 0x12345678], [k, 0, 0, 5], RETA),
  P([0x00, 0, 0, 0x12345678], [0x01, 0, 0, 37], [k | 0x08, 0, 0, 0], RETA),
  P([0x00, 0, 0, 0x12345678], [0x01, 0, 0, 0], [k | 0x08, 0, 0, 0], [0x06, 0, 0, 9]),
]);
const loads = [0x20, 0x28, 0x30].flatMap((code) => [
  P([code, 0, 0, 0], RETA),
  P([code, 0, 0, 9], RETA),
  P([code, 0, 0, 38], RETA),
  P([code, 0, 0, 58], RETA),
  P([code, 0, 0, SKF_NET_OFF + 2], RETA),
  P([code, 0, 0, SKF_LL_OFF + 2], RETA),
  P([code, 0, 0, SKF_LL_OFF - 8], RETA),
  P([0x01, 0, 0, 3], [code + 0x20, 0, 0, 4], RETA),
  P([0x01, 0, 0, 0xffffffff], [code + 0x20, 0, 0, 2], RETA),
  P([0x01, 0, 0, 50], [code + 0x20, 0, 0, 0], RETA),
]);
const ancillary = [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60].map((off) =>
  P([0x00, 0, 0, 4], [0x01, 0, 0, 2], [0x20, 0, 0, SKF_AD_OFF + off], RETA),
);
const nl = [12, 16].flatMap((off) =>
  [0, 4].flatMap((a) => [1, 2].map((x) => P([0x00, 0, 0, a], [0x01, 0, 0, x], [0x20, 0, 0, SKF_AD_OFF + off], RETA))),
);
const misc = [
  P([0x00, 0, 0, 5], [0x01, 0, 0, 0], [0x40, 0, 0, SKF_AD_OFF + 8], RETA),
  P([0x80, 0, 0, 0], RETA),
  P([0x81, 0, 0, 0], [0x87, 0, 0, 0], RETA),
  P([0x00, 0, 0, 6], [0x02, 0, 0, 3], [0x00, 0, 0, 0], [0x60, 0, 0, 3], RETA),
  P([0x01, 0, 0, 6], [0x03, 0, 0, 15], [0x01, 0, 0, 0], [0x61, 0, 0, 15], [0x87, 0, 0, 0], RETA),
  P([0x00, 0, 0, 6], [0x07, 0, 0, 0], [0x00, 0, 0, 1], [0x87, 0, 0, 0], RETA),
  P([0x01, 0, 0, 8], [0x00, 0, 0, 0], [0x81, 0, 0, 0], [0x87, 0, 0, 0], RETA),
  P([0xb1, 0, 0, 0], [0x87, 0, 0, 0], RETA),
  P([0xb1, 0, 0, 39], [0x87, 0, 0, 0], RETA),
  P([0xb1, 0, 0, SKF_NET_OFF], [0x87, 0, 0, 0], RETA),
  P([0xb1, 0, 0, SKF_LL_OFF + 1], [0x87, 0, 0, 0], RETA),
  P([0x00, 0, 0, 7], [0x84, 0, 0, 0], RETA),
  P([0x06, 0, 0, 0xfffffffe]),
];
const jumps = [0x15, 0x25, 0x35, 0x45].flatMap((k) =>
  [0, 1, 0x80, 0xffffffff].flatMap((kk) => [
    P([0x30, 0, 0, 3], [k, 1, 0, kk], [0x06, 0, 0, 1], [0x06, 0, 0, 2]),
    P([0x30, 0, 0, 3], [k, 0, 1, kk], [0x06, 0, 0, 1], [0x06, 0, 0, 2]),
    P([0x30, 0, 0, 3], [k, 1, 1, kk], [0x06, 0, 0, 1], [0x06, 0, 0, 2]),
    P([0x30, 0, 0, 3], [0x01, 0, 0, kk], [k | 0x08, 2, 0, 0], [0x04, 0, 0, 1], [0x05, 0, 0, 1], [0x04, 0, 0, 2], RETA),
  ]),
);

describe("compiled programs on hand-written cases", () => {
  const programs = [...alu, ...loads, ...ancillary, ...nl, ...misc, ...jumps];
  it("are all valid programs", () => {
    for (const p of programs) expect(validate(p, "socket").errno).toBe(0);
  });
  for (const attach of ["socket", "xt_bpf"] as const) {
    it(`return what the interpreter returns (${attach})`, () => {
      for (const program of programs) {
        const compiled = compileProgram(program, attach);
        for (const p of packets) {
          const a = runProgram(program, p, attach, env);
          const b = compiled(p, env);
          expect([b.returned, b.deterministic], compiledSource(program, attach)).toEqual([a.returned, a.deterministic]);
        }
      }
    });
  }
  it("the generated body is a switch over jump targets", () => {
    const src = compiledSource(P([0x15, 1, 0, 0], [0x06, 0, 0, 1], [0x06, 0, 0, 2]), "socket");
    expect(src.split("\n")).toEqual([
      "let a = 0, x = 0, t = 0, pc = 0;",
      "const len = p.length;",
      "for (;;) switch (pc) {",
      "case 0:",
      "  if (a === 0) { pc = 2; continue; } else {}",
      "case 1:",
      "  return 1;",
      "case 2:",
      "  return 2;",
      "default: throw new Error('pc ' + pc);",
      "}",
    ]);
  });
});
