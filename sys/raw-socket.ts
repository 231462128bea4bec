// Raw IPv4/IPv6 sockets for sending whole, hand-built packets (header included)
// and receiving by protocol number.
import { isIPv6 } from "node:net";
import {
  AF_INET,
  AF_INET6,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_SOCKET,
  SO_BINDTODEVICE,
  close,
  recvDatagram,
  sendto,
  setsockopt,
  setsockoptInt,
  socket,
} from "./libc.js";
import { IPPROTO_IP, IPPROTO_IPV6, IPPROTO_RAW } from "../wire/protocol-numbers.js";
import { sockaddrAddress, sockaddrIn, sockaddrIn6 } from "./inet-addr.js";

export const IP_HDRINCL = 3;
export const IPV6_HDRINCL = 36;

export interface RawOpenOptions {
  /**
   * The packets given to send() include the IP header. Default true. With
   * protocol IPPROTO_RAW the kernel forces this (and such a socket receives nothing).
   */
  hdrincl?: boolean;
  /** SO_BINDTODEVICE: send and receive only through this interface. */
  device?: string;
}

export interface RawReceived {
  /** IPv4: the whole packet, IP header included. IPv6: the payload after the IPv6 header chain. */
  data: Uint8Array;
  from: string;
}

export class RawSocket {
  readonly fd: number;
  readonly family: 4 | 6;
  readonly protocol: number;
  private readonly buf = new Uint8Array(70 * 1024);
  private closed = false;

  private constructor(fd: number, family: 4 | 6, protocol: number) {
    this.fd = fd;
    this.family = family;
    this.protocol = protocol;
  }

  static open(family: 4 | 6, protocol: number, opts: RawOpenOptions = {}): RawSocket {
    const fd = socket(family === 4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_NONBLOCK, protocol);
    try {
      if ((opts.hdrincl ?? true) && protocol !== IPPROTO_RAW) {
        if (family === 4) setsockoptInt(fd, IPPROTO_IP, IP_HDRINCL, 1);
        else setsockoptInt(fd, IPPROTO_IPV6, IPV6_HDRINCL, 1);
      }
      if (opts.device) setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, new TextEncoder().encode(`${opts.device}\0`));
    } catch (e) {
      close(fd);
      throw e;
    }
    return new RawSocket(fd, family, protocol);
  }

  /** Send one packet; `dst` picks the route (with hdrincl the header's own addresses go out). */
  send(packet: Uint8Array, dst: string): void {
    const sa = this.family === 6 || isIPv6(dst.split("%")[0] ?? "") ? sockaddrIn6(dst) : sockaddrIn(dst);
    const n = sendto(this.fd, packet, 0, sa);
    if (n !== packet.length) throw new Error(`raw send: ${n} of ${packet.length} bytes sent`);
  }

  recv(timeoutMs: number): RawReceived | null {
    const r = recvDatagram(this.fd, this.buf, timeoutMs, 28);
    return r ? { data: this.buf.slice(0, r.length), from: sockaddrAddress(r.addr) } : null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    close(this.fd);
  }
}
