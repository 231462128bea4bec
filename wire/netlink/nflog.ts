// nfnetlink_log (include/uapi/linux/netfilter/nfnetlink_log.h, net/netfilter/nfnetlink_log.c):
// NFULNL_MSG_PACKET messages the kernel sends for an NFLOG / `log group N`
// rule, and the NFULNL_MSG_CONFIG commands that bind a socket to a group.
// In both, nfgenmsg.res_id is the group number (be16).

import {
  AttributeTable,
  attrBe16,
  attrBe32,
  nlattr,
  readBe16,
  readBe32,
  readBe64,
  type NetlinkAttribute,
} from "./attributes.js";
import { fromUtf8, viewOf } from "./bytes.js";
import { NetlinkDecodeError } from "./errors.js";
import { NLM_F_ACK, type NetlinkMessage } from "./message.js";
import { NFNL_SUBSYS_ULOG, NFPROTO_UNSPEC, decodeNfnlMessage, encodeNfnlMessage } from "./nfnetlink.js";

export const NFULNL_MSG_PACKET = 0;
export const NFULNL_MSG_CONFIG = 1;

// enum nfulnl_attr_type
export const NFULA_PACKET_HDR = 1;
export const NFULA_MARK = 2;
export const NFULA_TIMESTAMP = 3;
export const NFULA_IFINDEX_INDEV = 4;
export const NFULA_IFINDEX_OUTDEV = 5;
export const NFULA_IFINDEX_PHYSINDEV = 6;
export const NFULA_IFINDEX_PHYSOUTDEV = 7;
export const NFULA_HWADDR = 8;
export const NFULA_PAYLOAD = 9;
export const NFULA_PREFIX = 10;
export const NFULA_UID = 11;
export const NFULA_SEQ = 12;
export const NFULA_SEQ_GLOBAL = 13;
export const NFULA_GID = 14;
export const NFULA_HWTYPE = 15;
export const NFULA_HWHEADER = 16;
export const NFULA_HWLEN = 17;

// enum nfulnl_msg_config_cmds, enum nfulnl_attr_config, copy modes, flags
export const NFULNL_CFG_CMD_NONE = 0;
export const NFULNL_CFG_CMD_BIND = 1;
export const NFULNL_CFG_CMD_UNBIND = 2;
export const NFULNL_CFG_CMD_PF_BIND = 3;
export const NFULNL_CFG_CMD_PF_UNBIND = 4;
export const NFULA_CFG_CMD = 1;
export const NFULA_CFG_MODE = 2;
export const NFULA_CFG_NLBUFSIZ = 3;
export const NFULA_CFG_TIMEOUT = 4;
export const NFULA_CFG_QTHRESH = 5;
export const NFULA_CFG_FLAGS = 6;
export const NFULNL_COPY_NONE = 0x00;
export const NFULNL_COPY_META = 0x01;
export const NFULNL_COPY_PACKET = 0x02;
export const NFULNL_CFG_F_SEQ = 0x0001;
export const NFULNL_CFG_F_SEQ_GLOBAL = 0x0002;
export const NFULNL_CFG_F_CONNTRACK = 0x0004;

// ---------------------------------------------------------------- config

/** struct nfulnl_msg_config_cmd { __u8 command; } __packed */
function cmdAttr(command: number): Uint8Array {
  return nlattr(NFULA_CFG_CMD, Uint8Array.of(command));
}

/** struct nfulnl_msg_config_mode { __be32 copy_range; __u8 copy_mode; __u8 _pad; } __packed: 6 bytes */
export function configModeAttr(copyMode: number, copyRange: number): Uint8Array {
  const v = new Uint8Array(6);
  viewOf(v).setUint32(0, copyRange >>> 0, false);
  v[4] = copyMode;
  return nlattr(NFULA_CFG_MODE, v);
}

export interface NflogConfig {
  group: number;
  seq: number;
  /** NFULNL_CFG_CMD_*; omitted when undefined. */
  command?: number;
  copyMode?: number;
  /** Bytes of payload to copy (default 0xffff with copyMode). */
  copyRange?: number;
  flags?: number;
  nlbufsiz?: number;
  /** In 1/100 s. */
  timeout?: number;
  qthresh?: number;
  /** nfgen_family; AF_UNSPEC for group commands. */
  family?: number;
  ack?: boolean;
}

/** One NFULNL_MSG_CONFIG request. */
export function nflogConfigMessage(c: NflogConfig): Uint8Array {
  const attributes: Uint8Array[] = [];
  if (c.command !== undefined) attributes.push(cmdAttr(c.command));
  if (c.copyMode !== undefined) attributes.push(configModeAttr(c.copyMode, c.copyRange ?? 0xffff));
  if (c.nlbufsiz !== undefined) attributes.push(attrBe32(NFULA_CFG_NLBUFSIZ, c.nlbufsiz));
  if (c.timeout !== undefined) attributes.push(attrBe32(NFULA_CFG_TIMEOUT, c.timeout));
  if (c.qthresh !== undefined) attributes.push(attrBe32(NFULA_CFG_QTHRESH, c.qthresh));
  if (c.flags !== undefined) attributes.push(attrBe16(NFULA_CFG_FLAGS, c.flags));
  return encodeNfnlMessage({
    subsys: NFNL_SUBSYS_ULOG,
    msg: NFULNL_MSG_CONFIG,
    flags: c.ack === false ? 0 : NLM_F_ACK,
    seq: c.seq,
    family: c.family ?? NFPROTO_UNSPEC,
    resId: c.group,
    attributes,
  });
}

