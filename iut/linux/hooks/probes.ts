// One UDP packet aimed at one hook list, sent along a path that crosses that
// list, and the end point that shows it got through:
//   output, postrouting (ipv4/ipv6)   sent from a local UDP socket to a routed address;
//                                     the whole output path runs inside sendmsg(),
//                                     which fails with EPERM when a hook drops
//   prerouting, input (ipv4/ipv6),    injected on veth1 (AF_PACKET) to veth0's MAC and
//   netdev ingress veth0, egress veth1  a local address: delivered to a bound UDP socket
//   netdev ingress veth1, egress veth0  the same from veth0 to veth1's MAC
//   forward (ipv4/ipv6)               injected on veth1 to a routed address: captured
//                                     leaving veth0 (PACKET_OUTGOING)
// The destination port names the list (chain-rules.ts), the source port is a
// nonce, so the end points and the trace events tell this packet from others.
// ARP probes are in arp-probes.ts, bridge probes in bridge-probes.ts.
import { recomputedChecksum } from "../../../model/checksum/packet-checksum.js";
import type { HookName } from "../../../model/hooks/families.js";
import { parseIPv4, parseIPv6, sockaddrIn, sockaddrIn6 } from "../../../sys/inet-addr.js";
import {
  AF_INET,
  AF_INET6,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOL_IPV6,
  SysError,
  bind,
  close,
  recvfrom,
  sendto,
  setsockoptInt,
  socket,
} from "../../../sys/libc.js";
import { PacketSocket } from "../../../sys/packet-socket.js";
import { VETH0_MAC, VETH1_MAC, macBytes } from "../../../sys/veth.js";
import { buildIpv4, buildIpv6, buildUdp } from "../../../wire/ip-build.js";
import { ETH_P_IP, ETH_P_IPV6, IPPROTO_UDP, PACKET_OUTGOING } from "../../../wire/protocol-numbers.js";
import type { Aim } from "./chain-rules.js";
import { PROBE_ADDRESSES, type IpVersion } from "./probe-network.js";
import type { ProbeSet, SendOutcome } from "./traversal.js";

const IPV6_V6ONLY = 26;
const PAYLOAD = new TextEncoder().encode("nfconform hooks probe");

export type ProbePath =
  | { kind: "local-send"; version: IpVersion }
  | { kind: "inject"; version: IpVersion; on: "veth0" | "veth1"; to: "local" | "remote" };

/** The path that crosses a (family, hook, device) list, or null when this IUT has none for it. */
export function probePath(family: string, hook: HookName, device: string | null): ProbePath | null {
  if (family === "ipv4" || family === "ipv6") {
    const version: IpVersion = family === "ipv4" ? 4 : 6;
    if (hook === "output" || hook === "postrouting") return { kind: "local-send", version };
    if (hook === "prerouting" || hook === "input") return { kind: "inject", version, on: "veth1", to: "local" };
    if (hook === "forward") return { kind: "inject", version, on: "veth1", to: "remote" };
    return null;
  }
  if (family === "netdev" && (device === "veth0" || device === "veth1")) {
    // Ingress on a device: inject on its peer; egress on a device: inject on it.
    if (hook === "ingress")
      return { kind: "inject", version: 4, on: device === "veth0" ? "veth1" : "veth0", to: "local" };
    if (hook === "egress") return { kind: "inject", version: 4, on: device, to: "local" };
  }
  return null;
}

/** The destination port of a UDP probe. */
export function udpPort(aim: Aim): number {
  if (aim.kind !== "udp") throw new Error("a UDP probe needs a port to aim at");
  return aim.port;
}

export function udpPacket(version: IpVersion, src: string, dst: string, srcPort: number, dstPort: number): Uint8Array {
  const udp = buildUdp(srcPort, dstPort, PAYLOAD);
  if (version === 4) return buildIpv4({ src: parseIPv4(src), dst: parseIPv4(dst), protocol: IPPROTO_UDP }, udp);
  const packet = buildIpv6({ src: parseIPv6(src), dst: parseIPv6(dst), nextHeader: IPPROTO_UDP }, udp);
  // IPv6 UDP needs a checksum (RFC 8200 8.1); a computed 0 is sent as 0xffff.
  const sum = recomputedChecksum(packet) || 0xffff;
  packet[46] = sum >> 8;
  packet[47] = sum & 0xff;
  return packet;
}

function sockaddr(version: IpVersion, address: string, port: number): Uint8Array {
  return version === 4 ? sockaddrIn(address, port) : sockaddrIn6(address, port);
}

