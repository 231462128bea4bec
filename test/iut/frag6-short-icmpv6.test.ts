// Which delivered datagrams the raw ICMPv6 socket cannot see (iut/linux/frag6/short-icmpv6.ts).
import { describe, expect, it } from "vitest";
import { isIcmpv6Datagram, shortIcmpv6Datagram } from "../../iut/linux/frag6/short-icmpv6.js";
import { buildFragmentPacket } from "../../wire/ipv6-fragment.js";

function fragment(bytes: number, more = false, offset = 0, nextHeader = 58, data?: Uint8Array): Uint8Array {
  const unfragmentable = new Uint8Array(40);
  unfragmentable.set([0x60, 0, 0, 0, 0, 0, 44, 64]);
  unfragmentable.set([0x20, 0x01, 0x0d, 0xb8, 0x5c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 8);
  unfragmentable.set([0x20, 0x01, 0x0d, 0xb8, 0xd5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 24);
  return buildFragmentPacket({
    unfragmentable,
    prevNextHeaderOffset: 6,
    nextHeader,
    offset,
    more,
    identification: 1,
    data: data ?? new Uint8Array(bytes).fill(0x80, 0, 1),
  });
}

describe("ICMPv6 messages under 4 bytes", () => {
  it("an atomic fragment with 0-3 ICMPv6 bytes: the datagram handed up, Fragment header removed", () => {
    for (const n of [0, 1, 3]) {
      const d = shortIcmpv6Datagram(fragment(n));
      expect(d?.length).toBe(40 + n);
      expect(d?.[6]).toBe(58);
      expect(d && isIcmpv6Datagram(d)).toBe(true);
    }
  });

  it("4 bytes or more, a real fragment, or another protocol: none (a raw socket sees those, or nothing is delivered)", () => {
    expect(shortIcmpv6Datagram(fragment(4))).toBeNull();
    expect(shortIcmpv6Datagram(fragment(0, true))).toBeNull();
    expect(shortIcmpv6Datagram(fragment(2, false, 8))).toBeNull();
    expect(shortIcmpv6Datagram(fragment(2, false, 0, 17))).toBeNull();
  });

  it("through a Destination Options header after the Fragment header, the ICMPv6 part is what counts", () => {
    const data = new Uint8Array(8 + 2);
    data.set([58, 0, 1, 4, 0, 0, 0, 0]);
    expect(shortIcmpv6Datagram(fragment(0, false, 0, 60, data))?.length).toBe(50);
    const udp = new Uint8Array(48);
    udp[6] = 17;
    expect(isIcmpv6Datagram(udp)).toBe(false);
  });
});
