// What the plain stack does with a reassembled datagram on its way up: after
// its own reassembly (or an atomic fragment), and after nf_conntrack_reasm.c
// has put one together (linux-nfct).
//
// nf_ct_frag6_reasm() removes the Fragment header and resets the transport
// header to the first byte after it, the start of the Fragmentable Part. But
// IP6CB(skb)->nhoff still holds what ip6_rcv_core() (offsetof(struct ipv6hdr,
// nexthdr)) or ipv6_parse_hopopts() (sizeof(struct ipv6hdr)) set before
// PREROUTING; ip6_frag_reasm() on the plain path sets it, the conntrack copy
// does not. ip6_protocol_deliver_rcu() (net/ipv6/ip6_input.c) pulls to the
// transport header and reads the next header at nhoff. When a Destination
// Options or Routing header stood before the Fragment header, that byte names
// it, and ipv6_destopt_rcv() / ipv6_rthdr_rcv() (net/ipv6/exthdrs.c) read the
// first bytes of the Fragmentable Part (usually the upper-layer header) as
// that header. Only a Hop-by-Hop header alone before the Fragment header is
// read in the right place. Measured on 6.18 (docs/model-frag6.md): a UDP
// datagram behind a Routing header is answered with Parameter Problem code 0
// at the misread Routing Type; a payload shaped as a valid Destination Options
// header is handed to the protocol its first byte names.
//
// Where the misread chain ends in a handler whose presence depends on the
// kernel configuration (tunnels, IPsec, SCTP, PIM, Mobile IPv6), or hands
// bytes to an upper layer at a place that is not the datagram's own
// upper-layer header, the model does not predict the outcome and says so.
import {
  ICMPV6_HDR_FIELD,
  ICMPV6_UNK_NEXTHDR,
  IPPROTO_DSTOPTS,
  IPPROTO_FRAGMENT,
  IPPROTO_HOPOPTS,
  IPPROTO_ICMPV6,
  IPPROTO_NONE,
  IPPROTO_ROUTING,
} from "../../wire/protocol-numbers.js";
import { UPPER_PROTOCOLS } from "../../wire/ipv6-datagram.js";
import { ipv6SkipExthdr } from "../../wire/ipv6-exthdr.js";
import { addressesAllowError } from "./fragment.js";
import { parseTlv } from "./tlv-options.js";

export type AfterDefrag =
  | { kind: "delivered" }
  | { kind: "dropped"; why: string }
  | { kind: "icmp"; code: number; pointer: number; why: string }
  | { kind: "undetermined"; why: string };

/**
 * Protocol numbers some kernel configurations register in inet6_protos
 * (inet6_add_protocol() callers: IPIP/IPv6 tunnels, DCCP, GRE, ESP, AH, PIM,
 * IPComp, L2TP, SCTP, UDP-Lite, MPLS-in-IPv6). Whether this kernel has them is
 * not the model's to know.
 */
const CONFIG_DEPENDENT = new Set([4, 33, 41, 47, 50, 51, 103, 108, 115, 132, 136, 137]);

/** The protocols the frag6 IUTs observe deliveries of (raw sockets in the kernel IUT). */
const OBSERVED_UPPER = new Set<number>(UPPER_PROTOCOLS);

export interface ReassembledDatagram {
  packet: Uint8Array;
  /** Length of the Unfragmentable Part: where the Fragment header was. */
  fragmentableAt: number;
  /** Offset of the Next Header field nf_ct_frag6_reasm() rewrote (fq->nhoffset). */
  prevNextHeaderOffset: number;
  /** The upper-layer header's type and offset as the datagram's own chain gives them, or null if it cannot be walked. */
  upper: { at: number; type: number } | null;
}

