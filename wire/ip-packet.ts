// Just enough IPv4/IPv6 parsing to find the transport header: the offset the
// kernel's skb_transport_header() points at for a locally built packet.
import { IPPROTO_DSTOPTS, IPPROTO_FRAGMENT, IPPROTO_HOPOPTS, IPPROTO_ROUTING } from "./protocol-numbers.js";

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
  let next = bytes[6]!;
  let at = 40;
  // RFC 8200 section 4: walk the extension headers that precede the upper layer.
  while (
    next === IPPROTO_HOPOPTS ||
    next === IPPROTO_ROUTING ||
    next === IPPROTO_DSTOPTS ||
    next === IPPROTO_FRAGMENT
  ) {
    if (at + 8 > bytes.length) throw new PacketError(`${what}: extension header ${next} at byte ${at} is truncated`);
    const length = next === IPPROTO_FRAGMENT ? 8 : (bytes[at + 1]! + 1) * 8;
    if (at + length > bytes.length)
      throw new PacketError(`${what}: extension header ${next} at byte ${at} runs past the packet`);
    next = bytes[at]!;
    at += length;
  }
  return { version: 6, protocol: next, src: bytes.slice(8, 24), dst: bytes.slice(24, 40), transportOffset: at };
}
