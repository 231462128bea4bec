// Thin koffi bindings to the libc socket calls Node does not expose (netlink,
// packet, raw sockets, SO_ATTACH_FILTER). Everything is synchronous: sockets are
// opened non-blocking and waits go through poll(), so a wait blocks the calling
// thread (the suite talks to the kernel one request at a time anyway).
import koffi from "koffi";
import { EAGAIN, EINTR } from "./errno.js";

// Address families, socket types and the option numbers we use (x86_64/generic Linux).
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;
export const AF_PACKET = 17;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
// Socket levels (include/linux/socket.h) for the IP, IPv6, raw and packet options.
export const SOL_IP = 0;
export const SOL_IPV6 = 41;
export const SOL_RAW = 255;
export const SOL_PACKET = 263;
export const SO_MARK = 36;
/** SO_TIMESTAMPNS (SO_TIMESTAMPNS_OLD on 64-bit: a struct timespec of two 64-bit fields); its cmsg type is the same. */
export const SO_TIMESTAMPNS = 35;
export const SO_PRIORITY = 12;
export const SO_RCVBUF = 8;
export const SO_SNDBUF = 7;
export const SO_BINDTODEVICE = 25;
export const SO_BROADCAST = 6;
export const IP_MULTICAST_LOOP = 34;
export const IPV6_MULTICAST_LOOP = 19;
export const SO_ATTACH_FILTER = 26;
export const SO_DETACH_FILTER = 27;
export const SO_RCVBUFFORCE = 33;
export const MSG_PEEK = 2;
export const MSG_CTRUNC = 0x08;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const POLLIN = 1;

/** A failed libc call: `errno` is the positive Linux errno, `code` its name. */
export class SysError extends Error {
  readonly errno: number;
  readonly code: string;
  readonly call: string;
  constructor(call: string, errno: number) {
    const code = errnoName(errno);
    super(`${call} failed: ${code} (${errno})`);
    this.name = "SysError";
    this.errno = errno;
    this.code = code;
    this.call = call;
  }
}

let names: Map<number, string> | undefined;

/** Name of an errno number ("EPERM"); the canonical Linux spelling for aliases. */
export function errnoName(errno: number): string {
  if (!names) {
    names = new Map();
    for (const [name, num] of Object.entries(koffi.os.errno)) {
      if (!names.has(num)) names.set(num, name);
    }
    // koffi lists the aliases first for these; prefer the names strerror uses.
    for (const name of ["EAGAIN", "EDEADLK", "EOPNOTSUPP"]) {
      const num = koffi.os.errno[name];
      if (num !== undefined) names.set(num, name);
    }
  }
  return names.get(errno) ?? `E#${errno}`;
}

/** Errno number of a name ("EINVAL" -> 22). */
export function errnoNumber(name: string): number {
  const num = koffi.os.errno[name];
  if (num === undefined) throw new Error(`unknown errno name ${name}`);
  return num;
}

// Buffers are passed as `void *`: koffi hands the typed array's memory to C in
// place (subarray offsets respected), so out-parameters land in our arrays.
type Bytes = Uint8Array;
interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Bytes, len: number): number;
  close(fd: number): number;
  setsockopt(fd: number, level: number, name: number, val: Bytes, len: number): number;
  getsockopt(fd: number, level: number, name: number, val: Bytes, len: Uint32Array): number;
  sendto(fd: number, buf: Bytes, len: number, flags: number, addr: Bytes | null, alen: number): number;
  recvfrom(fd: number, buf: Bytes, len: number, flags: number, addr: Bytes | null, alen: Uint32Array | null): number;
  poll(fds: Bytes, nfds: number, timeout: number): number;
  socketpair(domain: number, type: number, protocol: number, sv: Int32Array): number;
  getsockname(fd: number, addr: Bytes, len: Uint32Array): number;
  if_nametoindex(name: string): number;
  ioctl(fd: number, request: number, arg: Bytes): number;
  unshare(flags: number): number;
  setns(fd: number, nstype: number): number;
  recvmsg(fd: number, msg: unknown, flags: number): number | bigint;
  recvmmsg(fd: number, msgs: unknown, vlen: number, flags: number, timeout: null): number;
  sched_getaffinity(pid: number, size: number, mask: Bytes): number;
  sched_setaffinity(pid: number, size: number, mask: Bytes): number;
  sched_getcpu(): number;
  syscall(number: number, a: number, b: Bytes, c: number): number | bigint;
  clock_getres(clock: number, res: Bytes): number;
  clock_gettime(clock: number, tp: Bytes): number;
}

