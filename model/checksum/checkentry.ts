// Whether a rule with `-j CHECKSUM` is accepted: xt_check_target()
// (net/netfilter/x_tables.c) then checksum_tg_check() (net/netfilter/xt_CHECKSUM.c).
import { EINVAL } from "../../sys/errno.js";
import { XT_CHECKSUM_OP_FILL } from "../../wire/netlink/xtables-info.js";
import type { ChecksumProfile } from "./checksum-target.js";
import type { RuleTrace } from "../rules.js";
import { CHECKSUM_RULES as R } from "./rule-catalogue.js";

export type XtFamily = "ipv4" | "ipv6";
export type XtTable = "mangle" | "filter" | "raw" | "nat" | "security";
export type InetHook = "prerouting" | "input" | "forward" | "output" | "postrouting";

/** The built-in chains each table offers (iptables_*.c valid_hooks). */
export const TABLE_HOOKS: Readonly<Record<XtTable, readonly InetHook[]>> = {
  mangle: ["prerouting", "input", "forward", "output", "postrouting"],
  filter: ["input", "forward", "output"],
  raw: ["prerouting", "output"],
  nat: ["prerouting", "input", "output", "postrouting"],
  security: ["input", "forward", "output"],
};

export interface ChecksumRule {
  family: XtFamily;
  table: XtTable;
  hook: InetHook;
  /** xt_CHECKSUM_info.operation; XT_CHECKSUM_OP_FILL is 0x01. */
  operation: number;
  /** The rule's `-p` match, null when absent. */
  proto: number | null;
  invertProto: boolean;
}

/** Returns the errno the kernel gives when the rule is added, 0 when accepted. */
export function checksumCheckentry(rule: ChecksumRule, profile: ChecksumProfile = "linux", trace?: RuleTrace): number {
  const errno = checkentryErrno(rule, profile);
  if (trace) {
    const which =
      errno === 0
        ? "checkentry-accepted"
        : rule.table !== "mangle"
          ? "checkentry-not-mangle"
          : rule.operation === 0
            ? "checkentry-no-operation"
            : "checkentry-unknown-operation";
    trace.hit(R[which], `${rule.family} ${rule.table} ${rule.hook}, operation ${rule.operation}`);
  }
  return errno;
}

function checkentryErrno(rule: ChecksumRule, _profile: ChecksumProfile): number {
  // xt_check_target: `.table = "mangle"` restricts the target to that table.
  if (rule.table !== "mangle") return EINVAL;
  // xt_check_target: the target sets no .hooks and no .proto, so the hook and
  // the protocol match are not checked here.
  // checksum_tg_check: only the fill bit is a known operation ...
  if ((rule.operation & ~XT_CHECKSUM_OP_FILL) !== 0) return EINVAL;
  // ... and some operation must be asked for.
  if (rule.operation === 0) return EINVAL;
  // A rule not restricted to non-inverted `-p udp` only earns a one-time
  // warning ("CHECKSUM should be avoided"): still accepted.
  return 0;
}
