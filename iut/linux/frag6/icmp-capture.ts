// ICMPv6 errors the node sends back toward a fragment's source: they leave
// veth0 (default route, gateway MAC that is no device's) and are captured
// there as PACKET_OUTGOING frames. Only the reassembly errors the protocol
// reports are kept: Time Exceeded (type 3) and Parameter Problem (type 4);
// Destination Unreachable for the delivered UDP datagrams (no listener) or
// echo replies are the upper layers' business. Each error carries the time
// the node sent it, stamped by the kernel as the capture took it
// (dev_queue_xmit_nit()), not when a case got round to reading it: with many
// cases in one process, a read can come well after the timer fired.
import { SO_TIMESTAMPNS, SOL_SOCKET, setsockoptInt } from "../../../sys/libc.js";
import { PacketSocket } from "../../../sys/packet-socket.js";
import { realtimeOffsetMs } from "../../../sys/realtime-clock.js";
import type { MessageReceiver } from "../../../sys/recvmsg.js";
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
  /** When the node sent it, on performance.now()'s clock (ms). */
  sentAt: number;
}

/** The realtime stamp of a received frame in ms, or null without one. */
function stampMs(control: readonly { level: number; type: number; data: Uint8Array }[]): number | null {
  const c = control.find((m) => m.level === SOL_SOCKET && m.type === SO_TIMESTAMPNS && m.data.length >= 16);
  if (!c) return null;
  const v = new DataView(c.data.buffer, c.data.byteOffset, 16);
  return Number(v.getBigInt64(0, true)) * 1000 + Number(v.getBigInt64(8, true)) / 1e6;
}

export class IcmpCapture {
  // ETH_P_ALL: only ptype_all taps see outgoing frames (dev_queue_xmit_nit()).
  private readonly socket = PacketSocket.open("veth0", { cooked: true });

  /** `receiver`: the area's native receive buffer (sys/recvmsg.ts), which also brings the stamps. */
  constructor(private readonly receiver: MessageReceiver) {
    try {
      setsockoptInt(this.socket.fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
    } catch (error) {
      this.socket.close();
      throw error;
    }
  }

  /** Every reassembly error captured so far. */
  drain(): CapturedError[] {
    const out: CapturedError[] = [];
    // The stamps' clock against performance.now()'s, read now (sys/realtime-clock.ts): once a drain, when one is stamped.
    let offset: number | undefined;
    for (let m = this.receiver.receive(this.socket.fd); m; m = this.receiver.receive(this.socket.fd)) {
      const p = m.data;
      // sockaddr_ll: sll_protocol (network order) at 2, sll_pkttype at 10.
      const protocol = m.name.length >= 4 ? (m.name[2]! << 8) | m.name[3]! : -1;
      if (m.name[10] !== PACKET_OUTGOING || protocol !== ETH_P_IPV6 || p.length < 48 || p[6] !== IPPROTO_ICMPV6)
        continue;
      const type = p[40]!;
      if (type !== ICMPV6_TIME_EXCEED && type !== ICMPV6_PARAMPROB) continue;
      const pointer = new DataView(p.buffer, p.byteOffset + 44, 4).getUint32(0, false);
      const stamp = stampMs(m.control);
      if (stamp === null) throw new Error("the ICMP capture got a frame without its SO_TIMESTAMPNS stamp");
      offset ??= realtimeOffsetMs();
      out.push({ type, code: p[41]!, pointer, quoted: p.slice(48), sentAt: stamp - offset });
    }
    return out;
  }

  close(): void {
    this.socket.closeInBackground();
  }
}
