// The hooks model's named rules: where register refuses a hook, where a new
// hook lands in its list (the insertion cases), unregister's two answers, and
// how a packet runs a list.
import { ruleCatalogue } from "../rules.js";

const CORE = "net/netfilter/core.c";
const DEFRAG = "net/ipv6/netfilter/nf_defrag_ipv6_hooks.c";
const ARRAY_ERA = ["linux", "linux-seed"];

export const HOOKS_RULES_CATALOGUE = ruleCatalogue({
  "register-einval-hook": {
    summary: "a hook number past the family's array has no list: EINVAL",
    citation: `${CORE} nf_hook_entry_head(), __nf_register_net_hook()`,
  },
  "register-einval-netdev": {
    summary: "netdev: a hook other than ingress/egress, or no such device in the namespace: EINVAL",
    citation: `${CORE} __nf_register_net_hook()`,
  },
  "register-einval-inet-ingress": {
    summary: "inet ingress without a device of this namespace: EINVAL",
    citation: `${CORE} nf_ingress_check()`,
    profiles: ["linux"],
  },
  "register-inet-both": {
    summary: "inet registers on IPv4 then IPv6, all or none",
    citation: `${CORE} nf_register_net_hook() (NFPROTO_INET)`,
  },
  "register-inet-ingress": {
    summary: "inet ingress is one registration on the device's ingress list",
    citation: `${CORE} nf_register_net_hook(), nf_ingress_check() (since 5.10)`,
    profiles: ["linux"],
  },
  "register-e2big": {
    summary: "a list already holding MAX_HOOK_COUNT (1024) live entries refuses another: E2BIG",
    citation: `${CORE} nf_hook_entries_grow()`,
    profiles: ARRAY_ERA,
  },
  "insert-empty": { summary: "a hook on an empty list is its only entry", citation: `${CORE} nf_hook_entries_grow()` },
  "insert-append": {
    summary: "a hook with a priority above every entry's goes last",
    citation: `${CORE} nf_hook_entries_grow()`,
  },
  "insert-before-higher": {
    summary: "a hook lands before the first entry of a higher priority",
    citation: `${CORE} nf_hook_entries_grow()`,
  },
  "insert-before-equal": {
    summary: "a hook lands BEFORE the entries of equal priority (reg->priority > orig_ops[i]->priority copies on)",
    citation: `${CORE} nf_hook_entries_grow()`,
    profiles: ARRAY_ERA,
  },
  "insert-after-equal": {
    summary: "a hook lands AFTER the entries of equal priority (the linked list of v4.13 and older)",
    citation: "net/netfilter/core.c nf_register_net_hook() (v4.13: reg->priority < p->priority)",
    profiles: ["linux-list"],
  },
  "unregister-removed": {
    summary: "unregister removes the hook from every list it was in; the others keep their order",
    citation: `${CORE} nf_unregister_net_hook(), nf_remove_net_hook(), __nf_hook_entries_try_shrink()`,
  },
  "unregister-enoent": {
    summary: "unregistering a hook that is not registered: ENOENT (the kernel only WARNs)",
    citation: `${CORE} nf_unregister_net_hook(); docs/adapter-protocol.md hooks.unregister`,
  },
  "traverse-empty": { summary: "an empty list (or none) lets the packet through", citation: `${CORE} nf_hook_slow()` },
  "traverse-accept-all": {
    summary: "every hook accepts: each runs in list order and the packet goes on",
    citation: `${CORE} nf_hook_slow()`,
  },
  "traverse-drop-stops": {
    summary: "NF_DROP frees the packet at once: no later hook runs",
    citation: `${CORE} nf_hook_slow()`,
  },
  // The cross-area rule with nf_defrag_ipv6 (model/defrag/prerouting.ts).
  "defrag-absent": {
    summary: "without a user of nf_defrag_ipv6 it has no hook: every PRE_ROUTING chain sees every packet as it came",
    citation: `${DEFRAG} nf_defrag_ipv6_enable(); net/netfilter/nf_conntrack_proto.c nf_ct_netns_do_get()`,
  },
  "defrag-before": {
    summary:
      "a chain before ipv6_defrag (below -400, or at -400 registered after the defrag user) sees each packet as it came",
    citation: `${DEFRAG} ipv6_defrag_ops (NF_IP6_PRI_CONNTRACK_DEFRAG); ${CORE} nf_hook_entries_grow(), nf_hook_slow()`,
  },
  "defrag-after": {
    summary:
      "a chain after ipv6_defrag sees what it accepted: the datagram reassembled in the last fragment's skb, or a packet it lets through unchanged",
    citation: `${DEFRAG} ipv6_defrag(); net/ipv6/netfilter/nf_conntrack_reasm.c nf_ct_frag6_gather(), nf_ct_frag6_reasm()`,
  },
  "defrag-held": {
    summary: "ipv6_defrag queues a fragment (NF_STOLEN) or drops it (NF_DROP): no later chain sees it",
    citation: `${DEFRAG} ipv6_defrag(); net/ipv6/netfilter/nf_conntrack_reasm.c nf_ct_frag6_queue(); ${CORE} nf_hook_slow()`,
  },
});
