// RFC 8200 section 4: what a destination does with the headers that follow
// the Fragment header once a datagram is whole (reassembled, or an atomic
// fragment), and with a packet that had none: "Extension headers ... are not
// processed, inserted, or deleted by any node along a packet's delivery path,
// until the packet reaches the node ... identified in the Destination Address
// field". Reassembly hands the datagram on to this processing, which may
// discard it; the reassembler's choices (rfc8200.ts) are followed by these.
//
// Which options, Routing Types and protocols a node recognizes is its own
// (new ones are assigned over time), so every one but Pad1, PadN and the
// datagram's upper layer may go either way: recognized (processing goes on)
// or not (the action the RFC names for an unrecognized one). Every ICMP error
// here is one the node sends about a packet it discards; each is optional,
// as RFC 4443 section 2.4 (f) lets a node rate-limit every error.
import {
  ICMPV6_HDR_FIELD,
  ICMPV6_UNK_NEXTHDR,
  ICMPV6_UNK_OPTION,
  IPPROTO_DSTOPTS,
  IPPROTO_FRAGMENT,
  IPPROTO_HOPOPTS,
  IPPROTO_NONE,
  IPPROTO_ROUTING,
} from "../../wire/protocol-numbers.js";
import { UPPER_PROTOCOLS } from "../../wire/ipv6-datagram.js";

/** One way the processing can end: handed up (delivered) or discarded, with the error it may send. */
export interface UpwardOutcome {
  /** The choice in words, for the candidate's account; empty for the usual: handed to its upper layer. */
  choice: string;
  delivered: boolean;
  icmp: { code: number; pointer: number } | null;
}

const PAD1 = 0;
const PADN = 1;
/** Routing Types assigned beside 0 (deprecated, RFC 5095) and 1 (Nimrod, deprecated): 2 (RFC 6275), 3 (RFC 6554), 4 (RFC 8754); 253 and 254 experimental (RFC 4727). */
const ASSIGNED_ROUTING_TYPES = new Set([2, 3, 4, 253, 254]);
const OBSERVED_UPPER = new Set<number>(UPPER_PROTOCOLS);

/**
 * Every way RFC 8200 section 4 lets a node end processing `p` from the Next
 * Header byte at `nhoff`, the next header starting at `at`. `first` says the
 * header at `at` directly follows the IPv6 header (where Hop-by-Hop belongs).
 */
export function upwardOutcomes(p: Uint8Array, nhoff: number, at: number, first: boolean): UpwardOutcome[] {
  const seen = new Map<string, UpwardOutcome>();
  for (const o of walk(p, nhoff, at, first, 0)) {
    const key = `${o.delivered}/${o.icmp?.code}/${o.icmp?.pointer}`;
    if (!seen.has(key)) seen.set(key, o);
  }
  return [...seen.values()];
}

const delivered = (choice: string): UpwardOutcome => ({ choice, delivered: true, icmp: null });
const discarded = (choice: string, icmp: UpwardOutcome["icmp"] = null): UpwardOutcome => ({
  choice,
  delivered: false,
  icmp,
});

function walk(p: Uint8Array, nhoff: number, at: number, first: boolean, depth: number): UpwardOutcome[] {
  const next = p[nhoff]!;
  // The chain is as long as the packet allows; a longer walk is a loop no generator makes.
  if (depth > 64) return [delivered("header chain longer than followed: delivered")];
  if (next === IPPROTO_HOPOPTS && !first) {
    // "The same action should be taken if a node encounters a Next Header value of zero in any header
    // other than an IPv6 header": should, so processing it as Hop-by-Hop is allowed too.
    return [
      discarded(`Next Header 0 at byte ${nhoff} outside the IPv6 header: discarded`, {
        code: ICMPV6_UNK_NEXTHDR,
        pointer: nhoff,
      }),
      // Processed as Hop-by-Hop and handed up: the choice the "should" leaves, named in the account.
      ...options(p, at, depth).map((o) =>
        o.delivered && o.choice === ""
          ? delivered(`Next Header 0 at byte ${nhoff} processed as Hop-by-Hop: delivered`)
          : o,
      ),
    ];
  }
  if (next === IPPROTO_HOPOPTS || next === IPPROTO_DSTOPTS) return options(p, at, depth);
  if (next === IPPROTO_ROUTING) return routing(p, at, depth);
  if (next === IPPROTO_FRAGMENT) {
    // A Fragment header inside a whole datagram: the RFC says nothing; handed up as it is, or discarded
    // (a node that queues it as a fragment does not deliver this datagram).
    return [
      delivered("Fragment header in a whole datagram: delivered"),
      discarded(`Fragment header at byte ${at} in a whole datagram: discarded`, {
        code: ICMPV6_HDR_FIELD,
        pointer: at,
      }),
      discarded(`Fragment header at byte ${at} in a whole datagram: discarded`),
    ];
  }
  // "No Next Header": nothing follows to hand up; a node may still show the packet (as raw sockets do).
  if (next === IPPROTO_NONE) return [delivered("No Next Header: delivered"), discarded("No Next Header: discarded")];
  // The datagram's upper layer: handed up, the usual case, which adds no choice to the account.
  if (OBSERVED_UPPER.has(next)) return [delivered("")];
  // "If ... the Next Header value in the current header is unrecognized by the node, it should discard the
  // packet and send an ICMP Parameter Problem message ... with an ICMP Code value of 1".
  return [
    delivered(`protocol ${next} recognized: delivered`),
    discarded(`protocol ${next} unrecognized: discarded`, { code: ICMPV6_UNK_NEXTHDR, pointer: nhoff }),
  ];
}

