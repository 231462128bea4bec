import { describe, expect, it } from "vitest";
import { EINVAL } from "../../sys/errno.js";
import { FilterPair, runSocketFilter, type BpfInsn } from "../../sys/socket-filter.js";

// AF_UNIX socketpairs touch no network state: these run in the test process.
const pkt = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);

describe("SO_ATTACH_FILTER on an AF_UNIX datagram socketpair", () => {
  it("RET #5 truncates to 5 bytes, shorter datagrams pass whole", () => {
    expect(runSocketFilter([[6, 0, 0, 5]], [pkt(20), pkt(3), pkt(5)])).toEqual({ errno: 0, results: [5, 3, 5] });
  });

  it("RET #0 drops", () => {
    expect(runSocketFilter([[6, 0, 0, 0]], [pkt(20)])).toEqual({ errno: 0, results: [0] });
  });

  it("refuses an empty program and RET X (0x0e) with EINVAL", () => {
    expect(runSocketFilter([], [])).toEqual({ errno: EINVAL });
    expect(runSocketFilter([[0x0e, 0, 0, 0]], [])).toEqual({ errno: EINVAL });
  });

  it("runs a real program: accept 0x42-led datagrams whole, drop the rest", () => {
    const prog: BpfInsn[] = [
      [0x30, 0, 0, 0], // ldb [0]
      [0x15, 0, 1, 0x42], // jeq #0x42, accept, drop
      [0x06, 0, 0, 0xffffffff],
      [0x06, 0, 0, 0],
    ];
    expect(runSocketFilter(prog, [Uint8Array.of(0x42, 1, 2), Uint8Array.of(1, 2), new Uint8Array(0)])).toEqual({
      errno: 0,
      results: [3, 0, 0],
    });
  });

  it("an out-of-bounds load returns 0; k may be given signed (SKF_AD_OFF + PROTOCOL)", () => {
    expect(
      runSocketFilter(
        [
          [0x20, 0, 0, 100],
          [0x06, 0, 0, 0xffff],
        ],
        [pkt(8)],
      ).results,
    ).toEqual([0]);
    expect(
      runSocketFilter(
        [
          [0x20, 0, 0, -0x1000],
          [0x16, 0, 0, 0],
        ],
        [pkt(8)],
      ).results,
    ).toEqual([0]);
  });

  it("a pair can be re-filtered and reused for many datagrams", () => {
    const p = FilterPair.open();
    try {
      expect(p.attach([[6, 0, 0, 2]])).toBe(0);
      expect([p.run(pkt(10)), p.run(pkt(1))]).toEqual([2, 1]);
      expect(p.attach([[6, 0, 0, 0xffff]])).toBe(0);
      expect(p.run(pkt(1000))).toBe(1000);
    } finally {
      p.close();
    }
  });

  it("rejects field values that do not fit struct sock_filter", () => {
    expect(() => runSocketFilter([[0x10000, 0, 0, 0]], [])).toThrow(RangeError);
  });
});
