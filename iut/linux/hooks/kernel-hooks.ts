// How a protocol hook becomes an nftables base chain: the table family, the
// hook number in that family's numbering, and whether a device goes with it.
// nftables checks a chain before nf_register_net_hook() is reached. Where that
// check's EOPNOTSUPP (hook 5, or a hook past the family's numbering) stands
// for the core's own refusal (no such list: -EINVAL), it is reported as the
// core's errno, a shared refusal (SHARED_REFUSALS). A chain whose core answer
// would change only lists no probe crosses (a netdev chain for a missing
// device, arp forward) is an unjudged step, and the rest of a partial batch
// is still judged. Only what nftables cannot stand for otherwise is declined.
// Measured on 6.18: see docs/iut-linux.md, "Hooks area".
import { EINVAL, EOPNOTSUPP } from "../../../sys/errno.js";
import { deviceExists } from "../../../model/hooks/list-head.js";
import type { HookFamily, HookName } from "../../../model/hooks/families.js";
import * as N from "../../../wire/netlink/nftables.js";
import {
  NFPROTO_ARP,
  NFPROTO_BRIDGE,
  NFPROTO_INET,
  NFPROTO_IPV4,
  NFPROTO_IPV6,
  NFPROTO_NETDEV,
} from "../../../wire/netlink/nfnetlink.js";

export const NFPROTO: Record<HookFamily, number> = {
  ipv4: NFPROTO_IPV4,
  ipv6: NFPROTO_IPV6,
  inet: NFPROTO_INET,
  arp: NFPROTO_ARP,
  bridge: NFPROTO_BRIDGE,
  netdev: NFPROTO_NETDEV,
};

/** NF_INET_* (ip, ip6, inet) and NF_BR_* (bridge, same numbers for the five). */
const INET_HOOKS: Partial<Record<HookName, number>> = {
  prerouting: N.NF_INET_PRE_ROUTING,
  input: N.NF_INET_LOCAL_IN,
  forward: N.NF_INET_FORWARD,
  output: N.NF_INET_LOCAL_OUT,
  postrouting: N.NF_INET_POST_ROUTING,
};

/**
 * A registration nftables refuses before the core is reached, which the core
 * refuses too: the errno nftables gives and the core's it stands for. The area
 * reports the core's errno only when nftables gives exactly this one; any other
 * answer (an acceptance included) is reported as nftables gave it.
 */
export interface SharedRefusal {
  nftables: number;
  core: number;
  why: string;
}

/** Every refusal the area reports as the core's (docs/iut-linux.md, "Refusals judged through nftables"). */
export const SHARED_REFUSALS = {
  hook5: {
    nftables: EOPNOTSUPP,
    core: EINVAL,
    why: "hook 5 (NF_INET_INGRESS) is outside the ip, ip6 and bridge filter chain types' hook masks (nft_chain_parse_hook(); bridge reads 5 as NF_BR_BROUTING), and outside the core's five-slot ipv4, ipv6 and bridge arrays (nf_hook_entry_head() returns NULL, __nf_register_net_hook() -EINVAL)",
  },
  pastNumbering: {
    nftables: EOPNOTSUPP,
    core: EINVAL,
    why: "a hook the family has no number for goes as the first number past the family's numbering (PAST_NUMBERING): outside every filter chain type's hook mask (nft_chain_parse_hook() checks the mask before any device, EOPNOTSUPP; measured for every number from there to 2^32-1, with and without a device), and past the core's lists (ipv4, ipv6, bridge, arp: nf_hook_entry_head() returns NULL, __nf_register_net_hook() -EINVAL; inet: its ipv4 half does the same; netdev: neither NF_NETDEV_INGRESS nor NF_NETDEV_EGRESS, -EINVAL)",
  },
} as const satisfies Record<string, SharedRefusal>;

/**
 * What nftables is asked for: the chain's hook (with the refusal both sides
 * share, where the core has no such list), or why it cannot stand for the
 * core's registration: `unjudged` where the core's answer would change only
 * lists no probe here crosses (a missing device's, arp forward's), so the
 * rest of a case can still be judged (registry.ts); `decline` otherwise.
 */
export type ChainHook =
  | { nfproto: number; hooknum: number; device?: string; refusal?: SharedRefusal }
  | { unjudged: string }
  | { decline: string };

/**
 * The number a hook with no number in its family's numbering goes as: the
 * first one past it. ip, ip6, inet and bridge: past NF_INET_INGRESS (5 is
 * already ipv4/ipv6/bridge `ingress`, and inet's own ingress); arp:
 * NF_ARP_NUMHOOKS; netdev: NF_NETDEV_NUMHOOKS. Neither nftables nor the core
 * has a list there (SHARED_REFUSALS.pastNumbering).
 */
export const PAST_NUMBERING: Record<HookFamily, number> = {
  ipv4: N.NF_INET_INGRESS + 1,
  ipv6: N.NF_INET_INGRESS + 1,
  inet: N.NF_INET_INGRESS + 1,
  bridge: N.NF_INET_INGRESS + 1,
  arp: 3,
  netdev: 2,
};

/** Hooks the core registers on a device (netdev ingress and egress, inet ingress). */
const isDeviceHook = (family: HookFamily, hook: HookName) =>
  hook === "ingress" ? family === "netdev" || family === "inet" : hook === "egress" && family === "netdev";

export function chainHook(family: HookFamily, hook: HookName, device: string | null): ChainHook {
  const nfproto = NFPROTO[family];
  const unjudged = (why: string): ChainHook => ({ unjudged: `${family} ${hook}: ${why}` });
  const pastNumbering: ChainHook = { nfproto, hooknum: PAST_NUMBERING[family], refusal: SHARED_REFUSALS.pastNumbering };
  // Device hooks: nftables (6.16 and later) keeps a device chain on a name no
  // device has, or with no device at all, and answers 0 (measured), where the
  // core says EINVAL. Only existing devices reach nf_register_net_hook().
  if (isDeviceHook(family, hook)) {
    if (device === null)
      return unjudged(
        "nftables keeps a device chain with no device (hooked to nothing) and answers 0; the core would refuse a missing device",
      );
    if (!deviceExists(device))
      return unjudged(
        `nftables keeps a device chain on the name "${device}" (no such device) and answers 0; the core would refuse a missing device`,
      );
  }
  switch (family) {
    case "netdev":
      if (hook === "ingress") return { nfproto, hooknum: N.NF_NETDEV_INGRESS, device: device! };
      if (hook === "egress") return { nfproto, hooknum: N.NF_NETDEV_EGRESS, device: device! };
      return pastNumbering;
    case "inet":
      if (hook === "ingress") return { nfproto, hooknum: N.NF_INET_INGRESS, device: device! };
      break;
    case "arp":
      if (hook === "input") return { nfproto, hooknum: 0 }; // NF_ARP_IN
      if (hook === "output") return { nfproto, hooknum: 1 }; // NF_ARP_OUT
      if (hook === "forward")
        return unjudged(
          "nftables' arp filter chain type offers input and output only (EOPNOTSUPP), and arptables' filter table (arptable_filter) registers all three arp hooks at once at priority 0: no interface registers one NF_ARP_FORWARD hook of a chosen priority",
        );
      return pastNumbering;
  }
  const hooknum = INET_HOOKS[hook];
  if (hooknum !== undefined) return { nfproto, hooknum };
  // Hook 5 of ipv4, ipv6 and bridge: both refuse, each for its own reason.
  if (hook === "ingress") return { nfproto, hooknum: N.NF_INET_INGRESS, refusal: SHARED_REFUSALS.hook5 };
  return pastNumbering; // egress
}
