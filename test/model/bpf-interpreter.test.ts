// The reference interpreter (model/bpf/interpreter.ts) instruction by
// instruction, as the kernel runs the converted program (net/core/filter.c
// bpf_convert_filter(), kernel/bpf/core.c ALU32 semantics), the two contexts'
// ancillary and link-layer loads (contexts.ts), and the semantics knobs.
import { describe, expect, it } from "vitest";
import { ancillaryDeterministic, contextResult, contextRules } from "../../model/bpf/contexts.js";
import { loadPacket, runProgram, type RunEnvironment } from "../../model/bpf/interpreter.js";
import { insn, SKF_AD_OFF, SKF_LL_OFF, SKF_NET_OFF, type Insn } from "../../model/bpf/opcodes.js";
import { LINUX_SEMANTICS, type BpfSemantics } from "../../model/bpf/semantics.js";

type Row = [number, number, number, number];
const P = (...rows: Row[]): Insn[] => rows.map(([c, jt, jf, k]) => insn(c, jt, jf, k));
const pkt = Uint8Array.from({ length: 40 }, (_, i) => i + 1);
const v4 = Uint8Array.from({ length: 20 }, (_, i) => (i === 0 ? 0x45 : i));
const v6 = Uint8Array.from({ length: 40 }, (_, i) => (i === 0 ? 0x60 : i));
const LDA = (k: number): Row => [0x00, 0, 0, k]; // ld #k
const LDX = (k: number): Row => [0x01, 0, 0, k]; // ldx #k
const RETA: Row = [0x16, 0, 0, 0];
const run = (
  program: Insn[],
  options: {
    packet?: Uint8Array;
    attach?: "socket" | "xt_bpf";
    env?: RunEnvironment;
    semantics?: Partial<BpfSemantics>;
  } = {},
) =>
  runProgram(program, options.packet ?? pkt, options.attach ?? "socket", options.env ?? {}, {
    ...LINUX_SEMANTICS,
    ...options.semantics,
  });
const A = (...rows: Row[]) => run(P(...rows, RETA)).returned;

