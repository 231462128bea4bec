// A tc ingress program that marks every packet a device receives as
// CHECKSUM_UNNECESSARY: bpf_csum_level(skb, BPF_CSUM_LEVEL_INC) turns
// CHECKSUM_NONE into CHECKSUM_UNNECESSARY (__skb_incr_checksum_unnecessary(),
// include/linux/skbuff.h), whatever the checksum holds. It is attached at tcx
// ingress (BPF_PROG_ATTACH, Linux 6.6+), which runs in
// __netif_receive_skb_core() before the packet reaches ip_rcv() and
// PREROUTING. Needs CAP_BPF and CAP_NET_ADMIN; the attachment lives as long as
// the device.
import { allocNative, check, libc } from "./libc.js";

const NR_BPF = 321; // x86_64
const BPF_PROG_LOAD = 5;
const BPF_PROG_ATTACH = 8;
const BPF_PROG_TYPE_SCHED_CLS = 3;
const BPF_TCX_INGRESS = 46;
const BPF_FUNC_CSUM_LEVEL = 135;
const BPF_CSUM_LEVEL_INC = 1;
const TCX_PASS = 0;
const ATTR_SIZE = 128;

/** One struct bpf_insn: opcode, dst_reg | src_reg << 4, s16 offset, s32 imm. */
function insn(code: number, dst: number, imm: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint8(0, code);
  v.setUint8(1, dst);
  v.setInt32(4, imm, true);
  return b;
}

const BPF_MOV64_IMM = 0xb7;
const BPF_CALL = 0x85;
const BPF_EXIT = 0x95;

/** r2 = INC; call bpf_csum_level(r1 = skb, r2); r0 = TCX_PASS; exit. */
const PROGRAM = [
  insn(BPF_MOV64_IMM, 2, BPF_CSUM_LEVEL_INC),
  insn(BPF_CALL, 0, BPF_FUNC_CSUM_LEVEL),
  insn(BPF_MOV64_IMM, 0, TCX_PASS),
  insn(BPF_EXIT, 0, 0),
];

function bpf(command: number, attr: Uint8Array, what: string): number {
  return check(what, libc().syscall(NR_BPF, command, attr, attr.length));
}

/** Loads the program and attaches it at `ifindex`'s tcx ingress; throws SysError when the kernel refuses. */
export function markReceivedUnnecessary(ifindex: number): void {
  const code = allocNative(PROGRAM.length * 8);
  const license = allocNative(4);
  try {
    for (const [n, i] of PROGRAM.entries()) code.bytes.set(i, n * 8);
    license.bytes.set(new TextEncoder().encode("GPL\0"));
    // union bpf_attr, BPF_PROG_LOAD: prog_type, insn_cnt, insns, license.
    const load = new Uint8Array(ATTR_SIZE);
    const l = new DataView(load.buffer);
    l.setUint32(0, BPF_PROG_TYPE_SCHED_CLS, true);
    l.setUint32(4, PROGRAM.length, true);
    l.setBigUint64(8, code.address, true);
    l.setBigUint64(16, license.address, true);
    const fd = bpf(BPF_PROG_LOAD, load, "bpf(BPF_PROG_LOAD)");
    // BPF_PROG_ATTACH: target_ifindex, attach_bpf_fd, attach_type. The device
    // keeps the program; our descriptor is not needed afterwards.
    const attach = new Uint8Array(ATTR_SIZE);
    const a = new DataView(attach.buffer);
    a.setUint32(0, ifindex, true);
    a.setUint32(4, fd, true);
    a.setUint32(8, BPF_TCX_INGRESS, true);
    try {
      bpf(BPF_PROG_ATTACH, attach, "bpf(BPF_PROG_ATTACH, tcx ingress)");
    } finally {
      libc().close(fd);
    }
  } finally {
    code.free();
    license.free();
  }
}
