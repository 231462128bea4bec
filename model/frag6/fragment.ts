// What a receiver reads from one arriving packet before any queue is touched:
// the Fragment header fields, the queue key, and the checks made on the
// packet alone (tiny first fragment, ICMP eligibility).
import { ipv6SkipExthdr } from "../../wire/ipv6-exthdr.js";
import { IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from "../../wire/protocol-numbers.js";
import { FRAGMENT_HEADER_LENGTH, parseFragmentPacket, type FragmentPacket } from "../../wire/ipv6-fragment.js";
import { toHex } from "../../wire/hex.js";

export interface Arrival {
  /** Index of the event in the run (ties in time keep event order). */
  index: number;
  t: number;
  packet: Uint8Array;
  /** Null when the packet has no Fragment header. */
  fragment: FragmentPacket | null;
}

export interface FragmentFacts {
  offset: number;
  /** offset + data length: the first byte after this fragment (reassembly.c ip6_frag_queue `end`). */
  end: number;
  more: boolean;
  /** Offset 0 and M clear: an atomic fragment (RFC 6946). */
  atomic: boolean;
}

export function fragmentFacts(f: FragmentPacket): FragmentFacts {
  return { offset: f.offset, end: f.offset + f.dataLength, more: f.more, atomic: f.offset === 0 && !f.more };
}

/**
 * The reassembly queue key. Linux: frag_v6_compare_key {id, saddr, daddr,
 * user, iif} (include/net/inet_frag.h); user is constant for one path and iif
 * is the one receiving device here, so id and addresses decide.
 * RFC 8200 section 4.5: Source Address, Destination Address, Fragment Identification.
 */
export function queueKey(f: FragmentPacket): string {
  return keyText(f.packet, f.identification);
}

/** queueKey()'s text from the packet's addresses (bytes 8 to 40) and the Fragment Identification. */
function keyText(packet: Uint8Array, identification: number): string {
  const addresses = toHex(packet.subarray(8, 40)); // Source Address, then Destination Address
  return `${addresses.slice(0, 32)}>${addresses.slice(32)}#${identification}`;
}

/**
 * One queue key of a run (QueueKeys): one object per distinct key, so it
 * compares by identity; its queueKey() text is written when first read (hex
 * costs more than the rest of a fragment's handling, and most keys are only
 * compared).
 */
export class QueueKey {
  private written: string | undefined;

  constructor(
    /** A packet of this datagram: its addresses are bytes 8 to 40. */
    readonly packet: Uint8Array,
    readonly identification: number,
  ) {}

  get text(): string {
    this.written ??= keyText(this.packet, this.identification);
    return this.written;
  }

  toString(): string {
    return this.text;
  }
}

/** queueKey() over one run: each distinct key is one QueueKey, found again by identification and addresses. */
export class QueueKeys {
  private readonly byId = new Map<number, QueueKey[]>();

  of(f: FragmentPacket): QueueKey {
    const known = this.byId.get(f.identification);
    if (known) for (const k of known) if (sameAddresses(k.packet, f.packet)) return k;
    const key = new QueueKey(f.packet, f.identification);
    if (known) known.push(key);
    else this.byId.set(f.identification, [key]);
    return key;
  }
}

/** Source and Destination Address (bytes 8 to 40) alike in two packets. */
function sameAddresses(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 8; i < 40; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Least upper-layer header a first fragment must hold (include/net/ipv6_frag.h ipv6frag_thdr_truncated()). */
function upperHeaderMinimum(nextHeader: number): number {
  if (nextHeader === IPPROTO_TCP) return 20; // sizeof(struct tcphdr)
  if (nextHeader === IPPROTO_UDP) return 8; // sizeof(struct udphdr)
  if (nextHeader === IPPROTO_ICMPV6) return 8; // sizeof(struct icmp6hdr)
  return 1;
}

/** The upper-layer header behind a fragment's Fragment header (ipv6_skip_exthdr() over its Fragmentable Part). */
function upperLayer(packet: Uint8Array, f: FragmentPacket): { at: number; type: number } | null {
  return ipv6SkipExthdr(packet, f.nextHeader, f.fragmentHeaderOffset + FRAGMENT_HEADER_LENGTH);
}

/**
 * A first fragment (offset 0) that does not hold every header through the
 * upper-layer header: RFC 8200 section 4.5, RFC 7112 section 5; Linux
 * ipv6frag_thdr_truncated(). A chain that cannot be walked counts as not
 * truncated, as ipv6_skip_exthdr() returning < 0 makes it.
 */
export function tinyFirstFragment(packet: Uint8Array, f: FragmentPacket): boolean {
  if (f.offset !== 0) return false;
  const upper = upperLayer(packet, f);
  if (upper === null) return false;
  return upper.at + upperHeaderMinimum(upper.type) > packet.length;
}

function isMulticast(address: Uint8Array): boolean {
  return address[0] === 0xff;
}

function isUnspecified(address: Uint8Array): boolean {
  return address.every((b) => b === 0);
}

/** Never about a packet to a multicast destination (for these errors), nor from an unspecified or multicast source. */
export function addressesAllowError(packet: Uint8Array): boolean {
  const src = packet.subarray(8, 24);
  return !isMulticast(packet.subarray(24, 40)) && !isMulticast(src) && !isUnspecified(src);
}

/**
 * Whether an ICMPv6 error may be sent about `packet` (net/ipv6/icmp.c
 * icmpv6_send()): never to a multicast destination's packet (for these
 * errors), never from an unspecified or multicast source, and never about an
 * ICMPv6 error message (is_ineligible(), RFC 4443 section 2.4 (e)). An
 * ICMPv6 type that cannot be read makes the packet ineligible too, except in
 * a fragment (frag_off not 0: a first fragment with M set), which RFC 8200
 * section 4.5 wants answered (commit 2efdaaaf883a).
 */
export function icmpErrorAllowed(packet: Uint8Array, f: FragmentPacket | null): boolean {
  if (!addressesAllowError(packet)) return false;
  // A non-first fragment stops the walk at its own Fragment header: eligible.
  if (f === null || f.offset !== 0) return true;
  const upper = upperLayer(packet, f);
  if (upper === null || upper.type !== IPPROTO_ICMPV6) return true;
  const type = packet[upper.at];
  if (type === undefined) return f.more || f.reserved !== 0;
  return (type & 0x80) !== 0;
}

export function parseArrival(index: number, t: number, packet: Uint8Array): Arrival {
  let fragment: FragmentPacket | null;
  try {
    fragment = parseFragmentPacket(packet);
  } catch {
    fragment = parseFragmentPacket(packet, `event ${index}`); // throws again, naming the event: written only then
  }
  return { index, t, packet, fragment };
}