describe("ALU32", () => {
  it("K and X forms of every operation, wrapping at 32 bits", () => {
    expect(A(LDA(7), [0x04, 0, 0, 3])).toBe(10);
    expect(A(LDA(7), LDX(3), [0x0c, 0, 0, 0])).toBe(10);
    expect(A(LDA(7), [0x14, 0, 0, 10])).toBe(0xfffffffd);
    expect(A(LDA(7), LDX(10), [0x1c, 0, 0, 0])).toBe(0xfffffffd);
    expect(A(LDA(0x10001), [0x24, 0, 0, 0x10001])).toBe(0x20001);
    expect(A(LDA(0x10000), LDX(0x10000), [0x2c, 0, 0, 0])).toBe(0);
    expect(A(LDA(0xffffffff), [0x34, 0, 0, 2])).toBe(0x7fffffff);
    expect(A(LDA(7), LDX(2), [0x3c, 0, 0, 0])).toBe(3);
    expect(A(LDA(0xffffffff), [0x94, 0, 0, 10])).toBe(5);
    expect(A(LDA(7), LDX(3), [0x9c, 0, 0, 0])).toBe(1);
    expect(A(LDA(0xf0f0), [0x54, 0, 0, 0xff00])).toBe(0xf000);
    expect(A(LDA(0xf0f0), LDX(0xff00), [0x5c, 0, 0, 0])).toBe(0xf000);
    expect(A(LDA(0xf0f0), [0x44, 0, 0, 0x0f0f])).toBe(0xffff);
    expect(A(LDA(0x80000000), LDX(1), [0x4c, 0, 0, 0])).toBe(0x80000001);
    expect(A(LDA(0xff00ff00), [0xa4, 0, 0, 0xffffffff])).toBe(0x00ff00ff);
    expect(A(LDA(0xf0), LDX(0xff), [0xac, 0, 0, 0])).toBe(0x0f);
    expect(A(LDA(3), [0x64, 0, 0, 31])).toBe(0x80000000);
    expect(A(LDA(0x80000000), [0x74, 0, 0, 31])).toBe(1);
    expect(A(LDA(0x80000000), LDX(31), [0x7c, 0, 0, 0])).toBe(1);
    expect(A(LDA(0x80000000), LDX(35), [0x7c, 0, 0, 0])).toBe(0x10000000);
    expect(A(LDA(7), [0x84, 0, 0, 0])).toBe(0xfffffff9);
  });

  it("DIV or MOD by X == 0 returns 0 at once; the knob sets A = 0 and goes on", () => {
    expect(run(P(LDA(9), [0x3c, 0, 0, 0], [0x06, 0, 0, 5])).returned).toBe(0);
    expect(
      run(P(LDA(9), [0x3c, 0, 0, 0], [0x04, 0, 0, 4], RETA), { semantics: { divideByZero: "zero-continues" } })
        .returned,
    ).toBe(4);
    expect(
      run(P(LDA(9), [0x9c, 0, 0, 0], [0x04, 0, 0, 4], RETA), { semantics: { divideByZero: "zero-continues" } })
        .returned,
    ).toBe(4);
  });

  it("a shift by X >= 32 is masked; the libpcap knob makes it 0", () => {
    expect(A(LDA(1), LDX(33), [0x6c, 0, 0, 0])).toBe(2);
    expect(run(P(LDA(1), LDX(33), [0x6c, 0, 0, 0], RETA), { semantics: { shiftByX: "zero" } }).returned).toBe(0);
    expect(run(P(LDA(8), LDX(33), [0x7c, 0, 0, 0], RETA), { semantics: { shiftByX: "zero" } }).returned).toBe(0);
    expect(run(P(LDA(8), LDX(1), [0x7c, 0, 0, 0], RETA), { semantics: { shiftByX: "zero" } }).returned).toBe(4);
    expect(run(P(LDA(8), LDX(32), [0x6c, 0, 0, 0], RETA), { semantics: { shiftByX: "zero" } }).returned).toBe(0);
    expect(A(LDA(8), LDX(32), [0x6c, 0, 0, 0])).toBe(8);
  });
});

describe("jumps", () => {
  // A, then a conditional jump over "ret #1" to "ret #2".
  const jump = (code: number, k: number, a: number, x = 0) =>
    run(P(LDA(a), LDX(x), [code, 1, 0, k], [0x06, 0, 0, 1], [0x06, 0, 0, 2])).returned;
  it("JEQ, JGT, JGE (unsigned), JSET, K and X", () => {
    expect([jump(0x15, 5, 5), jump(0x15, 5, 6)]).toEqual([2, 1]);
    expect([jump(0x1d, 0, 5, 5), jump(0x1d, 0, 5, 6)]).toEqual([2, 1]);
    expect([jump(0x25, 5, 6), jump(0x25, 5, 5), jump(0x25, 1, 0xffffffff)]).toEqual([2, 1, 2]);
    expect([jump(0x2d, 0, 6, 5), jump(0x2d, 0, 5, 5)]).toEqual([2, 1]);
    expect([jump(0x35, 5, 5), jump(0x35, 5, 4)]).toEqual([2, 1]);
    expect([jump(0x3d, 0, 5, 5), jump(0x3d, 0, 4, 5)]).toEqual([2, 1]);
    expect([jump(0x45, 6, 2), jump(0x45, 6, 1)]).toEqual([2, 1]);
    expect([jump(0x4d, 0, 2, 6), jump(0x4d, 0, 1, 6)]).toEqual([2, 1]);
  });

  it("JA skips k instructions; steps counts what ran", () => {
    const r = run(P([0x05, 0, 0, 1], [0x06, 0, 0, 1], [0x06, 0, 0, 2]));
    expect([r.returned, r.steps, r.deterministic]).toEqual([2, 2, true]);
    expect(run(P(LDA(1), LDA(2), RETA)).steps).toBe(3);
  });

  it("a program that runs off its end is not a validated one", () => {
    expect(() => run(P(LDA(1)))).toThrow("fell off the end of the program at pc 1: not a validated program");
    expect(() => run(P([0x55, 0, 0, 0], RETA))).toThrow("unknown jump 0x55");
  });
});

