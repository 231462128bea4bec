// nf_tables objects over nfnetlink (include/uapi/linux/netfilter/nf_tables.h):
// builders for the batch entries that create and delete tables, chains and
// rules, and decoders for what the kernel sends back (NEWTABLE/NEWCHAIN/NEWRULE
// dump replies, NEWGEN). Attribute order follows libnftnl (src/table.c,
// src/chain.c, src/rule.c), which iptables-nft uses.

import {
  AttributeTable,
  attrBe32,
  attrBe64,
  attrBes32,
  attrString,
  decodeNested,
  nlattrNested,
  readBe32,
  readBe64,
  readBes32,
  readString,
} from "./attributes.js";
import { hostU32 } from "./bytes.js";
import { NetlinkDecodeError } from "./errors.js";
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, type NetlinkMessage } from "./message.js";
import * as C from "./nftables-constants.js";
import { decodeExpressions, encodeExpressions, type Expression } from "./nftables-expressions.js";
import { NFNL_SUBSYS_NFTABLES, decodeNfnlMessage, type BatchEntry, type NfnlMessage } from "./nfnetlink.js";

export * from "./nftables-constants.js";
export * from "./nftables-expressions.js";
export * from "./xtables-info.js";

// ---------------------------------------------------------------- tables

export interface TableSpec {
  family: number;
  name: string;
  /** NFTA_TABLE_FLAGS; omitted when undefined (iptables-nft omits it, nft sends 0). */
  flags?: number;
}

export function newTable(t: TableSpec, options: { exclusive?: boolean } = {}): BatchEntry {
  const attributes = [attrString(C.NFTA_TABLE_NAME, t.name)];
  if (t.flags !== undefined) attributes.push(attrBe32(C.NFTA_TABLE_FLAGS, t.flags));
  return {
    msg: C.NFT_MSG_NEWTABLE,
    family: t.family,
    flags: NLM_F_CREATE | (options.exclusive ? NLM_F_EXCL : 0),
    attributes,
  };
}

export function deleteTable(family: number, name: string): BatchEntry {
  return { msg: C.NFT_MSG_DELTABLE, family, attributes: [attrString(C.NFTA_TABLE_NAME, name)] };
}

// ---------------------------------------------------------------- chains

export type ChainType = "filter" | "nat" | "route";

export interface BaseChainHook {
  /** NF_INET_* or NF_NETDEV_* hook number. */
  hooknum: number;
  priority: number;
  /** Device for netdev ingress/egress and inet ingress chains. */
  device?: string;
}

export interface ChainSpec {
  family: number;
  table: string;
  name: string;
  /** Present for a base chain; a regular chain has none. */
  hook?: BaseChainHook;
  /** NF_ACCEPT or NF_DROP (base chains only). */
  policy?: number;
  type?: ChainType;
}

function encodeHook(h: BaseChainHook): Uint8Array {
  const parts = [attrBe32(C.NFTA_HOOK_HOOKNUM, h.hooknum), attrBes32(C.NFTA_HOOK_PRIORITY, h.priority)];
  if (h.device !== undefined) parts.push(attrString(C.NFTA_HOOK_DEV, h.device));
  return nlattrNested(C.NFTA_CHAIN_HOOK, parts);
}

/** libnftnl order: TABLE, NAME, HOOK, POLICY, TYPE. */
export function newChain(c: ChainSpec): BatchEntry {
  const attributes = [attrString(C.NFTA_CHAIN_TABLE, c.table), attrString(C.NFTA_CHAIN_NAME, c.name)];
  if (c.hook) attributes.push(encodeHook(c.hook));
  if (c.policy !== undefined) attributes.push(attrBe32(C.NFTA_CHAIN_POLICY, c.policy));
  if (c.type !== undefined) attributes.push(attrString(C.NFTA_CHAIN_TYPE, c.type));
  return { msg: C.NFT_MSG_NEWCHAIN, family: c.family, flags: NLM_F_CREATE, attributes };
}

export function deleteChain(family: number, table: string, name: string): BatchEntry {
  return {
    msg: C.NFT_MSG_DELCHAIN,
    family,
    attributes: [attrString(C.NFTA_CHAIN_TABLE, table), attrString(C.NFTA_CHAIN_NAME, name)],
  };
}

// ---------------------------------------------------------------- rules

/** NFTA_RULE_COMPAT: the iptables-style l4 protocol match an xtables extension may check. */
export interface RuleCompat {
  proto: number;
  /** NFT_RULE_COMPAT_F_INV for `! -p proto`. */
  flags: number;
}

export interface RuleSpec {
  family: number;
  table: string;
  chain: string;
  /** The expressions, or their NFTA_RULE_EXPRESSIONS attribute encoded once (encodeExpressions) for rules many chains share. */
  expressions: readonly Expression[] | Uint8Array;
  compat?: RuleCompat;
  /** Insert relative to this rule handle (NFTA_RULE_POSITION). */
  position?: bigint;
}

