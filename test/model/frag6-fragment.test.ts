// What a receiver reads from one packet (model/frag6/fragment.ts): the tiny
// first fragment check (include/net/ipv6_frag.h ipv6frag_thdr_truncated()
// over ipv6_skip_exthdr(), net/ipv6/exthdrs_core.c), ICMPv6 error
// eligibility (net/ipv6/icmp.c icmp6_send(), RFC 4443 section 2.4 (e)), the
// queue key and the fragment's facts.
import { describe, expect, it } from "vitest";
import {
  fragmentFacts,
  icmpErrorAllowed,
  parseArrival,
  queueKey,
  tinyFirstFragment,
} from "../../model/frag6/fragment.js";
import { buildFragmentPacket, parseFragmentPacket } from "../../wire/ipv6-fragment.js";
import { fromHex } from "../../wire/hex.js";
import { PARTS } from "./frag6-helpers.js";

/** A fragment of PARTS whose Fragmentable Part starts with header `nextHeader` and carries `data`. */
function fragment(
  nextHeader: number,
  data: number[],
  options: { offset?: number; more?: boolean; src?: string; dst?: string } = {},
) {
  const unfragmentable = PARTS.unfragmentable.slice();
  if (options.src) unfragmentable.set(fromHex(options.src), 8);
  if (options.dst) unfragmentable.set(fromHex(options.dst), 24);
  const packet = buildFragmentPacket({
    ...PARTS,
    unfragmentable,
    nextHeader,
    offset: options.offset ?? 0,
    more: options.more ?? true,
    identification: 7,
    data: Uint8Array.from(data),
  });
  return { packet, f: parseFragmentPacket(packet)! };
}
const tiny = (nextHeader: number, data: number[], offset = 0) => {
  const { packet, f } = fragment(nextHeader, data, { offset });
  return tinyFirstFragment(packet, f);
};
const zeros = (n: number) => new Array<number>(n).fill(0);
/** An 8-byte option header (hop-by-hop, destination options, routing) naming `next`. */
const ext8 = (next: number) => [next, 0, 1, 4, 0, 0, 0, 0];

describe("tinyFirstFragment", () => {
  it("needs the whole upper-layer header: TCP 20 bytes, UDP and ICMPv6 8, anything else 1", () => {
    expect([tiny(6, zeros(19)), tiny(6, zeros(20))]).toEqual([true, false]);
    expect([tiny(17, zeros(7)), tiny(17, zeros(8))]).toEqual([true, false]);
    expect([tiny(58, zeros(7)), tiny(58, zeros(8))]).toEqual([true, false]);
    expect([tiny(253, []), tiny(253, zeros(1))]).toEqual([true, false]);
  });

  it("only a first fragment can be tiny", () => expect(tiny(6, zeros(8), 8)).toBe(false));

  it("walks hop-by-hop, routing and destination options headers ((len + 1) * 8) and AH ((len + 2) * 4)", () => {
    for (const type of [0, 43, 60]) {
      expect(tiny(type, [...ext8(17), ...zeros(8)])).toBe(false);
      expect(tiny(type, [...ext8(17), ...zeros(7)])).toBe(true);
    }
    const long = [17, 1, ...zeros(14)]; // 16 bytes of destination options
    expect([tiny(60, [...long, ...zeros(8)]), tiny(60, [...long, ...zeros(7)])]).toEqual([false, true]);
    const ah = [17, 2, ...zeros(14)]; // (2 + 2) * 4 = 16 bytes
    expect([tiny(51, [...ah, ...zeros(8)]), tiny(51, [...ah, ...zeros(7)])]).toEqual([false, true]);
  });

  it("an inner first fragment header is walked (8 bytes); a non-first one ends the walk", () => {
    expect(tiny(44, [17, 0, 0, 0, 0, 0, 0, 1, ...zeros(7)])).toBe(true);
    expect(tiny(44, [17, 0, 0, 0, 0, 0, 0, 1, ...zeros(8)])).toBe(false);
    expect(tiny(44, [17, 0, 0, 1, 0, 0, 0, 1, ...zeros(7)])).toBe(true); // M set, offset 0: still a first fragment
    expect(tiny(44, [17, 0, 0, 8, 0, 0, 0, 1])).toBe(false); // offset 8: stops there
    expect(tiny(44, [17, 0, 1, 0, 0, 0, 0, 1])).toBe(false); // offset 256: stops there
    expect(tiny(44, [17, 0, 0, 0, 0, 0, 0, 1])).toBe(true); // a whole first inner fragment header, no UDP header after it
    // ipv6_skip_exthdr() reads only frag_off: an inner header cut to 4 bytes is walked, and the upper header is missing.
    expect(tiny(44, [17, 0, 0, 0])).toBe(true);
    expect(tiny(44, [17, 0, 0])).toBe(false); // frag_off unreadable: the walk fails, not tiny
  });

  it("a chain that cannot be walked is not tiny: No Next Header, or a header cut short", () => {
    expect(tiny(59, [])).toBe(false);
    expect(tiny(59, [17, 0, 0, 0, 0, 0, 0, 0])).toBe(false);
    expect(tiny(60, [17])).toBe(false);
    // Two bytes of an option header can be read: its length is taken, and the UDP header is missing.
    expect(tiny(60, [17, 0])).toBe(true);
    // A header that claims more than is there: the upper header would start beyond the packet.
    expect(tiny(60, [17, 1, ...zeros(6)])).toBe(true);
  });
});