describe("loads and stores", () => {
  it("LEN, IMM, MEM, ST, STX, TAX, TXA; RET K and RET A", () => {
    expect(A([0x80, 0, 0, 0])).toBe(40);
    expect(A([0x81, 0, 0, 0], [0x87, 0, 0, 0])).toBe(40);
    expect(A(LDA(5), [0x02, 0, 0, 3], LDA(0), [0x60, 0, 0, 3])).toBe(5);
    expect(A(LDX(6), [0x03, 0, 0, 4], LDX(0), [0x61, 0, 0, 4], [0x87, 0, 0, 0])).toBe(6);
    expect(A(LDA(9), [0x07, 0, 0, 0], LDA(0), [0x87, 0, 0, 0])).toBe(9);
    expect(run(P(LDA(9), [0x06, 0, 0, 0xfffffffe])).returned).toBe(0xfffffffe);
  });

  it("ABS loads are big endian; IND adds X to k as a 32-bit int; out of bounds returns 0", () => {
    expect(A([0x20, 0, 0, 0])).toBe(0x01020304);
    expect(A([0x28, 0, 0, 1])).toBe(0x0203);
    expect(A([0x30, 0, 0, 39])).toBe(40);
    expect(A(LDX(2), [0x40, 0, 0, 1])).toBe(0x04050607);
    expect(A(LDX(2), [0x48, 0, 0, 1])).toBe(0x0405);
    expect(A(LDX(2), [0x50, 0, 0, 1])).toBe(4);
    expect(run(P([0x20, 0, 0, 37], [0x06, 0, 0, 7])).returned).toBe(0);
    expect(run(P([0x20, 0, 0, 36], [0x06, 0, 0, 7])).returned).toBe(7);
    expect(run(P(LDX(38), [0x48, 0, 0, 1], [0x06, 0, 0, 7])).returned).toBe(0);
    // The knob: a failed load gives A = 0 and goes on.
    expect(
      run(P(LDA(5), [0x20, 0, 0, 37], [0x04, 0, 0, 1], RETA), { semantics: { failedLoad: "zero-continues" } }).returned,
    ).toBe(1);
  });

  it("MSH: X = 4 * (P[k] & 0xf); a failed byte load returns 0; the knob takes the high nibble", () => {
    const msh = (k: number) => P([0xb1, 0, 0, k], [0x87, 0, 0, 0], RETA);
    expect(run(msh(0x1f - 1), { packet: Uint8Array.from({ length: 40 }, () => 0x4b) }).returned).toBe(44);
    expect(run(msh(40)).returned).toBe(0);
    expect(run(msh(40), { semantics: { failedLoad: "zero-continues" } }).returned).toBe(0);
    expect(
      run(P(LDX(9), [0xb1, 0, 0, 40], [0x87, 0, 0, 0], [0x04, 0, 0, 1], RETA), {
        semantics: { failedLoad: "zero-continues" },
      }).returned,
    ).toBe(1);
    expect(run(msh(0), { packet: Uint8Array.of(0x4b), semantics: { msh: "high-nibble" } }).returned).toBe(16);
    expect(run(msh(SKF_NET_OFF + 1)).returned).toBe(8);
  });
});

