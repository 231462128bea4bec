// nfnetlink_cttimeout messages (include/uapi/linux/netfilter/nfnetlink_cttimeout.h):
// type = NFNL_SUBSYS_CTNETLINK_TIMEOUT << 8 | IPCTNL_MSG_TIMEOUT_*, an nfgenmsg,
// then CTA_TIMEOUT_* attributes. Encoders for requests and for the replies the
// kernel builds (ctnl_timeout_fill_info, cttimeout_default_fill_info in
// net/netfilter/nfnetlink_cttimeout.c), and a strict decoder of those replies,
// shared by the model and the kernel IUT's tests.
import {
  NLA_F_NESTED,
  attrBe16,
  attrBe32,
  attrU8,
  decodeAttributes,
  decodeNested,
  nlattr,
  readBe16,
  readBe32,
  readU8,
} from "./attributes.js";
import { concatBytes, viewOf } from "./bytes.js";
import { NetlinkDecodeError } from "./errors.js";
import { NLM_F_MULTI, NLMSG_DONE, NLMSG_HDRLEN, encodeMessage, type NetlinkMessage } from "./message.js";
import {
  NFGENMSG_LEN,
  NFNL_SUBSYS_CTNETLINK_TIMEOUT,
  decodeNfgenmsg,
  encodeNfgenmsg,
  nfnlMessageType,
} from "./nfnetlink.js";

// enum ctnl_timeout_msg_types
export const IPCTNL_MSG_TIMEOUT_NEW = 0;
export const IPCTNL_MSG_TIMEOUT_GET = 1;
export const IPCTNL_MSG_TIMEOUT_DELETE = 2;
export const IPCTNL_MSG_TIMEOUT_DEFAULT_SET = 3;
export const IPCTNL_MSG_TIMEOUT_DEFAULT_GET = 4;
export const IPCTNL_MSG_TIMEOUT_MAX = 5;

// enum ctattr_timeout
export const CTA_TIMEOUT_NAME = 1;
export const CTA_TIMEOUT_L3PROTO = 2;
export const CTA_TIMEOUT_L4PROTO = 3;
export const CTA_TIMEOUT_DATA = 4;
export const CTA_TIMEOUT_USE = 5;
export const CTA_TIMEOUT_MAX = 5;

/** CTNL_TIMEOUT_NAME_MAX: the name's buffer, NUL included. */
export const CTNL_TIMEOUT_NAME_MAX = 32;

export const cttimeoutType = (msg: number): number => nfnlMessageType(NFNL_SUBSYS_CTNETLINK_TIMEOUT, msg);

/** A name as bytes (names are C strings, not necessarily UTF-8), NUL-terminated. */
export function nameAttribute(name: Uint8Array): Uint8Array {
  const value = new Uint8Array(name.length + 1);
  value.set(name);
  return nlattr(CTA_TIMEOUT_NAME, value);
}

/** DATA with one be32 per (type, seconds); NLA_F_NESTED as the kernel's nla_nest_start() sets it. */
export function dataAttribute(
  values: readonly (readonly [type: number, seconds: number])[],
  nestedFlag = true,
): Uint8Array {
  const inner = concatBytes(values.map(([type, seconds]) => attrBe32(type, seconds)));
  return nlattr(CTA_TIMEOUT_DATA | (nestedFlag ? NLA_F_NESTED : 0), inner);
}

export interface PolicyRecord {
  name: Uint8Array;
  l3num: number;
  l4proto: number;
  use: number;
  /** Seconds per DATA attribute type, in attribute order. */
  data: [type: number, seconds: number][];
}

export interface DefaultsRecord {
  l3num: number;
  l4proto: number;
  data: [type: number, seconds: number][];
}

interface ReplyHeader {
  seq: number;
  /** nlmsg_pid of the reply (the suite compares replies with it zeroed). */
  portid: number;
  /** Whether the requesting socket's portid is not 0 (default: portid !== 0): NLM_F_MULTI. */
  multi?: boolean;
}

function dataMessage(msg: number, header: ReplyHeader, attributes: Uint8Array[]): Uint8Array {
  // nfnl_msg_put(): nfgenmsg {AF_UNSPEC, NFNETLINK_V0, 0}; NLM_F_MULTI when the portid is not 0.
  return encodeMessage({
    type: cttimeoutType(msg),
    flags: (header.multi ?? header.portid !== 0) ? NLM_F_MULTI : 0,
    seq: header.seq,
    pid: header.portid,
    payload: concatBytes([encodeNfgenmsg({ family: 0 }), ...attributes]),
  });
}

/** ctnl_timeout_fill_info(): type NEW; NAME, L3PROTO, L4PROTO, USE, DATA. */
export function encodePolicyMessage(p: PolicyRecord, header: ReplyHeader): Uint8Array {
  return dataMessage(IPCTNL_MSG_TIMEOUT_NEW, header, [
    nameAttribute(p.name),
    attrBe16(CTA_TIMEOUT_L3PROTO, p.l3num),
    attrU8(CTA_TIMEOUT_L4PROTO, p.l4proto),
    attrBe32(CTA_TIMEOUT_USE, p.use),
    dataAttribute(p.data),
  ]);
}

/** cttimeout_default_fill_info(): type DEFAULT_SET; L3PROTO (as asked), L4PROTO, DATA. */
export function encodeDefaultsMessage(d: DefaultsRecord, header: ReplyHeader): Uint8Array {
  return dataMessage(IPCTNL_MSG_TIMEOUT_DEFAULT_SET, header, [
    attrBe16(CTA_TIMEOUT_L3PROTO, d.l3num),
    attrU8(CTA_TIMEOUT_L4PROTO, d.l4proto),
    dataAttribute(d.data),
  ]);
}

