// The nf_tables objects behind the hooks area: one table "nfconform_hooks" per
// family, one base chain per protocol hook, named after it, whose policy is
// the hook's verdict. Every chain carries the same two rules, so a packet
// aimed at one hook list meets the policies of that list only:
//   1. aimed at its list: meta nftrace set 1, return (to the policy)
//   2. accept             (everything else)
// "Aimed" is a UDP destination port per list (ip, ip6, inet, netdev, bridge),
// or for arp an opcode and a sender/target MAC prefix (arp has no ports).
// Rule 2 also accepts what is not aimed (ARP at an ip chain, ND, MLD: the
// l4proto and payload loads break there, so rule 1 does not match), so no
// chain ever drops traffic it was not aimed at. A return in a base chain ends
// at its policy (nft_do_chain()), which sends an NFT_TRACETYPE_POLICY event.
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

function be16(value: number): Uint8Array {
  return Uint8Array.of(value >> 8, value & 0xff);
}

/** meta l4proto == udp && th dport == port; for arp: arp operation == op && the MAC field's prefix. */
function aimedAt(aim: Aim): N.Expression[] {
  if (aim.kind === "arp") {
    const nh = N.NFT_PAYLOAD_NETWORK_HEADER;
    return [
      { kind: "payload", base: nh, offset: ARP_OP_OFFSET, len: 2, dreg: N.NFT_REG_1 },
      { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_EQ, data: be16(aim.op) },
      { kind: "payload", base: nh, offset: aim.macOffset, len: aim.prefix.length, dreg: N.NFT_REG_1 },
      { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_EQ, data: aim.prefix },
    ];
  }
  return [
    { kind: "meta", key: N.NFT_META_L4PROTO, dreg: N.NFT_REG_1 },
    { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_EQ, data: Uint8Array.of(IPPROTO_UDP) },
    { kind: "payload", base: N.NFT_PAYLOAD_TRANSPORT_HEADER, offset: 2, len: 2, dreg: N.NFT_REG_1 },
    { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_EQ, data: be16(aim.port) },
  ];
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

/** Rule 1 of every chain of a list, encoded once per aim: a batch of 1,024 chains shares it. */
const aimedRules = new Map<string, Uint8Array>();

function aimedRule(aim: Aim): Uint8Array {
  const key = aim.kind === "udp" ? `udp/${aim.port}` : `arp/${aim.op}/${aim.macOffset}/${aim.prefix.join(".")}`;
  let encoded = aimedRules.get(key);
  if (!encoded) {
    encoded = N.encodeExpressions([
      ...aimedAt(aim),
      { kind: "immediate", dreg: N.NFT_REG_1, data: { value: Uint8Array.of(1) } },
      { kind: "meta-set", key: N.NFT_META_NFTRACE, sreg: N.NFT_REG_1 },
      { kind: "immediate", dreg: N.NFT_REG_VERDICT, data: { verdict: { code: N.NFT_RETURN } } },
    ]);
    aimedRules.set(key, encoded);
  }
  return encoded;
}

/** Rule 2 of every chain. */
const ACCEPT_RULE = N.encodeExpressions([N.accept()]);

/** The chain and its rules, appended to one batch: the chain's ack is the registration's errno. */
export function chainEntries(plan: ChainPlan): BatchEntry[] {
  const { nfproto: family, name } = plan;
  const hook: N.BaseChainHook = { hooknum: plan.hooknum, priority: plan.priority };
  if (plan.device !== undefined) hook.device = plan.device;
  const rule = (expressions: Uint8Array) => N.newRule({ family, table: HOOKS_TABLE, chain: name, expressions });
  return [
    N.newChain({
      family,
      table: HOOKS_TABLE,
      name,
      type: "filter",
      hook,
      policy: plan.verdict === "accept" ? N.NF_ACCEPT : N.NF_DROP,
    }),
    ...(plan.aim ? [rule(aimedRule(plan.aim))] : []),
    rule(ACCEPT_RULE),
  ];
}