describe("negative offsets (bpf_internal_load_pointer_neg_helper)", () => {
  it("SKF_NET_OFF + n reads the packet; SKF_LL_OFF + n fails on a socket, is undetermined for xt_bpf; below fails", () => {
    expect(loadPacket(pkt, SKF_NET_OFF + 2, 2, { ancillary: {} as never, linkLayer: "fail" })).toEqual({
      value: 0x0304,
    });
    expect(loadPacket(pkt, SKF_NET_OFF, 1, { ancillary: {} as never, linkLayer: "fail" })).toEqual({ value: 1 });
    expect(loadPacket(pkt, SKF_NET_OFF + 39, 2, { ancillary: {} as never, linkLayer: "fail" })).toEqual({ fail: true });
    expect(loadPacket(pkt, SKF_LL_OFF, 1, { ancillary: {} as never, linkLayer: "fail" })).toEqual({ fail: true });
    expect(loadPacket(pkt, SKF_LL_OFF + 5, 1, { ancillary: {} as never, linkLayer: "any" })).toEqual({ any: true });
    expect(loadPacket(pkt, SKF_LL_OFF - 1, 1, { ancillary: {} as never, linkLayer: "any" })).toEqual({ fail: true });
    expect(loadPacket(pkt, -1, 1, { ancillary: {} as never, linkLayer: "any" })).toEqual({ fail: true });
    const ll = P([0x30, 0, 0, SKF_LL_OFF + 3], RETA);
    expect(run(ll)).toEqual({ returned: 0, deterministic: true, steps: 1 });
    const seen: [number, number][] = [];
    const env = { anyLinkLayer: (offset: number, size: number) => (seen.push([offset, size]), 0x1ab) };
    expect(run(ll, { attach: "xt_bpf", env })).toEqual({ returned: 0x1ab, deterministic: false, steps: 2 });
    expect(seen).toEqual([[SKF_LL_OFF + 3 - 0x1_0000_0000, 1]]);
    expect(run(ll, { attach: "xt_bpf" }).returned).toBe(0);
    expect(
      run(P([0xb1, 0, 0, SKF_LL_OFF], [0x87, 0, 0, 0], RETA), { attach: "xt_bpf", env: { anyLinkLayer: () => 0x13 } }),
    ).toEqual({ returned: 12, deterministic: false, steps: 3 });
    expect(run(P([0xb1, 0, 0, SKF_LL_OFF], [0x87, 0, 0, 0], RETA), { attach: "xt_bpf" })).toEqual({
      returned: 0,
      deterministic: false,
      steps: 3,
    });
    // An IND load at an ancillary offset is a packet load (a failing one), not an ancillary load.
    expect(run(P(LDA(5), LDX(0), [0x40, 0, 0, SKF_AD_OFF + 8], RETA)).returned).toBe(0);
  });
});

describe("ancillary loads per context", () => {
  const anc = (name: number) => [0x20, 0, 0, SKF_AD_OFF + name] as Row;
  it("socket: no device (IFINDEX and HATYPE exit with A), protocol 0; CPU and RANDOM undetermined", () => {
    expect(run(P(LDA(7), anc(8), [0x06, 0, 0, 1])).returned).toBe(7);
    expect(run(P(LDA(7), anc(28), [0x06, 0, 0, 1])).returned).toBe(7);
    expect(run(P(LDA(7), anc(0), RETA)).returned).toBe(0);
    expect(run(P(LDA(7), anc(20), RETA)).returned).toBe(0);
    const names: string[] = [];
    const r = run(P(anc(36), RETA), { env: { anyAncillary: (n) => (names.push(n), 0xffffffff) } });
    expect([r.returned, r.deterministic, names]).toEqual([0xffffffff, false, ["cpu"]]);
    expect(run(P(anc(56), RETA)).returned).toBe(0);
  });

  it("ALU_XOR_X, NLATTR and NLATTR_NEST are computed from A, X and the packet", () => {
    expect(run(P(LDA(0xff00), LDX(0x0ff0), anc(40), RETA))).toEqual({
      returned: 0xf0f0,
      deterministic: true,
      steps: 4,
    });
    const attrs = Uint8Array.of(4, 0, 1, 0, 8, 0, 2, 0, 4, 0, 3, 0);
    expect(run(P(LDA(0), LDX(2), anc(12), RETA), { packet: attrs }).returned).toBe(4);
    expect(run(P(LDA(4), LDX(3), anc(16), RETA), { packet: attrs }).returned).toBe(8);
  });

  it("xt_bpf: PROTOCOL is the EtherType of the IP version; mark and the like are undetermined", () => {
    expect(run(P(anc(0), RETA), { attach: "xt_bpf", packet: v4 }).returned).toBe(0x0800);
    expect(run(P(anc(0), RETA), { attach: "xt_bpf", packet: v6 }).returned).toBe(0x86dd);
    expect(run(P(anc(20), RETA), { attach: "xt_bpf", packet: v4 }).deterministic).toBe(false);
    expect(run(P(anc(44), RETA), { attach: "xt_bpf", packet: v4 })).toEqual({
      returned: 0,
      deterministic: true,
      steps: 2,
    });
  });

  it("which loads are determined, and what the protocol reports", () => {
    expect([
      ancillaryDeterministic("socket", "mark"),
      ancillaryDeterministic("xt_bpf", "mark"),
      ancillaryDeterministic("socket", "cpu"),
    ]).toEqual([true, false, false]);
    expect([
      contextResult("socket", 0, 40),
      contextResult("socket", 7, 40),
      contextResult("socket", 0xffffffff, 40),
    ]).toEqual([0, 7, 40]);
    expect([contextResult("xt_bpf", 0, 40), contextResult("xt_bpf", 7, 40)]).toEqual([0, 1]);
  });
});

