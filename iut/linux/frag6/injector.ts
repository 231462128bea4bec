// Fragments enter the stack as received packets: written on veth1 through
// AF_PACKET, they take veth0's receive path (netif_rx, then the softirq that
// runs before sendto() returns, so their fate is settled when it does).
// Each frame carries a virtio_net_hdr with VIRTIO_NET_HDR_F_DATA_VALID: the
// fragments, and so the reassembled datagram (inet_frag_reasm_finish() keeps
// a common ip_summed), are CHECKSUM_UNNECESSARY; the delivery sockets do not
// check upper-layer checksums either (delivery-sockets.ts).
import { SOL_PACKET, setsockoptInt } from "../../../sys/libc.js";
import { PACKET_VNET_HDR, PacketSocket } from "../../../sys/packet-socket.js";
import { VETH0_MAC, VETH1_MAC, macBytes } from "../../../sys/veth.js";
import { ETH_P_IPV6 } from "../../../wire/protocol-numbers.js";
import { VIRTIO_NET_HDR_F_DATA_VALID, VNET_HDR_LEN } from "../../../wire/virtio-net-hdr.js";

/** veth's max_mtu (ETH_MAX_MTU): the largest IPv6 packet the pair can carry. */
export const LARGEST_PACKET = 65535;

/** What goes before every fragment: a virtio_net_hdr saying DATA_VALID (all else 0), then veth1 -> veth0 Ethernet. */
function frameHeader(): Uint8Array {
  const header = new Uint8Array(VNET_HDR_LEN + 14);
  header[0] = VIRTIO_NET_HDR_F_DATA_VALID;
  header.set(macBytes(VETH0_MAC), VNET_HDR_LEN);
  header.set(macBytes(VETH1_MAC), VNET_HDR_LEN + 6);
  new DataView(header.buffer).setUint16(VNET_HDR_LEN + 12, ETH_P_IPV6);
  return header;
}

export class FragmentInjector {
  private readonly socket = PacketSocket.open("veth1");
  private readonly header = frameHeader();

  constructor() {
    setsockoptInt(this.socket.fd, SOL_PACKET, PACKET_VNET_HDR, 1);
  }

  inject(packet: Uint8Array): void {
    const frame = new Uint8Array(this.header.length + packet.length);
    frame.set(this.header);
    frame.set(packet, this.header.length);
    this.socket.send(frame);
  }

  close(): void {
    this.socket.closeInBackground();
  }
}
