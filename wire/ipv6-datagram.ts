// IPv6 datagrams as the frag6 generators cut them up (and the kernel IUT's
// marker sends them whole): an IPv6 header, extension headers
// before the Fragment header (the Unfragmentable Part), optionally a
// Hop-by-Hop or Destination Options header after it, and an upper-layer
// header and payload.
import { internetChecksum } from "./internet-checksum.js";
import { ipv6PseudoHeaderSum } from "./pseudo-header.js";
import {
  IPPROTO_DSTOPTS,
  IPPROTO_EXPERIMENT,
  IPPROTO_HOPOPTS,
  IPPROTO_ICMPV6,
  IPPROTO_ROUTING,
  IPPROTO_TCP,
  IPPROTO_UDP,
} from "./protocol-numbers.js";
import { IPV6_MAXPLEN, reassembledPacket, type DatagramParts } from "./ipv6-fragment.js";

export type Upper = "udp" | "tcp" | "icmpv6" | "unassigned";
export type Extension = "hop" | "dst" | "routing";

export interface DatagramSpec {
  src: Uint8Array;
  dst: Uint8Array;
  trafficClass: number;
  /** Headers before the Fragment header, in RFC 8200 section 4.1 order. */
  before: Extension[];
  /** An options header after the Fragment header, of 8 * n bytes (0: none). */
  afterUnits: number;
  /**
   * What that header is: Destination Options (the default), or Hop-by-Hop,
   * which RFC 8200 section 4.1 allows only right after the IPv6 header.
   */
  afterKind?: "dst" | "hop";
  /**
   * What Hop-by-Hop and Destination Options headers hold: an unknown option
   * to skip (the default), or nothing but padding (one PadN, or Pad1 bytes)
   * over the whole header: 6 bytes in 8, 14 in 16 (more than 7 in a row).
   */
  options?: "skip" | "padn" | "pad1";
  /** Length of the Hop-by-Hop and Destination Options headers before the Fragment header, in 8-byte units (default 1). */
  optionUnits?: number;
  upper: Upper;
  /** ICMPv6 type (errors below 128 get no ICMP error back). */
  icmpType: number;
  /** Bytes after the upper-layer header, cut to what Payload Length 65535 leaves room for. */
  payloadLength: number;
  /** Seed of the payload bytes. */
  fill: number;
}

/** The upper-layer protocols generated datagrams carry: the ones the frag6 IUTs observe deliveries of. */
export const UPPER_PROTOCOLS = [IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6, IPPROTO_EXPERIMENT] as const;

/** Bytes of upper-layer header before the payload: a payload as long as the room allows fills Payload Length to 65535. */
const UPPER_HEADER: Record<Upper, number> = { udp: 8, tcp: 20, icmpv6: 8, unassigned: 0 };

const TYPE: Record<Extension, number> = { hop: IPPROTO_HOPOPTS, dst: IPPROTO_DSTOPTS, routing: IPPROTO_ROUTING };

/**
 * An extension header of 8 * units bytes. Routing: an experimental type with
 * Segments Left 0 (processed and passed, RFC 8200 section 4.4). Options
 * headers: one option over the whole header, an unknown one Linux skips
 * (0x1e, RFC 4727 experimental, action "skip"), or padding.
 */
function extension(kind: Extension, next: number, units: number, options: DatagramSpec["options"]): Uint8Array {
  const out = new Uint8Array(8 * units);
  out[0] = next;
  out[1] = units - 1;
  if (kind === "routing") {
    out[2] = 253;
    out[3] = 0;
  } else if (options === "pad1") {
    // Pad1 is a zero byte: the header's option area stays all zero.
  } else {
    out[2] = options === "padn" ? 1 : 0x1e;
    out[3] = out.length - 4;
  }
  return out;
}

