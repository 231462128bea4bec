// Priorities worth generating: the kernel's own (enum nf_ip_hook_priorities,
// include/uapi/linux/netfilter_ipv4.h; the IPv6 enum has the same values) and
// the names nft accepts for base chains (nftables doc, "PRIORITY").
import { INT_MAX, INT_MIN } from "./families.js";

export const NF_IP_PRI = {
  FIRST: INT_MIN,
  RAW_BEFORE_DEFRAG: -450,
  CONNTRACK_DEFRAG: -400,
  RAW: -300,
  SELINUX_FIRST: -225,
  CONNTRACK: -200,
  MANGLE: -150,
  NAT_DST: -100,
  FILTER: 0,
  SECURITY: 50,
  NAT_SRC: 100,
  SELINUX_LAST: 225,
  CONNTRACK_HELPER: 300,
  CONNTRACK_CONFIRM: INT_MAX,
  LAST: INT_MAX,
} as const;

/** nft named priorities: inet-family names, then the bridge family's. */
export const NFT_NAMED_PRIORITIES = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
  "bridge dstnat": -300,
  "bridge filter": -200,
  "bridge out": 100,
  "bridge srcnat": 300,
} as const;

/** Every distinct named priority and its neighbours ±1, kept inside int32. */
export function landmarkPriorities(): number[] {
  const named = [...Object.values(NF_IP_PRI), ...Object.values(NFT_NAMED_PRIORITIES)];
  const all = new Set<number>();
  for (const p of named) for (const d of [-1, 0, 1]) if (p + d >= INT_MIN && p + d <= INT_MAX) all.add(p + d);
  return [...all].sort((a, b) => a - b);
}
