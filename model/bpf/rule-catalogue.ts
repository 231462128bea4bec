// The bpf model's named rules: every reason the validator refuses a program
// (REJECTION_RULES, in the kernel's order), its acceptance, and the runtime
// rules that decide what a program returns and what the context makes of it.
import { ruleCatalogue, type ModelRule } from "../rules.js";

const FILTER = "net/core/filter.c";

// Keyed by validator.ts's REJECTION_RULES (validate() names each through this table, so tsc checks none is missing).
const VALIDATOR = {
  accepted: {
    summary: "the program passes every check: errno 0",
    citation: `${FILTER} bpf_prepare_filter(), __sk_attach_prog(); net/netfilter/xt_bpf.c bpf_mt_check()`,
  },
  "xt-count": {
    summary: "xt_bpf: more than XT_BPF_MAX_NUM_INSTR (64) instructions is EINVAL",
    citation: "net/netfilter/xt_bpf.c __bpf_mt_check_bytecode()",
  },
  length: {
    summary: "0 or more than BPF_MAXINSNS instructions is EINVAL",
    citation: `${FILTER} bpf_check_basics_ok()`,
  },
  opcode: { summary: "an opcode the classic VM does not know is EINVAL", citation: `${FILTER} chk_code_allowed()` },
  "div-by-zero": { summary: "DIV or MOD by constant 0 is EINVAL", citation: `${FILTER} bpf_check_classic()` },
  "shift-range": { summary: "LSH or RSH by a constant >= 32 is EINVAL", citation: `${FILTER} bpf_check_classic()` },
  "scratch-index": {
    summary: "a scratch cell index >= BPF_MEMWORDS (16) is EINVAL",
    citation: `${FILTER} bpf_check_classic()`,
  },
  "ja-range": { summary: "JA past the last instruction is EINVAL", citation: `${FILTER} bpf_check_classic()` },
  "jcond-range": {
    summary: "a conditional jump target past the last instruction is EINVAL",
    citation: `${FILTER} bpf_check_classic()`,
  },
  "ancillary-unknown": {
    summary: "an ABS load at SKF_AD_OFF + n that names no ancillary field is EINVAL",
    citation: `${FILTER} bpf_check_classic(), bpf_anc_helper()`,
  },
  "no-final-ret": { summary: "a last instruction other than RET is EINVAL", citation: `${FILTER} bpf_check_classic()` },
  "scratch-unwritten": {
    summary: "a load of a scratch cell not written on every path is EINVAL",
    citation: `${FILTER} check_load_and_stores()`,
  },
  "jump-offset": {
    summary: "a converted jump offset outside s16 is EINVAL",
    citation: `${FILTER} bpf_convert_filter() BPF_EMIT_JMP`,
  },
  optmem: {
    summary: "socket: a program bigger than optmem_max is ENOMEM",
    citation: `${FILTER} __sk_filter_charge()`,
  },
} satisfies Record<string, Omit<ModelRule, "id">>;

export const BPF_RULES = ruleCatalogue({
  ...VALIDATOR,
  "load-out-of-bounds": {
    summary: "a packet load past the end (or below the link layer) ends the program returning 0",
    citation: `${FILTER} convert_bpf_ld_abs(), bpf_skb_load_helper_*()`,
  },
  "load-link-layer-any": {
    summary: "xt_bpf: a link-layer load (SKF_LL_OFF) reads bytes the request does not determine",
    citation: `${FILTER} bpf_internal_load_pointer_neg_helper(); net/netfilter/xt_bpf.c bpf_mt()`,
  },
  "ancillary-value": {
    summary: "an ancillary load the context fixes (type, queue, vlan ...) gives its value",
    citation: `${FILTER} convert_bpf_extensions()`,
  },
  "ancillary-ethertype": {
    summary: "SKF_AD_PROTOCOL gives the packet's EtherType",
    citation: `${FILTER} convert_bpf_extensions()`,
  },
  "ancillary-exit-a": {
    summary: "an ancillary load of a device field without a device ends the program returning A",
    citation: `${FILTER} convert_bpf_extensions() (ifindex, hatype: skb->dev NULL)`,
  },
  "ancillary-any": {
    summary: "an ancillary load the request does not determine (rxhash, cpu, random ...)",
    citation: `${FILTER} convert_bpf_extensions()`,
  },
  "ancillary-computed": {
    summary: "SKF_AD_ALU_XOR_X, NLATTR, NLATTR_NEST computed from A, X and the packet",
    citation: `${FILTER} convert_bpf_extensions(), bpf_skb_get_nlattr(), bpf_skb_get_nlattr_nest()`,
  },
  "div-by-x-zero": {
    summary: "DIV or MOD by X == 0 ends the program returning 0",
    citation: `${FILTER} bpf_convert_filter() ("For cBPF programs, this was always return 0")`,
  },
  "shift-by-x-masked": {
    summary: "LSH or RSH by X >= 32 shifts by X & 31 (ALU32 on x86)",
    citation: "kernel/bpf/core.c ALU_LSH_X, ALU_RSH_X",
  },
  "ret-k": { summary: "RET k ends the program returning k", citation: `${FILTER} bpf_convert_filter() BPF_RET` },
  "ret-a": { summary: "RET A ends the program returning A", citation: `${FILTER} bpf_convert_filter() BPF_RET` },
  "socket-drop": {
    summary: "socket: a return of 0 drops the packet (result 0)",
    citation: `${FILTER} sk_filter_trim_cap()`,
  },
  "socket-trim": {
    summary: "socket: a return under the packet's length trims it to that length",
    citation: `${FILTER} sk_filter_trim_cap() pskb_trim()`,
  },
  "socket-whole": {
    summary: "socket: a return at or over the packet's length keeps it whole",
    citation: `${FILTER} sk_filter_trim_cap()`,
  },
  "xt-match": {
    summary: "xt_bpf: a return other than 0 matches (result 1)",
    citation: "net/netfilter/xt_bpf.c bpf_mt()",
  },
  "xt-no-match": {
    summary: "xt_bpf: a return of 0 does not match (result 0)",
    citation: "net/netfilter/xt_bpf.c bpf_mt()",
  },
});
