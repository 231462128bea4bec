// nfnetlink framing (include/uapi/linux/netfilter/nfnetlink.h):
//   struct nfgenmsg { __u8 nfgen_family; __u8 version; __be16 res_id; };  4 bytes
// after the nlmsghdr; nlmsg_type = subsystem << 8 | message. Transactions of
// NFNL_SUBSYS_NFTABLES are batches: BATCH_BEGIN, the messages, BATCH_END, each
// with its own sequence number (net/netfilter/nfnetlink.c, nfnetlink_rcv_batch).

import { attrBe32 } from "./attributes.js";
import { viewOf } from "./bytes.js";
import { NetlinkDecodeError } from "./errors.js";
import {
  NLM_F_ACK,
  NLM_F_REQUEST,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  decodeErrorMessage,
  decodeMessages,
  nlmsgAlign,
  type NetlinkMessage,
} from "./message.js";
import { decodeAttributes, type NetlinkAttribute } from "./attributes.js";

export const NETLINK_NETFILTER = 12;
export const NFNETLINK_V0 = 0;
export const NFGENMSG_LEN = 4;

// enum nfnetlink_subsys ids
export const NFNL_SUBSYS_NONE = 0;
export const NFNL_SUBSYS_CTNETLINK = 1;
export const NFNL_SUBSYS_CTNETLINK_EXP = 2;
export const NFNL_SUBSYS_QUEUE = 3;
export const NFNL_SUBSYS_ULOG = 4;
export const NFNL_SUBSYS_OSF = 5;
export const NFNL_SUBSYS_IPSET = 6;
export const NFNL_SUBSYS_ACCT = 7;
export const NFNL_SUBSYS_CTNETLINK_TIMEOUT = 8;
export const NFNL_SUBSYS_CTHELPER = 9;
export const NFNL_SUBSYS_NFTABLES = 10;
export const NFNL_SUBSYS_NFT_COMPAT = 11;
export const NFNL_SUBSYS_HOOK = 12;

// Batch control messages (NLMSG_MIN_TYPE and next), subsystem byte 0.
export const NFNL_MSG_BATCH_BEGIN = 16;
export const NFNL_MSG_BATCH_END = 17;
/** enum nfnl_batch_attributes: NFNL_BATCH_GENID (be32), optional in BATCH_BEGIN. */
export const NFNL_BATCH_GENID = 1;

// enum nfnetlink_groups (multicast groups, for NETLINK_ADD_MEMBERSHIP)
export const NFNLGRP_CONNTRACK_NEW = 1;
export const NFNLGRP_CONNTRACK_UPDATE = 2;
export const NFNLGRP_CONNTRACK_DESTROY = 3;
export const NFNLGRP_NFTABLES = 7;
export const NFNLGRP_ACCT_QUOTA = 8;
export const NFNLGRP_NFTRACE = 9;

// Protocol families used in nfgen_family (include/uapi/linux/netfilter.h, NFPROTO_*)
export const NFPROTO_UNSPEC = 0;
export const NFPROTO_INET = 1;
export const NFPROTO_IPV4 = 2;
export const NFPROTO_ARP = 3;
export const NFPROTO_NETDEV = 5;
export const NFPROTO_BRIDGE = 7;
export const NFPROTO_IPV6 = 10;

export function nfnlMessageType(subsys: number, msg: number): number {
  return ((subsys & 0xff) << 8) | (msg & 0xff);
}

export function nfnlSubsys(type: number): number {
  return (type >> 8) & 0xff;
}

export function nfnlMsg(type: number): number {
  return type & 0xff;
}

export interface Nfgenmsg {
  family: number;
  version: number;
  resId: number;
}

export function encodeNfgenmsg(h: Partial<Nfgenmsg> & { family: number }): Uint8Array {
  const out = new Uint8Array(NFGENMSG_LEN);
  const view = viewOf(out);
  view.setUint8(0, h.family);
  view.setUint8(1, h.version ?? NFNETLINK_V0);
  view.setUint16(2, h.resId ?? 0, false);
  return out;
}