let lib: Libc | undefined;

/** The bound functions, loaded on first use so importing this module is free. */
export function libc(): Libc {
  if (lib) return lib;
  const so = koffi.load("libc.so.6");
  lib = {
    socket: so.func("int socket(int, int, int)"),
    bind: so.func("int bind(int, const void *, uint32_t)"),
    close: so.func("int close(int)"),
    setsockopt: so.func("int setsockopt(int, int, int, const void *, uint32_t)"),
    getsockopt: so.func("int getsockopt(int, int, int, void *, uint32_t *)"),
    sendto: so.func("intptr_t sendto(int, const void *, size_t, int, const void *, uint32_t)"),
    recvfrom: so.func("intptr_t recvfrom(int, void *, size_t, int, void *, uint32_t *)"),
    poll: so.func("int poll(void *, unsigned long, int)"),
    socketpair: so.func("int socketpair(int, int, int, int *)"),
    getsockname: so.func("int getsockname(int, void *, uint32_t *)"),
    if_nametoindex: so.func("unsigned int if_nametoindex(const char *)"),
    ioctl: so.func("int ioctl(int, unsigned long, void *)"),
    unshare: so.func("int unshare(int)"),
    setns: so.func("int setns(int, int)"),
    recvmsg: so.func("intptr_t recvmsg(int, void *, int)"),
    recvmmsg: so.func("int recvmmsg(int, void *, unsigned int, int, void *)"),
    sched_getaffinity: so.func("int sched_getaffinity(int, size_t, void *)"),
    sched_setaffinity: so.func("int sched_setaffinity(int, size_t, const void *)"),
    sched_getcpu: so.func("int sched_getcpu()"),
    // Three-argument calls only (bpf(2) has no libc wrapper): (number, int, pointer, unsigned int).
    syscall: so.func("long syscall(long, int, void *, unsigned int)"),
    clock_getres: so.func("int clock_getres(int, void *)"),
    clock_gettime: so.func("int clock_gettime(int, void *)"),
  } as Libc;
  return lib;
}

/** Turn libc's -1 convention into a thrown SysError; returns the result otherwise. */
export function check(call: string, ret: number | bigint): number {
  const n = Number(ret);
  if (n === -1) throw new SysError(call, koffi.errno());
  return n;
}

export function socket(domain: number, type: number, protocol: number): number {
  return check("socket", libc().socket(domain, type | SOCK_CLOEXEC, protocol));
}

export function bind(fd: number, addr: Uint8Array): void {
  check("bind", libc().bind(fd, addr, addr.length));
}

export function close(fd: number): void {
  check("close", libc().close(fd));
}

export function setsockopt(fd: number, level: number, name: number, value: Uint8Array): void {
  check(`setsockopt(${level}, ${name})`, libc().setsockopt(fd, level, name, value, value.length));
}

export function setsockoptInt(fd: number, level: number, name: number, value: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, value, true);
  setsockopt(fd, level, name, b);
}

/**
 * A receive buffer of `bytes`: SO_RCVBUFFORCE where permitted; without
 * CAP_NET_ADMIN over the init user namespace it is refused, and the plain
 * option still works up to net.core.rmem_max.
 */
export function setReceiveBuffer(fd: number, bytes: number): void {
  try {
    setsockoptInt(fd, SOL_SOCKET, SO_RCVBUFFORCE, bytes);
  } catch (e) {
    if (!(e instanceof SysError && e.code === "EPERM")) throw e;
    setsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, bytes);
  }
}

/** getsockopt into a buffer of `size` bytes; returns the bytes the kernel wrote. */
export function getsockopt(fd: number, level: number, name: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  const len = new Uint32Array([size]);
  check(`getsockopt(${level}, ${name})`, libc().getsockopt(fd, level, name, b, len));
  return b.subarray(0, Math.min(size, len[0] ?? 0));
}

export function getsockoptInt(fd: number, level: number, name: number): number {
  const b = getsockopt(fd, level, name, 4);
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(0, true);
}

/** sendto(); `addr` null for a connected or bound socket. Returns bytes sent. */
export function sendto(fd: number, data: Uint8Array, flags = 0, addr: Uint8Array | null = null): number {
  return check("sendto", libc().sendto(fd, data, data.length, flags, addr, addr ? addr.length : 0));
}

