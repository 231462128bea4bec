// struct nlattr (include/uapi/linux/netlink.h):
//   struct nlattr { __u16 nla_len; __u16 nla_type; };   then the value,
// padded to NLA_ALIGNTO (4). nla_len counts header plus value, not padding.
// The top bits of nla_type are NLA_F_NESTED and NLA_F_NET_BYTEORDER.
// Integers in nfnetlink attributes are big-endian (network order).

import { concatBytes, fromUtf8, utf8, viewOf } from "./bytes.js";
import { NetlinkDecodeError } from "./errors.js";

export const NLA_ALIGNTO = 4;
export const NLA_HDRLEN = 4;
export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;
const NLA_MAX_LEN = 0xffff;

export function nlaAlign(length: number): number {
  return (length + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1);
}

// ---------------------------------------------------------------- encoding

/** One attribute, padded: header (type may include NLA_F_* flags) plus value. */
export function nlattr(type: number, value: Uint8Array): Uint8Array {
  const out = attributeWithRoom(type, value.length);
  out.set(value, NLA_HDRLEN);
  return out;
}

/**
 * A zeroed, padded attribute with its header written and `size` value bytes
 * to fill at NLA_HDRLEN. The header is written byte by byte (little-endian
 * u16s): a batch of thousands of messages encodes tens of thousands of
 * attributes, and a DataView each was a good part of that.
 */
function attributeWithRoom(type: number, size: number): Uint8Array {
  const length = NLA_HDRLEN + size;
  if (length > NLA_MAX_LEN)
    throw new RangeError(`nlattr type ${type & NLA_TYPE_MASK}: ${length} bytes exceed nla_len's 65535`);
  const out = new Uint8Array(nlaAlign(length));
  out[0] = length & 0xff;
  out[1] = length >>> 8;
  out[2] = type & 0xff;
  out[3] = (type >>> 8) & 0xff;
  return out;
}

/** A nested attribute holding already-encoded children; sets NLA_F_NESTED as libmnl's mnl_attr_nest_start does. */
export function nlattrNested(
  type: number,
  children: readonly Uint8Array[],
  options: { flag?: boolean } = {},
): Uint8Array {
  return nlattr(options.flag === false ? type : type | NLA_F_NESTED, concatBytes(children));
}