export function decodeNfgenmsg(payload: Uint8Array, baseOffset = 0): Nfgenmsg {
  if (payload.length < NFGENMSG_LEN) {
    throw new NetlinkDecodeError(
      "nfgenmsg",
      baseOffset,
      `payload of ${payload.length} bytes is shorter than the ${NFGENMSG_LEN}-byte nfgenmsg`,
    );
  }
  const view = viewOf(payload);
  return { family: view.getUint8(0), version: view.getUint8(1), resId: view.getUint16(2, false) };
}

export interface NfnlRequest {
  subsys: number;
  msg: number;
  /** nlmsg_flags; NLM_F_REQUEST is always added. */
  flags?: number;
  seq: number;
  pid?: number;
  family: number;
  resId?: number;
  /** Encoded attributes (see attributes.ts), concatenated in order. */
  attributes?: readonly Uint8Array[];
}

/** One nfnetlink request message (nlmsghdr + nfgenmsg + attributes). */
export function encodeNfnlMessage(req: NfnlRequest): Uint8Array {
  const out = new Uint8Array(nfnlMessageSize(req));
  writeNfnlMessage(out, viewOf(out), 0, req);
  return out;
}

/** Bytes a request takes, padded to NLMSG_ALIGNTO. */
function nfnlMessageSize(req: NfnlRequest): number {
  let length = NLMSG_HDRLEN + NFGENMSG_LEN;
  for (const a of req.attributes ?? []) length += a.length;
  return nlmsgAlign(length);
}

/**
 * Writes a request at `at` of a zeroed buffer and returns where the next one
 * goes: a batch of thousands of messages is written into one buffer, with no
 * per-message copies (encodeMessage's layout: header, then the payload).
 */
function writeNfnlMessage(out: Uint8Array, view: DataView, at: number, req: NfnlRequest): number {
  let length = NLMSG_HDRLEN + NFGENMSG_LEN;
  for (const a of req.attributes ?? []) length += a.length;
  view.setUint32(at, length, true);
  view.setUint16(at + 4, nfnlMessageType(req.subsys, req.msg), true);
  view.setUint16(at + 6, (req.flags ?? 0) | NLM_F_REQUEST, true);
  view.setUint32(at + 8, req.seq >>> 0, true);
  view.setUint32(at + 12, (req.pid ?? 0) >>> 0, true);
  view.setUint8(at + NLMSG_HDRLEN, req.family);
  view.setUint8(at + NLMSG_HDRLEN + 1, NFNETLINK_V0);
  view.setUint16(at + NLMSG_HDRLEN + 2, req.resId ?? 0, false);
  let w = at + NLMSG_HDRLEN + NFGENMSG_LEN;
  for (const a of req.attributes ?? []) {
    out.set(a, w);
    w += a.length;
  }
  return at + nlmsgAlign(length);
}

export interface NfnlMessage {
  subsys: number;
  msg: number;
  flags: number;
  seq: number;
  pid: number;
  header: Nfgenmsg;
  attributes: NetlinkAttribute[];
  /** Offset of the nlmsghdr in the decoded buffer. */
  offset: number;
}

/** Splits a decoded netlink message into nfgenmsg and its top-level attributes. */
export function decodeNfnlMessage(msg: NetlinkMessage): NfnlMessage {
  const offset = msg.offset ?? 0;
  const payloadAt = offset + NLMSG_HDRLEN;
  const header = decodeNfgenmsg(msg.payload, payloadAt);
  return {
    subsys: nfnlSubsys(msg.type),
    msg: nfnlMsg(msg.type),
    flags: msg.flags,
    seq: msg.seq,
    pid: msg.pid,
    header,
    attributes: decodeAttributes(msg.payload.subarray(NFGENMSG_LEN), payloadAt + NFGENMSG_LEN),
    offset,
  };
}

// ---------------------------------------------------------------- batches

