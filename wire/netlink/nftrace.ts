// NFT_MSG_TRACE events (include/uapi/linux/netfilter/nf_tables.h, enum
// nft_trace_attributes; sent by net/netfilter/nf_tables_trace.c to the
// NFNLGRP_NFTRACE multicast group for packets with meta nftrace set).
// Nested attributes here come without NLA_F_NESTED (measured on 6.18).

import {
  AttributeTable,
  NLA_HDRLEN,
  NLA_TYPE_MASK,
  nlaAlign,
  readBe16,
  readBe32,
  readBe64,
  readString,
} from "./attributes.js";
import { fromUtf8 } from "./bytes.js";
import { NetlinkDecodeError } from "./errors.js";
import { NLMSG_HDRLEN, type NetlinkMessage } from "./message.js";
import * as C from "./nftables-constants.js";
import { decodeVerdict, type Verdict } from "./nftables-expressions.js";
import { NFGENMSG_LEN, NFNL_SUBSYS_NFTABLES, decodeNfnlMessage } from "./nfnetlink.js";

export interface TraceEvent {
  /** nfgen_family of the table (NFPROTO_*). */
  family: number;
  /** NFT_TRACETYPE_RULE, _POLICY or _RETURN. */
  type: number;
  /** Same for every event about one packet. */
  id: number;
  table: string;
  chain: string;
  ruleHandle?: bigint;
  /** Verdict of the rule (RULE, RETURN). */
  verdict?: Verdict;
  /** Chain policy that decided (POLICY events): NF_ACCEPT or NF_DROP. */
  policy?: number;
  nfproto?: number;
  llHeader?: Uint8Array;
  networkHeader?: Uint8Array;
  transportHeader?: Uint8Array;
  iif?: number;
  iifType?: number;
  oif?: number;
  oifType?: number;
  mark?: number;
}

export function isTraceMessage(m: NetlinkMessage): boolean {
  return m.type === ((NFNL_SUBSYS_NFTABLES << 8) | C.NFT_MSG_TRACE);
}

export function decodeTrace(m: NetlinkMessage): TraceEvent {
  const nf = decodeNfnlMessage(m);
  if (nf.subsys !== NFNL_SUBSYS_NFTABLES || nf.msg !== C.NFT_MSG_TRACE) {
    throw new NetlinkDecodeError(
      "NFT_MSG_TRACE",
      nf.offset,
      `message type 0x${m.type.toString(16)} is not NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_TRACE`,
    );
  }
  const t = new AttributeTable(nf.attributes, "NFT_MSG_TRACE", nf.offset);
  const e: TraceEvent = {
    family: nf.header.family,
    type: readBe32(t.require(C.NFTA_TRACE_TYPE, "NFTA_TRACE_TYPE"), "NFTA_TRACE_TYPE"),
    id: readBe32(t.require(C.NFTA_TRACE_ID, "NFTA_TRACE_ID"), "NFTA_TRACE_ID"),
    table: readString(t.require(C.NFTA_TRACE_TABLE, "NFTA_TRACE_TABLE"), "NFTA_TRACE_TABLE"),
    chain: readString(t.require(C.NFTA_TRACE_CHAIN, "NFTA_TRACE_CHAIN"), "NFTA_TRACE_CHAIN"),
  };
  const u32 = (type: number, name: string): number | undefined => {
    const a = t.get(type);
    return a ? readBe32(a, name) : undefined;
  };
  const u16 = (type: number, name: string): number | undefined => {
    const a = t.get(type);
    return a ? readBe16(a, name) : undefined;
  };
  const bytes = (type: number): Uint8Array | undefined => t.get(type)?.value.slice();
  const set = <K extends keyof TraceEvent>(k: K, v: TraceEvent[K] | undefined): void => {
    if (v !== undefined) e[k] = v;
  };
  const handle = t.get(C.NFTA_TRACE_RULE_HANDLE);
  const verdict = t.get(C.NFTA_TRACE_VERDICT);
  set("ruleHandle", handle ? readBe64(handle, "NFTA_TRACE_RULE_HANDLE") : undefined);
  set("verdict", verdict ? decodeVerdict(verdict) : undefined);
  set("policy", u32(C.NFTA_TRACE_POLICY, "NFTA_TRACE_POLICY"));
  set("nfproto", u32(C.NFTA_TRACE_NFPROTO, "NFTA_TRACE_NFPROTO"));
  set("llHeader", bytes(C.NFTA_TRACE_LL_HEADER));
  set("networkHeader", bytes(C.NFTA_TRACE_NETWORK_HEADER));
  set("transportHeader", bytes(C.NFTA_TRACE_TRANSPORT_HEADER));
  set("iif", u32(C.NFTA_TRACE_IIF, "NFTA_TRACE_IIF"));
  set("iifType", u16(C.NFTA_TRACE_IIFTYPE, "NFTA_TRACE_IIFTYPE"));
  set("oif", u32(C.NFTA_TRACE_OIF, "NFTA_TRACE_OIF"));
  set("oifType", u16(C.NFTA_TRACE_OIFTYPE, "NFTA_TRACE_OIFTYPE"));
  set("mark", u32(C.NFTA_TRACE_MARK, "NFTA_TRACE_MARK"));
  return e;
}