describe("metadata a request gives (model/bpf/skb.ts)", () => {
  const anc = (off: number): Row => [0x20, 0, 0, SKF_AD_OFF + off];
  const skb = {
    mark: 0x1234aaaa,
    vlan: { proto: 0x0800, tci: 0xffff },
    pkttype: 3,
    queue: 123,
    rxhash: 0x1234aaab,
    protocol: 0x0800,
    device: { ifindex: 577, hatype: 588 },
    mac: Uint8Array.of(0xaa, 0xbb),
    network: 14,
  };
  const read = (row: Row, attach: "socket" | "xt_bpf" = "socket") =>
    run(P(LDA(7), row, RETA), { attach, packet: pkt, env: { skb } });
  it("each ancillary field reads its skb field, in both contexts", () => {
    for (const attach of ["socket", "xt_bpf"] as const) {
      expect([0, 4, 8, 20, 24, 28, 32, 44, 48, 60].map((off) => read(anc(off), attach)).map((r) => r.returned)).toEqual(
        [0x0800, 3, 577, 0x1234aaaa, 123, 588, 0x1234aaab, 0xffff, 1, 0x0800],
      );
      expect(read(anc(20), attach).deterministic).toBe(true);
    }
  });
  it("VLAN_TAG_PRESENT is vlan_all != 0: a tag of 0 with a protocol is present, none is not", () => {
    const present = (vlan?: { proto: number; tci: number }) =>
      run(P(anc(48), RETA), { env: { skb: vlan ? { vlan } : {} } }).returned;
    expect([present({ proto: 0x8100, tci: 0 }), present({ proto: 0, tci: 0 }), present()]).toEqual([1, 0, 0]);
  });
  it("a null device ends the program returning A; a device on xt_bpf is determined", () => {
    expect(run(P(LDA(7), anc(8), [0x06, 0, 0, 1]), { env: { skb: { device: null } } }).returned).toBe(7);
    expect(run(P(anc(8), RETA), { attach: "xt_bpf", env: { skb: { device: { ifindex: 2, hatype: 1 } } } })).toEqual({
      returned: 2,
      deterministic: true,
      steps: 2,
    });
  });
  it("SKF_LL_OFF reads the MAC header then the packet; SKF_NET_OFF reads from the network offset", () => {
    const ll = (n: number, size: number) => loadPacket(pkt, SKF_LL_OFF + n, size, contextRules("socket", skb));
    expect([ll(0, 1), ll(1, 2), ll(2, 1)]).toEqual([{ value: 0xaa }, { value: 0xbb01 }, { value: 1 }]);
    expect(ll(41, 1)).toEqual({ value: 40 });
    expect(ll(41, 2)).toEqual({ fail: true });
    const net = (n: number) => loadPacket(pkt, SKF_NET_OFF + n, 1, contextRules("socket", skb));
    expect([net(0), net(25), net(26)]).toEqual([{ value: 15 }, { value: 40 }, { fail: true }]);
    expect(loadPacket(pkt, SKF_LL_OFF, 1, contextRules("xt_bpf", { mac: null }))).toEqual({ fail: true });
  });
});
