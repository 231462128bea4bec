// The nf_tables objects behind the hooks area: one table "nfconform_hooks" per
// family, one base chain per protocol hook, named after it, with policy
// accept and one rule:
//   aimed at its list: meta nftrace set 1, then the hook's verdict (accept or drop)
// "Aimed" is a UDP destination port per list (ip, ip6, inet, netdev, bridge),
// or for arp an opcode and a sender/target MAC prefix (arp has no ports).
// Everything else reaches the policy, accept: what is not aimed at any list
// (ARP at an ip chain, ND, MLD, a non-first fragment: the l4proto and payload
// loads break there, so the rule does not match) and other lists' probes, so
// no chain ever drops traffic it was not aimed at, and a packet aimed at one
// list meets the verdicts of that list's chains only.
//
// Trace events, for a packet whose nftrace is set (nft_do_chain(), 6.18): a
// rule that ends in a verdict sends one RULE event with that verdict, and
// the chain ends there; a chain whose rules all break sends a RULE event with
// verdict NFT_CONTINUE (no rule) and then a POLICY event. So a probe sends
// exactly one event per chain of its list, carrying the chain's verdict and,
// as the chain's first event, the packet's headers (nf_trace_fill_pkt_info,
// once per chain run); other lists' chains send it CONTINUE and POLICY events.
import { be16 } from "../../../wire/netlink/attributes.js";
import type { HookFamily, HookName, Verdict } from "../../../model/hooks/families.js";
import * as N from "../../../wire/netlink/nftables.js";
import type { BatchEntry } from "../../../wire/netlink/nfnetlink.js";
import { IPPROTO_UDP } from "../../../wire/protocol-numbers.js";

export const HOOKS_TABLE = "nfconform_hooks";

/** Which packets a chain treats as aimed at it: one UDP port per hook (and device, for device hooks). */
const PORT_BASE = 47000;
const PORT_SLOTS = [
  "prerouting",
  "input",
  "forward",
  "output",
  "postrouting",
  "ingress/veth0",
  "ingress/veth1",
  "egress/veth0",
  "egress/veth1",
  // Bridge lists have ports of their own: a bridged probe must never look aimed at an ip list.
  "bridge/prerouting",
  "bridge/input",
  "bridge/forward",
  "bridge/output",
  "bridge/postrouting",
];

/** ARP opcodes (include/uapi/linux/if_arp.h). */
export const ARPOP_REQUEST = 1;
export const ARPOP_REPLY = 2;

/**
 * An ARP probe is aimed by its opcode and the first three bytes of one MAC
 * field of the ARP header (the last three are the probe's nonce): arp input
 * chains take requests whose sender MAC has ARP_IN_PREFIX, arp output chains
 * replies whose target MAC has ARP_OUT_PREFIX. arp_process() answers a request
 * with a reply whose target MAC is the request's sender MAC, so an input probe
 * never looks aimed at an output chain, nor an output probe at an input one.
 */
export const ARP_IN_PREFIX = Uint8Array.of(0x02, 0xa4, 0x01);
export const ARP_OUT_PREFIX = Uint8Array.of(0x02, 0xa4, 0x02);
/** Offsets in the ARP header of Ethernet/IPv4 (struct arphdr, then sha, sip, tha, tip). */
export const ARP_OP_OFFSET = 6;
export const ARP_SHA_OFFSET = 8;
export const ARP_THA_OFFSET = 18;

export type Aim = { kind: "udp"; port: number } | { kind: "arp"; op: number; macOffset: number; prefix: Uint8Array };

/**
 * What the chains of a (family, hook, device) list are aimed by; ipv4, ipv6
 * and inet share a hook's port (their packets differ, and inet chains sit in
 * both lists). Null when no probe is aimed at the list (a hook this IUT
 * declines).
 */
export function aimOf(family: HookFamily, hook: HookName, device: string | null): Aim | null {
  if (family === "arp") {
    if (hook === "input") return { kind: "arp", op: ARPOP_REQUEST, macOffset: ARP_SHA_OFFSET, prefix: ARP_IN_PREFIX };
    if (hook === "output") return { kind: "arp", op: ARPOP_REPLY, macOffset: ARP_THA_OFFSET, prefix: ARP_OUT_PREFIX };
    return null;
  }
  const slot =
    hook === "ingress" || hook === "egress" ? `${hook}/${device}` : family === "bridge" ? `bridge/${hook}` : hook;
  const i = PORT_SLOTS.indexOf(slot);
  return i < 0 ? null : { kind: "udp", port: PORT_BASE + i };
}