/** What a traversal reads of an event (iut/linux/hooks/traversal.ts). */
export type TraceBrief = Pick<
  TraceEvent,
  "type" | "id" | "table" | "chain" | "verdict" | "policy" | "networkHeader" | "transportHeader"
>;

/**
 * The fields of TraceBrief and nothing else, in one pass over the top-level
 * attributes: a traversal of 1,024 chains reads 1,024 events or more, where
 * decodeTrace's copies of every header cost more than the kernel's work. It
 * copies the two headers it keeps (only a chain run's first event has them),
 * so the datagram's buffer may be reused. Same checks as decodeTrace on what
 * it reads.
 */
export function decodeTraceBrief(m: NetlinkMessage): TraceBrief {
  if (!isTraceMessage(m))
    throw new NetlinkDecodeError(
      "NFT_MSG_TRACE",
      m.offset ?? 0,
      `message type 0x${m.type.toString(16)} is not NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_TRACE`,
    );
  const p = m.payload;
  const base = (m.offset ?? 0) + NLMSG_HDRLEN;
  const found: Partial<TraceBrief> = {};
  // Bytes read by hand, no DataView or closure per event: ten or more events a traversal (bench/issue14-bench.md).
  for (let at = NFGENMSG_LEN; at + NLA_HDRLEN <= p.length; ) {
    const len = p[at]! | (p[at + 1]! << 8);
    if (len < NLA_HDRLEN || at + len > p.length)
      throw new NetlinkDecodeError("nlattr", base + at, `nla_len ${len} overruns its container`);
    const from = at + NLA_HDRLEN;
    const end = at + len;
    switch ((p[at + 2]! | (p[at + 3]! << 8)) & NLA_TYPE_MASK) {
      case C.NFTA_TRACE_TYPE:
        found.type = be32At(p, from, end, "NFTA_TRACE_TYPE", base + at);
        break;
      case C.NFTA_TRACE_ID:
        found.id = be32At(p, from, end, "NFTA_TRACE_ID", base + at);
        break;
      case C.NFTA_TRACE_VERDICT:
        found.verdict = decodeVerdict({
          type: C.NFTA_TRACE_VERDICT,
          nested: true,
          netByteorder: false,
          value: p.subarray(from, end),
          offset: base + at,
        });
        break;
      case C.NFTA_TRACE_POLICY:
        found.policy = be32At(p, from, end, "NFTA_TRACE_POLICY", base + at);
        break;
      case C.NFTA_TRACE_TABLE:
        found.table = cText(p.subarray(from, end), "NFTA_TRACE_TABLE", base + at);
        break;
      case C.NFTA_TRACE_CHAIN:
        found.chain = cText(p.subarray(from, end), "NFTA_TRACE_CHAIN", base + at);
        break;
      // Copies: the brief outlives the datagram (a reader may reuse its buffer).
      case C.NFTA_TRACE_NETWORK_HEADER:
        found.networkHeader = p.slice(from, end);
        break;
      case C.NFTA_TRACE_TRANSPORT_HEADER:
        found.transportHeader = p.slice(from, end);
        break;
    }
    at += nlaAlign(len);
  }
  for (const [key, name] of [
    ["type", "NFTA_TRACE_TYPE"],
    ["id", "NFTA_TRACE_ID"],
    ["table", "NFTA_TRACE_TABLE"],
    ["chain", "NFTA_TRACE_CHAIN"],
  ] as const) {
    if (found[key] === undefined)
      throw new NetlinkDecodeError("NFT_MSG_TRACE", m.offset ?? 0, `missing attribute ${name}`);
  }
  return found as TraceBrief;
}

/** A be32 attribute's value in p[from, end), which must be 4 bytes. */
function be32At(p: Uint8Array, from: number, end: number, what: string, offset: number): number {
  if (end - from !== 4) throw new NetlinkDecodeError(what, offset, `${end - from} bytes, expected 4`);
  return ((p[from]! << 24) | (p[from + 1]! << 16) | (p[from + 2]! << 8) | p[from + 3]!) >>> 0;
}

/** A NUL-terminated string attribute's text (readString's rule). */
function cText(value: Uint8Array, what: string, offset: number): string {
  const nul = value.indexOf(0);
  if (nul !== value.length - 1)
    throw new NetlinkDecodeError(
      what,
      offset,
      nul < 0 ? "string is not NUL-terminated" : `string has an embedded NUL at byte ${nul}`,
    );
  return fromUtf8(value.subarray(0, nul));
}