/** netlink_dump_done(): NLMSG_DONE, NLM_F_MULTI, payload the dump's final status (0). */
export function encodeDoneMessage(header: ReplyHeader): Uint8Array {
  return encodeMessage({
    type: NLMSG_DONE,
    flags: NLM_F_MULTI,
    seq: header.seq,
    pid: header.portid,
    payload: new Uint8Array(4),
  });
}

/** A copy with nlmsg_pid set to 0 in the header of every message of the datagram. */
export function zeroPids(datagram: Uint8Array): Uint8Array {
  const out = datagram.slice();
  const view = viewOf(out);
  let at = 0;
  while (at + NLMSG_HDRLEN <= out.length) {
    const length = view.getUint32(at, true);
    view.setUint32(at + 12, 0, true);
    if (length < NLMSG_HDRLEN) break;
    at += (length + 3) & ~3;
  }
  return out;
}

function decodeData(attr: ReturnType<typeof decodeAttributes>[number]): [number, number][] {
  if (!attr.nested) throw new NetlinkDecodeError("CTA_TIMEOUT_DATA", attr.offset, "NLA_F_NESTED is not set");
  return decodeNested(attr).map((a) => [a.type, readBe32(a, `timeout attribute ${a.type}`)]);
}

/** Strictly decodes a kernel-built policy message (type NEW): every attribute once, in the kernel's order. */
export function decodePolicyMessage(m: NetlinkMessage): PolicyRecord {
  const at = (m.offset ?? 0) + NLMSG_HDRLEN;
  if (m.type !== cttimeoutType(IPCTNL_MSG_TIMEOUT_NEW))
    throw new NetlinkDecodeError("cttimeout policy", at - NLMSG_HDRLEN, `type 0x${m.type.toString(16)} is not 0x0800`);
  const h = decodeNfgenmsg(m.payload, at);
  if (h.family !== 0 || h.version !== 0 || h.resId !== 0)
    throw new NetlinkDecodeError("nfgenmsg", at, "expected {AF_UNSPEC, 0, 0}");
  const attrs = decodeAttributes(m.payload.subarray(NFGENMSG_LEN), at + NFGENMSG_LEN);
  const types = attrs.map((a) => a.type).join(",");
  if (types !== "1,2,3,5,4")
    throw new NetlinkDecodeError(
      "cttimeout policy",
      at,
      `attribute order ${types}, expected NAME, L3PROTO, L4PROTO, USE, DATA`,
    );
  const [name, l3, l4, use, data] = attrs as [
    (typeof attrs)[0],
    (typeof attrs)[0],
    (typeof attrs)[0],
    (typeof attrs)[0],
    (typeof attrs)[0],
  ];
  const nul = name.value.indexOf(0);
  if (nul !== name.value.length - 1)
    throw new NetlinkDecodeError("CTA_TIMEOUT_NAME", name.offset, "not a single NUL-terminated string");
  return {
    name: name.value.slice(0, nul),
    l3num: readBe16(l3, "CTA_TIMEOUT_L3PROTO"),
    l4proto: readU8(l4, "CTA_TIMEOUT_L4PROTO"),
    use: readBe32(use, "CTA_TIMEOUT_USE"),
    data: decodeData(data),
  };
}

/** Strictly decodes a DEFAULT_GET answer (type DEFAULT_SET). */
export function decodeDefaultsMessage(m: NetlinkMessage): DefaultsRecord {
  const at = (m.offset ?? 0) + NLMSG_HDRLEN;
  if (m.type !== cttimeoutType(IPCTNL_MSG_TIMEOUT_DEFAULT_SET))
    throw new NetlinkDecodeError(
      "cttimeout defaults",
      at - NLMSG_HDRLEN,
      `type 0x${m.type.toString(16)} is not 0x0803`,
    );
  decodeNfgenmsg(m.payload, at);
  const attrs = decodeAttributes(m.payload.subarray(NFGENMSG_LEN), at + NFGENMSG_LEN);
  const types = attrs.map((a) => a.type).join(",");
  if (types !== "2,3,4")
    throw new NetlinkDecodeError("cttimeout defaults", at, `attribute order ${types}, expected L3PROTO, L4PROTO, DATA`);
  return {
    l3num: readBe16(attrs[0]!, "CTA_TIMEOUT_L3PROTO"),
    l4proto: readU8(attrs[1]!, "CTA_TIMEOUT_L4PROTO"),
    data: decodeData(attrs[2]!),
  };
}

export interface CttimeoutRequest {
  msg: number;
  /** nlmsg_flags as sent (NLM_F_REQUEST is not added). */
  flags: number;
  seq: number;
  family?: number;
  version?: number;
  resId?: number;
  attributes: readonly Uint8Array[];
}

/** A request message, encoded as given (flags verbatim, so malformed ones can be built). */
export function encodeCttimeoutRequest(r: CttimeoutRequest): Uint8Array {
  const nfgen = new Uint8Array(4);
  const view = viewOf(nfgen);
  view.setUint8(0, r.family ?? 0);
  view.setUint8(1, r.version ?? 0);
  view.setUint16(2, r.resId ?? 0, false);
  return encodeMessage({
    type: cttimeoutType(r.msg),
    flags: r.flags,
    seq: r.seq,
    pid: 0,
    payload: concatBytes([nfgen, ...r.attributes]),
  });
}
