// AF_PACKET socket bound to one interface: capture frames in both directions
// (sll_pkttype tells outgoing from incoming) and inject frames.
import { closeInBackground } from "./background-close.js";
import {
  AF_PACKET,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  bind,
  close,
  ifNameToIndex,
  recvDatagram,
  sendto,
  socket,
} from "./libc.js";

export const ETH_P_ALL = 0x0003;
/** Socket option (level SOL_PACKET): frames sent and received start with a struct virtio_net_hdr. */
export const PACKET_VNET_HDR = 15;

export interface PacketOpenOptions {
  /** Ethertype to capture; ETH_P_ALL (every frame, both directions) by default. */
  protocol?: number;
  /** SOCK_DGRAM: frames without the link-layer header. Default false (raw Ethernet). */
  cooked?: boolean;
}

export interface CapturedFrame {
  data: Uint8Array;
  /** sll_pkttype: PACKET_HOST, PACKET_OUTGOING, ... (wire/protocol-numbers.ts) */
  pktType: number;
  /** Ethertype from sockaddr_ll (host order). */
  protocol: number;
  ifindex: number;
}

const SOCKADDR_LL = 20;

// struct sockaddr_ll { u16 family; be16 protocol; int ifindex; u16 hatype;
//                      u8 pkttype; u8 halen; u8 addr[8]; }
function sockaddrLl(protocol: number, ifindex: number, dstMac?: Uint8Array): Uint8Array {
  const b = new Uint8Array(SOCKADDR_LL);
  const v = new DataView(b.buffer);
  v.setUint16(0, AF_PACKET, true);
  v.setUint16(2, protocol, false);
  v.setInt32(4, ifindex, true);
  if (dstMac) {
    b[11] = dstMac.length;
    b.set(dstMac.subarray(0, 8), 12);
  }
  return b;
}

export class PacketSocket {
  readonly fd: number;
  readonly ifindex: number;
  readonly protocol: number;
  readonly cooked: boolean;
  private readonly buf = new Uint8Array(256 * 1024); // > any GSO frame a veth passes
  private closed = false;

  private constructor(fd: number, ifindex: number, protocol: number, cooked: boolean) {
    this.fd = fd;
    this.ifindex = ifindex;
    this.protocol = protocol;
    this.cooked = cooked;
  }

  static open(ifname: string, opts: PacketOpenOptions = {}): PacketSocket {
    const protocol = opts.protocol ?? ETH_P_ALL;
    const cooked = opts.cooked ?? false;
    const ifindex = ifNameToIndex(ifname);
    // Protocol 0 at socket() means "receive nothing" until bind() names the
    // protocol and the interface, so no frame from another interface slips in.
    const fd = socket(AF_PACKET, (cooked ? SOCK_DGRAM : SOCK_RAW) | SOCK_NONBLOCK, 0);
    try {
      bind(fd, sockaddrLl(protocol, ifindex));
    } catch (e) {
      close(fd);
      throw e;
    }
    return new PacketSocket(fd, ifindex, protocol, cooked);
  }

  /**
   * Inject a frame on the bound interface. Raw sockets send the frame as given
   * (Ethernet header included); cooked sockets need the destination MAC and
   * ethertype, the kernel builds the header.
   */
  send(frame: Uint8Array, dest?: { mac: Uint8Array; protocol: number }): void {
    let addr: Uint8Array | null = null;
    if (this.cooked) {
      if (!dest) throw new Error("cooked packet socket: send needs a destination MAC and ethertype");
      addr = sockaddrLl(dest.protocol, this.ifindex, dest.mac);
    }
    const n = sendto(this.fd, frame, 0, addr);
    if (n !== frame.length) throw new Error(`packet send: ${n} of ${frame.length} bytes sent`);
  }

  /** Next captured frame, or null when none arrives within timeoutMs. */
  recv(timeoutMs: number): CapturedFrame | null {
    const r = recvDatagram(this.fd, this.buf, timeoutMs, SOCKADDR_LL);
    if (!r) return null;
    const v = new DataView(r.addr.buffer, r.addr.byteOffset, r.addr.byteLength);
    return {
      data: this.buf.slice(0, r.length),
      pktType: r.addr[10] ?? -1,
      protocol: r.addr.length >= 4 ? v.getUint16(2, false) : 0,
      ifindex: r.addr.length >= 8 ? v.getInt32(4, true) : 0,
    };
  }

  /** Discard everything already queued (e.g. IPv6 router solicitations after link up). */
  drain(): number {
    let n = 0;
    while (this.recv(0)) n++;
    return n;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    close(this.fd);
  }

  /** Closes without waiting for the grace period packet_release() waits for (background-close.ts). */
  closeInBackground(): void {
    if (this.closed) return;
    this.closed = true;
    closeInBackground(this.fd, close);
  }
}
