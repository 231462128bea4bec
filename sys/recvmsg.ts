// recvmsg() with ancillary data, which the libc.ts wrappers do not cover: an IPv6 raw
// socket hands up only the payload after the header chain, and the rest of a
// delivered datagram (destination, traffic class, hop limit, extension
// headers) comes as control messages. The msghdr, iovec and buffers live in
// one native block, so the pointers inside msghdr stay valid during the call.
import koffi from "koffi";
import { EAGAIN } from "./errno.js";
import { libc, MSG_CTRUNC, MSG_DONTWAIT, MSG_TRUNC, SysError } from "./libc.js";
import { IOVEC, MSGHDR } from "./msghdr-layout.js";

export interface ControlMessage {
  level: number;
  type: number;
  data: Uint8Array;
}

export interface ReceivedMessage {
  data: Uint8Array;
  /** sockaddr the kernel filled in (sockaddr_in6 for IPv6 sockets). */
  name: Uint8Array;
  control: ControlMessage[];
}

// The block: the msghdr at 0 (msghdr-layout.ts), its iovec after it, then the name, the control data
// (struct cmsghdr: 16 bytes, then the data, 8-aligned) and the datagram.
const IOVEC_AT = MSGHDR.size;
const NAME = IOVEC_AT + IOVEC.size;
const NAME_SIZE = 32;
const CONTROL = NAME + NAME_SIZE;

/** A reusable receive buffer for one socket's datagrams. */
export class MessageReceiver {
  private readonly block: unknown;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly base: bigint;
  private closed = false;

  constructor(
    private readonly dataSize = 70 * 1024,
    private readonly controlSize = 4096,
  ) {
    const total = CONTROL + controlSize + dataSize;
    this.block = koffi.alloc("uint8_t", total);
    this.bytes = new Uint8Array(koffi.view(this.block, total));
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.base = koffi.address(this.block);
  }

  /** One non-blocking recvmsg(): null when nothing is queued. */
  receive(fd: number): ReceivedMessage | null {
    if (this.closed) throw new Error("recvmsg: the receiver is closed");
    const v = this.view;
    const dataAt = CONTROL + this.controlSize;
    v.setBigUint64(MSGHDR.name, this.base + BigInt(NAME), true);
    v.setUint32(MSGHDR.namelen, NAME_SIZE, true);
    v.setBigUint64(MSGHDR.iov, this.base + BigInt(IOVEC_AT), true);
    v.setBigUint64(MSGHDR.iovlen, 1n, true);
    v.setBigUint64(MSGHDR.control, this.base + BigInt(CONTROL), true);
    v.setBigUint64(MSGHDR.controllen, BigInt(this.controlSize), true);
    v.setInt32(MSGHDR.flags, 0, true);
    v.setBigUint64(IOVEC_AT + IOVEC.base, this.base + BigInt(dataAt), true);
    v.setBigUint64(IOVEC_AT + IOVEC.len, BigInt(this.dataSize), true);
    const n = Number(libc().recvmsg(fd, this.block, MSG_DONTWAIT));
    if (n === -1) {
      const e = koffi.errno();
      if (e === EAGAIN) return null;
      throw new SysError("recvmsg", e);
    }
    const flags = v.getInt32(MSGHDR.flags, true);
    if (flags & (MSG_TRUNC | MSG_CTRUNC))
      throw new Error(`recvmsg: datagram or control data truncated (flags ${flags})`);
    const nameLength = v.getUint32(MSGHDR.namelen, true);
    const controlLength = Number(v.getBigUint64(MSGHDR.controllen, true));
    const control: ControlMessage[] = [];
    for (let at = CONTROL; at + 16 <= CONTROL + controlLength; ) {
      const length = Number(v.getBigUint64(at, true));
      if (length < 16) break;
      control.push({
        level: v.getInt32(at + 8, true),
        type: v.getInt32(at + 12, true),
        data: this.bytes.slice(at + 16, at + length),
      });
      at += (length + 7) & ~7;
    }
    return {
      data: this.bytes.slice(dataAt, dataAt + n),
      name: this.bytes.slice(NAME, NAME + Math.min(nameLength, NAME_SIZE)),
      control,
    };
  }

  /** Frees the native block; a second close does nothing (a double free would crash the process). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    koffi.free(this.block);
  }
}
