// Sends one datagram on a NETLINK_NETFILTER socket (NETLINK_CAP_ACK on,
// NETLINK_EXT_ACK off) and collects every message the kernel sends back for
// it, nlmsg_pid zeroed. A barrier follows each datagram: a message without
// NLM_F_REQUEST but with NLM_F_ACK, which netlink_rcv_skb() acks without
// handling, so a request that gets no reply at all costs no timeout. A dump
// continues on recvmsg(), so for a dump request we read on to its NLMSG_DONE.
import { NetlinkSocket } from "../../../sys/netlink-socket.js";
import { NETLINK_NETFILTER } from "../../../wire/netlink/nfnetlink.js";
import {
  IPCTNL_MSG_TIMEOUT_DEFAULT_GET,
  IPCTNL_MSG_TIMEOUT_GET,
  cttimeoutType,
  encodeCttimeoutRequest,
  zeroPids,
} from "../../../wire/netlink/cttimeout.js";
import {
  decodeMessages,
  encodeMessage,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
} from "../../../wire/netlink/message.js";

const BARRIER_SEQ = 0xfffffffe;
const BARRIER = encodeCttimeoutRequest({
  msg: IPCTNL_MSG_TIMEOUT_DEFAULT_GET,
  flags: NLM_F_ACK,
  seq: BARRIER_SEQ,
  attributes: [],
});

/** Whether the kernel will run a dump for this datagram's first message (GET with NLM_F_ROOT or NLM_F_MATCH). */
function startsDump(datagram: Uint8Array): { seq: number } | null {
  if (datagram.length < 20) return null;
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const length = view.getUint32(0, true);
  const flags = view.getUint16(6, true);
  if (length < 20 || length > datagram.length || view.getUint16(4, true) !== cttimeoutType(IPCTNL_MSG_TIMEOUT_GET))
    return null;
  return flags & NLM_F_REQUEST && flags & NLM_F_DUMP ? { seq: view.getUint32(8, true) } : null;
}

export class NetlinkExchange {
  private readonly socket = NetlinkSocket.open(NETLINK_NETFILTER, { capAck: true, rcvbuf: 1 << 20 });

  constructor(private readonly timeoutMs = 3000) {}

  /** Every reply message to `datagram`, in arrival order, each with nlmsg_pid 0. */
  exchange(datagram: Uint8Array): Uint8Array[] {
    this.socket.send(datagram);
    this.socket.send(BARRIER);
    const dump = startsDump(datagram);
    let dumpOpen = dump !== null;
    let barrierSeen = false;
    const out: Uint8Array[] = [];
    const deadline = Date.now() + this.timeoutMs;
    while (!barrierSeen || dumpOpen) {
      const d = this.socket.recv(Math.max(0, deadline - Date.now()));
      if (!d)
        throw new Error(
          `netlink: no ${barrierSeen ? "NLMSG_DONE" : "acknowledgement of the barrier"} within ${this.timeoutMs} ms`,
        );
      for (const m of decodeMessages(d)) {
        if (m.type === NLMSG_ERROR && m.seq === BARRIER_SEQ) {
          barrierSeen = true;
          continue;
        }
        if (dump && m.seq === dump.seq && (m.type === NLMSG_DONE || m.type === NLMSG_ERROR)) dumpOpen = false;
        out.push(zeroPids(encodeMessage({ type: m.type, flags: m.flags, seq: m.seq, pid: m.pid, payload: m.payload })));
      }
    }
    return out;
  }

  close(): void {
    this.socket.close();
  }
}
