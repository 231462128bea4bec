// CHECKSUM_NONE: a whole packet through a raw socket (IPPROTO_RAW, header
// included). raw_send_hdrinc() / rawv6_send_hdrinc() mark it CHECKSUM_NONE and
// leave the transport segment as given (the IPv4 header's length, ID when 0
// and checksum are the kernel's).
import type { TransportLayout } from "../../../model/checksum/packet-checksum.js";
import { formatIPv4, formatIPv6 } from "../../../sys/inet-addr.js";
import { setsockoptInt, SO_MARK, SOL_SOCKET } from "../../../sys/libc.js";
import { RawSocket } from "../../../sys/raw-socket.js";
import { IPPROTO_RAW } from "../../../wire/protocol-numbers.js";
import { decline } from "./decline.js";

export class RawSender {
  private readonly sockets: Record<4 | 6, RawSocket>;

  /** `mark`, when given, is set on both sockets (SO_MARK). */
  constructor(mark?: number) {
    this.sockets = { 4: RawSocket.open(4, IPPROTO_RAW), 6: RawSocket.open(6, IPPROTO_RAW) };
    if (mark !== undefined)
      for (const socket of Object.values(this.sockets)) setsockoptInt(socket.fd, SOL_SOCKET, SO_MARK, mark);
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
