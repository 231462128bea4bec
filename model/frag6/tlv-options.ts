// ip6_parse_tlv() (net/ipv6/exthdrs.c): the options of a Hop-by-Hop or
// Destination Options header, as the Linux receive path checks them.
// Padding: at most 7 bytes in a row (Pad1 and PadN runs), PadN all zero
// ("RFC 4942 section 2.1.9.5" in the source); RFC 8200 section 4.2 itself
// allows longer padding, so only the linux profiles apply this.

import { ICMPV6_UNK_OPTION } from "../../wire/protocol-numbers.js";

export type TlvVerdict =
  | { kind: "ok" }
  | { kind: "dropped"; why: string }
  | { kind: "icmp"; code: number; pointer: number; why: string }
  | { kind: "undetermined"; why: string };

const IPV6_TLV_PAD1 = 0;
const IPV6_TLV_PADN = 1;
const IPV6_TLV_HAO = 0xc9;
/** Hop-by-Hop options with handlers (tlvprochopopt_lst): Router Alert, CALIPSO, IOAM, Jumbo. */
const HOP_BY_HOP_KNOWN = new Set([5, 7, 0x31, 0xc2]);
/** IP6_DEFAULT_MAX_DST_OPTS_CNT / IP6_DEFAULT_MAX_HBH_OPTS_CNT (include/net/ipv6.h). */
const MAX_OPTS_CNT = 8;

/** ip6_parse_tlv(hopbyhop, skb, max_count) over the header of `length` bytes at `at`. */
export function parseTlv(p: Uint8Array, at: number, length: number, hopByHop: boolean): TlvVerdict {
  let off = at + 2;
  let left = length - 2;
  let padlen = 0;
  let count = 0;
  while (left > 0) {
    const type = p[off]!;
    if (type === IPV6_TLV_PAD1) {
      if (++padlen > 7) return { kind: "dropped", why: `more than 7 bytes of padding at byte ${off}` };
      off++;
      left--;
      continue;
    }
    if (left < 2) return { kind: "dropped", why: `option at byte ${off} has no length` };
    const optlen = p[off + 1]! + 2;
    if (optlen > left) return { kind: "dropped", why: `option at byte ${off} runs past its header` };
    if (type === IPV6_TLV_PADN) {
      padlen += optlen;
      if (padlen > 7) return { kind: "dropped", why: `more than 7 bytes of padding at byte ${off}` };
      // RFC 4942 section 2.1.9.5: PadN must carry zeroes.
      for (let i = 2; i < optlen; i++)
        if (p[off + i] !== 0) return { kind: "dropped", why: `PadN at byte ${off} is not all zero` };
    } else {
      if (++count > MAX_OPTS_CNT) return { kind: "dropped", why: `more than ${MAX_OPTS_CNT} options` };
      if (!hopByHop && type === IPV6_TLV_HAO)
        return {
          kind: "undetermined",
          why: `a Home Address option at byte ${off}: handled only with CONFIG_IPV6_MIP6`,
        };
      if (hopByHop && HOP_BY_HOP_KNOWN.has(type))
        return {
          kind: "undetermined",
          why: `Hop-by-Hop option 0x${type.toString(16)} at byte ${off}: its handler is not modelled`,
        };
      // ip6_tlvopt_unknown(): the two high bits of the type say what to do.
      const action = type >> 6;
      if (action === 1)
        return { kind: "dropped", why: `unknown option 0x${type.toString(16)} at byte ${off}: discard` };
      if (action === 3 && p[24] === 0xff)
        return {
          kind: "dropped",
          why: `unknown option 0x${type.toString(16)} at byte ${off}, multicast destination: discard`,
        };
      if (action >= 2)
        return {
          kind: "icmp",
          code: ICMPV6_UNK_OPTION,
          pointer: off,
          why: `unknown option 0x${type.toString(16)} at byte ${off}`,
        };
      padlen = 0;
    }
    off += optlen;
    left -= optlen;
  }
  return { kind: "ok" };
}
