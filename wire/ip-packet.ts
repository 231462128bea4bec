// Just enough IPv4/IPv6 parsing to find the transport header: the offset the
// kernel's skb_transport_header() points at for a locally built packet.
import { ipv6SkipExthdr } from "./ipv6-exthdr.js";

export class PacketError extends Error {}

export interface IpPacketView {
  version: 4 | 6;
  /** Upper-layer protocol number (after IPv6 extension headers). */
  protocol: number;
  src: Uint8Array;
  dst: Uint8Array;
  transportOffset: number;
}

/** Parses an IPv4 or IPv6 packet; `what` names it in errors. */
export function parseIpPacket(bytes: Uint8Array, what = "packet"): IpPacketView {
  if (bytes.length < 1) throw new PacketError(`${what}: empty packet`);
  const version = bytes[0]! >> 4;
  if (version === 4) return parseIpv4(bytes, what);
  if (version === 6) return parseIpv6(bytes, what);
  throw new PacketError(`${what}: IP version ${version} is neither 4 nor 6`);
}

function parseIpv4(bytes: Uint8Array, what: string): IpPacketView {
  if (bytes.length < 20) throw new PacketError(`${what}: ${bytes.length} bytes is shorter than an IPv4 header`);
  const ihl = (bytes[0]! & 0x0f) * 4;
  if (ihl < 20 || ihl > bytes.length)
    throw new PacketError(`${what}: IPv4 header length ${ihl} is invalid for ${bytes.length} bytes`);
  const totalLength = (bytes[2]! << 8) | bytes[3]!;
  if (totalLength !== bytes.length) {
    throw new PacketError(`${what}: IPv4 total length ${totalLength} differs from the ${bytes.length} bytes given`);
  }
  return { version: 4, protocol: bytes[9]!, src: bytes.slice(12, 16), dst: bytes.slice(16, 20), transportOffset: ihl };
}

function parseIpv6(bytes: Uint8Array, what: string): IpPacketView {
  if (bytes.length < 40) throw new PacketError(`${what}: ${bytes.length} bytes is shorter than an IPv6 header`);
  const payloadLength = (bytes[4]! << 8) | bytes[5]!;
  if (payloadLength + 40 !== bytes.length) {
    throw new PacketError(
      `${what}: IPv6 payload length ${payloadLength} differs from the ${bytes.length - 40} bytes after the header`,
    );
  }
  // The upper-layer header is where ipv6_skip_exthdr() finds it.
  const upper = ipv6SkipExthdr(bytes, bytes[6]!, 40);
  if (upper === null)
    throw new PacketError(
      `${what}: the IPv6 header chain has no upper-layer header (No Next Header, or a header cut short)`,
    );
  if (upper.at > bytes.length) throw new PacketError(`${what}: the IPv6 extension headers run past the packet`);
  return {
    version: 6,
    protocol: upper.type,
    src: bytes.slice(8, 24),
    dst: bytes.slice(24, 40),
    transportOffset: upper.at,
  };
}
