// The two IPv6 header walks (wire/ipv6-exthdr.ts) and where they differ.
import { describe, expect, it } from "vitest";
import { parseIpPacket } from "../../wire/ip-packet.js";
import { findPrevFhdr, ipv6SkipExthdr } from "../../wire/ipv6-exthdr.js";
import {
  IPPROTO_AH,
  IPPROTO_DSTOPTS,
  IPPROTO_FRAGMENT,
  IPPROTO_HOPOPTS,
  IPPROTO_NONE,
  IPPROTO_UDP,
} from "../../wire/protocol-numbers.js";

/** An IPv6 packet whose header chain is `headers` (type, bytes) followed by 8 bytes of UDP header. */
function packet(first: number, headers: Uint8Array[]): Uint8Array {
  const body = [...headers.flatMap((h) => [...h]), ...new Array(8).fill(0)];
  const p = new Uint8Array(40 + body.length);
  p[0] = 0x60;
  p[4] = body.length >> 8;
  p[5] = body.length & 0xff;
  p[6] = first;
  p.set(body, 40);
  return p;
}
const options = (next: number) => Uint8Array.of(next, 0, 1, 4, 0, 0, 0, 0); // 8 bytes, PadN
const fragment = (next: number, offset: number) => Uint8Array.of(next, 0, offset >> 8, offset & 0xf8, 0, 0, 0, 7);
const ah = (next: number) => Uint8Array.of(next, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0); // (1 + 2) * 4 = 12 bytes

describe("ipv6SkipExthdr (ipv6_skip_exthdr)", () => {
  it("walks options, a first fragment's header and AH to the upper layer", () => {
    const p = packet(IPPROTO_HOPOPTS, [options(IPPROTO_FRAGMENT), fragment(IPPROTO_AH, 0), ah(IPPROTO_UDP)]);
    expect(ipv6SkipExthdr(p, p[6]!, 40)).toEqual({ at: 68, type: IPPROTO_UDP });
  });

  it("stops at a non-first fragment's own Fragment header", () => {
    const p = packet(IPPROTO_DSTOPTS, [options(IPPROTO_FRAGMENT), fragment(IPPROTO_UDP, 8)]);
    expect(ipv6SkipExthdr(p, p[6]!, 40)).toEqual({ at: 48, type: IPPROTO_FRAGMENT });
  });

  it("cannot walk No Next Header or a header whose length byte is missing", () => {
    const none = packet(IPPROTO_NONE, []);
    expect(ipv6SkipExthdr(none, none[6]!, 40)).toBeNull();
    const cut = packet(IPPROTO_HOPOPTS, []).subarray(0, 41);
    expect(ipv6SkipExthdr(cut, IPPROTO_HOPOPTS, 40)).toBeNull();
  });
});

describe("findPrevFhdr (find_prev_fhdr)", () => {
  it("finds the Fragment header and the Next Header byte that names it", () => {
    const p = packet(IPPROTO_HOPOPTS, [options(IPPROTO_DSTOPTS), options(IPPROTO_FRAGMENT), fragment(IPPROTO_UDP, 0)]);
    expect(findPrevFhdr(p)).toEqual({ ok: true, prevNextHeaderOffset: 48, at: 56, next: IPPROTO_FRAGMENT });
  });

  it("does not walk AH, unlike ipv6_skip_exthdr()", () => {
    const p = packet(IPPROTO_AH, [ah(IPPROTO_FRAGMENT), fragment(IPPROTO_UDP, 0)]);
    expect(findPrevFhdr(p)).toEqual({ ok: true, prevNextHeaderOffset: 6, at: 40, next: IPPROTO_AH });
  });

  it("names a header that runs past the packet", () => {
    const p = packet(IPPROTO_HOPOPTS, [Uint8Array.of(IPPROTO_UDP, 3)]);
    expect(findPrevFhdr(p)).toEqual({ ok: false, at: 40, why: "runs past the packet" });
  });
});

describe("parseIpPacket over IPv6", () => {
  it("puts the transport header where ipv6_skip_exthdr() finds the upper layer", () => {
    const p = packet(IPPROTO_HOPOPTS, [options(IPPROTO_DSTOPTS), options(IPPROTO_UDP)]);
    expect(parseIpPacket(p)).toMatchObject({ protocol: IPPROTO_UDP, transportOffset: 56 });
  });

  it("says why a chain has no upper-layer header", () => {
    expect(() => parseIpPacket(packet(IPPROTO_NONE, []), "p")).toThrow(/p: the IPv6 header chain has no upper-layer/);
    const p = packet(IPPROTO_HOPOPTS, [Uint8Array.of(IPPROTO_UDP, 3)]);
    expect(() => parseIpPacket(p, "p")).toThrow(/p: the IPv6 extension headers run past the packet/);
  });
});
