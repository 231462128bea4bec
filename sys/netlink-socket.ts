// A netlink socket as a byte pipe: bind, options, send to the kernel, receive
// one datagram. Message encoding/decoding lives elsewhere (the nlmsghdr codec),
// and so do the protocol numbers open() takes (NETLINK_NETFILTER: wire/netlink/nfnetlink.ts).
import {
  AF_NETLINK,
  SOCK_NONBLOCK,
  SOCK_RAW,
  bind,
  close,
  getsockname,
  recvDatagram,
  sendto,
  setReceiveBuffer,
  setsockoptInt,
  socket,
} from "./libc.js";

export const SOL_NETLINK = 270;
export const NETLINK_ADD_MEMBERSHIP = 1;
export const NETLINK_DROP_MEMBERSHIP = 2;
export const NETLINK_CAP_ACK = 10;
export const NETLINK_EXT_ACK = 11;

export interface NetlinkOpenOptions {
  /** NETLINK_CAP_ACK: error replies carry only the request header (NLM_F_CAPPED). */
  capAck?: boolean;
  /** NETLINK_EXT_ACK: error replies may carry extended-ack TLVs. */
  extAck?: boolean;
  /** Multicast groups to join (NETLINK_ADD_MEMBERSHIP, group numbers not masks). */
  groups?: number[];
  /** Receive buffer in bytes (SO_RCVBUFFORCE when permitted, else SO_RCVBUF). */
  rcvbuf?: number;
}

// struct sockaddr_nl { u16 family; u16 pad; u32 pid; u32 groups; }
function sockaddrNl(pid: number): Uint8Array {
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  v.setUint16(0, AF_NETLINK, true);
  v.setUint32(4, pid, true);
  return b;
}

// Large enough for any unicast reply we provoke; dumps come in <= 32 KiB skbs.
const RECV_BUFFER = 256 * 1024;

export class NetlinkSocket {
  readonly fd: number;
  /** nl_pid the kernel assigned at bind (autobind). */
  readonly portId: number;
  private readonly buf = new Uint8Array(RECV_BUFFER);
  private readonly kernel = sockaddrNl(0);
  private closed = false;

  private constructor(fd: number, portId: number) {
    this.fd = fd;
    this.portId = portId;
  }

  static open(protocol: number, opts: NetlinkOpenOptions = {}): NetlinkSocket {
    const fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK, protocol);
    try {
      if (opts.rcvbuf !== undefined) setReceiveBuffer(fd, opts.rcvbuf);
      if (opts.capAck) setsockoptInt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
      if (opts.extAck) setsockoptInt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
      bind(fd, sockaddrNl(0));
      for (const g of opts.groups ?? []) setsockoptInt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g);
      const sa = getsockname(fd, 12);
      const portId = new DataView(sa.buffer, sa.byteOffset, sa.byteLength).getUint32(4, true);
      return new NetlinkSocket(fd, portId);
    } catch (e) {
      close(fd);
      throw e;
    }
  }

  /** Send one datagram (one or more nlmsgs) to the kernel. */
  send(message: Uint8Array): void {
    const n = sendto(this.fd, message, 0, this.kernel);
    if (n !== message.length) throw new Error(`netlink send: ${n} of ${message.length} bytes sent`);
  }

  /** One datagram (possibly several nlmsgs), or null if none arrives in time. */
  recv(timeoutMs: number): Uint8Array | null {
    return this.recvShared(timeoutMs)?.slice() ?? null;
  }

  /**
   * recv() without the copy: a view of the socket's receive buffer, valid
   * until the next receive. For a reader of thousands of datagrams that keeps
   * only what it decodes out of each (nftrace events).
   */
  recvShared(timeoutMs: number): Uint8Array | null {
    const r = recvDatagram(this.fd, this.buf, timeoutMs);
    return r ? this.buf.subarray(0, r.length) : null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    close(this.fd);
  }
}
