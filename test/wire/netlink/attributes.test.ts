import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../../wire/hex.js";
import {
  AttributeTable,
  NLA_F_NESTED,
  attrBe16,
  attrBe32,
  attrBe64,
  attrBes32,
  attrLe32,
  attrLe64,
  attrString,
  attrU8,
  decodeAttributes,
  decodeNested,
  nlattr,
  nlattrNested,
  readBe16,
  readBe32,
  readBe64,
  readBes32,
  readLe32,
  readLe64,
  readString,
  readU8,
} from "../../../wire/netlink/attributes.js";
import { concatBytes } from "../../../wire/netlink/bytes.js";
import { NetlinkDecodeError } from "../../../wire/netlink/errors.js";

function decodeError(fn: () => unknown): NetlinkDecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    return e as NetlinkDecodeError;
  }
  throw new Error("expected a NetlinkDecodeError");
}

describe("nlattr codec", () => {
  it("pads values and keeps nla_len unpadded", () => {
    expect(toHex(attrString(1, "t"))).toBe("0600010074000000");
    expect(toHex(attrBe32(2, 0))).toBe("0800020000000000");
    expect(toHex(nlattrNested(4, [attrBe32(1, 1), attrBes32(2, 10)]))).toBe("140004800800010000000001080002000000000a");
    expect(toHex(attrBes32(2, -150))).toBe("08000200ffffff6a");
  });

  it("round-trips arbitrary attribute lists with offsets", () => {
    const arb = fc.array(
      fc.record({ type: fc.integer({ min: 0, max: 0x3fff }), value: fc.uint8Array({ maxLength: 40 }) }),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(arb, fc.nat({ max: 1000 }), (attrs, base) => {
        const buf = concatBytes(attrs.map((a) => nlattr(a.type, a.value)));
        const back = decodeAttributes(buf, base);
        expect(back.map((a) => ({ type: a.type, value: Array.from(a.value) }))).toEqual(
          attrs.map((a) => ({ type: a.type, value: Array.from(a.value) })),
        );
        let at = base;
        back.forEach((a, i) => {
          expect(a.offset).toBe(at);
          at += (4 + attrs[i]!.value.length + 3) & ~3;
        });
      }),
    );
  });

  it("round-trips integers in both byte orders and strings", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.string({ unit: "grapheme-ascii" }).filter((s) => !s.includes("\0")),
        (n, big, s) => {
          const table = AttributeTable.decode(
            concatBytes([
              attrU8(1, n),
              attrBe16(2, n),
              attrBe32(3, n),
              attrBe64(4, big),
              attrLe32(5, n),
              attrLe64(6, big),
              attrString(7, s),
              attrBes32(8, n | 0),
            ]),
            0,
            "test",
          );
          expect(readU8(table.require(1, "a"), "a")).toBe(n & 0xff);
          expect(readBe16(table.require(2, "b"), "b")).toBe(n & 0xffff);
          expect(readBe32(table.require(3, "c"), "c")).toBe(n);
          expect(readBe64(table.require(4, "d"), "d")).toBe(big);
          expect(readLe32(table.require(5, "e"), "e")).toBe(n);
          expect(readLe64(table.require(6, "f"), "f")).toBe(big);
          expect(readString(table.require(7, "g"), "g")).toBe(s);
          expect(readBes32(table.require(8, "h"), "h")).toBe(n | 0);
        },
      ),
    );
  });

  it("decodes nested attributes with absolute offsets, flag or not", () => {
    for (const flag of [true, false]) {
      const outer = concatBytes([attrBe32(1, 5), nlattrNested(4, [attrBe32(1, 1), attrString(3, "lo")], { flag })]);
      const [, nest] = decodeAttributes(outer, 20);
      expect(nest!.nested).toBe(flag);
      const inner = decodeNested(nest!);
      expect(inner.map((a) => a.offset)).toEqual([32, 40]);
      expect(readString(inner[1]!, "dev")).toBe("lo");
    }
    expect(decodeAttributes(nlattr(4 | NLA_F_NESTED, new Uint8Array(0)))[0]!.type).toBe(4);
  });

  it("rejects nla_len below 4 with the offset", () => {
    const buf = concatBytes([attrBe32(1, 1), Uint8Array.of(3, 0, 2, 0)]);
    const e = decodeError(() => decodeAttributes(buf, 20));
    expect(e.offset).toBe(28);
    expect(e.message).toBe("nlattr at offset 28: nla_len 3 is less than the 4-byte header");
  });

  it("rejects an attribute overrunning its container (truncation anywhere)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(), (value, cut) => {
        const buf = concatBytes([attrBe32(1, 1), nlattr(2, value)]);
        const keep = 8 + 4 + (cut % value.length); // header of the 2nd attribute present, value cut short
        const e = decodeError(() => decodeAttributes(buf.subarray(0, keep), 100));
        expect(e.offset).toBe(108);
        expect(e.message).toMatch(/nla_len \d+ overruns its container/);
      }),
    );
  });

  it("rejects a nested attribute whose children overrun the parent", () => {
    const nest = nlattrNested(4, [attrBe32(1, 1)]);
    new DataView(nest.buffer).setUint16(4, 12, true); // child claims 12 bytes inside an 8-byte value
    const [a] = decodeAttributes(nest, 16);
    const e = decodeError(() => decodeNested(a!));
    expect(e.message).toMatch(/nlattr at offset 20: nla_len 12 overruns its container/);
  });

  it("rejects 1-3 trailing bytes (misaligned stream)", () => {
    const e = decodeError(() => decodeAttributes(concatBytes([attrBe32(1, 1), Uint8Array.of(0, 0)]), 4));
    expect(e.message).toBe("nlattr at offset 12: 2 trailing bytes are too short for a 4-byte attribute header");
  });

  it("rejects integers of the wrong size and strings without NUL", () => {
    const [a, b] = decodeAttributes(concatBytes([attrBe16(1, 1), nlattr(2, Uint8Array.of(0x61, 0x62))]), 40);
    expect(decodeError(() => readBe32(a!, "NFTA_X")).message).toBe("NFTA_X at offset 40: value is 2 bytes, expected 4");
    expect(decodeError(() => readString(b!, "NFTA_NAME")).message).toBe(
      "NFTA_NAME at offset 48: string is not NUL-terminated",
    );
  });

  it("names missing attributes", () => {
    const t = AttributeTable.decode(attrBe32(1, 1), 20, "NFT_MSG_NEWCHAIN");
    expect(decodeError(() => t.require(3, "NFTA_CHAIN_NAME")).message).toBe(
      "NFT_MSG_NEWCHAIN at offset 20: missing attribute NFTA_CHAIN_NAME (type 3)",
    );
  });
});
