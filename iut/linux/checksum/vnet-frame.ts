// A frame as a PACKET_VNET_HDR packet socket or a tap with IFF_VNET_HDR takes
// it: struct virtio_net_hdr (include/uapi/linux/virtio_net.h, little-endian
// fields), an Ethernet header, the packet. virtio_net_hdr_to_skb() turns the
// header into the skb's checksum state and GSO fields. The checksum area's
// packets are TCP or UDP (the CHECKSUM target fills nothing else).
import { transportHeaderLength, type TransportLayout } from "../../../model/checksum/packet-checksum.js";
import { ETH_P_IP, ETH_P_IPV6, IPPROTO_TCP } from "../../../wire/protocol-numbers.js";
import {
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_GSO_TCPV4,
  VIRTIO_NET_HDR_GSO_TCPV6,
  VIRTIO_NET_HDR_GSO_UDP_L4,
  VNET_HDR_LEN,
} from "../../../wire/virtio-net-hdr.js";

export interface VnetHeader {
  /** VIRTIO_NET_HDR_F_NEEDS_CSUM with csum_start/csum_offset at the transport checksum: CHECKSUM_PARTIAL. */
  needsCsum: boolean;
  /** A gso_type and a gso_size that cuts the payload into two segments or three. */
  gso: boolean;
  /** hdr_len (the headers' length) set without GSO too. */
  hdrLenAlways?: boolean;
}

/** virtio_net_hdr, then `ethernet` (destination and source MAC, 12 bytes) and the EtherType, then the packet. */
export function vnetFrame(
  packet: Uint8Array,
  layout: TransportLayout,
  ethernet: Uint8Array,
  header: VnetHeader,
): Uint8Array {
  const out = new Uint8Array(VNET_HDR_LEN + 14 + packet.length);
  const view = new DataView(out.buffer);
  const transportStart = 14 + layout.ip.transportOffset;
  const headerLength = transportHeaderLength(packet, layout);
  if (header.needsCsum) {
    out[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    view.setUint16(6, transportStart, true); // csum_start
    view.setUint16(8, layout.fieldOffset - layout.ip.transportOffset, true); // csum_offset
  }
  if (header.gso || header.hdrLenAlways) view.setUint16(2, transportStart + headerLength, true); // hdr_len
  if (header.gso) {
    out[1] =
      layout.ip.protocol !== IPPROTO_TCP
        ? VIRTIO_NET_HDR_GSO_UDP_L4
        : layout.ip.version === 4
          ? VIRTIO_NET_HDR_GSO_TCPV4
          : VIRTIO_NET_HDR_GSO_TCPV6;
    const payload = packet.length - layout.ip.transportOffset - headerLength;
    view.setUint16(4, Math.floor(payload / 2), true); // gso_size: two segments or three
  }
  out.set(ethernet, VNET_HDR_LEN);
  view.setUint16(VNET_HDR_LEN + 12, layout.ip.version === 4 ? ETH_P_IP : ETH_P_IPV6);
  out.set(packet, VNET_HDR_LEN + 14);
  return out;
}