/**
 * The requests that bind a socket to `group` and ask for whole packets:
 * CMD_BIND, then MODE {COPY_PACKET, range}. Send each and expect an ACK.
 * (PF_BIND/PF_UNBIND are no-ops since Linux 3.17 and not needed.)
 */
export function nflogBindMessages(group: number, firstSeq: number, copyRange = 0xffff): Uint8Array[] {
  return [
    nflogConfigMessage({ group, seq: firstSeq, command: NFULNL_CFG_CMD_BIND }),
    nflogConfigMessage({ group, seq: firstSeq + 1, copyMode: NFULNL_COPY_PACKET, copyRange }),
  ];
}

export function nflogUnbindMessage(group: number, seq: number): Uint8Array {
  return nflogConfigMessage({ group, seq, command: NFULNL_CFG_CMD_UNBIND });
}

// ---------------------------------------------------------------- packets

export interface NflogPacket {
  /** nfgen_family: NFPROTO_* of the hook that logged. */
  family: number;
  group: number;
  /** struct nfulnl_msg_packet_hdr: hw_protocol (ethertype) and hook number. */
  hwProtocol: number;
  hook: number;
  prefix?: string;
  payload?: Uint8Array;
  mark?: number;
  indev?: number;
  outdev?: number;
  physindev?: number;
  physoutdev?: number;
  uid?: number;
  gid?: number;
  seq?: number;
  seqGlobal?: number;
  hwType?: number;
  hwHeader?: Uint8Array;
  timestamp?: { sec: bigint; usec: bigint };
}

function readPrefix(a: NetlinkAttribute): string {
  // nfulnl_log_packet puts strlen(prefix) + 1 bytes; tolerate a missing NUL.
  const nul = a.value.indexOf(0);
  return fromUtf8(nul < 0 ? a.value : a.value.subarray(0, nul));
}

export function decodeNflogPacket(m: NetlinkMessage): NflogPacket {
  const nf = decodeNfnlMessage(m);
  if (nf.subsys !== NFNL_SUBSYS_ULOG || nf.msg !== NFULNL_MSG_PACKET) {
    throw new NetlinkDecodeError(
      "NFULNL_MSG_PACKET",
      nf.offset,
      `message type 0x${m.type.toString(16)} is not NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_PACKET`,
    );
  }
  const t = new AttributeTable(nf.attributes, "NFULNL_MSG_PACKET", nf.offset);
  const hdr = t.require(NFULA_PACKET_HDR, "NFULA_PACKET_HDR");
  if (hdr.value.length < 4)
    throw new NetlinkDecodeError("NFULA_PACKET_HDR", hdr.offset, `value is ${hdr.value.length} bytes, expected 4`);
  const hv = viewOf(hdr.value);
  const p: NflogPacket = {
    family: nf.header.family,
    group: nf.header.resId,
    hwProtocol: hv.getUint16(0, false),
    hook: hv.getUint8(2),
  };
  const u32 = (type: number, name: string): number | undefined => {
    const a = t.get(type);
    return a ? readBe32(a, name) : undefined;
  };
  const set = <K extends keyof NflogPacket>(k: K, v: NflogPacket[K] | undefined): void => {
    if (v !== undefined) p[k] = v;
  };
  const prefix = t.get(NFULA_PREFIX);
  const payload = t.get(NFULA_PAYLOAD);
  const hwType = t.get(NFULA_HWTYPE);
  const hwHeader = t.get(NFULA_HWHEADER);
  const ts = t.get(NFULA_TIMESTAMP);
  set("prefix", prefix ? readPrefix(prefix) : undefined);
  set("payload", payload ? payload.value.slice() : undefined);
  set("mark", u32(NFULA_MARK, "NFULA_MARK"));
  set("indev", u32(NFULA_IFINDEX_INDEV, "NFULA_IFINDEX_INDEV"));
  set("outdev", u32(NFULA_IFINDEX_OUTDEV, "NFULA_IFINDEX_OUTDEV"));
  set("physindev", u32(NFULA_IFINDEX_PHYSINDEV, "NFULA_IFINDEX_PHYSINDEV"));
  set("physoutdev", u32(NFULA_IFINDEX_PHYSOUTDEV, "NFULA_IFINDEX_PHYSOUTDEV"));
  set("uid", u32(NFULA_UID, "NFULA_UID"));
  set("gid", u32(NFULA_GID, "NFULA_GID"));
  set("seq", u32(NFULA_SEQ, "NFULA_SEQ"));
  set("seqGlobal", u32(NFULA_SEQ_GLOBAL, "NFULA_SEQ_GLOBAL"));
  set("hwType", hwType ? readBe16(hwType, "NFULA_HWTYPE") : undefined);
  set("hwHeader", hwHeader ? hwHeader.value.slice() : undefined);
  if (ts) {
    // struct nfulnl_msg_packet_timestamp { __aligned_be64 sec; __aligned_be64 usec; }
    if (ts.value.length !== 16)
      throw new NetlinkDecodeError("NFULA_TIMESTAMP", ts.offset, `value is ${ts.value.length} bytes, expected 16`);
    const half = (i: number): NetlinkAttribute => ({ ...ts, value: ts.value.subarray(i, i + 8) });
    p.timestamp = { sec: readBe64(half(0), "NFULA_TIMESTAMP.sec"), usec: readBe64(half(8), "NFULA_TIMESTAMP.usec") };
  }
  return p;
}
