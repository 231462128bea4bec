// A tc ingress program that marks every packet a device receives as
// CHECKSUM_UNNECESSARY: bpf_csum_level(skb, BPF_CSUM_LEVEL_INC) turns
// CHECKSUM_NONE into CHECKSUM_UNNECESSARY (__skb_incr_checksum_unnecessary(),
// include/linux/skbuff.h), whatever the checksum holds. It is attached at tcx
// ingress (tcx-program.ts), which runs before the packet reaches ip_rcv() and
// PREROUTING. The attachment lives as long as the device.
import { BPF_CALL, BPF_EXIT, BPF_MOV64_IMM, TCX_PASS, attachTcx, insn } from "./tcx-program.js";

const BPF_FUNC_CSUM_LEVEL = 135;
const BPF_CSUM_LEVEL_INC = 1;

/** r2 = INC; call bpf_csum_level(r1 = skb, r2); r0 = TCX_PASS; exit. */
const PROGRAM = [
  insn(BPF_MOV64_IMM, 2, BPF_CSUM_LEVEL_INC),
  insn(BPF_CALL, 0, BPF_FUNC_CSUM_LEVEL),
  insn(BPF_MOV64_IMM, 0, TCX_PASS),
  insn(BPF_EXIT, 0, 0),
];

/** Loads the program and attaches it at `ifindex`'s tcx ingress; throws TcxRefused when the kernel refuses (tcx-program.ts). */
export function markReceivedUnnecessary(ifindex: number): void {
  attachTcx(ifindex, "ingress", PROGRAM).release();
}
