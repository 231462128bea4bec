// The kernel's own hooks that exist while conntrack is in use in a namespace
// (nf_ct_netns_get()): an optional layer for properties that reason about
// where a protocol hook sits relative to defragmentation and conntrack.
// Internal entries accept every packet and are never listed in `visited`.
import { INT_MAX } from "./families.js";
import { removeEntry, type HookEntry } from "./hook-list.js";
import type { ListKey } from "./list-head.js";
import { hookList, insertInto, withList, type HookNamespace } from "./namespace.js";
import type { HooksRules } from "./profiles.js";

export interface KernelHook {
  name: string;
  key: ListKey;
  priority: number;
}

/**
 * In registration order: defrag is enabled first (nf_defrag_ipv4_enable(),
 * nf_defrag_ipv6_enable() from nf_ct_netns_do_get()), then the conntrack ops.
 * net/ipv4/netfilter/nf_defrag_ipv4.c ipv4_defrag_ops,
 * net/ipv6/netfilter/nf_defrag_ipv6_hooks.c ipv6_defrag_ops: PRE_ROUTING and
 * LOCAL_OUT at NF_IP(6)_PRI_CONNTRACK_DEFRAG (-400);
 * net/netfilter/nf_conntrack_proto.c ipv4_conntrack_ops / ipv6_conntrack_ops:
 * PRE_ROUTING and LOCAL_OUT at NF_IP_PRI_CONNTRACK (-200), confirm at
 * POST_ROUTING (INT_MAX) and LOCAL_IN (INT_MAX for IPv4, INT_MAX - 1 for IPv6).
 */
export const CONNTRACK_HOOKS: readonly KernelHook[] = [
  { name: "ipv4_defrag", key: "ipv4/prerouting", priority: -400 },
  { name: "ipv4_defrag", key: "ipv4/output", priority: -400 },
  { name: "ipv4_conntrack_in", key: "ipv4/prerouting", priority: -200 },
  { name: "ipv4_conntrack_local", key: "ipv4/output", priority: -200 },
  { name: "ipv4_confirm", key: "ipv4/postrouting", priority: INT_MAX },
  { name: "ipv4_confirm", key: "ipv4/input", priority: INT_MAX },
  { name: "ipv6_defrag", key: "ipv6/prerouting", priority: -400 },
  { name: "ipv6_defrag", key: "ipv6/output", priority: -400 },
  { name: "ipv6_conntrack_in", key: "ipv6/prerouting", priority: -200 },
  { name: "ipv6_conntrack_local", key: "ipv6/output", priority: -200 },
  { name: "ipv6_confirm", key: "ipv6/postrouting", priority: INT_MAX },
  { name: "ipv6_confirm", key: "ipv6/input", priority: INT_MAX - 1 },
];

const entryOf = (hook: KernelHook): HookEntry => ({
  name: hook.name,
  priority: hook.priority,
  verdict: "accept",
  internal: true,
});

export function conntrackActive(ns: HookNamespace): boolean {
  return hookList(ns, "ipv4/prerouting").some((e) => e.internal && e.name === "ipv4_conntrack_in");
}

/**
 * Registers the conntrack hooks now: protocol hooks registered later at an
 * equal priority go before them (the equal-priority rule), earlier ones after.
 * Each counts towards MAX_HOOK_COUNT; a full list refuses with E2BIG and the
 * namespace is left as it was (nf_register_net_hooks() unwinds).
 */
export function enableConntrack(
  ns: HookNamespace,
  rules: HooksRules,
  layer: readonly KernelHook[] = CONNTRACK_HOOKS,
): { ns: HookNamespace; errno: number } {
  if (conntrackActive(ns)) return { ns, errno: 0 }; // nf_ct_netns_get() only counts another user
  let lists = ns.lists;
  for (const hook of layer) {
    const inserted = insertInto(lists, [hook.key], entryOf(hook), rules);
    if (inserted.errno !== 0) return { ns, errno: inserted.errno };
    lists = inserted.lists;
  }
  return { ns: { ...ns, lists }, errno: 0 };
}

export function disableConntrack(ns: HookNamespace): HookNamespace {
  let lists = ns.lists;
  for (const hook of CONNTRACK_HOOKS)
    lists = withList(lists, hook.key, removeEntry(lists.get(hook.key) ?? [], hook.name, true));
  return { ...ns, lists };
}

/** The kernel hooks that run before the named protocol hook in one list. */
export function kernelHooksBefore(ns: HookNamespace, key: ListKey, name: string): string[] {
  const list = hookList(ns, key);
  const at = list.findIndex((e) => !e.internal && e.name === name);
  if (at < 0) return [];
  return list
    .slice(0, at)
    .filter((e) => e.internal)
    .map((e) => e.name);
}
