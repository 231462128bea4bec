// The behaviour profiles of the hooks area: what differs between kernel eras.

export const HOOKS_PROFILES = ["linux", "linux-seed", "linux-list"] as const;
export type HooksProfile = (typeof HOOKS_PROFILES)[number];

export interface HooksRules {
  /** Where a new hook goes among hooks of equal priority. */
  equalPriority: "before" | "after";
  /** MAX_HOOK_COUNT: live entries per list; null when there is no limit. */
  maxHookCount: number | null;
  /** NFPROTO_INET + NF_INET_INGRESS registers on the device's ingress list. */
  inetIngress: boolean;
  /** NFPROTO_NETDEV has NF_NETDEV_EGRESS. */
  netdevEgress: boolean;
}

export const HOOKS_RULES: Record<HooksProfile, HooksRules> = {
  // net/netfilter/core.c of current mainline: nf_hook_entries_grow() inserts
  // before the first entry with priority >= the new one; inet ingress since
  // 5.10, netdev egress since 5.16.
  linux: { equalPriority: "before", maxHookCount: 1024, inetIngress: true, netdevEgress: true },
  // The seed (../shared/seeds/netfilter-core.c.txt): already the array code,
  // so the same placement and limit, but NFPROTO_INET has no ingress and
  // NFPROTO_NETDEV only NF_NETDEV_INGRESS.
  "linux-seed": { equalPriority: "before", maxHookCount: 1024, inetIngress: false, netdevEgress: false },
  // Linked-list core before the array conversion (v4.13 and older):
  // nf_register_net_hook() walks to the first entry with a greater priority,
  // so a new hook goes after equal ones, and nothing limits a list's length.
  "linux-list": { equalPriority: "after", maxHookCount: null, inetIngress: false, netdevEgress: false },
};

export function isHooksProfile(value: string): value is HooksProfile {
  return (HOOKS_PROFILES as readonly string[]).includes(value);
}

export function hooksRules(profile: string): HooksRules {
  if (!isHooksProfile(profile))
    throw new Error(`unknown hooks profile "${profile}" (known: ${HOOKS_PROFILES.join(", ")})`);
  return HOOKS_RULES[profile];
}
