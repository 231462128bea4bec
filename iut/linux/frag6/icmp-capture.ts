// ICMPv6 errors the node sends back toward a fragment's source: they leave
// veth0 (default route, gateway MAC that is no device's) and are captured
// there as PACKET_OUTGOING frames. Only the reassembly errors the protocol
// reports are kept: Time Exceeded (type 3) and Parameter Problem (type 4);
// Destination Unreachable for the delivered UDP datagrams (no listener) or
// echo replies are the upper layers' business.
import { PacketSocket } from "../../../sys/packet-socket.js";
import {
  ETH_P_IPV6,
  ICMPV6_PARAMPROB,
  ICMPV6_TIME_EXCEED,
  IPPROTO_ICMPV6,
  PACKET_OUTGOING,
} from "../../../wire/protocol-numbers.js";

export interface CapturedError {
  type: number;
  code: number;
  pointer: number;
  /** The invoking packet the error quotes (as much as fits). */
  quoted: Uint8Array;
}

export class IcmpCapture {
  // ETH_P_ALL: only ptype_all taps see outgoing frames (dev_queue_xmit_nit()).
  private readonly socket = PacketSocket.open("veth0", { cooked: true });

  /** Every reassembly error captured so far. */
  drain(): CapturedError[] {
    const out: CapturedError[] = [];
    for (let f = this.socket.recv(0); f; f = this.socket.recv(0)) {
      const p = f.data;
      if (f.pktType !== PACKET_OUTGOING || f.protocol !== ETH_P_IPV6 || p.length < 48 || p[6] !== IPPROTO_ICMPV6)
        continue;
      const type = p[40]!;
      if (type !== ICMPV6_TIME_EXCEED && type !== ICMPV6_PARAMPROB) continue;
      const pointer = new DataView(p.buffer, p.byteOffset + 44, 4).getUint32(0, false);
      out.push({ type, code: p[41]!, pointer, quoted: p.slice(48) });
    }
    return out;
  }

  close(): void {
    this.socket.closeInBackground();
  }
}