export function payloadBytes(length: number, fill: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = fill >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function upperSegment(spec: DatagramSpec, payload: Uint8Array): { protocol: number; segment: Uint8Array } {
  if (spec.upper === "udp") {
    const s = new Uint8Array(8 + payload.length);
    s.set([0x30, 0x39, 0x00, 0x35], 0);
    s[4] = (s.length >> 8) & 0xff;
    s[5] = s.length & 0xff;
    s.set(payload, 8);
    return { protocol: IPPROTO_UDP, segment: s };
  }
  if (spec.upper === "tcp") {
    const s = new Uint8Array(20 + payload.length);
    s.set([0x30, 0x39, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff], 0);
    s.set(payload, 20);
    return { protocol: IPPROTO_TCP, segment: s };
  }
  if (spec.upper === "icmpv6") {
    const s = new Uint8Array(8 + payload.length);
    s[0] = spec.icmpType;
    s.set(payload, 8);
    return { protocol: IPPROTO_ICMPV6, segment: s };
  }
  return { protocol: IPPROTO_EXPERIMENT, segment: payload.slice() };
}

/** Fills the UDP, TCP or ICMPv6 checksum over the pseudo-header (RFC 8200 section 8.1), so captures verify. */
function withChecksum(protocol: number, segment: Uint8Array, src: Uint8Array, dst: Uint8Array): Uint8Array {
  const at = protocol === IPPROTO_UDP ? 6 : protocol === IPPROTO_TCP ? 16 : protocol === IPPROTO_ICMPV6 ? 2 : -1;
  if (at < 0) return segment;
  const c = internetChecksum(segment, 0, segment.length, ipv6PseudoHeaderSum(src, dst, protocol, segment.length));
  const value = protocol === IPPROTO_UDP && c === 0 ? 0xffff : c;
  segment[at] = value >> 8;
  segment[at + 1] = value & 0xff;
  return segment;
}

/** The datagram as fragments will carry it. */
export function buildDatagram(spec: DatagramSpec): DatagramParts {
  const before = spec.before;
  const units = (kind: Extension) => (kind === "routing" ? 1 : (spec.optionUnits ?? 1));
  const extensions = before.map((kind, i) =>
    extension(kind, i + 1 < before.length ? TYPE[before[i + 1]!] : 44, units(kind), spec.options),
  );
  const unfragmentable = new Uint8Array(40 + extensions.reduce((n, e) => n + e.length, 0));
  unfragmentable[0] = 0x60 | (spec.trafficClass >> 4);
  unfragmentable[1] = (spec.trafficClass & 0x0f) << 4;
  unfragmentable[7] = 64;
  unfragmentable.set(spec.src, 8);
  unfragmentable.set(spec.dst, 24);
  unfragmentable[6] = before.length > 0 ? TYPE[before[0]!] : 44;
  let at = 40;
  for (const e of extensions) {
    unfragmentable.set(e, at);
    at += e.length;
  }
  const prevNextHeaderOffset = extensions.length > 0 ? at - extensions[extensions.length - 1]!.length : 6;
  const room = IPV6_MAXPLEN - (unfragmentable.length - 40);
  const { protocol, segment } = upperSegment(
    spec,
    payloadBytes(
      Math.max(0, Math.min(spec.payloadLength, room - 8 * spec.afterUnits - UPPER_HEADER[spec.upper])),
      spec.fill,
    ),
  );
  withChecksum(protocol, segment, spec.src, spec.dst);
  const afterKind = spec.afterKind ?? "dst";
  const after = spec.afterUnits > 0 ? extension(afterKind, protocol, spec.afterUnits, spec.options) : new Uint8Array(0);
  const fragmentable = new Uint8Array(after.length + segment.length);
  fragmentable.set(after);
  fragmentable.set(segment, after.length);
  return {
    unfragmentable,
    prevNextHeaderOffset,
    nextHeader: spec.afterUnits > 0 ? TYPE[afterKind] : protocol,
    fragmentable,
  };
}

/** The datagram a receiver should hand upward: the unfragmented packet. */
export function originalPacket(parts: DatagramParts): Uint8Array {
  return reassembledPacket(parts.unfragmentable, parts.prevNextHeaderOffset, parts.nextHeader, parts.fragmentable);
}