/**
 * ip6_protocol_deliver_rcu() (net/ipv6/ip6_input.c) after ip6_frag_reasm(),
 * or after an atomic fragment: it resumes at the Next Header byte that named
 * the Fragment header (IP6CB(skb)->nhoff = fq->nhoffset) and walks the
 * Fragmentable Part: Destination Options (with their padding rules),
 * Routing, then the upper layer. A Hop-by-Hop header there has no handler
 * (inet6_protos[0] is empty; ipv6_rcv parses it only after the IPv6 header):
 * Parameter Problem code 1 pointing at that Next Header byte (RFC 8200
 * section 4: "a Next Header value of zero in any header other than an IPv6
 * header").
 */
export function afterPlainReassembly(d: ReassembledDatagram): AfterDefrag {
  return protocolDeliver(d, d.prevNextHeaderOffset);
}

/**
 * ip6_protocol_deliver_rcu() for a packet that came without a Fragment header:
 * it resumes at IP6CB(skb)->nhoff, the IPv6 header's Next Header (byte 6), or
 * the Hop-by-Hop header's (byte 40) once ipv6_parse_hopopts() has parsed one,
 * and walks the packet's own chain: Destination Options with their padding
 * rules (so a PadN run over 7 bytes drops it), Routing, then the upper layer.
 */
export function afterArrival(packet: Uint8Array): AfterDefrag {
  const hopByHop = packet[6] === IPPROTO_HOPOPTS;
  return protocolDeliver(
    {
      packet,
      fragmentableAt: hopByHop ? 40 + (packet[41]! + 1) * 8 : 40,
      prevNextHeaderOffset: hopByHop ? 40 : 6,
      upper: ownUpperLayer(packet),
    },
    hopByHop ? 40 : 6,
  );
}

/** ip6_protocol_deliver_rcu() from where conntrack left the skb. */
export function afterConntrackDefrag(d: ReassembledDatagram): AfterDefrag {
  // IP6CB(skb)->nhoff: the Hop-by-Hop header's Next Header if ipv6_rcv parsed one (first in the Unfragmentable
  // Part: a Hop-by-Hop header from the Fragmentable Part was never seen there), else the IPv6 header's.
  // With nothing but a Hop-by-Hop header before the Fragment header, that is where the plain stack resumes too.
  const parsedHopByHop = d.fragmentableAt > 40 && d.packet[6] === IPPROTO_HOPOPTS;
  // Measured on 6.18 (linux-nfct, seed 1543570559 of frag6.matches-model): with extension headers before the
  // Fragment header and a Hop-by-Hop header first in the Fragmentable Part, the kernel delivers the datagram
  // without that Hop-by-Hop header (8 bytes shorter). Which code path removes it is not yet read from the
  // source, so the model does not predict it (with no header before the Fragment header it predicts, as measured).
  if (d.prevNextHeaderOffset !== 6 && d.packet[d.prevNextHeaderOffset] === IPPROTO_HOPOPTS)
    return {
      kind: "undetermined",
      why: "conntrack reassembly with headers before the Fragment header and Hop-by-Hop after it: not modelled yet",
    };
  return protocolDeliver(d, parsedHopByHop ? 40 : 6);
}

