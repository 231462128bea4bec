// Classic BPF on a real kernel socket: attach a program with SO_ATTACH_FILTER
// to one end of an AF_UNIX datagram socketpair and count the bytes of each
// datagram it lets through. AF_UNIX runs the receiver's filter inside the
// sender's sendmsg, so delivery is known as soon as send returns: no timeouts.
import {
  AF_UNIX,
  MSG_TRUNC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOL_SOCKET,
  SO_ATTACH_FILTER,
  SysError,
  allocNative,
  close,
  recvfrom,
  sendto,
  setsockopt,
  socketpair,
} from "./libc.js";

/** One struct sock_filter: [code, jt, jf, k]; k may be given signed (SKF_AD_OFF = -0x1000). */
export type BpfInsn = readonly [code: number, jt: number, jf: number, k: number];

function field(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`sock_filter.${name} out of range: ${v}`);
  return v;
}

/**
 * SO_ATTACH_FILTER on fd. Returns 0 or the errno the kernel refused with
 * (EINVAL for a program the checker rejects, ENOMEM over optmem_max, ...).
 */
export function attachFilter(fd: number, program: readonly BpfInsn[]): number {
  // The filter array must not move while the kernel copies it, so it lives in
  // native memory; struct sock_fprog { u16 len; (pad) struct sock_filter *filter; }.
  const insns = allocNative(program.length * 8);
  try {
    const v = new DataView(insns.bytes.buffer, insns.bytes.byteOffset, insns.bytes.byteLength);
    program.forEach(([code, jt, jf, k], i) => {
      v.setUint16(i * 8, field("code", code, 0, 0xffff), true);
      v.setUint8(i * 8 + 2, field("jt", jt, 0, 0xff));
      v.setUint8(i * 8 + 3, field("jf", jf, 0, 0xff));
      v.setUint32(i * 8 + 4, field("k", k, -0x80000000, 0xffffffff) >>> 0, true);
    });
    const fprog = new Uint8Array(16);
    const fv = new DataView(fprog.buffer);
    fv.setUint16(0, field("len", program.length, 0, 0xffff), true);
    fv.setBigUint64(8, insns.address, true);
    try {
      setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog);
      return 0;
    } catch (e) {
      if (e instanceof SysError) return e.errno;
      throw e;
    }
  } finally {
    insns.free();
  }
}

/** A socketpair whose receiving end carries the filter under test. */
export class FilterPair {
  private readonly sender: number;
  private readonly receiver: number;
  private readonly buf = new Uint8Array(256 * 1024);
  private closed = false;

  private constructor(sender: number, receiver: number) {
    this.sender = sender;
    this.receiver = receiver;
  }

  static open(): FilterPair {
    const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK);
    return new FilterPair(a, b);
  }

  /** Attach (or replace) the receiver's filter; 0 or errno. */
  attach(program: readonly BpfInsn[]): number {
    return attachFilter(this.receiver, program);
  }

  /** Bytes of `payload` the receiver got: min(return value, length), 0 when dropped. */
  run(payload: Uint8Array): number {
    const n = sendto(this.sender, payload);
    if (n !== payload.length) throw new Error(`socketpair send: ${n} of ${payload.length} bytes sent`);
    const r = recvfrom(this.receiver, this.buf, MSG_TRUNC);
    return r ? r.length : 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    close(this.sender);
    close(this.receiver);
  }
}

/** Load a program and run packets through it: errno, and results when it loaded. */
export function runSocketFilter(
  program: readonly BpfInsn[],
  packets: readonly Uint8Array[],
): { errno: number; results?: number[] } {
  const pair = FilterPair.open();
  try {
    const errno = pair.attach(program);
    if (errno !== 0) return { errno };
    return { errno, results: packets.map((p) => pair.run(p)) };
  } finally {
    pair.close();
  }
}
