// What the xt_bpf context can carry unchanged: the kernel IUT sends each packet
// through a raw socket, so it must be a well-formed IPv4/IPv6 packet (the bpf
// generators make only such packets; properties/bpf/packets.ts).
import { internetChecksum } from "../../../wire/internet-checksum.js";

/** Why a packet is not one the xt_bpf context takes (a well-formed IPv4/IPv6 packet), or null. */
export function xtPacketProblem(p: Uint8Array): string | null {
  const version = p.length > 0 ? p[0]! >> 4 : 0;
  if (version === 4) {
    if (p.length < 20 || (p[0]! & 0xf) < 5) return "IPv4 header shorter than 20 bytes";
    if (((p[2]! << 8) | p[3]!) !== p.length) return "IPv4 total length differs from the packet's";
    if (internetChecksum(p, 0, (p[0]! & 0xf) * 4) !== 0) return "IPv4 header checksum is wrong";
    return null;
  }
  if (version === 6) {
    if (p.length < 40) return "IPv6 packet shorter than 40 bytes";
    if (((p[4]! << 8) | p[5]!) !== p.length - 40) return "IPv6 payload length differs from the packet's";
    return null;
  }
  return `IP version ${version} is neither 4 nor 6`;
}
