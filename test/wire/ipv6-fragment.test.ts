// wire/ipv6-fragment.ts: a parsed fragment's views, and reassembled datagrams
// carved from shared buffers whose bytes are written, not zeroed, when the
// pieces fill the datagram (a byte no piece writes must still read 0).
import { describe, expect, it } from "vitest";
import { buildFragmentPacket, parseFragmentPacket, reassembledFromPieces } from "../../wire/ipv6-fragment.js";

const UNFRAGMENTABLE = (() => {
  const u = new Uint8Array(40);
  u[0] = 0x60;
  u[6] = 59; // No Next Header: rewritten by the Fragment header
  u[8] = 0x20;
  u[24] = 0x20;
  return u;
})();

const bytes = (n: number, value: number) => new Uint8Array(n).fill(value);

/**
 * A datagram of `length` Fragmentable bytes from `pieces`, built right after the
 * rest of its shared buffer was filled with 0xee: a byte left unwritten and
 * unzeroed shows as 0xee.
 */
function builtOverGarbage(length: number, pieces: { offset: number; data: Uint8Array }[]): Uint8Array {
  for (;;) {
    const probe = reassembledFromPieces(UNFRAGMENTABLE, 6, 17, 8, [{ offset: 0, data: bytes(8, 1) }]);
    const rest = new Uint8Array(probe.buffer, probe.byteOffset + probe.length);
    rest.fill(0xee);
    if (rest.length < 40 + length) continue; // too near the end: the next datagram starts a new buffer
    return reassembledFromPieces(UNFRAGMENTABLE, 6, 17, length, pieces);
  }
}

describe("parseFragmentPacket", () => {
  it("reads the fields, and its views are the packet's own bytes", () => {
    const data = bytes(16, 7);
    const packet = buildFragmentPacket({
      unfragmentable: UNFRAGMENTABLE,
      prevNextHeaderOffset: 6,
      nextHeader: 17,
      offset: 8,
      more: true,
      identification: 0x89abcdef,
      data,
    });
    const f = parseFragmentPacket(packet)!;
    expect([f.fragmentHeaderOffset, f.nextHeader, f.offset, f.more, f.identification, f.dataLength]).toEqual([
      40,
      17,
      8,
      true,
      0x89abcdef,
      16,
    ]);
    expect(f.packet).toBe(packet);
    expect(f.unfragmentable).toEqual(packet.subarray(0, 40));
    expect(f.data).toEqual(data);
    expect(f.data.buffer).toBe(packet.buffer); // a view, not a copy
    expect(f.data).toBe(f.data); // made once
  });
});

describe("reassembledFromPieces", () => {
  it("places every piece at its offset, in any order, with Payload Length and Next Header set", () => {
    const d = builtOverGarbage(24, [
      { offset: 16, data: bytes(8, 3) },
      { offset: 0, data: bytes(8, 1) },
      { offset: 8, data: bytes(8, 2) },
    ]);
    expect(d.length).toBe(64);
    expect([d[4], d[5], d[6]]).toEqual([0, 24, 17]);
    expect([...d.subarray(40)]).toEqual([...bytes(8, 1), ...bytes(8, 2), ...bytes(8, 3)]);
  });

  it("a byte no piece writes is 0: a gap, pieces that overlap, a piece past the end", () => {
    const gap = builtOverGarbage(24, [
      { offset: 0, data: bytes(8, 1) },
      { offset: 16, data: bytes(8, 3) },
    ]);
    expect([...gap.subarray(48, 56)]).toEqual([...bytes(8, 0)]);
    // Together 24 bytes, but overlapping: bytes 16..24 are never written.
    const overlap = builtOverGarbage(24, [
      { offset: 8, data: bytes(8, 2) },
      { offset: 0, data: bytes(16, 1) },
    ]);
    expect([...overlap.subarray(56, 64)]).toEqual([...bytes(8, 0)]);
    // Together 16 bytes, but one lies past the datagram's end: typed-array set() throws as it did before.
    expect(() =>
      builtOverGarbage(16, [
        { offset: 0, data: bytes(8, 1) },
        { offset: 16, data: bytes(8, 3) },
      ]),
    ).toThrow(RangeError);
  });

  it("datagrams built one after another do not share bytes", () => {
    const a = reassembledFromPieces(UNFRAGMENTABLE, 6, 17, 8, [{ offset: 0, data: bytes(8, 1) }]);
    const b = reassembledFromPieces(UNFRAGMENTABLE, 6, 17, 8, [{ offset: 0, data: bytes(8, 2) }]);
    a.fill(9);
    expect([...b.subarray(40)]).toEqual([...bytes(8, 2)]);
    expect(b[0]).toBe(0x60);
  });
});
