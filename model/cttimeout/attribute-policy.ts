// nfnetlink's attribute parse for cttimeout (net/netfilter/nfnetlink.c
// nfnetlink_rcv_msg -> nla_parse_deprecated with cttimeout_nla_policy) and the
// trackers' nested DATA parse (nfnetlink_cttimeout.c ctnl_timeout_parse_policy
// -> nla_parse_nested_deprecated with the tracker's policy), as lib/nlattr.c
// __nla_validate_parse / validate_nla run them in the "deprecated" mode:
// unknown types and type 0 are skipped, over-long integers only warn, a
// truncated last attribute or trailing bytes only warn; the last attribute of
// a type wins.
import {
  CTA_TIMEOUT_DATA,
  CTA_TIMEOUT_L3PROTO,
  CTA_TIMEOUT_L4PROTO,
  CTA_TIMEOUT_MAX,
  CTA_TIMEOUT_NAME,
} from "../../wire/netlink/cttimeout.js";
import { EINVAL, ERANGE } from "../../sys/errno.js";
import { NLA_HDRLEN, NLA_TYPE_MASK } from "../../wire/netlink/attributes.js";

export interface RawAttribute {
  type: number;
  value: Uint8Array;
}

/** nla_for_each_attr: stops at the first attribute nla_ok() refuses. */
export function attributesOf(buf: Uint8Array): RawAttribute[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: RawAttribute[] = [];
  let at = 0;
  while (buf.length - at >= NLA_HDRLEN) {
    const len = view.getUint16(at, true);
    if (len < NLA_HDRLEN || len > buf.length - at) break;
    out.push({ type: view.getUint16(at + 2, true) & NLA_TYPE_MASK, value: buf.subarray(at + NLA_HDRLEN, at + len) });
    at += (len + 3) & ~3;
  }
  return out;
}

export type Table = Partial<Record<number, Uint8Array>>;

/** validate_nla for one cttimeout_nla_policy entry: 0, EINVAL or ERANGE. */
function validateTop(type: number, v: Uint8Array, nameMax: number): number {
  switch (type) {
    case CTA_TIMEOUT_NAME: {
      // NLA_NUL_STRING, .len = nameMax: the NUL is looked for in the first len + 1 bytes only.
      const minlen = Math.min(v.length, nameMax + 1);
      if (minlen === 0 || v.subarray(0, minlen).indexOf(0) < 0) return EINVAL;
      const length = v[v.length - 1] === 0 ? v.length - 1 : v.length;
      return length > nameMax ? ERANGE : 0;
    }
    case CTA_TIMEOUT_L3PROTO: // NLA_U16: at least 2 bytes
      return v.length < 2 ? ERANGE : 0;
    case CTA_TIMEOUT_L4PROTO: // NLA_U8
      return v.length < 1 ? ERANGE : 0;
    case CTA_TIMEOUT_DATA: // NLA_NESTED: empty, or at least a header
      return v.length > 0 && v.length < NLA_HDRLEN ? ERANGE : 0;
    default: // CTA_TIMEOUT_USE has no policy entry: NLA_UNSPEC, any length
      return 0;
  }
}

export function parseTop(buf: Uint8Array, nameMax: number): { errno: number } | { tb: Table } {
  const tb: Table = {};
  for (const a of attributesOf(buf)) {
    if (a.type === 0 || a.type > CTA_TIMEOUT_MAX) continue;
    const errno = validateTop(a.type, a.value, nameMax);
    if (errno) return { errno };
    tb[a.type] = a.value;
  }
  return { tb };
}

/** A tracker's DATA: types 1..count are NLA_U32 (at least 4 bytes); others are skipped. */
export function parseData(data: Uint8Array, count: number): { errno: number } | { tb: Table } {
  const tb: Table = {};
  for (const a of attributesOf(data)) {
    if (a.type === 0 || a.type > count) continue;
    if (a.value.length < 4) return { errno: ERANGE };
    tb[a.type] = a.value;
  }
  return { tb };
}

export const be16At = (v: Uint8Array): number => (v[0]! << 8) | v[1]!;
export const be32At = (v: Uint8Array): number => ((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0;