/** The aim's two loads go to consecutive 32-bit registers, compared as one 8-byte value. */
const FIRST_REG = N.NFT_REG32_00;
const SECOND_REG = N.NFT_REG32_00 + 1;

/** A load into a 32-bit register zeroes its unused bytes (nft_reg_store8(), nft_payload_eval()). */
function reg32(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4);
  out.set(bytes);
  return out;
}

/**
 * meta l4proto == udp && th dport == port; for arp: arp operation == op && the
 * MAC field's prefix. Two loads and one compare; the second load's register
 * then holds the port or the prefix, whose first byte is not 0.
 */
function aimedAt(aim: Aim): N.Expression[] {
  const nh = N.NFT_PAYLOAD_NETWORK_HEADER;
  const [loads, first, second]: [N.Expression[], Uint8Array, Uint8Array] =
    aim.kind === "arp"
      ? [
          [
            { kind: "payload", base: nh, offset: ARP_OP_OFFSET, len: 2, dreg: FIRST_REG },
            { kind: "payload", base: nh, offset: aim.macOffset, len: aim.prefix.length, dreg: SECOND_REG },
          ],
          be16(aim.op),
          aim.prefix,
        ]
      : [
          [
            { kind: "meta", key: N.NFT_META_L4PROTO, dreg: FIRST_REG },
            { kind: "payload", base: N.NFT_PAYLOAD_TRANSPORT_HEADER, offset: 2, len: 2, dreg: SECOND_REG },
          ],
          Uint8Array.of(IPPROTO_UDP),
          be16(aim.port),
        ];
  if (second[0] === 0) throw new Error("an aim's second value must not start with 0: it sets nftrace");
  const value = new Uint8Array(8);
  value.set(reg32(first), 0);
  value.set(reg32(second), 4);
  return [...loads, { kind: "cmp", sreg: FIRST_REG, op: N.NFT_CMP_EQ, data: value }];
}

export interface ChainPlan {
  nfproto: number;
  name: string;
  hooknum: number;
  priority: number;
  device?: string;
  verdict: Verdict;
  /** null for a chain no probe is aimed at (one both nftables and the core refuse). */
  aim: Aim | null;
}

export function newHooksTable(nfproto: number): BatchEntry {
  return N.newTable({ family: nfproto, name: HOOKS_TABLE });
}

/** The rule of every chain of a list with one verdict, encoded once: a batch of 1,024 chains shares it. */
const aimedRules = new Map<string, Uint8Array>();

function aimedRule(aim: Aim, verdict: Verdict): Uint8Array {
  const key = `${aim.kind === "udp" ? `udp/${aim.port}` : `arp/${aim.op}/${aim.macOffset}/${aim.prefix.join(".")}`}/${verdict}`;
  let encoded = aimedRules.get(key);
  if (!encoded) {
    encoded = N.encodeExpressions([
      ...aimedAt(aim),
      // nftrace = !!(first byte of the register): set (aimedAt).
      { kind: "meta-set", key: N.NFT_META_NFTRACE, sreg: SECOND_REG },
      verdict === "accept" ? N.accept() : N.drop(),
    ]);
    aimedRules.set(key, encoded);
  }
  return encoded;
}

/** The chain and its rule, appended to one batch: the chain's ack is the registration's errno. */
export function chainEntries(plan: ChainPlan): BatchEntry[] {
  const { nfproto: family, name } = plan;
  const hook: N.BaseChainHook = { hooknum: plan.hooknum, priority: plan.priority };
  if (plan.device !== undefined) hook.device = plan.device;
  const chain = N.newChain({ family, table: HOOKS_TABLE, name, type: "filter", hook, policy: N.NF_ACCEPT });
  if (!plan.aim) return [chain];
  return [
    chain,
    N.newRule({ family, table: HOOKS_TABLE, chain: name, expressions: aimedRule(plan.aim, plan.verdict) }),
  ];
}