/** Appends a rule (NLM_F_CREATE | NLM_F_APPEND), as `iptables -A` / `nft add rule` do. */
export function newRule(r: RuleSpec, options: { replaceHandle?: bigint } = {}): BatchEntry {
  const attributes = [attrString(C.NFTA_RULE_TABLE, r.table), attrString(C.NFTA_RULE_CHAIN, r.chain)];
  if (options.replaceHandle !== undefined) attributes.push(attrBe64(C.NFTA_RULE_HANDLE, options.replaceHandle));
  if (r.position !== undefined) attributes.push(attrBe64(C.NFTA_RULE_POSITION, r.position));
  attributes.push(r.expressions instanceof Uint8Array ? r.expressions : encodeExpressions(r.expressions));
  if (r.compat) {
    attributes.push(
      nlattrNested(C.NFTA_RULE_COMPAT, [
        attrBe32(C.NFTA_RULE_COMPAT_PROTO, r.compat.proto),
        attrBe32(C.NFTA_RULE_COMPAT_FLAGS, r.compat.flags),
      ]),
    );
  }
  const flags = options.replaceHandle !== undefined ? NLM_F_REPLACE : NLM_F_CREATE | NLM_F_APPEND;
  return { msg: C.NFT_MSG_NEWRULE, family: r.family, flags, attributes };
}

export function deleteRule(family: number, table: string, chain: string, handle?: bigint): BatchEntry {
  const attributes = [attrString(C.NFTA_RULE_TABLE, table), attrString(C.NFTA_RULE_CHAIN, chain)];
  if (handle !== undefined) attributes.push(attrBe64(C.NFTA_RULE_HANDLE, handle));
  return { msg: C.NFT_MSG_DELRULE, family, attributes };
}

// ---------------------------------------------------------------- verdict helpers

export const accept = (): Expression => ({
  kind: "immediate",
  dreg: C.NFT_REG_VERDICT,
  data: { verdict: { code: C.NF_ACCEPT } },
});
export const drop = (): Expression => ({
  kind: "immediate",
  dreg: C.NFT_REG_VERDICT,
  data: { verdict: { code: C.NF_DROP } },
});

// ---------------------------------------------------------------- match helpers

/** NF_CT_STATE_BIT(IP_CT_NEW): bit 3 of the ct state register. */
export const CT_STATE_NEW = 8;

/**
 * `ct state new`, as nft encodes it: ct state into reg 1, masked with the
 * new bit (the register holds a host-order u32), compared != 0. In a table of
 * an ip/ip6/inet family it also turns conntrack on in the namespace
 * (nft_ct_get_init() -> nf_ct_netns_get()).
 */
export const ctStateNew = (): Expression[] => [
  { kind: "ct", key: C.NFT_CT_STATE, dreg: C.NFT_REG_1 },
  {
    kind: "bitwise",
    sreg: C.NFT_REG_1,
    dreg: C.NFT_REG_1,
    len: 4,
    mask: hostU32(CT_STATE_NEW),
    xor: new Uint8Array(4),
  },
  { kind: "cmp", sreg: C.NFT_REG_1, op: C.NFT_CMP_NEQ, data: new Uint8Array(4) },
];

// ---------------------------------------------------------------- decoders

function expectNftMessage(m: NetlinkMessage, msgType: number, what: string): { nf: NfnlMessage; t: AttributeTable } {
  const nf = decodeNfnlMessage(m);
  if (nf.subsys !== NFNL_SUBSYS_NFTABLES || nf.msg !== msgType) {
    throw new NetlinkDecodeError(
      what,
      nf.offset,
      `message type 0x${m.type.toString(16)} is not NFNL_SUBSYS_NFTABLES << 8 | ${msgType}`,
    );
  }
  return { nf, t: new AttributeTable(nf.attributes, what, nf.offset) };
}

export interface TableInfo {
  family: number;
  name: string;
  flags: number;
  use?: number;
  handle?: bigint;
}

export function decodeTable(m: NetlinkMessage): TableInfo {
  const { nf, t } = expectNftMessage(m, C.NFT_MSG_NEWTABLE, "NFT_MSG_NEWTABLE");
  const info: TableInfo = {
    family: nf.header.family,
    name: readString(t.require(C.NFTA_TABLE_NAME, "NFTA_TABLE_NAME"), "NFTA_TABLE_NAME"),
    flags: t.has(C.NFTA_TABLE_FLAGS) ? readBe32(t.require(C.NFTA_TABLE_FLAGS, ""), "NFTA_TABLE_FLAGS") : 0,
  };
  const use = t.get(C.NFTA_TABLE_USE);
  const handle = t.get(C.NFTA_TABLE_HANDLE);
  if (use) info.use = readBe32(use, "NFTA_TABLE_USE");
  if (handle) info.handle = readBe64(handle, "NFTA_TABLE_HANDLE");
  return info;
}

export interface ChainInfo extends ChainSpec {
  handle?: bigint;
  flags?: number;
  use?: number;
}

