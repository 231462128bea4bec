// The cross-area rule between the hook lists (model/hooks) and conntrack's
// IPv6 reassembler (model/frag6): which IPv6 PRE_ROUTING chains see each
// fragment as it arrives, and which see the datagram it completes.
//
// nf_defrag_ipv6 (net/ipv6/netfilter/nf_defrag_ipv6_hooks.c) registers
// ipv6_defrag() at NF_INET_PRE_ROUTING and NF_INET_LOCAL_OUT with priority
// NF_IP6_PRI_CONNTRACK_DEFRAG (-400), and only once a user needs it:
// nf_defrag_ipv6_enable() counts users and registers ipv6_defrag_ops for the
// first. Conntrack users get it through nf_ct_netns_get() -> nf_ct_netns_do_get()
// (net/netfilter/nf_conntrack_proto.c; an nft ct expression, nft_ct_get_init(),
// is one), before conntrack's own hooks; xt_socket, xt_TPROXY and nft_tproxy
// call nf_defrag_ipv6_enable() themselves. IPv4 is the same with nf_defrag_ipv4
// at NF_IP_PRI_CONNTRACK_DEFRAG.
//
// ipv6_defrag() hands the skb to nf_ct_frag6_gather() (nf_conntrack_reasm.c):
// -EINPROGRESS (queued, or a duplicate) is NF_STOLEN, another error NF_DROP,
// and 0 is NF_ACCEPT: a packet it lets through unchanged (no Fragment header,
// a first fragment without its header chain, an unaligned fragment after
// -EPROTO), or the datagram nf_ct_frag6_reasm() built in the completing
// fragment's skb. nf_hook_slow() (net/netfilter/core.c) goes on to the next
// entry only on NF_ACCEPT. So an entry before ipv6_defrag in the list sees
// every fragment, one after it sees only what ipv6_defrag let through; where
// a chain sits is the list order (model/hooks), which at -400 itself depends on
// who registered first (a later registration goes before an equal priority).
import { FRAG6_DEFAULT_CONFIG } from "../frag6/profiles.js";
import { parseArrival } from "../frag6/fragment.js";
import { LinuxNode } from "../frag6/linux-node.js";
import { CONNTRACK_HOOKS, enableConntrack, type KernelHook } from "../hooks/conntrack-hooks.js";
import type { HookList } from "../hooks/hook-list.js";
import { EMPTY_HOOK_NAMESPACE, hookList, registerHook, type HookNamespace } from "../hooks/namespace.js";
import { HOOKS_RULES, type HooksRules } from "../hooks/profiles.js";
import { HOOKS_RULES_CATALOGUE as R } from "../hooks/rule-catalogue.js";
import type { RuleTrace } from "../rules.js";

/** One registration, in order: an accepting IPv6 PRE_ROUTING chain, or a user of nf_defrag_ipv6 (and conntrack). */
export type DefragStep = { chain: string; priority: number } | { defragUser: true };

/** A chain saw a packet: which arrival it came from, and the packet as the chain saw it. */
export interface Sighting {
  event: number;
  chain: string;
  packet: Uint8Array;
}

export interface DefragRules {
  hooks: HooksRules;
  /** The kernel hooks a defrag user brings, in registration order (defrag first). */
  layer: readonly KernelHook[];
  /** ipv6_defrag() holds fragments back (the kernel); false: a broken one that accepts every packet unchanged. */
  holdsFragments: boolean;
}

export const DEFRAG_RULES: DefragRules = { hooks: HOOKS_RULES.linux, layer: CONNTRACK_HOOKS, holdsFragments: true };

/** The namespace after the steps, in order (a second defrag user only counts: nf_defrag_ipv6_enable()). */
export function registerSteps(steps: readonly DefragStep[], rules: DefragRules): HookNamespace {
  let ns = EMPTY_HOOK_NAMESPACE;
  for (const step of steps) {
    ns =
      "chain" in step
        ? registerHook(
            ns,
            {
              name: step.chain,
              family: "ipv6",
              hook: "prerouting",
              priority: step.priority,
              verdict: "accept",
              device: null,
            },
            rules.hooks,
          ).ns
        : enableConntrack(ns, rules.hooks, rules.layer).ns;
  }
  return ns;
}

const isDefrag = (name: string) => name === "ipv6_defrag";

/**
 * Every chain's sightings, in the order the chains ran: the packets arrive
 * one after another on the link (before any queue could expire), and each
 * that gets past ip6_rcv_core() runs the PRE_ROUTING list.
 */
export function preroutingSightings(
  steps: readonly DefragStep[],
  packets: readonly Uint8Array[],
  rules: DefragRules = DEFRAG_RULES,
  trace?: RuleTrace,
): Sighting[] {
  const list: HookList = hookList(registerSteps(steps, rules), "ipv6/prerouting");
  const defrag = list.some((e) => e.internal && isDefrag(e.name));
  if (!defrag) trace?.hit(R["defrag-absent"]);
  const node = new LinuxNode(defrag ? "nfct" : "ipv6", FRAG6_DEFAULT_CONFIG);
  const sightings: Sighting[] = [];
  for (const [event, arrived] of packets.entries()) {
    trace?.within(`packet ${event}`);
    node.arrive(parseArrival(event, 0, arrived));
    if (!node.prerouted.has(event)) continue; // dropped before PRE_ROUTING (Hop-by-Hop options)
    let packet: Uint8Array | undefined = arrived;
    let after = false;
    for (const entry of list) {
      if (!entry.internal) {
        sightings.push({ event, chain: entry.name, packet });
        if (defrag) trace?.hit(R[after ? "defrag-after" : "defrag-before"], entry.name);
      } else if (isDefrag(entry.name)) {
        packet = rules.holdsFragments ? node.defragOut.get(event) : arrived;
        after = true;
        if (!packet) trace?.hit(R["defrag-held"], `no chain after ipv6_defrag sees packet ${event}`);
      }
      if (!packet) break; // NF_STOLEN or NF_DROP: no later entry runs
    }
  }
  trace?.within(undefined);
  return sightings;
}

/** The PRE_ROUTING list the steps leave, one line: what the explanation of a violation shows first. */
export function preroutingOrder(steps: readonly DefragStep[], rules: DefragRules = DEFRAG_RULES): string {
  const list = hookList(registerSteps(steps, rules), "ipv6/prerouting");
  return list.map((e) => `${e.name}@${e.priority}`).join(", ") || "(empty)";
}
