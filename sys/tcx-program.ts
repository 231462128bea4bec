// Loading a tc (BPF_PROG_TYPE_SCHED_CLS) program of a few eBPF instructions
// and attaching it at a device's tcx ingress or egress (BPF_PROG_ATTACH,
// Linux 6.6+). tcx ingress runs in __netif_receive_skb_core() after the
// ptype_all taps and before ip_rcv(); tcx egress in __dev_queue_xmit()
// (sch_handle_egress()) before the transmit queue is picked and the device's
// taps see the frame. Needs CAP_BPF and CAP_NET_ADMIN. The one home of the
// bpf(2) calls and instruction encoding for tc programs.
import { allocNative, check, libc, SysError } from "./libc.js";
import { assertPrivateNetns } from "./namespace.js";

const NR_BPF = 321; // x86_64
const BPF_PROG_LOAD = 5;
const BPF_PROG_ATTACH = 8;
const BPF_PROG_DETACH = 9;
const BPF_PROG_TYPE_SCHED_CLS = 3;
const ATTR_SIZE = 128;
const ATTACH_TYPE = { ingress: 46, egress: 47 } as const; // BPF_TCX_INGRESS, BPF_TCX_EGRESS

/** tcx return: let the packet on (TCX_PASS). */
export const TCX_PASS = 0;

/** One struct bpf_insn: opcode, dst_reg | src_reg << 4, s16 offset, s32 imm. */
export function insn(code: number, dst: number, imm: number, src = 0, off = 0): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint8(0, code);
  v.setUint8(1, (dst & 0xf) | ((src & 0xf) << 4));
  v.setInt16(2, off, true);
  v.setInt32(4, imm | 0, true);
  return b;
}

export const BPF_MOV64_IMM = 0xb7;
export const BPF_MOV64_REG = 0xbf;
export const BPF_ST_MEM_W = 0x62;
export const BPF_LDX_MEM_W = 0x61;
export const BPF_CALL = 0x85;
export const BPF_EXIT = 0x95;

const EPERM = 1;
const EINVAL = 22;
const LOG_SIZE = 64 * 1024;

function bpf(command: number, attr: Uint8Array, what: string): number {
  return check(what, libc().syscall(NR_BPF, command, attr, attr.length));
}

/**
 * The kernel will not run tc programs here, which a caller may decline on:
 * EPERM (no CAP_BPF/CAP_NET_ADMIN, as in a user namespace) from either call,
 * or EINVAL from BPF_PROG_ATTACH, which a kernel without tcx (before 6.6)
 * gives for the attach type it does not know (attach_type_to_prog_type()).
 * Every other failure, a verifier rejection among them, is the suite's bug
 * and is thrown as a plain Error.
 */
export class TcxRefused extends Error {
  readonly errno: number;
  constructor(cause: SysError) {
    super(cause.message);
    this.name = "TcxRefused";
    this.errno = cause.errno;
  }
}

/** An attached program: detach() takes it off the device; release() leaves it there for the device's life and closes our descriptor. */
export interface TcxAttachment {
  detach(): void;
  release(): void;
}

/**
 * Loads the program and attaches it at `ifindex`'s tcx `direction`. Throws
 * TcxRefused when the kernel will not run tc programs here; any other error
 * (a load error carries the verifier's log) when the request itself is wrong.
 */
export function attachTcx(
  ifindex: number,
  direction: keyof typeof ATTACH_TYPE,
  program: readonly Uint8Array[],
): TcxAttachment {
  assertPrivateNetns(`tcx ${direction} program`);
  const fd = loadProgram(program);
  // BPF_PROG_ATTACH / DETACH: target_ifindex, attach_bpf_fd, attach_type.
  const attr = new Uint8Array(ATTR_SIZE);
  const a = new DataView(attr.buffer);
  a.setUint32(0, ifindex, true);
  a.setUint32(4, fd, true);
  a.setUint32(8, ATTACH_TYPE[direction], true);
  try {
    bpf(BPF_PROG_ATTACH, attr, `bpf(BPF_PROG_ATTACH, tcx ${direction}, ifindex ${ifindex})`);
  } catch (error) {
    libc().close(fd);
    if (error instanceof SysError && (error.errno === EPERM || error.errno === EINVAL)) throw new TcxRefused(error);
    throw error;
  }
  let open = true;
  return {
    detach: () => {
      if (!open) return;
      open = false;
      try {
        bpf(BPF_PROG_DETACH, attr, `bpf(BPF_PROG_DETACH, tcx ${direction}, ifindex ${ifindex})`);
      } finally {
        libc().close(fd);
      }
    },
    release: () => {
      if (open) libc().close(fd);
      open = false;
    },
  };
}

/** BPF_PROG_LOAD of a SCHED_CLS program with a verifier log; EPERM is TcxRefused, any other error carries the log. */
function loadProgram(program: readonly Uint8Array[]): number {
  const code = allocNative(program.length * 8);
  const license = allocNative(4);
  const log = allocNative(LOG_SIZE);
  try {
    for (const [n, i] of program.entries()) code.bytes.set(i, n * 8);
    license.bytes.set(new TextEncoder().encode("GPL\0"));
    // union bpf_attr, BPF_PROG_LOAD: prog_type, insn_cnt, insns, license.
    const load = new Uint8Array(ATTR_SIZE);
    const l = new DataView(load.buffer);
    l.setUint32(0, BPF_PROG_TYPE_SCHED_CLS, true);
    l.setUint32(4, program.length, true);
    l.setBigUint64(8, code.address, true);
    l.setBigUint64(16, license.address, true);
    // log_level, log_size, log_buf: the verifier says why it rejects a program.
    l.setUint32(24, 1, true);
    l.setUint32(28, LOG_SIZE, true);
    l.setBigUint64(32, log.address, true);
    try {
      return bpf(BPF_PROG_LOAD, load, "bpf(BPF_PROG_LOAD)");
    } catch (error) {
      if (error instanceof SysError && error.errno === EPERM) throw new TcxRefused(error);
      const end = log.bytes.indexOf(0);
      const text = new TextDecoder().decode(log.bytes.subarray(0, end < 0 ? LOG_SIZE : end)).trim();
      throw new Error(`${(error as Error).message}; verifier log: ${text || "(empty)"}`);
    }
  } finally {
    code.free();
    license.free();
    log.free();
  }
}
