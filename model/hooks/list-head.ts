// Which list a (family, hook, device) names: nf_hook_entry_head() and the
// checks __nf_register_net_hook() makes before it (net/netfilter/core.c).
import { EINVAL } from "../../sys/errno.js";
import { DEVICES, type HookFamily, type HookName } from "./families.js";
import type { HooksRules } from "./profiles.js";
import type { RuleTrace } from "../rules.js";
import { HOOKS_RULES_CATALOGUE as R } from "./rule-catalogue.js";

/** "ipv4/input", or "netdev/ingress/veth0" for a device's list. */
export type ListKey = string;

/** A concrete family: what __nf_register_net_hook() is called with (inet only for ingress). */
export type ConcreteFamily = Exclude<HookFamily, "inet"> | "inet-ingress";

/**
 * The hooks each family's array has (include/net/netns/netfilter.h):
 * hooks_ipv4/_ipv6/_bridge[NF_INET_NUMHOOKS] with NF_INET_NUMHOOKS = 5
 * (NF_INET_INGRESS = 5 is past the end), hooks_arp[NF_ARP_NUMHOOKS]
 * with NF_ARP_IN, NF_ARP_OUT, NF_ARP_FORWARD.
 */
export const FAMILY_HOOKS: Record<"ipv4" | "ipv6" | "bridge" | "arp", readonly HookName[]> = {
  ipv4: ["prerouting", "input", "forward", "output", "postrouting"],
  ipv6: ["prerouting", "input", "forward", "output", "postrouting"],
  bridge: ["prerouting", "input", "forward", "output", "postrouting"],
  arp: ["input", "output", "forward"],
};

export function deviceExists(device: string | null): device is string {
  return device !== null && (DEVICES as readonly string[]).includes(device);
}

export function deviceListKey(hook: "ingress" | "egress", device: string): ListKey {
  return `netdev/${hook}/${device}`;
}

export type ListHead = { key: ListKey } | { errno: number };

/**
 * The list for one concrete family, or the errno that refuses it before any
 * list changes. A device is only looked at for device hooks; elsewhere
 * `reg->dev` is ignored. A name that is not an existing device is a NULL
 * `reg->dev`: EINVAL, like a device of another namespace.
 */
export function listHead(
  rules: HooksRules,
  family: ConcreteFamily,
  hook: HookName,
  device: string | null,
  trace?: RuleTrace,
): ListHead {
  const head = listHeadOf(rules, family, hook, device);
  if (trace && "errno" in head) {
    const rule =
      family === "netdev"
        ? R["register-einval-netdev"]
        : family === "inet-ingress"
          ? R["register-einval-inet-ingress"]
          : R["register-einval-hook"];
    trace.hit(rule, `${family} ${hook}${device ? ` ${device}` : ""}`);
  }
  return head;
}

function listHeadOf(rules: HooksRules, family: ConcreteFamily, hook: HookName, device: string | null): ListHead {
  const refused = { errno: EINVAL };
  switch (family) {
    case "netdev": {
      // __nf_register_net_hook(): hooknum must be NF_NETDEV_INGRESS or
      // NF_NETDEV_EGRESS, with reg->dev in this netns, else -EINVAL. (A kernel
      // built without CONFIG_NETFILTER_INGRESS/EGRESS says -EOPNOTSUPP; every
      // profile here has them, the seed era simply had no egress hook.)
      const hooks = rules.netdevEgress ? ["ingress", "egress"] : ["ingress"];
      if (!hooks.includes(hook) || !deviceExists(device)) return refused;
      return { key: deviceListKey(hook as "ingress" | "egress", device) };
    }
    case "inet-ingress":
      // nf_ingress_check(): reg->dev must be in this netns, else -EINVAL; the
      // list is the device's own ingress list, shared with netdev ingress.
      if (!deviceExists(device)) return refused;
      return { key: deviceListKey("ingress", device) };
    default:
      // nf_hook_entry_head(): a hooknum past the family's array WARNs and
      // returns NULL, and __nf_register_net_hook() returns -EINVAL.
      if (!FAMILY_HOOKS[family].includes(hook)) return refused;
      return { key: `${family}/${hook}` };
  }
}

/**
 * nf_register_net_hook(): the concrete registrations a request makes, in
 * order. NFPROTO_INET registers IPv4 then IPv6, except NF_INET_INGRESS,
 * which is one registration on the device (since 5.10; before that the IPv4
 * array has no slot 5 and it is -EINVAL).
 */
export function registrationFamilies(
  rules: HooksRules,
  family: HookFamily,
  hook: HookName,
  trace?: RuleTrace,
): ConcreteFamily[] {
  if (family !== "inet") return [family];
  if (hook === "ingress" && rules.inetIngress) {
    trace?.hit(R["register-inet-ingress"]);
    return ["inet-ingress"];
  }
  trace?.hit(R["register-inet-both"], hook);
  return ["ipv4", "ipv6"];
}
