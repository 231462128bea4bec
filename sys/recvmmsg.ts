// recvmmsg(): every datagram queued on a socket in one call instead of one
// recvfrom() each. For a reader of many small datagrams at once (a probe's
// nftrace events, one datagram each), where the per-call cost is most of the
// cost. The mmsghdrs, iovecs and buffers live in one native block, so the
// pointers inside stay valid during the call.
import koffi from "koffi";
import { EAGAIN } from "./errno.js";
import { libc, MSG_DONTWAIT, MSG_TRUNC, SysError } from "./libc.js";
import { IOVEC, MMSGHDR, MSGHDR } from "./msghdr-layout.js";

/** A reusable block for up to `count` datagrams of at most `size` bytes each. */
export class BatchReceiver {
  private readonly block: unknown;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly dataAt: number;
  private closed = false;

  constructor(
    private readonly count = 64,
    private readonly size = 8192,
  ) {
    const iovecsAt = count * MMSGHDR.size;
    this.dataAt = iovecsAt + count * IOVEC.size;
    const total = this.dataAt + count * size;
    this.block = koffi.alloc("uint8_t", total);
    this.bytes = new Uint8Array(koffi.view(this.block, total));
    this.bytes.fill(0);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    // The pointers never change: written once (msg_name and msg_control stay NULL).
    const base = koffi.address(this.block);
    for (let i = 0; i < count; i++) {
      const iov = iovecsAt + i * IOVEC.size;
      this.view.setBigUint64(i * MMSGHDR.size + MSGHDR.iov, base + BigInt(iov), true);
      this.view.setBigUint64(i * MMSGHDR.size + MSGHDR.iovlen, 1n, true);
      this.view.setBigUint64(iov + IOVEC.base, base + BigInt(this.dataAt + i * size), true);
      this.view.setBigUint64(iov + IOVEC.len, BigInt(size), true);
    }
  }

  /**
   * One non-blocking recvmmsg(): the datagrams queued now (at most `count`),
   * in order, as views of the block valid until the next receive; empty when
   * none is queued. A datagram longer than `size` is an error, never a cut one.
   * A short batch may have stopped at an error, which recvmmsg() returns on the
   * next call: only an empty receive says the queue was drained.
   */
  receive(fd: number): Uint8Array[] {
    if (this.closed) throw new Error("recvmmsg: the receiver is closed");
    const n = libc().recvmmsg(fd, this.block, this.count, MSG_DONTWAIT, null);
    if (n === -1) {
      const e = koffi.errno();
      if (e === EAGAIN) return [];
      throw new SysError("recvmmsg", e);
    }
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      if (this.view.getInt32(i * MMSGHDR.size + MSGHDR.flags, true) & MSG_TRUNC)
        throw new Error(`recvmmsg: a datagram does not fit the ${this.size}-byte buffer`);
      const at = this.dataAt + i * this.size;
      out.push(this.bytes.subarray(at, at + this.view.getUint32(i * MMSGHDR.size + MMSGHDR.len, true)));
    }
    return out;
  }

  /** Frees the block; a second close does nothing (a double free would crash the process). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    koffi.free(this.block);
  }
}
