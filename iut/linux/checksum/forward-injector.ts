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
import {
  transportHeaderLength,
  transportPayloadLength,
  type TransportLayout,
} from "../../../model/checksum/packet-checksum.js";
import { SOL_PACKET, setsockoptInt } from "../../../sys/libc.js";
import { PACKET_VNET_HDR, PacketSocket } from "../../../sys/packet-socket.js";
import { writeSysctl } from "../../../sys/sysctl.js";
import { VETH0_MAC, VETH1_MAC, macBytes } from "../../../sys/veth.js";
import { ETH_P_IP, ETH_P_IPV6, IPPROTO_TCP } from "../../../wire/protocol-numbers.js";
import {
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_GSO_TCPV4,
  VIRTIO_NET_HDR_GSO_TCPV6,
  VIRTIO_NET_HDR_GSO_UDP_L4,
  VNET_HDR_LEN,
} from "../../../wire/virtio-net-hdr.js";

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
    const frame = new Uint8Array(VNET_HDR_LEN + 14 + packet.length);
    const view = new DataView(frame.buffer);
    const transportStart = 14 + layout.ip.transportOffset;
    const headerLength = transportHeaderLength(packet, layout);
    // struct virtio_net_hdr (include/uapi/linux/virtio_net.h), little-endian fields.
    frame[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    if (gso) {
      const tcp = layout.ip.protocol === IPPROTO_TCP;
      frame[1] = !tcp
        ? VIRTIO_NET_HDR_GSO_UDP_L4
        : layout.ip.version === 4
          ? VIRTIO_NET_HDR_GSO_TCPV4
          : VIRTIO_NET_HDR_GSO_TCPV6;
      const payload = packet.length - layout.ip.transportOffset - headerLength;
      view.setUint16(4, Math.floor(payload / 2), true); // gso_size: two segments or three
    }
    view.setUint16(2, transportStart + headerLength, true); // hdr_len
    view.setUint16(6, transportStart, true); // csum_start
    view.setUint16(8, layout.fieldOffset - layout.ip.transportOffset, true); // csum_offset
    frame.set(this.ethernet, VNET_HDR_LEN);
    view.setUint16(VNET_HDR_LEN + 12, layout.ip.version === 4 ? ETH_P_IP : ETH_P_IPV6);
    frame.set(packet, VNET_HDR_LEN + 14);
    this.socket.send(frame);
  }

  close(): void {
    this.socket.close();
  }
}