/** Hop-by-Hop or Destination Options (RFC 8200 sections 4.2, 4.3, 4.6) at `at`. */
function options(p: Uint8Array, at: number, depth: number): UpwardOutcome[] {
  const length = headerLength(p, at);
  if (length === null) return runsPast(at);
  const rest = () => walk(p, at, at + length, false, depth + 1);
  let branches: UpwardOutcome[] = [];
  for (let off = at + 2; off < at + length; ) {
    const type = p[off]!;
    if (type === PAD1) {
      off++;
      continue;
    }
    if (off + 2 > at + length || off + 2 + p[off + 1]! > at + length) return runsPast(off);
    if (type !== PADN) branches = [...branches, ...unrecognizedOption(p, type, off)];
    off += 2 + p[off + 1]!;
  }
  // Every option recognized (or its action "skip over this option"): processing goes on.
  return [...branches, ...rest()];
}

/**
 * "The Option Type identifiers are internally encoded such that their
 * highest-order 2 bits specify the action that must be taken if the
 * processing IPv6 node does not recognize the Option Type": 00 skip, 01
 * discard, 10 discard and send Parameter Problem code 2 pointing at the
 * option, 11 the same only if the Destination Address is not multicast.
 */
function unrecognizedOption(p: Uint8Array, type: number, off: number): UpwardOutcome[] {
  const name = `option 0x${type.toString(16)} at byte ${off} unrecognized`;
  const action = type >> 6;
  if (action === 0) return [];
  if (action === 1 || (action === 3 && p[24] === 0xff)) return [discarded(`${name}: discarded`)];
  return [discarded(`${name}: discarded`, { code: ICMPV6_UNK_OPTION, pointer: off })];
}

/**
 * RFC 8200 section 4.4: "If Segments Left is zero, the node must ignore the
 * Routing header and proceed to process the next header"; non-zero with an
 * unrecognized Routing Type, "the node must discard the packet and send an
 * ICMP Parameter Problem, Code 0, message ... pointing to the unrecognized
 * Routing Type". A recognized type follows its own specification
 * (forwarded, or discarded), which this model does not follow further.
 */
function routing(p: Uint8Array, at: number, depth: number): UpwardOutcome[] {
  const length = headerLength(p, at);
  if (length === null) return runsPast(at);
  const type = p[at + 2]!;
  const segmentsLeft = p[at + 3]!;
  const rest = walk(p, at, at + length, false, depth + 1);
  const unknown = discarded(`Routing Type ${type} with Segments Left ${segmentsLeft}: discarded`, {
    code: ICMPV6_HDR_FIELD,
    pointer: at + 2,
  });
  if (!ASSIGNED_ROUTING_TYPES.has(type)) return segmentsLeft === 0 ? rest : [unknown];
  return [...rest, unknown, discarded(`Routing Type ${type} processed: not delivered here`)];
}

/** (Hdr Ext Len + 1) * 8 bytes at `at`, or null when the datagram ends before. */
function headerLength(p: Uint8Array, at: number): number | null {
  if (at + 2 > p.length) return null;
  const length = (p[at + 1]! + 1) * 8;
  return at + length > p.length ? null : length;
}

/** A header that runs past the datagram: the RFC says nothing; handed up as it is or discarded. */
function runsPast(at: number): UpwardOutcome[] {
  return [
    delivered(`header at byte ${at} runs past the datagram: delivered`),
    discarded(`header at byte ${at} runs past the datagram: discarded`),
  ];
}
