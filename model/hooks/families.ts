// Names the adapter protocol uses for hook families, hooks, devices and
// verdicts, with the limits of a 32-bit priority.

/** Families `hooks.register` takes: NFPROTO_IPV4, _IPV6, _INET, _ARP, _BRIDGE, _NETDEV. */
export const HOOK_FAMILIES = ["ipv4", "ipv6", "inet", "arp", "bridge", "netdev"] as const;
export type HookFamily = (typeof HOOK_FAMILIES)[number];

/** Families a packet can traverse with: inet is not one (its hooks sit in the ipv4 and ipv6 lists). */
export const TRAVERSE_FAMILIES = ["ipv4", "ipv6", "arp", "bridge", "netdev"] as const;
export type TraverseFamily = (typeof TRAVERSE_FAMILIES)[number];

export const HOOK_NAMES = ["prerouting", "input", "forward", "output", "postrouting", "ingress", "egress"] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/** The protocol: devices veth0 and veth1 exist in the namespace; no other does. */
export const DEVICES = ["veth0", "veth1"] as const;

export const VERDICTS = ["accept", "drop"] as const;
export type Verdict = (typeof VERDICTS)[number];

export const INT_MIN = -2147483648;
export const INT_MAX = 2147483647;

export function isInt32(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= INT_MIN && value <= INT_MAX;
}