/** The header walk from Next Header byte `nhoff`, reading headers from the start of the Fragmentable Part. */
function protocolDeliver(d: ReassembledDatagram, start: number): AfterDefrag {
  const p = d.packet;
  let nhoff = start;
  let at = d.fragmentableAt;
  for (let hops = 0; ; hops++) {
    if (hops > 64) return { kind: "undetermined", why: "the header chain is longer than the model follows" };
    const next = p[nhoff]!;
    if (next === IPPROTO_DSTOPTS || next === IPPROTO_ROUTING) {
      const step = next === IPPROTO_DSTOPTS ? destinationOptions(p, at) : routingHeader(p, at);
      if (step.kind !== "next") return step;
      nhoff = at;
      at += step.length;
      continue;
    }
    const own = d.upper && d.upper.at === at && d.upper.type === next;
    if (own) return { kind: "delivered" };
    if (next === IPPROTO_NONE) return { kind: "dropped", why: "No Next Header: dst_discard" };
    // ipv6_frag_rcv(): IP6SKB_FRAGMENTED is set on a reassembled skb: fail_hdr, Parameter Problem code 0 at the header.
    if (next === IPPROTO_FRAGMENT)
      return {
        kind: "icmp",
        code: ICMPV6_HDR_FIELD,
        pointer: at,
        why: `the chain reaches a Fragment header at byte ${at} of a reassembled datagram`,
      };
    if (CONFIG_DEPENDENT.has(next))
      return {
        kind: "undetermined",
        why: `the chain reaches protocol ${next}, whose handler depends on the kernel configuration`,
      };
    if (OBSERVED_UPPER.has(next))
      return {
        kind: "undetermined",
        why: `the chain hands bytes from ${at} to protocol ${next}: not the datagram's own upper-layer header`,
      };
    // No handler (Hop-by-Hop is not one either, outside ipv6_rcv): Parameter Problem code 1 at nhoff.
    return {
      kind: "icmp",
      code: ICMPV6_UNK_NEXTHDR,
      pointer: nhoff,
      why: `the chain names protocol ${next}: unrecognized Next Header`,
    };
  }
}

type Step = { kind: "next"; length: number } | Exclude<AfterDefrag, { kind: "delivered" }>;

/** Both handlers first pull 8 bytes, then the length the header claims (Ip6InHdrErrors, dropped). */
function pulled(p: Uint8Array, at: number): number | null {
  if (at + 8 > p.length) return null;
  const length = (p[at + 1]! + 1) * 8;
  return at + length > p.length ? null : length;
}

/** ipv6_destopt_rcv(): the header pulled, then its options (ip6_parse_tlv(false, ...)). */
function destinationOptions(p: Uint8Array, at: number): Step {
  const length = pulled(p, at);
  if (length === null)
    return { kind: "dropped", why: `Destination Options misread at byte ${at} runs past the datagram` };
  const options = parseTlv(p, at, length, false);
  return options.kind === "ok" ? { kind: "next", length } : options;
}

/**
 * ipv6_rthdr_rcv() with the defaults: accept_source_route 0, seg6_enabled 0,
 * rpl_seg_enabled 0; the destination is local unicast.
 */
function routingHeader(p: Uint8Array, at: number): Step {
  const length = pulled(p, at);
  if (length === null) return { kind: "dropped", why: `Routing header misread at byte ${at} runs past the datagram` };
  if (p[24] === 0xff) return { kind: "dropped", why: "Routing header to a multicast destination" };
  const type = p[at + 2]!;
  const segmentsLeft = p[at + 3]!;
  // ipv6_srh_rcv() / ipv6_rpl_srh_rcv(): dropped while segment routing is off.
  if (type === 4 || type === 3) return { kind: "dropped", why: `Routing Type ${type} with segment routing disabled` };
  if (type === 2)
    return { kind: "undetermined", why: `Routing Type 2 at byte ${at}: handled only with CONFIG_IPV6_MIP6` };
  if (segmentsLeft === 0) return { kind: "next", length }; // looped_back: processed and passed
  return {
    kind: "icmp",
    code: ICMPV6_HDR_FIELD,
    pointer: at + 2,
    why: `Routing Type ${type} with Segments Left ${segmentsLeft}: unknown_rh`,
  };
}

/** The datagram's own upper-layer header, for is_ineligible() and to tell a misread chain that lands where the real one does. */
export function ownUpperLayer(p: Uint8Array): { at: number; type: number } | null {
  return ipv6SkipExthdr(p, p[6]!, 40);
}

/** is_ineligible() (net/ipv6/icmp.c) for a whole datagram: no error about an ICMPv6 error or unreadable ICMPv6 (frag_off 0). */
export function errorEligible(p: Uint8Array): boolean {
  if (!addressesAllowError(p)) return false;
  const upper = ownUpperLayer(p);
  if (!upper || upper.type !== IPPROTO_ICMPV6) return true;
  const type = p[upper.at];
  return type !== undefined && (type & 0x80) !== 0;
}
