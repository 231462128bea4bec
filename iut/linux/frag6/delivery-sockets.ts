// Datagrams the stack hands upward, rebuilt as whole IPv6 packets. One IPv6
// raw socket per upper-layer protocol the generators use (a raw socket sees
// every datagram of its protocol, and having one also keeps the stack from
// answering the unassigned number with Parameter Problem code 1). A raw
// socket hands up only what follows the header chain; the rest comes as
// ancillary data: source (msg_name), destination (IPV6_PKTINFO), traffic
// class (IPV6_TCLASS) and flow label (IPV6_FLOWINFO, sent only when not zero), hop limit (IPV6_HOPLIMIT), and the
// extension headers in order (IPV6_HOPOPTS, then IPV6_DSTOPTS and IPV6_RTHDR
// as ip6_datagram_recv_specific_ctl() re-parses the delivered packet). The
// Fragment header is gone by then, and the header before it already names
// the fragment's Next Header: what is rebuilt is the packet the upper layer saw.
import {
  AF_INET6,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_IPV6,
  SOL_RAW,
  close,
  setReceiveBuffer,
  setsockoptInt,
  socket,
  waitReadable,
} from "../../../sys/libc.js";
import { UPPER_PROTOCOLS } from "../../../wire/ipv6-datagram.js";
import { IPPROTO_DSTOPTS, IPPROTO_HOPOPTS, IPPROTO_ROUTING } from "../../../wire/protocol-numbers.js";
import type { MessageReceiver, ControlMessage } from "../../../sys/recvmsg.js";

const IPV6_FLOWINFO = 11;
const IPV6_RECVPKTINFO = 49;
const IPV6_PKTINFO = 50;
const IPV6_RECVHOPLIMIT = 51;
const IPV6_HOPLIMIT = 52;
const IPV6_RECVHOPOPTS = 53;
const IPV6_HOPOPTS = 54;
const IPV6_RECVRTHDR = 56;
const IPV6_RTHDR = 57;
const IPV6_RECVDSTOPTS = 58;
const IPV6_DSTOPTS = 59;
const IPV6_RECVTCLASS = 66;
const IPV6_TCLASS = 67;

// A raw ICMPv6 socket verifies the ICMPv6 checksum and silently drops a
// datagram that fails it (rawv6_recvmsg: csum_copy_err), but reassembly does
// not look at upper-layer checksums: an overlap or a conflicting last fragment
// yields a datagram whose checksum no longer holds, and the stack still hands
// it up. IPV6_CHECKSUM at level SOL_RAW with -1 turns the check off (a Linux
// extension; at level SOL_IPV6 RFC 3542 forbids it on ICMPv6 sockets).
const IPV6_CHECKSUM = 7;

const HEADER_TYPE: Record<number, number> = {
  [IPV6_HOPOPTS]: IPPROTO_HOPOPTS,
  [IPV6_RTHDR]: IPPROTO_ROUTING,
  [IPV6_DSTOPTS]: IPPROTO_DSTOPTS,
};

function rebuild(
  protocol: number,
  payload: Uint8Array,
  name: Uint8Array,
  control: readonly ControlMessage[],
): Uint8Array {
  let dst: Uint8Array | undefined;
  let trafficClass: number | undefined;
  // put_cmsg(IPV6_FLOWINFO) only when the flow information is not zero.
  let flowinfo = 0;
  let hopLimit: number | undefined;
  const headers: { type: number; bytes: Uint8Array }[] = [];
  for (const c of control) {
    if (c.level !== SOL_IPV6) continue;
    const view = new DataView(c.data.buffer, c.data.byteOffset, c.data.byteLength);
    if (c.type === IPV6_PKTINFO) dst = c.data.slice(0, 16);
    else if (c.type === IPV6_FLOWINFO) flowinfo = view.getUint32(0, false);
    else if (c.type === IPV6_TCLASS) trafficClass = view.getInt32(0, true);
    else if (c.type === IPV6_HOPLIMIT) hopLimit = view.getInt32(0, true);
    else if (c.type in HEADER_TYPE) headers.push({ type: HEADER_TYPE[c.type]!, bytes: c.data });
  }
  if (!dst || trafficClass === undefined || hopLimit === undefined || name.length < 24) {
    throw new Error(
      `raw IPv6 socket: a delivered datagram came without its destination, flow information or hop limit (${JSON.stringify(control.map((c) => [c.level, c.type, c.data.length]))}, name ${name.length})`,
    );
  }
  // Hop-by-hop first (put_cmsg order already has it first), the others in packet order.
  const extLength = headers.reduce((n, h) => n + h.bytes.length, 0);
  const out = new Uint8Array(40 + extLength + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, ((6 << 28) | (trafficClass << 20) | (flowinfo & 0x000fffff)) >>> 0, false);
  view.setUint16(4, extLength + payload.length, false);
  out[6] = headers[0]?.type ?? protocol;
  out[7] = hopLimit;
  out.set(name.subarray(8, 24), 8);
  out.set(dst, 24);
  let at = 40;
  headers.forEach((h, i) => {
    out.set(h.bytes, at);
    // An atomic fragment is handed up with its Fragment header still in place, only skipped (ipv6_frag_rcv());
    // the protocol's form has it removed and the header before it naming what follows.
    if (h.bytes[0] === 44) out[at] = headers[i + 1]?.type ?? protocol;
    at += h.bytes.length;
  });
  out.set(payload, at);
  return out;
}

export class DeliverySockets {
  private readonly fds: { protocol: number; fd: number }[] = [];
  /** The receiver's native buffer outlives namespaces: one per area. */
  constructor(private readonly receiver: MessageReceiver) {
    try {
      for (const protocol of UPPER_PROTOCOLS) {
        const fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK, protocol);
        this.fds.push({ protocol, fd });
        for (const option of [
          IPV6_RECVPKTINFO,
          IPV6_RECVHOPLIMIT,
          IPV6_RECVHOPOPTS,
          IPV6_RECVRTHDR,
          IPV6_RECVDSTOPTS,
          IPV6_FLOWINFO,
          IPV6_RECVTCLASS,
        ]) {
          setsockoptInt(fd, SOL_IPV6, option, 1);
        }
        if (protocol === 58) setsockoptInt(fd, SOL_RAW, IPV6_CHECKSUM, -1);
        // A large queue: a case delivers at most a few datagrams, but each may be 64 KiB.
        setReceiveBuffer(fd, 8 << 20);
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /**
   * Every datagram up to the marker, rebuilt (marker.ts): waits for it, so
   * the stack has finished with whatever was injected before it.
   */
  drainThroughMarker(isMarker: (p: Uint8Array) => boolean, timeoutMs = 2000): Uint8Array[] {
    const out: Uint8Array[] = [];
    const udp = this.fds.find((f) => f.protocol === 17)!;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let seen = false;
      for (const p of this.drain()) {
        if (isMarker(p)) seen = true;
        else out.push(p);
      }
      if (seen) return out;
      if (Date.now() > deadline) throw new Error(`the marker datagram did not arrive within ${timeoutMs} ms`);
      waitReadable(udp.fd, 5);
    }
  }

  /** Every datagram queued now, rebuilt. */
  drain(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const { protocol, fd } of this.fds) {
      for (let m = this.receiver.receive(fd); m; m = this.receiver.receive(fd))
        out.push(rebuild(protocol, m.data, m.name, m.control));
    }
    return out;
  }

  close(): void {
    for (const { fd } of this.fds.splice(0)) close(fd);
  }
}
