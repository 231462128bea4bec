// Users of a policy: what `iptables -t raw -A PREROUTING -p <l4> -j CT
// --timeout NAME` creates. net/netfilter/xt_CT.c xt_ct_tg_check() (revision 2,
// as iptables-nft sends: xt_ct_tg_check_v2) -> xt_ct_set_timeout() ->
// net/netfilter/nf_conntrack_timeout.c nf_ct_set_timeout() ->
// nfnetlink_cttimeout.c ctnl_timeout_find_get() (refcount_inc_not_zero);
// the rule's destruction puts the reference (xt_ct_tg_destroy ->
// nf_ct_destroy_timeout -> ctnl_timeout_put).
import { CTNL_TIMEOUT_NAME_MAX } from "../../wire/netlink/cttimeout.js";
import { EINVAL, ENAMETOOLONG, ENOENT } from "../../sys/errno.js";
import type { RuleTrace } from "../rules.js";
import { CTTIMEOUT_RULES as R } from "./rule-catalogue.js";
import { findByName, withPolicy, type CttimeoutNamespace } from "./namespace.js";
import { findTracker } from "./protocols.js";

export interface AttachRequest {
  /** The name's bytes as the rule's xt_ct_target_info_v1.timeout[32] holds them (at most 32, no NUL). */
  name: Uint8Array;
  /** The rule's family: NFPROTO_IPV4 (2) or NFPROTO_IPV6 (10); nf_ct_set_timeout compares it with the policy's l3num. */
  l3proto: number;
  /** The rule's `-p` protocol (NFTA_RULE_COMPAT), 0 for none. */
  l4proto: number;
}

export function attach(
  ns: CttimeoutNamespace,
  r: AttachRequest,
  trace?: RuleTrace,
): { ns: CttimeoutNamespace; errno: number; ref?: string } {
  const result = attachUser(ns, r);
  if (trace) trace.hit(R[attachRule(r, result.errno)], `errno ${result.errno}`);
  return result;
}

/** Which rule gave attach's answer (read back from the answer, so the kernel's order is written once, below). */
function attachRule(r: AttachRequest, errno: number): keyof typeof R {
  if (errno === ENAMETOOLONG) return "attach-name-too-long";
  if (errno === ENOENT) return "attach-enoent";
  if (errno === EINVAL) return r.l4proto === 0 ? "attach-no-l4" : "attach-other-protocol";
  return r.name.length === 0 ? "attach-no-timeout" : "attach-held";
}

function attachUser(ns: CttimeoutNamespace, r: AttachRequest): { ns: CttimeoutNamespace; errno: number; ref?: string } {
  const ref = `u${ns.nextUser}`;
  const withUser = (n: CttimeoutNamespace, policyId: number | null) => ({
    ns: { ...n, users: { ...n.users, [ref]: { policyId } }, nextUser: n.nextUser + 1 },
    errno: 0,
    ref,
  });
  // `if (info->timeout[0])`: an empty name sets no timeout at all.
  if (r.name.length === 0) return withUser(ns, null);
  if (r.name.length >= CTNL_TIMEOUT_NAME_MAX) return { ns, errno: ENAMETOOLONG };
  // xt_ct_find_proto(): "You must specify a L4 protocol and not use inversions on it"
  if (r.l4proto === 0) return { ns, errno: EINVAL };
  const policy = findByName(ns, String.fromCharCode(...r.name));
  if (!policy) return { ns, errno: ENOENT };
  // "Timeout policy `%s' can only be used by L3/L4 protocol number %d"; the rule's
  // protocol is mapped through nf_ct_l4proto_find(), so an untracked one means generic.
  if (policy.l3num !== r.l3proto) return { ns, errno: EINVAL };
  if (policy.l4proto !== findTracker(r.l4proto).l4proto) return { ns, errno: EINVAL };
  return withUser(withPolicy(ns, { ...policy, refcount: policy.refcount + 1 }), policy.id);
}

export function detach(
  ns: CttimeoutNamespace,
  ref: string,
  trace?: RuleTrace,
): { ns: CttimeoutNamespace; errno: number } {
  const user = ns.users[ref];
  trace?.hit(R[user ? "detach-released" : "detach-enoent"], ref);
  if (!user) return { ns, errno: ENOENT };
  const { [ref]: _gone, ...users } = ns.users;
  let next: CttimeoutNamespace = { ...ns, users };
  const policy = user.policyId === null ? undefined : ns.policies.find((p) => p.id === user.policyId);
  if (policy) next = withPolicy(next, { ...policy, refcount: policy.refcount - 1 });
  return { ns: next, errno: 0 };
}