/**
 * sendto() whose failure is an answer, not an exception: the bytes sent, or
 * minus the errno (a drop on a local output path is -EPERM, one per packet).
 */
export function sendtoErrno(fd: number, data: Uint8Array, addr: Uint8Array): number {
  const n = Number(libc().sendto(fd, data, data.length, 0, addr, addr.length));
  return n === -1 ? -koffi.errno() : n;
}

export interface Received {
  /** Bytes returned; with MSG_TRUNC in flags, the datagram's real length. */
  length: number;
  /** The source address the kernel filled in (empty when none was asked for). */
  addr: Uint8Array;
}

/**
 * One non-blocking recvfrom(): null when nothing is queued (EAGAIN), so callers
 * combine it with waitReadable(). `addrSize` > 0 asks for the source address.
 */
export function recvfrom(fd: number, buf: Uint8Array, flags = 0, addrSize = 0): Received | null {
  const addr = addrSize > 0 ? new Uint8Array(addrSize) : null;
  const alen = addrSize > 0 ? new Uint32Array([addrSize]) : null;
  const n = Number(libc().recvfrom(fd, buf, buf.length, flags | MSG_DONTWAIT, addr, alen));
  if (n === -1) {
    const e = koffi.errno();
    if (e === EAGAIN) return null;
    throw new SysError("recvfrom", e);
  }
  const got = addr ? addr.subarray(0, Math.min(addrSize, alen?.[0] ?? 0)) : new Uint8Array(0);
  return { length: n, addr: got };
}

/** poll() one fd for input; false on timeout. Retries EINTR with the time left. */
export function waitReadable(fd: number, timeoutMs: number): boolean {
  const pfd = new Uint8Array(8); // struct pollfd { int fd; short events; short revents; }
  const v = new DataView(pfd.buffer);
  v.setInt32(0, fd, true);
  v.setInt16(4, POLLIN, true);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = Math.max(0, deadline - Date.now());
    const n = Number(libc().poll(pfd, 1, Math.ceil(left)));
    if (n > 0) return true;
    if (n === 0) return false;
    const e = koffi.errno();
    if (e !== EINTR) throw new SysError("poll", e);
  }
}

/**
 * Receive one datagram into `buf`, waiting up to timeoutMs. Null on timeout.
 * Throws if the datagram did not fit (MSG_TRUNC), since a silently cut message
 * would be misread as a short one.
 */
export function recvDatagram(fd: number, buf: Uint8Array, timeoutMs: number, addrSize = 0): Received | null {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = recvfrom(fd, buf, MSG_TRUNC, addrSize);
    if (r) {
      if (r.length > buf.length) {
        throw new Error(`datagram of ${r.length} bytes does not fit the ${buf.length}-byte receive buffer`);
      }
      return r;
    }
    const left = deadline - Date.now();
    if (left <= 0 || !waitReadable(fd, left)) return null;
  }
}

export function socketpair(domain: number, type: number, protocol = 0): [number, number] {
  const sv = new Int32Array(2);
  check("socketpair", libc().socketpair(domain, type | SOCK_CLOEXEC, protocol, sv));
  return [sv[0] ?? -1, sv[1] ?? -1];
}

export function getsockname(fd: number, size = 128): Uint8Array {
  const b = new Uint8Array(size);
  const len = new Uint32Array([size]);
  check("getsockname", libc().getsockname(fd, b, len));
  return b.subarray(0, Math.min(size, len[0] ?? 0));
}

/** Interface index by name; throws SysError (ENODEV) for an unknown name. */
export function ifNameToIndex(name: string): number {
  const idx = libc().if_nametoindex(name);
  if (idx === 0) throw new SysError(`if_nametoindex(${name})`, koffi.errno());
  return idx;
}

export function ioctl(fd: number, request: number, arg: Uint8Array): number {
  return check(`ioctl(0x${request.toString(16)})`, libc().ioctl(fd, request, arg));
}

/** Memory outside the JS heap, for structs that hold a pointer (GC may move small typed arrays). */
export interface NativeBuffer {
  readonly address: bigint;
  readonly bytes: Uint8Array;
  free(): void;
}

export function allocNative(size: number): NativeBuffer {
  const ptr = koffi.alloc("uint8_t", Math.max(1, size));
  const bytes = new Uint8Array(koffi.view(ptr, Math.max(1, size)));
  bytes.fill(0);
  let freed = false;
  return {
    address: koffi.address(ptr),
    bytes,
    free() {
      if (!freed) koffi.free(ptr);
      freed = true;
    },
  };
}
