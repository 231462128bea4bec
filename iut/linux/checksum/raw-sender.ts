// CHECKSUM_NONE: a whole packet through a raw socket (IPPROTO_RAW, header
// included). raw_send_hdrinc() / rawv6_send_hdrinc() mark it CHECKSUM_NONE and
// leave the transport segment as given (the IPv4 header's length, ID when 0
// and checksum are the kernel's). The sockets are bound to veth0, may send to
// broadcast addresses and loop no multicast back, so multicast and broadcast
// packets leave veth0 once, unchanged (address-policy.ts SENDABLE).
import type { TransportLayout } from "../../../model/checksum/packet-checksum.js";
import { formatIPv4, formatIPv6 } from "../../../sys/inet-addr.js";
import {
  IP_MULTICAST_LOOP,
  IPV6_MULTICAST_LOOP,
  setsockopt,
  setsockoptInt,
  SO_BINDTODEVICE,
  SO_BROADCAST,
  SO_MARK,
  SOL_IP,
  SOL_IPV6,
  SOL_SOCKET,
} from "../../../sys/libc.js";
import { RawSocket } from "../../../sys/raw-socket.js";
import { IPPROTO_RAW } from "../../../wire/protocol-numbers.js";
import { decline } from "./decline.js";

export class RawSender {
  private readonly sockets: Record<4 | 6, RawSocket>;

  /** `mark`, when given, is set on both sockets (SO_MARK). */
  constructor(mark?: number) {
    this.sockets = { 4: RawSocket.open(4, IPPROTO_RAW), 6: RawSocket.open(6, IPPROTO_RAW) };
    for (const socket of Object.values(this.sockets)) {
      if (mark !== undefined) setsockoptInt(socket.fd, SOL_SOCKET, SO_MARK, mark);
      setsockopt(socket.fd, SOL_SOCKET, SO_BINDTODEVICE, new TextEncoder().encode("veth0\0"));
      setsockoptInt(socket.fd, SOL_SOCKET, SO_BROADCAST, 1);
    }
    setsockoptInt(this.sockets[4].fd, SOL_IP, IP_MULTICAST_LOOP, 0);
    setsockoptInt(this.sockets[6].fd, SOL_IPV6, IPV6_MULTICAST_LOOP, 0);
  }

  send(packet: Uint8Array, layout: TransportLayout): void {
    const { version, dst } = layout.ip;
    try {
      this.sockets[version].send(packet, version === 4 ? formatIPv4(dst) : formatIPv6(dst));
    } catch (error) {
      throw decline(`the kernel refused to send it from a raw socket: ${(error as Error).message}`);
    }
  }

  close(): void {
    this.sockets[4].close();
    this.sockets[6].close();
  }
}
