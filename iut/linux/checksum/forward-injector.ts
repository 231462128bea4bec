// CHECKSUM_PARTIAL packets no socket sends as given reach POSTROUTING by
// forwarding: the packet is injected on veth1 with a virtio_net_hdr
// (PACKET_VNET_HDR), arrives on veth0 as virtio_net_hdr_to_skb() set it up,
// and is routed back out of veth0 through mangle POSTROUTING:
// - VIRTIO_NET_HDR_F_NEEDS_CSUM with csum_start/csum_offset: CHECKSUM_PARTIAL
//   (TCP, UDP behind options or extension headers);
// - a gso_type and gso_size as well: a GSO packet.
// (VIRTIO_NET_HDR_F_DATA_VALID would not make it CHECKSUM_UNNECESSARY: packet
// sockets ignore that flag on output, measured on 6.18; receive-path.ts.)
// Forwarding only lowers the TTL and, for IPv4, rewrites the header checksum.
import { transportPayloadLength, type TransportLayout } from "../../../model/checksum/packet-checksum.js";
import { SOL_PACKET, setsockoptInt } from "../../../sys/libc.js";
import { PACKET_VNET_HDR, PacketSocket } from "../../../sys/packet-socket.js";
import { writeSysctl } from "../../../sys/sysctl.js";
import { VETH0_MAC, VETH1_MAC, macBytes } from "../../../sys/veth.js";
import { vnetFrame } from "./vnet-frame.js";

/** Why this packet cannot be forwarded in that state, or null. */
export function forwardProblem(packet: Uint8Array, layout: TransportLayout, gso: boolean): string | null {
  const hopLimit = layout.ip.version === 4 ? packet[8]! : packet[7]!;
  if (hopLimit <= 1) return `a forwarded packet needs a TTL above 1, this one has ${hopLimit}`;
  if (gso && transportPayloadLength(packet, layout) < 2) {
    return "its payload is too small for a GSO packet of two segments (virtio_net_hdr_to_skb)";
  }
  return null;
}

export class ForwardInjector {
  private readonly socket = PacketSocket.open("veth1");
  private readonly ethernet = new Uint8Array(12);

  constructor() {
    writeSysctl("net.ipv4.ip_forward", 1);
    writeSysctl("net.ipv6.conf.all.forwarding", 1);
    // Out of the interface it came in on: no ICMP redirects into the capture.
    writeSysctl("net.ipv4.conf.all.send_redirects", 0);
    writeSysctl("net.ipv4.conf.veth0.send_redirects", 0);
    writeSysctl("net.ipv4.conf.all.rp_filter", 0);
    writeSysctl("net.ipv4.conf.veth0.rp_filter", 0);
    setsockoptInt(this.socket.fd, SOL_PACKET, PACKET_VNET_HDR, 1);
    this.ethernet.set(macBytes(VETH0_MAC), 0);
    this.ethernet.set(macBytes(VETH1_MAC), 6);
  }

  inject(packet: Uint8Array, layout: TransportLayout, gso: boolean): void {
    this.socket.send(vnetFrame(packet, layout, this.ethernet, { needsCsum: true, gso, hdrLenAlways: true }));
  }

  close(): void {
    this.socket.close();
  }
}