function udpSocket(version: IpVersion, port: number): number {
  const fd = socket(version === 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  try {
    if (version === 6) setsockoptInt(fd, SOL_IPV6, IPV6_V6ONLY, 1);
    bind(fd, sockaddr(version, version === 4 ? "0.0.0.0" : "::", port));
    return fd;
  } catch (error) {
    close(fd);
    throw error;
  }
}

export class Probes implements ProbeSet<ProbePath> {
  private readonly injectors = { veth0: PacketSocket.open("veth0"), veth1: PacketSocket.open("veth1") };
  /** Frames leaving veth0: the end point of forwarded packets. */
  private readonly egress = this.injectors.veth0;
  private readonly receivers = new Map<string, number>();
  private readonly buffer = new Uint8Array(2048);

  runsInSend(path: ProbePath): boolean {
    return path.kind === "local-send";
  }

  /** Sends one probe: whether sendmsg succeeded (EPERM: a drop on the output path; ENOBUFS: one in the sending device's egress hook). */
  send(path: ProbePath, aim: Aim, srcPort: number): SendOutcome {
    const dstPort = udpPort(aim);
    const addresses = PROBE_ADDRESSES[path.version];
    if (path.kind === "local-send") {
      const fd = udpSocket(path.version, srcPort);
      try {
        sendto(fd, PAYLOAD, 0, sockaddr(path.version, addresses.remote, dstPort));
        return { sent: true };
      } catch (error) {
        if (error instanceof SysError) return { sent: false, errno: error.code };
        throw error;
      } finally {
        close(fd);
      }
    }
    if (path.to === "local") this.receiver(path.version, dstPort);
    else this.egress.drain();
    const packet = udpPacket(
      path.version,
      addresses.source,
      path.to === "local" ? addresses.local : addresses.remote,
      srcPort,
      dstPort,
    );
    const frame = new Uint8Array(14 + packet.length);
    frame.set(macBytes(path.on === "veth1" ? VETH0_MAC : VETH1_MAC), 0);
    frame.set(macBytes(path.on === "veth1" ? VETH1_MAC : VETH0_MAC), 6);
    frame[12] = path.version === 4 ? 0x08 : 0x86;
    frame[13] = path.version === 4 ? 0x00 : 0xdd;
    frame.set(packet, 14);
    try {
      this.injectors[path.on].send(frame);
    } catch (error) {
      // A drop in the egress hook of the device sent on: dev_queue_xmit()
      // says NET_XMIT_DROP, which af_packet turns into ENOBUFS.
      if (error instanceof SysError && error.code === "ENOBUFS") return { sent: false, errno: error.code };
      throw error;
    }
    return { sent: true };
  }

  /** The fd to poll for the end point of an injected probe. */
  endPointFd(path: ProbePath, aim: Aim): number {
    if (path.kind !== "inject") throw new Error("a local send has no end point to wait for");
    const dstPort = udpPort(aim);
    return path.to === "local" ? this.receiver(path.version, dstPort) : this.egress.fd;
  }

  /** Whether the probe with this source port has reached its end point (consumes what is queued there). */
  arrived(path: ProbePath, aim: Aim, srcPort: number): boolean {
    if (path.kind !== "inject") throw new Error("a local send has no end point to wait for");
    const dstPort = udpPort(aim);
    if (path.to === "local") {
      const fd = this.receiver(path.version, dstPort);
      for (;;) {
        const r = recvfrom(fd, this.buffer, 0, 28);
        if (!r) return false;
        const view = new DataView(r.addr.buffer, r.addr.byteOffset, r.addr.byteLength);
        if (r.addr.length >= 4 && view.getUint16(2, false) === srcPort) return true;
      }
    }
    for (;;) {
      const frame = this.egress.recv(0);
      if (!frame) return false;
      if (frame.pktType !== PACKET_OUTGOING) continue;
      const ipStart = 14;
      const transport = ipStart + (path.version === 4 ? (frame.data[ipStart]! & 0x0f) * 4 : 40);
      const protocol = path.version === 4 ? frame.data[ipStart + 9] : frame.data[ipStart + 6];
      const ethertype = (frame.data[12]! << 8) | frame.data[13]!;
      if (
        ethertype !== (path.version === 4 ? ETH_P_IP : ETH_P_IPV6) ||
        protocol !== IPPROTO_UDP ||
        frame.data.length < transport + 4
      )
        continue;
      const view = new DataView(frame.data.buffer, frame.data.byteOffset + transport);
      if (view.getUint16(0) === srcPort && view.getUint16(2) === dstPort) return true;
    }
  }

  private receiver(version: IpVersion, port: number): number {
    const key = `${version}/${port}`;
    let fd = this.receivers.get(key);
    if (fd === undefined) {
      fd = udpSocket(version, port);
      this.receivers.set(key, fd);
    }
    return fd;
  }

  close(): void {
    this.injectors.veth0.close();
    this.injectors.veth1.close();
    for (const fd of this.receivers.values()) close(fd);
    this.receivers.clear();
  }
}