describe("icmpErrorAllowed", () => {
  const unicastA = "20010db8000000000000000000000001";
  const multicast = "ff020000000000000000000000000001";
  const unspecified = "00000000000000000000000000000000";
  const allowed = (nextHeader: number, data: number[], options: Parameters<typeof fragment>[2] = {}) => {
    const { packet, f } = fragment(nextHeader, data, options);
    return icmpErrorAllowed(packet, f);
  };

  it("never about a packet to or from multicast, or from the unspecified address", () => {
    expect(allowed(17, zeros(8))).toBe(true);
    expect(allowed(17, zeros(8), { dst: multicast })).toBe(false);
    expect(allowed(17, zeros(8), { src: multicast })).toBe(false);
    expect(allowed(17, zeros(8), { src: unspecified })).toBe(false);
    expect(allowed(17, zeros(8), { src: unicastA, dst: unicastA })).toBe(true);
  });

  it("never about an ICMPv6 error (type < 128), found through the header chain; informational ones are fine", () => {
    expect(allowed(58, [1, ...zeros(7)])).toBe(false);
    expect(allowed(58, [127, ...zeros(7)])).toBe(false);
    expect(allowed(58, [128, ...zeros(7)])).toBe(true);
    expect(allowed(60, [...ext8(58), 1, ...zeros(7)])).toBe(false);
    expect(allowed(60, [...ext8(58), 129, ...zeros(7)])).toBe(true);
    // A first fragment (M set) whose ICMPv6 type is not in it: eligible (is_ineligible(): !tp && frag_off != 0, RFC 8200 4.5);
    // the same as an atomic fragment (frag_off 0): not.
    expect(allowed(60, ext8(58))).toBe(true);
    expect(allowed(60, ext8(58), { more: false })).toBe(false);
    // A non-first fragment, or a chain that cannot be walked: eligible.
    expect(allowed(58, [1, ...zeros(7)], { offset: 8 })).toBe(true);
    expect(allowed(59, [])).toBe(true);
    // A packet without a Fragment header.
    const { packet } = fragment(17, zeros(8));
    expect(icmpErrorAllowed(packet, null)).toBe(true);
  });
});

describe("queue key and facts", () => {
  it("the key is source, destination and identification", () => {
    const { f } = fragment(17, zeros(8));
    expect(queueKey(f)).toBe("20010db8000000000000000000000001>20010db8000000000000000000000002#7");
    const other = fragment(17, zeros(8), { src: "20010db8000000000000000000000003" });
    expect(queueKey(other.f)).not.toBe(queueKey(f));
  });

  it("end is offset plus data length; atomic is offset 0 with M clear", () => {
    expect(fragmentFacts(fragment(17, zeros(16), { offset: 8 }).f)).toEqual({
      offset: 8,
      end: 24,
      more: true,
      atomic: false,
    });
    expect(fragmentFacts(fragment(17, zeros(16), { more: false }).f)).toEqual({
      offset: 0,
      end: 16,
      more: false,
      atomic: true,
    });
    expect(fragmentFacts(fragment(17, zeros(16), { offset: 8, more: false }).f).atomic).toBe(false);
    expect(fragmentFacts(fragment(17, zeros(16)).f).atomic).toBe(false);
  });

  it("parseArrival keeps index, time and packet", () => {
    const { packet } = fragment(17, zeros(8));
    const a = parseArrival(3, 42, packet);
    expect([a.index, a.t, a.packet, a.fragment?.identification]).toEqual([3, 42, packet, 7]);
    expect(() => parseArrival(3, 0, Uint8Array.of(1, 2, 3))).toThrow(/event 3/);
  });
});