export function decodeChain(m: NetlinkMessage): ChainInfo {
  const { nf, t } = expectNftMessage(m, C.NFT_MSG_NEWCHAIN, "NFT_MSG_NEWCHAIN");
  const info: ChainInfo = {
    family: nf.header.family,
    table: readString(t.require(C.NFTA_CHAIN_TABLE, "NFTA_CHAIN_TABLE"), "NFTA_CHAIN_TABLE"),
    name: readString(t.require(C.NFTA_CHAIN_NAME, "NFTA_CHAIN_NAME"), "NFTA_CHAIN_NAME"),
  };
  const hook = t.get(C.NFTA_CHAIN_HOOK);
  if (hook) {
    const h = AttributeTable.nested(hook, "NFTA_CHAIN_HOOK");
    info.hook = {
      hooknum: readBe32(h.require(C.NFTA_HOOK_HOOKNUM, "NFTA_HOOK_HOOKNUM"), "NFTA_HOOK_HOOKNUM"),
      priority: readBes32(h.require(C.NFTA_HOOK_PRIORITY, "NFTA_HOOK_PRIORITY"), "NFTA_HOOK_PRIORITY"),
    };
    const dev = h.get(C.NFTA_HOOK_DEV);
    const devs = h.get(C.NFTA_HOOK_DEVS);
    if (dev) info.hook.device = readString(dev, "NFTA_HOOK_DEV");
    else if (devs) {
      const first = decodeNested(devs)[0];
      if (first) info.hook.device = readString(first, "NFTA_DEVICE_NAME");
    }
  }
  const policy = t.get(C.NFTA_CHAIN_POLICY);
  const type = t.get(C.NFTA_CHAIN_TYPE);
  const handle = t.get(C.NFTA_CHAIN_HANDLE);
  const flags = t.get(C.NFTA_CHAIN_FLAGS);
  const use = t.get(C.NFTA_CHAIN_USE);
  if (policy) info.policy = readBe32(policy, "NFTA_CHAIN_POLICY");
  if (type) info.type = readString(type, "NFTA_CHAIN_TYPE") as ChainType;
  if (handle) info.handle = readBe64(handle, "NFTA_CHAIN_HANDLE");
  if (flags) info.flags = readBe32(flags, "NFTA_CHAIN_FLAGS");
  if (use) info.use = readBe32(use, "NFTA_CHAIN_USE");
  return info;
}

export interface RuleInfo {
  family: number;
  table: string;
  chain: string;
  handle?: bigint;
  expressions: Expression[];
  compat?: RuleCompat;
  position?: bigint;
}

export function decodeRule(m: NetlinkMessage): RuleInfo {
  const { nf, t } = expectNftMessage(m, C.NFT_MSG_NEWRULE, "NFT_MSG_NEWRULE");
  const exprs = t.get(C.NFTA_RULE_EXPRESSIONS);
  const info: RuleInfo = {
    family: nf.header.family,
    table: readString(t.require(C.NFTA_RULE_TABLE, "NFTA_RULE_TABLE"), "NFTA_RULE_TABLE"),
    chain: readString(t.require(C.NFTA_RULE_CHAIN, "NFTA_RULE_CHAIN"), "NFTA_RULE_CHAIN"),
    expressions: exprs ? decodeExpressions(exprs) : [],
  };
  const handle = t.get(C.NFTA_RULE_HANDLE);
  const position = t.get(C.NFTA_RULE_POSITION);
  const compat = t.get(C.NFTA_RULE_COMPAT);
  if (handle) info.handle = readBe64(handle, "NFTA_RULE_HANDLE");
  if (position) info.position = readBe64(position, "NFTA_RULE_POSITION");
  if (compat) {
    const c = AttributeTable.nested(compat, "NFTA_RULE_COMPAT");
    info.compat = {
      proto: readBe32(c.require(C.NFTA_RULE_COMPAT_PROTO, "NFTA_RULE_COMPAT_PROTO"), "NFTA_RULE_COMPAT_PROTO"),
      flags: c.has(C.NFTA_RULE_COMPAT_FLAGS)
        ? readBe32(c.require(C.NFTA_RULE_COMPAT_FLAGS, ""), "NFTA_RULE_COMPAT_FLAGS")
        : 0,
    };
  }
  return info;
}

export interface GenerationInfo {
  id: number;
  pid?: number;
  processName?: string;
}

export function decodeGeneration(m: NetlinkMessage): GenerationInfo {
  const { t } = expectNftMessage(m, C.NFT_MSG_NEWGEN, "NFT_MSG_NEWGEN");
  const info: GenerationInfo = { id: readBe32(t.require(C.NFTA_GEN_ID, "NFTA_GEN_ID"), "NFTA_GEN_ID") };
  const pid = t.get(C.NFTA_GEN_PROC_PID);
  const name = t.get(C.NFTA_GEN_PROC_NAME);
  if (pid) info.pid = readBe32(pid, "NFTA_GEN_PROC_PID");
  if (name) info.processName = readString(name, "NFTA_GEN_PROC_NAME");
  return info;
}
