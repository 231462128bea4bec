// The netlink-attribute ancillary loads: net/core/filter.c bpf_skb_get_nlattr()
// and bpf_skb_get_nlattr_nest() with lib/nlattr.c nla_find() and
// include/net/netlink.h nla_ok()/nla_next(). struct nlattr is {u16 nla_len;
// u16 nla_type} in host order (little endian here); the result is the found
// attribute's offset from the start of the data, 0 when there is none.

import { NLA_HDRLEN, NLA_TYPE_MASK } from "../../wire/netlink/attributes.js";

const nlaLen = (p: Uint8Array, at: number) => p[at]! | (p[at + 1]! << 8);
const nlaType = (p: Uint8Array, at: number) => (p[at + 2]! | (p[at + 3]! << 8)) & NLA_TYPE_MASK;

/** nla_ok(): remaining >= 4 && 4 <= nla_len <= remaining (remaining is an int). */
function nlaOk(p: Uint8Array, at: number, remaining: number): boolean {
  if (remaining < NLA_HDRLEN) return false;
  const len = nlaLen(p, at);
  return len >= NLA_HDRLEN && len <= remaining;
}

/** nla_find(): the first attribute of type `x` in [at, at + len), as an offset, or -1. */
function nlaFind(p: Uint8Array, at: number, len: number, x: number): number {
  let pos = at;
  let rem = len;
  while (nlaOk(p, pos, rem)) {
    // attrtype is an int: u32 X values above INT_MAX never match a 14-bit type.
    if (nlaType(p, pos) === (x | 0)) return pos;
    const total = (nlaLen(p, pos) + 3) & ~3; // NLA_ALIGN
    rem -= total;
    pos += total;
  }
  return -1;
}

/** bpf_skb_get_nlattr(skb, A, X) for a linear packet. */
export function nlattr(packet: Uint8Array, a: number, x: number): number {
  if (packet.length < NLA_HDRLEN) return 0;
  if (a > packet.length - NLA_HDRLEN) return 0;
  const found = nlaFind(packet, a, packet.length - a, x);
  return Math.max(found, 0);
}

/** bpf_skb_get_nlattr_nest(skb, A, X): looks inside the attribute at A (nla_find_nested()). */
export function nlattrNest(packet: Uint8Array, a: number, x: number): number {
  if (packet.length < NLA_HDRLEN) return 0;
  if (a > packet.length - NLA_HDRLEN) return 0;
  if (!nlaOk(packet, a, packet.length - a)) return 0;
  const found = nlaFind(packet, a + NLA_HDRLEN, nlaLen(packet, a) - NLA_HDRLEN, x);
  return Math.max(found, 0);
}
