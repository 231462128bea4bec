// fast-check generators for the checksum area: IPv4/IPv6, UDP/TCP packets as a
// sender using checksum offload leaves them, and CHECKSUM rules.
import fc from "fast-check";
import { TABLE_HOOKS, type ChecksumRule, type XtTable } from "../../model/checksum/checkentry.js";
import { CHECKSUM_STATES, type ChecksumState } from "../../model/checksum/checksum-target.js";
import {
  partialChecksumValue,
  recomputedChecksum,
  withChecksumField,
  transportLayout,
  transportPayloadLength,
  type TransportLayout,
} from "../../model/checksum/packet-checksum.js";
import { onesComplementSum } from "../../wire/internet-checksum.js";
import { buildIpv4, buildIpv6, buildTcp, buildUdp, type Ipv6ExtensionHeader } from "../../wire/ip-build.js";
import { toHex } from "../../wire/hex.js";
import { IPPROTO_DSTOPTS, IPPROTO_HOPOPTS, IPPROTO_TCP, IPPROTO_UDP } from "../../wire/protocol-numbers.js";

/** Ethernet MTU: payloads run from 0 bytes up to what fits in one 1500-byte packet. */
export const MTU = 1500;

/**
 * Addresses with the high bits set as often as not, so pseudo-header sums
 * carry. The high-bit ones keep their first byte in 128..191, a unicast range
 * for IPv4 and IPv6 alike, so a kernel can send them; all-ones addresses
 * (broadcast, multicast) stay in, more rarely, for the model's sake.
 */
const addressBytes = (length: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.uint8Array({ minLength: length, maxLength: length }) },
    { weight: 1, arbitrary: fc.constant(new Uint8Array(length).fill(0xff)) },
    {
      weight: 3,
      arbitrary: fc
        .uint8Array({ minLength: length, maxLength: length })
        .map((a) => a.map((b, i) => (i === 0 ? 0x80 | (b & 0x3f) : b | 0x80))),
    },
  );

/**
 * Payloads whose sums wrap: random, all 0xff, all 0x00, and odd lengths
 * throughout; and, with a fixed weight, none at all (the checksum field is
 * then at the very end of a UDP packet) or a single byte (the shortest odd one).
 */
const payloadBytes = (maxLength: number) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.nat({ max: 255 }).map((b) => Uint8Array.of(b)) },
    { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
    { weight: 3, arbitrary: fc.uint8Array({ maxLength: Math.min(maxLength, 64) }) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength }) },
    { weight: 1, arbitrary: fc.nat(maxLength).map((n) => new Uint8Array(n).fill(0xff)) },
    { weight: 1, arbitrary: fc.nat(maxLength).map((n) => new Uint8Array(n)) },
  );

const extensionHeaders: fc.Arbitrary<Ipv6ExtensionHeader[]> = fc
  .array(
    fc.record({
      type: fc.constantFrom(IPPROTO_HOPOPTS, IPPROTO_DSTOPTS),
      // One option filling 6 + 8n bytes: type 0x1e (RFC 4727 experiment, action
      // "skip if unknown"), so receivers and routers pass it; PadN would be refused
      // by Linux beyond 7 bytes of padding (ip6_parse_tlv()).
      body: fc.nat(2).map((n) => {
        const body = new Uint8Array(6 + 8 * n);
        body[0] = 0x1e;
        body[1] = body.length - 2;
        return body;
      }),
    }),
    { maxLength: 2 },
  )
  .map((headers) => headers.filter((h, i) => h.type !== IPPROTO_HOPOPTS || i === 0)); // hop-by-hop only first

/**
 * How the first payload word is adjusted after the packet is built:
 * `zero-checksum` makes the complete checksum 0 (stored as 0xffff);
 * `double-carry` makes the segment's 32-bit sum need two folds (its low half
 * becomes 0xffff while its high half is not 0), where a single fold goes wrong.
 */
export type PayloadAdjustment = "none" | "zero-checksum" | "double-carry";

/**
 * A packet as a sender using checksum offload leaves it (CHECKSUM_PARTIAL):
 * the checksum field holds the folded pseudo-header sum.
 */