export interface BatchEntry {
  msg: number;
  family: number;
  flags?: number;
  attributes: readonly Uint8Array[];
}

export interface BatchOptions {
  /** Sequence number of BATCH_BEGIN; each following message takes the next one. */
  firstSeq: number;
  /** Subsystem the batch is for (res_id of BEGIN/END); default NFNL_SUBSYS_NFTABLES. */
  subsys?: number;
  /** Adds NFNL_BATCH_GENID to BATCH_BEGIN (iptables-nft does; nft does not). */
  genId?: number;
  /** Adds NLM_F_ACK to every message between BEGIN and END, so each one is answered. */
  ack?: boolean;
}

export interface Batch {
  bytes: Uint8Array;
  beginSeq: number;
  /** Sequence number of each entry, in order. */
  seqs: number[];
  endSeq: number;
}

/** A whole transaction: BATCH_BEGIN, entries, BATCH_END, as one sendmsg payload. */
export function encodeBatch(entries: readonly BatchEntry[], options: BatchOptions): Batch {
  const subsys = options.subsys ?? NFNL_SUBSYS_NFTABLES;
  let seq = options.firstSeq;
  const beginSeq = seq++;
  const control = (msg: number, s: number, attributes: Uint8Array[]): NfnlRequest => ({
    subsys: NFNL_SUBSYS_NONE,
    msg,
    seq: s,
    family: NFPROTO_UNSPEC,
    resId: subsys,
    attributes,
  });
  const requests: NfnlRequest[] = [
    control(
      NFNL_MSG_BATCH_BEGIN,
      beginSeq,
      options.genId === undefined ? [] : [attrBe32(NFNL_BATCH_GENID, options.genId)],
    ),
  ];
  const seqs: number[] = [];
  for (const e of entries) {
    const s = seq++;
    seqs.push(s);
    requests.push({
      subsys,
      msg: e.msg,
      flags: (e.flags ?? 0) | (options.ack ? NLM_F_ACK : 0),
      seq: s,
      family: e.family,
      attributes: e.attributes,
    });
  }
  const endSeq = seq;
  requests.push(control(NFNL_MSG_BATCH_END, endSeq, []));
  let size = 0;
  for (const r of requests) size += nfnlMessageSize(r);
  const bytes = new Uint8Array(size);
  const view = viewOf(bytes);
  let at = 0;
  for (const r of requests) at = writeNfnlMessage(bytes, view, at, r);
  return { bytes, beginSeq, seqs, endSeq };
}

export interface BatchResult {
  seq: number;
  /** Positive errno, 0 for an ACK. */
  errno: number;
}

/**
 * Collects the NLMSG_ERROR answers (errors and ACKs) out of the datagrams a
 * batch produced, in arrival order. Other messages (echoes, NEWGEN) are skipped.
 * The kernel answers a failed message with its errno and, when NLM_F_ACK was
 * set, a successful one with 0; if any errno is non-zero the whole batch was
 * aborted, so the ACKs of its other messages do not mean they took effect.
 */
export function decodeBatchReplies(datagrams: readonly Uint8Array[]): BatchResult[] {
  const out: BatchResult[] = [];
  for (const d of datagrams) {
    for (const m of decodeMessages(d)) {
      if (m.type !== NLMSG_ERROR) continue;
      const e = decodeErrorMessage(m);
      out.push({ seq: e.request.seq, errno: e.errno });
    }
  }
  return out;
}

/** Errno per batch entry (0 when no error was reported for it), and the batch's overall outcome. */
export function summarizeBatch(
  batch: Pick<Batch, "seqs">,
  results: readonly BatchResult[],
): { perEntry: BatchResult[]; committed: boolean } {
  const errors = new Map<number, number>();
  for (const r of results) if (r.errno !== 0 && !errors.has(r.seq)) errors.set(r.seq, r.errno);
  const perEntry = batch.seqs.map((seq) => ({ seq, errno: errors.get(seq) ?? 0 }));
  return { perEntry, committed: errors.size === 0 };
}
