// Fragments enter the stack as received packets: written on veth1 through
// AF_PACKET, they take veth0's receive path (netif_rx, then the softirq that
// runs before sendto() returns, so their fate is settled when it does).
// Each frame carries a virtio_net_hdr with VIRTIO_NET_HDR_F_DATA_VALID: the
// fragments, and so the reassembled datagram (inet_frag_reasm_finish() keeps
// a common ip_summed), are CHECKSUM_UNNECESSARY; the delivery sockets do not
// check upper-layer checksums either (delivery-sockets.ts).
import { SOL_PACKET, setsockoptInt } from "../../../sys/libc.js";
import { PACKET_VNET_HDR, PacketSocket } from "../../../sys/packet-socket.js";
import { VETH0_MAC, VETH1_MAC } from "../../../sys/veth.js";

const VNET_HDR_LEN = 10;
const VIRTIO_NET_HDR_F_DATA_VALID = 2;

/** veth's max_mtu (ETH_MAX_MTU): the largest IPv6 packet the pair can carry. */
export const LARGEST_PACKET = 65535;

function mac(text: string): number[] {
  return text.split(":").map((h) => parseInt(h, 16));
}

export class FragmentInjector {
  private readonly socket = PacketSocket.open("veth1");
  private readonly header = Uint8Array.from([
    VIRTIO_NET_HDR_F_DATA_VALID,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    ...mac(VETH0_MAC),
    ...mac(VETH1_MAC),
    0x86,
    0xdd,
  ]);

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

export { VNET_HDR_LEN };