export function offloadedPacket(): fc.Arbitrary<Uint8Array> {
  return fc
    .record({
      version: fc.constantFrom<4 | 6>(4, 6),
      protocol: fc.constantFrom<"udp" | "tcp">("udp", "tcp"),
      adjust: fc.constantFrom<PayloadAdjustment>("none", "zero-checksum", "double-carry"),
      src16: addressBytes(16),
      dst16: addressBytes(16),
      srcPort: fc.integer({ min: 0, max: 0xffff }),
      dstPort: fc.integer({ min: 0, max: 0xffff }),
      seq: fc.nat({ max: 0xffffffff }),
      tcpFlags: fc.integer({ min: 0, max: 0xff }),
      tcpOptions: fc.uint8Array({ maxLength: 12 }),
      ttl: fc.integer({ min: 1, max: 255 }),
      extensions: extensionHeaders,
      payload: payloadBytes(MTU - 40 - 40 - 32),
    })
    .map((g) => {
      const segment =
        g.protocol === "udp"
          ? buildUdp(g.srcPort, g.dstPort, g.payload)
          : buildTcp(
              { srcPort: g.srcPort, dstPort: g.dstPort, seq: g.seq, flags: g.tcpFlags, options: g.tcpOptions },
              g.payload,
            );
      const protocol = g.protocol === "udp" ? IPPROTO_UDP : IPPROTO_TCP;
      let packet =
        g.version === 4
          ? buildIpv4({ src: g.src16.slice(0, 4), dst: g.dst16.slice(0, 4), protocol, ttl: g.ttl }, segment)
          : buildIpv6(
              { src: g.src16, dst: g.dst16, nextHeader: protocol, hopLimit: g.ttl, extensionHeaders: g.extensions },
              segment,
            );
      if (g.adjust === "zero-checksum") packet = withZeroChecksum(packet);
      packet = withChecksumField(packet, partialChecksumValue(packet));
      return g.adjust === "double-carry" ? withDoubleCarry(packet) : packet;
    });
}

/** Offset of the first payload byte after the UDP or TCP header. */
function payloadOffset(packet: Uint8Array): number {
  const { ip, fieldOffset } = transportLayout(packet);
  const isUdp = fieldOffset - ip.transportOffset === 6;
  return isUdp ? ip.transportOffset + 8 : ip.transportOffset + (packet[ip.transportOffset + 12]! >> 4) * 4;
}

/** Sets the first payload word (0 before) so the unfolded segment sum ends in 0xffff. */
function withDoubleCarry(packet: Uint8Array): Uint8Array {
  const at = payloadOffset(packet);
  if (at + 2 > packet.length) return packet;
  const out = packet.slice();
  out[at] = 0;
  out[at + 1] = 0;
  const sum = onesComplementSum(out, transportLayout(out).ip.transportOffset);
  const word = 0xffff - (sum & 0xffff);
  out[at] = word >> 8;
  out[at + 1] = word & 0xff;
  return out;
}

/**
 * Rewrites the first payload word so that the complete checksum is 0: with
 * word w = 0 the checksum is c, and adding c to the sum makes it fold to 0xffff.
 */
function withZeroChecksum(packet: Uint8Array): Uint8Array {
  const headerEnd = payloadOffset(packet);
  if (headerEnd + 2 > packet.length) return packet;
  const out = packet.slice();
  out[headerEnd] = 0;
  out[headerEnd + 1] = 0;
  const c = recomputedChecksum(out);
  out[headerEnd] = c >> 8;
  out[headerEnd + 1] = c & 0xff;
  return out;
}

export interface FillInput {
  packet: string;
  state: ChecksumState;
  gso: boolean;
}

/** CHECKSUM_PARTIAL, the state the target acts on, comes up as often as the other three together. */
const checksumState = (states: readonly ChecksumState[]) =>
  fc.oneof(
    ...states.map((state) => ({
      weight: state === "partial" ? Math.max(1, states.length - 1) : 1,
      arbitrary: fc.constant(state),
    })),
  );

export function fillInput(options: { states?: readonly ChecksumState[] } = {}): fc.Arbitrary<FillInput> {
  return fc
    .record({
      packet: offloadedPacket(),
      state: checksumState(options.states ?? CHECKSUM_STATES),
      gso: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    })
    .map(({ packet, state, gso }) => ({ packet: toHex(packet), state, gso: gso && segmentable(packet) }));
}

/**
 * Whether a GSO packet can carry this payload: one of two segments at least,
 * so a payload of 2 bytes or more. The kernel makes no GSO packet of one
 * segment ("Too small packets are not really GSO ones",
 * virtio_net_hdr_to_skb(); napi_gro_complete() clears gso_size when GRO
 * merged one packet), so a smaller one is drawn without GSO.
 */
function segmentable(packet: Uint8Array): boolean {
  let layout: TransportLayout;
  try {
    layout = transportLayout(packet);
  } catch {
    return true; // not a packet the IUT takes: left for it to refuse
  }
  return transportPayloadLength(packet, layout) >= 2;
}

export type CheckentryInput = ChecksumRule;

export function checkentryInput(): fc.Arbitrary<CheckentryInput> {
  const tables = Object.keys(TABLE_HOOKS) as XtTable[];
  return fc
    .record({
      family: fc.constantFrom<"ipv4" | "ipv6">("ipv4", "ipv6"),
      table: fc.constantFrom(...tables),
      hookIndex: fc.nat(4),
      // Fill (1) and 0 are the interesting operations; the rest are unknown bits.
      operation: fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 255 })),
      proto: fc.oneof(
        fc.constant(null),
        fc.constantFrom(IPPROTO_UDP, IPPROTO_TCP, 0),
        fc.integer({ min: 0, max: 255 }),
      ),
      invertProto: fc.boolean(),
    })
    .map(({ hookIndex, ...rule }) => {
      const hooks = TABLE_HOOKS[rule.table];
      return {
        ...rule,
        hook: hooks[hookIndex % hooks.length]!,
        invertProto: rule.proto === null ? false : rule.invertProto,
      };
    });
}
