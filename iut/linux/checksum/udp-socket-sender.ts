// CHECKSUM_PARTIAL the way real traffic gets it: a UDP socket's datagram over a
// device with tx checksum offload (veth). The socket binds the packet's source
// address and port with IP_TRANSPARENT, so no address is assigned per case,
// and is bound to veth0 with SO_BROADCAST and no multicast loop, so multicast
// and broadcast destinations leave veth0 once (address-policy.ts SENDABLE).
// IP header fields the checksum does not cover (TTL, TOS, DF, flow label) are
// left to the kernel: the reply keeps the request's IP header anyway, and each
// setsockopt is a syscall on the hot path.
import type { TransportLayout } from "../../../model/checksum/packet-checksum.js";
import { formatIPv4, formatIPv6, sockaddrIn, sockaddrIn6 } from "../../../sys/inet-addr.js";
import {
  AF_INET,
  AF_INET6,
  bind,
  close,
  sendto,
  setsockoptInt,
  socket,
  SOCK_DGRAM,
  SOL_IP,
  SOL_IPV6,
  SOL_SOCKET,
  SO_MARK,
  SysError,
  IP_MULTICAST_LOOP,
  IPV6_MULTICAST_LOOP,
  setsockopt,
  SO_BINDTODEVICE,
  SO_BROADCAST,
} from "../../../sys/libc.js";
import { IPPROTO_UDP } from "../../../wire/protocol-numbers.js";
import { decline } from "./decline.js";

const IP_TRANSPARENT = 19;
const IPV6_TRANSPARENT = 75;
const VETH0 = new TextEncoder().encode("veth0\0");

/** Why this packet cannot come from a UDP socket, or null. */
export function udpSocketProblem(packet: Uint8Array, layout: TransportLayout): string | null {
  const { ip } = layout;
  const at = ip.transportOffset;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  if (ip.protocol !== IPPROTO_UDP) return "not UDP";
  if (ip.version === 4 && at !== 20) return "IPv4 options";
  if (ip.version === 6 && at !== 40) return "IPv6 extension headers";
  if (view.getUint16(at) === 0 || view.getUint16(at + 2) === 0) return "a UDP socket cannot send from or to port 0";
  if (view.getUint16(at + 4) !== packet.length - at)
    return `UDP length ${view.getUint16(at + 4)} differs from the segment's ${packet.length - at} bytes`;
  if (ip.version === 4 && (view.getUint16(6) & 0x3fff) !== 0) return "an IPv4 fragment";
  if (ip.version === 6 && (view.getUint32(0) & 0xfffff) !== 0) return "a flow label";
  return null;
}

export function sendFromUdpSocket(packet: Uint8Array, layout: TransportLayout, mark: number | undefined): void {
  const { ip } = layout;
  const at = ip.transportOffset;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const srcPort = view.getUint16(at);
  const dstPort = view.getUint16(at + 2);
  const payload = packet.subarray(at + 8);
  const fd = socket(ip.version === 4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
  try {
    if (mark !== undefined) setsockoptInt(fd, SOL_SOCKET, SO_MARK, mark);
    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, VETH0);
    setsockoptInt(fd, SOL_SOCKET, SO_BROADCAST, 1);
    if (ip.version === 4) {
      setsockoptInt(fd, SOL_IP, IP_MULTICAST_LOOP, 0);
      setsockoptInt(fd, SOL_IP, IP_TRANSPARENT, 1);
      bind(fd, sockaddrIn(formatIPv4(ip.src), srcPort));
      sendto(fd, payload, 0, sockaddrIn(formatIPv4(ip.dst), dstPort));
    } else {
      setsockoptInt(fd, SOL_IPV6, IPV6_MULTICAST_LOOP, 0);
      setsockoptInt(fd, SOL_IPV6, IPV6_TRANSPARENT, 1);
      bind(fd, sockaddrIn6(formatIPv6(ip.src), srcPort));
      sendto(fd, payload, 0, sockaddrIn6(formatIPv6(ip.dst), dstPort));
    }
  } catch (error) {
    if (error instanceof SysError) throw decline(`the kernel refused the UDP send: ${error.message}`);
    throw error;
  } finally {
    close(fd);
  }
}
