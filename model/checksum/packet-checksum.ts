// Checksums of whole IPv4/IPv6 TCP and UDP packets, computed from scratch.
import { parseIpPacket, PacketError, type IpPacketView } from "../../wire/ip-packet.js";
import { IPPROTO_TCP, IPPROTO_UDP } from "../../wire/protocol-numbers.js";
import { fold, internetChecksum, onesComplementSum } from "../../wire/internet-checksum.js";
import { ipv4PseudoHeaderSum, ipv6PseudoHeaderSum } from "../../wire/pseudo-header.js";

/** Offset of the checksum field inside the transport header (skb->csum_offset). */
export function checksumFieldOffset(protocol: number): number {
  if (protocol === IPPROTO_UDP) return 6; // RFC 768
  if (protocol === IPPROTO_TCP) return 16; // RFC 9293 section 3.1
  throw new PacketError(`protocol ${protocol} is neither TCP (6) nor UDP (17)`);
}

export interface TransportLayout {
  ip: IpPacketView;
  /** Absolute offset of the checksum field in the packet. */
  fieldOffset: number;
  segmentLength: number;
}

export function transportLayout(packet: Uint8Array, what = "packet"): TransportLayout {
  const ip = parseIpPacket(packet, what);
  const fieldOffset = ip.transportOffset + checksumFieldOffset(ip.protocol);
  if (fieldOffset + 2 > packet.length) {
    throw new PacketError(`${what}: ${packet.length} bytes end before the checksum field at byte ${fieldOffset}`);
  }
  return { ip, fieldOffset, segmentLength: packet.length - ip.transportOffset };
}

/** Bytes of the UDP header (8, RFC 768) or the TCP header (its data offset, RFC 9293 section 3.1). */
export function transportHeaderLength(packet: Uint8Array, layout: TransportLayout): number {
  return layout.ip.protocol === IPPROTO_TCP ? ((packet[layout.ip.transportOffset + 12] ?? 0) >> 4) * 4 : 8;
}

/** The bytes after the transport header: what GSO cuts into segments. */
export function transportPayloadLength(packet: Uint8Array, layout: TransportLayout): number {
  return packet.length - layout.ip.transportOffset - transportHeaderLength(packet, layout);
}

/** Unfolded pseudo-header sum for the packet's addresses, protocol and segment length. */
export function pseudoHeaderSum(layout: TransportLayout): number {
  const { ip, segmentLength } = layout;
  return ip.version === 4
    ? ipv4PseudoHeaderSum(ip.src, ip.dst, ip.protocol, segmentLength)
    : ipv6PseudoHeaderSum(ip.src, ip.dst, ip.protocol, segmentLength);
}

/**
 * The value a sender using checksum offload leaves in the field
 * (CHECKSUM_PARTIAL): the folded pseudo-header sum, not complemented
 * (udp4_hwcsum / __tcp_v4_send_check: ~csum_tcpudp_magic(..., 0)).
 */
export function partialChecksumValue(packet: Uint8Array): number {
  return fold(pseudoHeaderSum(transportLayout(packet)));
}

/** RFC 1071: the field's value computed from scratch over pseudo-header and segment, the field taken as zero. */
export function recomputedChecksum(packet: Uint8Array): number {
  const zeroed = withChecksumField(packet, 0);
  const layout = transportLayout(zeroed);
  return internetChecksum(zeroed, layout.ip.transportOffset, zeroed.length, pseudoHeaderSum(layout));
}

/** A receiver's check: pseudo-header plus segment, folded, must be 0xffff (RFC 1071 section 1). */
export function checksumVerifies(packet: Uint8Array): boolean {
  const layout = transportLayout(packet);
  return fold(onesComplementSum(packet, layout.ip.transportOffset, packet.length, pseudoHeaderSum(layout))) === 0xffff;
}

export function readChecksumField(packet: Uint8Array): number {
  const { fieldOffset } = transportLayout(packet);
  return (packet[fieldOffset]! << 8) | packet[fieldOffset + 1]!;
}

export function withChecksumField(packet: Uint8Array, value: number): Uint8Array {
  const { fieldOffset } = transportLayout(packet);
  const out = packet.slice();
  out[fieldOffset] = value >> 8;
  out[fieldOffset + 1] = value & 0xff;
  return out;
}
