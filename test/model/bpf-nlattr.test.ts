// The netlink-attribute ancillary loads (model/bpf/nlattr.ts): net/core/filter.c
// bpf_skb_get_nlattr() / bpf_skb_get_nlattr_nest() over lib/nlattr.c nla_find()
// and include/net/netlink.h nla_ok() / nla_next(); headers are little endian.
import { describe, expect, it } from "vitest";
import { nlattr, nlattrNest } from "../../model/bpf/nlattr.js";

/** struct nlattr { u16 nla_len; u16 nla_type } and `value`, padded to 4. */
const attr = (type: number, value: number[], len = 4 + value.length) => {
  const padded = [...value, ...new Array<number>((4 - (value.length % 4)) % 4).fill(0)];
  return [len & 0xff, len >> 8, type & 0xff, type >> 8, ...padded];
};
const P = (...parts: number[][]) => Uint8Array.from(parts.flat());

describe("nlattr (A = offset to search from, X = type)", () => {
  const p = P([0xaa, 0xbb, 0xcc, 0xdd], attr(1, [1, 2]), attr(2, [3, 4, 5, 6, 7]), attr(3, []));
  it("returns the offset of the first attribute of type X, 0 when there is none", () => {
    expect(nlattr(p, 4, 1)).toBe(4);
    expect(nlattr(p, 4, 2)).toBe(12);
    // nla_len 9 is aligned to 12: the next attribute is at 24.
    expect(nlattr(p, 4, 3)).toBe(24);
    expect(nlattr(p, 4, 4)).toBe(0);
    expect(nlattr(p, 12, 1)).toBe(0);
  });

  it("compares the type without NLA_F_NESTED / NLA_F_NET_BYTEORDER; an X above INT_MAX never matches", () => {
    const q = P(attr(0x8005, [1, 2, 3, 4]), attr(0x4006, []));
    expect(nlattr(q, 0, 5)).toBe(0);
    expect(nlattr(q, 0, 6)).toBe(8);
    expect(nlattr(P(attr(1, [])), 0, 0x80000001)).toBe(0);
  });

  it("A must leave room for a header; packets shorter than a header give 0", () => {
    const q = P([0, 0, 0, 0], attr(7, []));
    expect(nlattr(q, 4, 7)).toBe(4); // A == len - 4
    expect(nlattr(q, 5, 7)).toBe(0);
    expect(nlattr(Uint8Array.of(4, 0, 7), 0, 7)).toBe(0);
  });

  it("stops at an attribute nla_ok() refuses: nla_len below 4 or beyond what is left", () => {
    expect(nlattr(P(attr(1, [], 3), attr(2, [])), 0, 2)).toBe(0);
    expect(nlattr(P(attr(1, [0, 0, 0, 0]), attr(2, [], 9)), 0, 2)).toBe(0);
    expect(nlattr(P(attr(1, [0, 0, 0, 0]), attr(2, [], 8), [0, 0, 0, 0]), 0, 2)).toBe(8);
    // What is left counts from A: an attribute at A claiming more than the rest of the packet stops the search.
    expect(nlattr(P([0, 0, 0, 0], attr(2, [], 8)), 4, 2)).toBe(0);
  });
});

describe("nlattr_nest (A = offset of the nesting attribute, X = type)", () => {
  const inner = [...attr(1, [9, 9]), ...attr(2, [])];
  const p = P([0xee, 0xee, 0xee, 0xee], attr(0x8010, inner), attr(2, []));
  it("searches only inside the attribute at A", () => {
    expect(nlattrNest(p, 4, 1)).toBe(8);
    expect(nlattrNest(p, 4, 2)).toBe(16);
    expect(nlattrNest(p, 4, 3)).toBe(0);
    // Type 2 outside the nest (at 20) is not found from the nest's inside.
    expect(nlattrNest(P(attr(5, attr(1, [])), attr(2, [])), 0, 2)).toBe(0);
  });

  it("the attribute at A must be nla_ok(); A must leave room for a header", () => {
    expect(nlattrNest(P(attr(5, [1, 0, 1, 0], 40)), 0, 1)).toBe(0);
    expect(nlattrNest(P(attr(5, attr(1, []), 40)), 0, 1)).toBe(0);
    expect(nlattrNest(P([0, 0, 0, 0], attr(5, attr(1, []), 12)), 4, 1)).toBe(0);
    expect(nlattrNest(P([0, 0, 0, 0], attr(5, attr(1, []), 8)), 4, 1)).toBe(8);
    expect(nlattrNest(P(attr(5, [1, 0, 1, 0], 3)), 0, 1)).toBe(0);
    expect(nlattrNest(P([0, 0, 0, 0], attr(5, [])), 5, 1)).toBe(0);
    expect(nlattrNest(Uint8Array.of(8, 0, 5), 0, 1)).toBe(0);
    // A nest of just a header holds nothing.
    expect(nlattrNest(P(attr(5, []), attr(1, [])), 0, 1)).toBe(0);
  });
});
