// The behaviour choices of a classic BPF implementation, as data: the model
// runs with LINUX_SEMANTICS; a profile or a deliberately broken IUT (mutant)
// changes one field. Every field names the kernel code it stands for.
import { XT_BPF_MAX_NUM_INSTR } from "../../wire/netlink/xtables-info.js";

import { BPF_MAXINSNS } from "./opcodes.js";

export interface BpfSemantics {
  /** bpf_check_basics_ok(): flen > BPF_MAXINSNS (4096) is -EINVAL. */
  maxInstructions: number;
  /** xt_bpf.c __bpf_mt_check_bytecode(): len > XT_BPF_MAX_NUM_INSTR (64) is -EINVAL. */
  xtMaxInstructions: number;
  /** bpf_check_classic(): conditional targets must satisfy pc + j + 1 < flen (slack 0); a slack of 1 admits one past the end. */
  jumpTargetSlack: number;
  /** check_load_and_stores(): loads of unwritten scratch cells are refused. */
  checkScratchWritten: boolean;
  /** bpf_convert_filter(): DIV/MOD by X == 0 ends the program returning 0 ("return-0"); "zero-continues" sets A = 0 and goes on. */
  divideByZero: "return-0" | "zero-continues";
  /** ALU32 shift by X: the count is masked with 31 ("mask"), or a count >= 32 gives 0 ("zero", as libpcap). */
  shiftByX: "mask" | "zero";
  /** convert_bpf_ld_abs(): a failed load ends the program with 0 ("return-0"), or loads 0 and goes on ("zero-continues"). */
  failedLoad: "return-0" | "zero-continues";
  /** LDX MSH: X = (P[k] & 0xf) << 2 ("low-nibble"); "high-nibble" takes P[k] >> 4. */
  msh: "low-nibble" | "high-nibble";
  /** convert_skb_access() SKF_AD_VLAN_TAG: skb->vlan_tci whole ("tci"); "without-cfi" masks bit 12 (~VLAN_TAG_PRESENT, kernels before 5.0). */
  vlanTag: "tci" | "without-cfi";
  /** SKF_AD_VLAN_TAG_PRESENT: skb->vlan_all != 0 ("vlan-all"); "cfi-bit" reads bit 12 of the tci (kernels before 5.0). */
  vlanPresent: "vlan-all" | "cfi-bit";
  /** bpf_internal_load_pointer_neg_helper(): SKF_LL_OFF + n reads from skb_mac_header() ("mac"); "data" reads from the packet's start, skipping the MAC header. */
  linkLayerBase: "mac" | "data";
  /** convert_bpf_extensions() SKF_AD_PROTOCOL: skb->protocol then BPF_ENDIAN(BPF_FROM_BE, 16), host order ("host"); "network" skips the swap. */
  protocolOrder: "host" | "network";
  /** convert_bpf_extensions() SKF_AD_RXHASH: BPF_LDX_MEM(BPF_W, skb->hash), all 32 bits ("word"); "half" loads 16 bits. */
  rxhashLoad: "word" | "half";
}

export const LINUX_SEMANTICS: BpfSemantics = {
  maxInstructions: BPF_MAXINSNS,
  xtMaxInstructions: XT_BPF_MAX_NUM_INSTR,
  jumpTargetSlack: 0,
  checkScratchWritten: true,
  divideByZero: "return-0",
  shiftByX: "mask",
  failedLoad: "return-0",
  msh: "low-nibble",
  vlanTag: "tci",
  vlanPresent: "vlan-all",
  linkLayerBase: "mac",
  protocolOrder: "host",
  rxhashLoad: "word",
};
