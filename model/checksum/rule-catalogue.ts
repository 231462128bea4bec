// The checksum model's named rules: what the CHECKSUM target does in each
// checksum state (skb->ip_summed) and with GSO, how a computed 0 is stored,
// and why a rule with the target is refused.
import { ruleCatalogue } from "../rules.js";

const TARGET = "net/netfilter/xt_CHECKSUM.c checksum_tg()";
const HELP = "net/core/dev.c skb_checksum_help()";
const CHECK = "net/netfilter/x_tables.c xt_check_target(), net/netfilter/xt_CHECKSUM.c checksum_tg_check()";

export const CHECKSUM_RULES = ruleCatalogue({
  "state-none-untouched": {
    summary: "CHECKSUM_NONE: the target leaves the packet as it is",
    citation: `${TARGET}: only CHECKSUM_PARTIAL is filled`,
  },
  "state-unnecessary-untouched": {
    summary: "CHECKSUM_UNNECESSARY: the target leaves the packet as it is",
    citation: `${TARGET}: only CHECKSUM_PARTIAL is filled`,
  },
  "state-complete-untouched": {
    summary: "CHECKSUM_COMPLETE: the target leaves the packet as it is",
    citation: `${TARGET}: only CHECKSUM_PARTIAL is filled`,
  },
  "partial-filled": {
    summary: "CHECKSUM_PARTIAL, not GSO: skb_checksum_help() fills the field from csum_start to the end",
    citation: `${TARGET}; ${HELP}`,
  },
  "partial-gso-untouched": {
    summary: "CHECKSUM_PARTIAL with GSO: not filled, left CHECKSUM_PARTIAL",
    citation: `${TARGET} (!skb_is_gso(), "netfilter: xt_checksum: ignore gso skbs", 2018)`,
    profiles: ["linux"],
  },
  "partial-gso-marked-none": {
    summary: "2.6.35: CHECKSUM_PARTIAL with GSO is not filled but marked CHECKSUM_NONE",
    citation: `${HELP} of 2.6.35 (gso_size: goto out_set_summed)`,
    profiles: ["linux-2.6.35"],
  },
  "zero-stored-mangled": {
    summary: "a computed checksum of 0 is stored as 0xffff (CSUM_MANGLED_0)",
    citation: `${HELP}: csum_fold(csum) ?: CSUM_MANGLED_0`,
    profiles: ["linux"],
  },
  "zero-stored-zero": {
    summary: "2.6.35: a computed checksum of 0 is stored as 0x0000",
    citation: `${HELP} of 2.6.35`,
    profiles: ["linux-2.6.35"],
  },
  "checkentry-not-mangle": {
    summary: "the target outside the mangle table: EINVAL",
    citation: `${CHECK} (.table = "mangle")`,
  },
  "checkentry-unknown-operation": {
    summary: "an operation bit other than XT_CHECKSUM_OP_FILL: EINVAL",
    citation: CHECK,
  },
  "checkentry-no-operation": { summary: "no operation asked for: EINVAL", citation: CHECK },
  "checkentry-accepted": {
    summary: "mangle with --checksum-fill is accepted, on any hook and protocol (a warning at most)",
    citation: CHECK,
  },
});