export function u8(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff);
}
export function be16(value: number): Uint8Array {
  return Uint8Array.of((value >>> 8) & 0xff, value & 0xff);
}
export function be32(value: number): Uint8Array {
  return Uint8Array.of((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}
/** Signed 32-bit big-endian (chain priorities, verdict codes): two's complement, as be32 writes it. */
export function bes32(value: number): Uint8Array {
  return be32(value | 0);
}
export function be64(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  viewOf(out).setBigUint64(0, BigInt.asUintN(64, value), false);
  return out;
}
export function le16(value: number): Uint8Array {
  const out = new Uint8Array(2);
  viewOf(out).setUint16(0, value & 0xffff, true);
  return out;
}
export function le32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  viewOf(out).setUint32(0, value >>> 0, true);
  return out;
}
export function le64(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  viewOf(out).setBigUint64(0, BigInt.asUintN(64, value), true);
  return out;
}
/** A NUL-terminated string value (NLA_STRING / NLA_NUL_STRING as libmnl's mnl_attr_put_strz). */
export function strz(text: string): Uint8Array {
  const raw = utf8(text);
  const out = new Uint8Array(raw.length + 1);
  out.set(raw);
  return out;
}

export const attrU8 = (type: number, v: number): Uint8Array => nlattr(type, u8(v));
export const attrBe16 = (type: number, v: number): Uint8Array => nlattr(type, be16(v));
export const attrBe32 = (type: number, v: number): Uint8Array => nlattr(type, be32(v));
export const attrBes32 = (type: number, v: number): Uint8Array => nlattr(type, bes32(v));
export const attrBe64 = (type: number, v: bigint): Uint8Array => nlattr(type, be64(v));
export const attrLe16 = (type: number, v: number): Uint8Array => nlattr(type, le16(v));
export const attrLe32 = (type: number, v: number): Uint8Array => nlattr(type, le32(v));
export const attrLe64 = (type: number, v: bigint): Uint8Array => nlattr(type, le64(v));
/** strz(text) as an attribute, written in place. */
export function attrString(type: number, text: string): Uint8Array {
  const raw = utf8(text);
  const out = attributeWithRoom(type, raw.length + 1);
  out.set(raw, NLA_HDRLEN);
  return out;
}
export const attrBinary = (type: number, bytes: Uint8Array): Uint8Array => nlattr(type, bytes);

// ---------------------------------------------------------------- decoding

export interface NetlinkAttribute {
  /** nla_type without the NLA_F_* flag bits. */
  type: number;
  nested: boolean;
  netByteorder: boolean;
  value: Uint8Array;
  /** Offset of the attribute header in the outermost decoded buffer. */
  offset: number;
}

/**
 * Decodes the attribute stream `buf` (a message payload after its fixed
 * header, or a nested attribute's value). `baseOffset` is where `buf` starts
 * in the outermost buffer, so errors point at the right byte. The last
 * attribute's padding may be absent.
 */
export function decodeAttributes(buf: Uint8Array, baseOffset = 0): NetlinkAttribute[] {
  const out: NetlinkAttribute[] = [];
  const view = viewOf(buf);
  let at = 0;
  while (at < buf.length) {
    const where = baseOffset + at;
    const remaining = buf.length - at;
    if (remaining < NLA_HDRLEN) {
      throw new NetlinkDecodeError(
        "nlattr",
        where,
        `${remaining} trailing bytes are too short for a ${NLA_HDRLEN}-byte attribute header`,
      );
    }
    const length = view.getUint16(at, true);
    const rawType = view.getUint16(at + 2, true);
    if (length < NLA_HDRLEN) {
      throw new NetlinkDecodeError("nlattr", where, `nla_len ${length} is less than the ${NLA_HDRLEN}-byte header`);
    }
    if (length > remaining) {
      throw new NetlinkDecodeError(
        "nlattr",
        where,
        `nla_len ${length} overruns its container (${remaining} bytes left, container ends at offset ${baseOffset + buf.length})`,
      );
    }
    out.push({
      type: rawType & NLA_TYPE_MASK,
      nested: (rawType & NLA_F_NESTED) !== 0,
      netByteorder: (rawType & NLA_F_NET_BYTEORDER) !== 0,
      value: buf.subarray(at + NLA_HDRLEN, at + length),
      offset: where,
    });
    at += Math.min(nlaAlign(length), remaining);
  }
  return out;
}

/** Decodes the attributes nested inside `attr` (NLA_F_NESTED is not required: nf_tables dumps omit it). */
export function decodeNested(attr: NetlinkAttribute): NetlinkAttribute[] {
  return decodeAttributes(attr.value, attr.offset + NLA_HDRLEN);
}

function expectLength(attr: NetlinkAttribute, what: string, size: number): DataView {
  if (attr.value.length !== size) {
    throw new NetlinkDecodeError(what, attr.offset, `value is ${attr.value.length} bytes, expected ${size}`);
  }
  return viewOf(attr.value);
}

export const readU8 = (a: NetlinkAttribute, what: string): number => expectLength(a, what, 1).getUint8(0);
export const readBe16 = (a: NetlinkAttribute, what: string): number => expectLength(a, what, 2).getUint16(0, false);
export const readBe32 = (a: NetlinkAttribute, what: string): number => expectLength(a, what, 4).getUint32(0, false);
export const readBes32 = (a: NetlinkAttribute, what: string): number => expectLength(a, what, 4).getInt32(0, false);
export const readBe64 = (a: NetlinkAttribute, what: string): bigint => expectLength(a, what, 8).getBigUint64(0, false);
export const readLe16 = (a: NetlinkAttribute, what: string): number => expectLength(a, what, 2).getUint16(0, true);
export const readLe32 = (a: NetlinkAttribute, what: string): number => expectLength(a, what, 4).getUint32(0, true);
export const readLe64 = (a: NetlinkAttribute, what: string): bigint => expectLength(a, what, 8).getBigUint64(0, true);

/** A NUL-terminated string attribute; the NUL must be the last byte. */
export function readString(attr: NetlinkAttribute, what: string): string {
  const v = attr.value;
  if (v.length === 0 || v[v.length - 1] !== 0) {
    throw new NetlinkDecodeError(what, attr.offset, "string is not NUL-terminated");
  }
  const nul = v.indexOf(0);
  if (nul !== v.length - 1)
    throw new NetlinkDecodeError(what, attr.offset, `string has an embedded NUL at byte ${nul}`);
  return fromUtf8(v.subarray(0, nul));
}

/** Attributes of one level, looked up by type; the last one of a type wins, as nla_parse does. */
export class AttributeTable {
  private readonly byType = new Map<number, NetlinkAttribute>();

  constructor(
    readonly attributes: readonly NetlinkAttribute[],
    /** Names the container in errors, e.g. "NFTA_CHAIN_HOOK". */
    readonly what: string,
    /** Offset of the container, for errors about missing attributes. */
    readonly offset: number,
  ) {
    for (const a of attributes) this.byType.set(a.type, a);
  }

  static decode(buf: Uint8Array, baseOffset: number, what: string): AttributeTable {
    return new AttributeTable(decodeAttributes(buf, baseOffset), what, baseOffset);
  }

  static nested(attr: NetlinkAttribute, what: string): AttributeTable {
    return new AttributeTable(decodeNested(attr), what, attr.offset);
  }

  get(type: number): NetlinkAttribute | undefined {
    return this.byType.get(type);
  }

  has(type: number): boolean {
    return this.byType.has(type);
  }

  require(type: number, name: string): NetlinkAttribute {
    const a = this.byType.get(type);
    if (!a) throw new NetlinkDecodeError(this.what, this.offset, `missing attribute ${name} (type ${type})`);
    return a;
  }
}
