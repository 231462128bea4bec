// The two ways Linux walks an IPv6 extension-header chain, each written once.
// They differ because they look for different things: ipv6_skip_exthdr()
// looks for the upper-layer header, through the Fragment header of a first
// fragment and through AH; find_prev_fhdr() looks for the Fragment header and
// the Next Header byte that names it (the byte reassembly rewrites), through
// only the headers that may stand before a Fragment header.
import {
  IPPROTO_AH,
  IPPROTO_DSTOPTS,
  IPPROTO_FRAGMENT,
  IPPROTO_HOPOPTS,
  IPPROTO_NONE,
  IPPROTO_ROUTING,
} from "./protocol-numbers.js";

/** ipv6_ext_hdr() (include/net/ipv6.h): the Next Header values that name an extension header. */
function isExtensionHeader(type: number): boolean {
  return (
    type === IPPROTO_HOPOPTS ||
    type === IPPROTO_ROUTING ||
    type === IPPROTO_FRAGMENT ||
    type === IPPROTO_AH ||
    type === IPPROTO_NONE ||
    type === IPPROTO_DSTOPTS
  );
}

/**
 * ipv6_skip_exthdr() (net/ipv6/exthdrs_core.c): from header `type` at byte
 * `at`, the offset and type of the upper-layer header, or null when the chain
 * cannot be walked (No Next Header, or a header whose first bytes are not
 * there). Each header is read only as far as its length byte (a Fragment
 * header as far as frag_off), so the offset returned may lie past the end of
 * a packet whose last header is cut short. A non-first fragment stops the walk
 * at its own Fragment header: what follows is not a header.
 */
export function ipv6SkipExthdr(packet: Uint8Array, type: number, at: number): { at: number; type: number } | null {
  while (isExtensionHeader(type)) {
    if (type === IPPROTO_NONE) return null;
    if (at + 2 > packet.length) return null;
    if (type === IPPROTO_FRAGMENT) {
      // Only the frag_off field is read (skb_header_pointer of 2 bytes at +2), not the whole header.
      if (at + 4 > packet.length) return null;
      const word = (packet[at + 2]! << 8) | packet[at + 3]!;
      if (word & 0xfff8) return { at, type }; // a non-first fragment: the walk stops here
      type = packet[at]!;
      at += 8;
      continue;
    }
    const length = type === IPPROTO_AH ? (packet[at + 1]! + 2) * 4 : (packet[at + 1]! + 1) * 8;
    type = packet[at]!;
    at += length;
  }
  return { at, type };
}

/** Where the headers before a Fragment header end, or the header that could not be read. */
export type PrevFhdr =
  | {
      ok: true;
      /** Offset of the Next Header byte that names `next` (6: the IPv6 header's). */
      prevNextHeaderOffset: number;
      /** Offset of the first header that is not Hop-by-Hop, Routing or Destination Options. */
      at: number;
      /** Its type: IPPROTO_FRAGMENT in a fragment. */
      next: number;
    }
  | { ok: false; at: number; why: "is truncated" | "runs past the packet" };

/**
 * find_prev_fhdr() (net/ipv6/netfilter/nf_conntrack_reasm.c): walks the
 * Hop-by-Hop, Routing and Destination Options headers after the IPv6 header,
 * keeping the offset of the Next Header byte that names the next one, and
 * stops at the first other header (the Fragment header, in a fragment). The
 * plain stack reaches ipv6_frag_rcv() through the handlers of the same
 * headers. Unlike find_prev_fhdr() it does not walk AH: no generator or IUT
 * makes an AH datagram, and the plain stack would need IPsec state for one.
 * Every header walked must lie whole inside the packet.
 */
export function findPrevFhdr(packet: Uint8Array): PrevFhdr {
  let next = packet[6]!;
  let prevNextHeaderOffset = 6;
  let at = 40;
  while (next === IPPROTO_HOPOPTS || next === IPPROTO_ROUTING || next === IPPROTO_DSTOPTS) {
    if (at + 2 > packet.length) return { ok: false, at, why: "is truncated" };
    const length = (packet[at + 1]! + 1) * 8;
    if (at + length > packet.length) return { ok: false, at, why: "runs past the packet" };
    prevNextHeaderOffset = at;
    next = packet[at]!;
    at += length;
  }
  return { ok: true, prevNextHeaderOffset, at, next };
}
