// The nf_tables objects behind the hooks area: one table "nfconform_hooks" per
// family, one base chain per protocol hook, named after it, whose policy is
// the hook's verdict. Every chain carries the same two rules, so a packet
// aimed at one hook list meets the policies of that list only:
//   1. udp dport == <its list's port>: meta nftrace set 1, return (to the policy)
//   2. accept                                                     (everything else)
// Rule 2 also accepts what is not our UDP (ARP, ND, MLD: the l4proto and
// payload loads break there, so rule 1 does not match), so no chain ever
// drops traffic it was not aimed at. A return in a base chain ends at its
// policy (nft_do_chain()), which sends an NFT_TRACETYPE_POLICY trace event.
import type { HookName, Verdict } from "../../../model/hooks/families.js";
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
];

/** The destination port of the packets aimed at a (hook, device) list; ipv4 and ipv6 share it, their packets differ. */
export function listPort(hook: HookName, device: string | null): number {
  const slot = hook === "ingress" || hook === "egress" ? `${hook}/${device}` : hook;
  const i = PORT_SLOTS.indexOf(slot);
  if (i < 0) throw new Error(`no traversal port for ${slot}`);
  return PORT_BASE + i;
}

function be16(value: number): Uint8Array {
  return Uint8Array.of(value >> 8, value & 0xff);
}

/** meta l4proto == udp && th dport == port. */
function aimedAt(port: number): N.Expression[] {
  return [
    { kind: "meta", key: N.NFT_META_L4PROTO, dreg: N.NFT_REG_1 },
    { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_EQ, data: Uint8Array.of(IPPROTO_UDP) },
    { kind: "payload", base: N.NFT_PAYLOAD_TRANSPORT_HEADER, offset: 2, len: 2, dreg: N.NFT_REG_1 },
    { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_EQ, data: be16(port) },
  ];
}

export interface ChainPlan {
  nfproto: number;
  name: string;
  hooknum: number;
  priority: number;
  device?: string;
  verdict: Verdict;
  port: number;
}

export function newHooksTable(nfproto: number): BatchEntry {
  return N.newTable({ family: nfproto, name: HOOKS_TABLE });
}

/** Rule 1 of every chain of a list, encoded once per port: a batch of 1,024 chains shares it. */
const aimedRules = new Map<number, Uint8Array>();

function aimedRule(port: number): Uint8Array {
  let encoded = aimedRules.get(port);
  if (!encoded) {
    encoded = N.encodeExpressions([
      ...aimedAt(port),
      { kind: "immediate", dreg: N.NFT_REG_1, data: { value: Uint8Array.of(1) } },
      { kind: "meta-set", key: N.NFT_META_NFTRACE, sreg: N.NFT_REG_1 },
      { kind: "immediate", dreg: N.NFT_REG_VERDICT, data: { verdict: { code: N.NFT_RETURN } } },
    ]);
    aimedRules.set(port, encoded);
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
    rule(aimedRule(plan.port)),
    rule(ACCEPT_RULE),
  ];
}
