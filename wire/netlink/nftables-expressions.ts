// nf_tables rule expressions: each is NFTA_LIST_ELEM { NFTA_EXPR_NAME "name",
// NFTA_EXPR_DATA { expression attributes } } (include/uapi/linux/netfilter/nf_tables.h).
// Attribute order follows libnftnl's src/expr/*.c build functions, which is
// what nft and iptables-nft send; the kernel does not care about order.
// Registers, keys, lengths and verdict codes are be32 (NLA_U32 in network order).

import {
  AttributeTable,
  attrBe16,
  attrBe32,
  attrBe64,
  attrBes32,
  attrBinary,
  attrString,
  decodeNested,
  NLA_F_NESTED,
  NLA_F_NET_BYTEORDER,
  nlattr,
  nlattrNested,
  readBe16,
  readBe32,
  readBe64,
  readBes32,
  readString,
  type NetlinkAttribute,
} from "./attributes.js";
import { NetlinkDecodeError } from "./errors.js";
import * as C from "./nftables-constants.js";

export interface Verdict {
  /** NF_ACCEPT, NF_DROP, NFT_CONTINUE, NFT_JUMP, ... */
  code: number;
  /** Target chain of NFT_JUMP / NFT_GOTO. */
  chain?: string;
}

/** struct nft_data as carried in NFTA_*_DATA: a value or a verdict. */
export type NftData = { value: Uint8Array } | { verdict: Verdict };

export type Expression =
  | { kind: "counter"; packets?: bigint; bytes?: bigint }
  | { kind: "meta"; key: number; dreg: number }
  | { kind: "meta-set"; key: number; sreg: number }
  /** Loads a conntrack key (NFT_CT_STATE, ...) into dreg; nft_ct_get_init() turns conntrack on in the namespace. */
  | { kind: "ct"; key: number; dreg: number }
  | { kind: "payload"; base: number; offset: number; len: number; dreg: number }
  | { kind: "cmp"; sreg: number; op: number; data: Uint8Array }
  | { kind: "immediate"; dreg: number; data: NftData }
  | { kind: "bitwise"; sreg: number; dreg: number; len: number; mask: Uint8Array; xor: Uint8Array }
  | {
      kind: "log";
      group?: number;
      prefix?: string;
      snaplen?: number;
      qthreshold?: number;
      level?: number;
      flags?: number;
    }
  | { kind: "match"; name: string; rev: number; info: Uint8Array }
  | { kind: "target"; name: string; rev: number; info: Uint8Array }
  /** Any other expression, kept as its undecoded NFTA_EXPR_DATA attributes. */
  | { kind: "other"; name: string; attributes: NetlinkAttribute[] };

// ---------------------------------------------------------------- nft_data

export function encodeVerdict(v: Verdict): Uint8Array {
  const parts = [attrBes32(C.NFTA_VERDICT_CODE, v.code)];
  if (v.chain !== undefined) parts.push(attrString(C.NFTA_VERDICT_CHAIN, v.chain));
  return nlattrNested(C.NFTA_DATA_VERDICT, parts);
}

/** NFTA_DATA_VALUE or NFTA_DATA_VERDICT, to be nested in an expression's data attribute. */
export function encodeData(type: number, data: NftData): Uint8Array {
  const inner = "value" in data ? attrBinary(C.NFTA_DATA_VALUE, data.value) : encodeVerdict(data.verdict);
  return nlattrNested(type, [inner]);
}

export function decodeVerdict(attr: NetlinkAttribute): Verdict {
  const t = AttributeTable.nested(attr, "NFTA_DATA_VERDICT");
  const v: Verdict = { code: readBes32(t.require(C.NFTA_VERDICT_CODE, "NFTA_VERDICT_CODE"), "NFTA_VERDICT_CODE") };
  const chain = t.get(C.NFTA_VERDICT_CHAIN);
  if (chain) v.chain = readString(chain, "NFTA_VERDICT_CHAIN");
  return v;
}

export function decodeData(attr: NetlinkAttribute, what: string): NftData {
  const t = AttributeTable.nested(attr, what);
  const value = t.get(C.NFTA_DATA_VALUE);
  if (value) return { value: value.value.slice() };
  const verdict = t.get(C.NFTA_DATA_VERDICT);
  if (verdict) return { verdict: decodeVerdict(verdict) };
  throw new NetlinkDecodeError(what, attr.offset, "holds neither NFTA_DATA_VALUE nor NFTA_DATA_VERDICT");
}

// ---------------------------------------------------------------- encoding

function expressionBody(e: Expression): { name: string; attributes: Uint8Array[] } {
  switch (e.kind) {
    case "counter": // libnftnl src/expr/counter.c: BYTES, PACKETS
      return {
        name: "counter",
        attributes: [
          ...(e.bytes === undefined ? [] : [attrBe64(C.NFTA_COUNTER_BYTES, e.bytes)]),
          ...(e.packets === undefined ? [] : [attrBe64(C.NFTA_COUNTER_PACKETS, e.packets)]),
        ],
      };
    case "meta": // src/expr/meta.c: KEY, DREG
      return { name: "meta", attributes: [attrBe32(C.NFTA_META_KEY, e.key), attrBe32(C.NFTA_META_DREG, e.dreg)] };
    case "meta-set": // KEY, SREG
      return { name: "meta", attributes: [attrBe32(C.NFTA_META_KEY, e.key), attrBe32(C.NFTA_META_SREG, e.sreg)] };
    case "ct": // src/expr/ct.c: KEY, DREG
      return { name: "ct", attributes: [attrBe32(C.NFTA_CT_KEY, e.key), attrBe32(C.NFTA_CT_DREG, e.dreg)] };
    case "payload": // src/expr/payload.c: DREG, BASE, OFFSET, LEN
      return {
        name: "payload",
        attributes: [
          attrBe32(C.NFTA_PAYLOAD_DREG, e.dreg),
          attrBe32(C.NFTA_PAYLOAD_BASE, e.base),
          attrBe32(C.NFTA_PAYLOAD_OFFSET, e.offset),
          attrBe32(C.NFTA_PAYLOAD_LEN, e.len),
        ],
      };
    case "cmp": // src/expr/cmp.c: SREG, OP, DATA { VALUE }
      return {
        name: "cmp",
        attributes: [
          attrBe32(C.NFTA_CMP_SREG, e.sreg),
          attrBe32(C.NFTA_CMP_OP, e.op),
          encodeData(C.NFTA_CMP_DATA, { value: e.data }),
        ],
      };
    case "immediate": // src/expr/immediate.c: DREG, DATA
      return {
        name: "immediate",
        attributes: [attrBe32(C.NFTA_IMMEDIATE_DREG, e.dreg), encodeData(C.NFTA_IMMEDIATE_DATA, e.data)],
      };
    case "bitwise": // src/expr/bitwise.c: SREG, DREG, LEN, MASK, XOR
      return {
        name: "bitwise",
        attributes: [
          attrBe32(C.NFTA_BITWISE_SREG, e.sreg),
          attrBe32(C.NFTA_BITWISE_DREG, e.dreg),
          attrBe32(C.NFTA_BITWISE_LEN, e.len),
          encodeData(C.NFTA_BITWISE_MASK, { value: e.mask }),
          encodeData(C.NFTA_BITWISE_XOR, { value: e.xor }),
        ],
      };
    case "log": // src/expr/log.c: PREFIX, GROUP (be16), SNAPLEN, QTHRESHOLD (be16), LEVEL, FLAGS
      return {
        name: "log",
        attributes: [
          ...(e.prefix === undefined ? [] : [attrString(C.NFTA_LOG_PREFIX, e.prefix)]),
          ...(e.group === undefined ? [] : [attrBe16(C.NFTA_LOG_GROUP, e.group)]),
          ...(e.snaplen === undefined ? [] : [attrBe32(C.NFTA_LOG_SNAPLEN, e.snaplen)]),
          ...(e.qthreshold === undefined ? [] : [attrBe16(C.NFTA_LOG_QTHRESHOLD, e.qthreshold)]),
          ...(e.level === undefined ? [] : [attrBe32(C.NFTA_LOG_LEVEL, e.level)]),
          ...(e.flags === undefined ? [] : [attrBe32(C.NFTA_LOG_FLAGS, e.flags)]),
        ],
      };
    case "match": // nf_tables_compat.h; libnftnl src/expr/match.c: NAME, REV, INFO
      return {
        name: "match",
        attributes: [
          attrString(C.NFTA_MATCH_NAME, e.name),
          attrBe32(C.NFTA_MATCH_REV, e.rev),
          attrBinary(C.NFTA_MATCH_INFO, e.info),
        ],
      };
    case "target": // src/expr/target.c: NAME, REV, INFO
      return {
        name: "target",
        attributes: [
          attrString(C.NFTA_TARGET_NAME, e.name),
          attrBe32(C.NFTA_TARGET_REV, e.rev),
          attrBinary(C.NFTA_TARGET_INFO, e.info),
        ],
      };
    case "other":
      return {
        name: e.name,
        attributes: e.attributes.map((a) =>
          nlattr(a.type | (a.nested ? NLA_F_NESTED : 0) | (a.netByteorder ? NLA_F_NET_BYTEORDER : 0), a.value),
        ),
      };
  }
}

/** One NFTA_LIST_ELEM holding the expression. */
export function encodeExpression(e: Expression): Uint8Array {
  const { name, attributes } = expressionBody(e);
  const parts = [attrString(C.NFTA_EXPR_NAME, name)];
  if (attributes.length > 0) parts.push(nlattrNested(C.NFTA_EXPR_DATA, attributes));
  return nlattrNested(C.NFTA_LIST_ELEM, parts);
}

/** NFTA_RULE_EXPRESSIONS holding the expressions in order. */
export function encodeExpressions(exprs: readonly Expression[]): Uint8Array {
  return nlattrNested(C.NFTA_RULE_EXPRESSIONS, exprs.map(encodeExpression));
}

// ---------------------------------------------------------------- decoding

function u32(t: AttributeTable, type: number, name: string): number {
  return readBe32(t.require(type, name), name);
}

function optional<T>(t: AttributeTable, type: number, read: (a: NetlinkAttribute) => T): T | undefined {
  const a = t.get(type);
  return a ? read(a) : undefined;
}

function attributeValue(t: AttributeTable, type: number, name: string): Uint8Array {
  const d = decodeData(t.require(type, name), name);
  if (!("value" in d))
    throw new NetlinkDecodeError(name, t.require(type, name).offset, "holds a verdict where a value was expected");
  return d.value;
}

function decodeBody(name: string, data: NetlinkAttribute | undefined, elemOffset: number): Expression {
  const t = data
    ? AttributeTable.nested(data, `${name} expression data`)
    : new AttributeTable([], `${name} expression data`, elemOffset);
  switch (name) {
    case "counter": {
      const e: Expression = { kind: "counter" };
      const bytes = optional(t, C.NFTA_COUNTER_BYTES, (a) => readBe64(a, "NFTA_COUNTER_BYTES"));
      const packets = optional(t, C.NFTA_COUNTER_PACKETS, (a) => readBe64(a, "NFTA_COUNTER_PACKETS"));
      if (bytes !== undefined) e.bytes = bytes;
      if (packets !== undefined) e.packets = packets;
      return e;
    }
    case "meta": {
      const key = u32(t, C.NFTA_META_KEY, "NFTA_META_KEY");
      if (t.has(C.NFTA_META_DREG)) return { kind: "meta", key, dreg: u32(t, C.NFTA_META_DREG, "NFTA_META_DREG") };
      if (t.has(C.NFTA_META_SREG)) return { kind: "meta-set", key, sreg: u32(t, C.NFTA_META_SREG, "NFTA_META_SREG") };
      throw new NetlinkDecodeError("meta expression", elemOffset, "has neither NFTA_META_DREG nor NFTA_META_SREG");
    }
    case "ct":
      // A ct with NFTA_CT_SREG sets a key: left as "other".
      if (!t.has(C.NFTA_CT_DREG)) return { kind: "other", name, attributes: data ? decodeNested(data) : [] };
      return { kind: "ct", key: u32(t, C.NFTA_CT_KEY, "NFTA_CT_KEY"), dreg: u32(t, C.NFTA_CT_DREG, "NFTA_CT_DREG") };
    case "payload":
      return {
        kind: "payload",
        dreg: u32(t, C.NFTA_PAYLOAD_DREG, "NFTA_PAYLOAD_DREG"),
        base: u32(t, C.NFTA_PAYLOAD_BASE, "NFTA_PAYLOAD_BASE"),
        offset: u32(t, C.NFTA_PAYLOAD_OFFSET, "NFTA_PAYLOAD_OFFSET"),
        len: u32(t, C.NFTA_PAYLOAD_LEN, "NFTA_PAYLOAD_LEN"),
      };
    case "cmp":
      return {
        kind: "cmp",
        sreg: u32(t, C.NFTA_CMP_SREG, "NFTA_CMP_SREG"),
        op: u32(t, C.NFTA_CMP_OP, "NFTA_CMP_OP"),
        data: attributeValue(t, C.NFTA_CMP_DATA, "NFTA_CMP_DATA"),
      };
    case "immediate":
      return {
        kind: "immediate",
        dreg: u32(t, C.NFTA_IMMEDIATE_DREG, "NFTA_IMMEDIATE_DREG"),
        data: decodeData(t.require(C.NFTA_IMMEDIATE_DATA, "NFTA_IMMEDIATE_DATA"), "NFTA_IMMEDIATE_DATA"),
      };
    case "bitwise":
      return {
        kind: "bitwise",
        sreg: u32(t, C.NFTA_BITWISE_SREG, "NFTA_BITWISE_SREG"),
        dreg: u32(t, C.NFTA_BITWISE_DREG, "NFTA_BITWISE_DREG"),
        len: u32(t, C.NFTA_BITWISE_LEN, "NFTA_BITWISE_LEN"),
        mask: attributeValue(t, C.NFTA_BITWISE_MASK, "NFTA_BITWISE_MASK"),
        xor: attributeValue(t, C.NFTA_BITWISE_XOR, "NFTA_BITWISE_XOR"),
      };
    case "log": {
      const e: Extract<Expression, { kind: "log" }> = { kind: "log" };
      const prefix = optional(t, C.NFTA_LOG_PREFIX, (a) => readString(a, "NFTA_LOG_PREFIX"));
      const group = optional(t, C.NFTA_LOG_GROUP, (a) => readBe16(a, "NFTA_LOG_GROUP"));
      const snaplen = optional(t, C.NFTA_LOG_SNAPLEN, (a) => readBe32(a, "NFTA_LOG_SNAPLEN"));
      const qthreshold = optional(t, C.NFTA_LOG_QTHRESHOLD, (a) => readBe16(a, "NFTA_LOG_QTHRESHOLD"));
      const level = optional(t, C.NFTA_LOG_LEVEL, (a) => readBe32(a, "NFTA_LOG_LEVEL"));
      const flags = optional(t, C.NFTA_LOG_FLAGS, (a) => readBe32(a, "NFTA_LOG_FLAGS"));
      if (prefix !== undefined) e.prefix = prefix;
      if (group !== undefined) e.group = group;
      if (snaplen !== undefined) e.snaplen = snaplen;
      if (qthreshold !== undefined) e.qthreshold = qthreshold;
      if (level !== undefined) e.level = level;
      if (flags !== undefined) e.flags = flags;
      return e;
    }
    case "match":
    case "target": {
      const up = name.toUpperCase();
      return {
        kind: name,
        name: readString(t.require(C.NFTA_MATCH_NAME, `NFTA_${up}_NAME`), `NFTA_${up}_NAME`),
        rev: u32(t, C.NFTA_MATCH_REV, `NFTA_${up}_REV`),
        info: t.require(C.NFTA_MATCH_INFO, `NFTA_${up}_INFO`).value.slice(),
      };
    }
    default:
      return { kind: "other", name, attributes: data ? decodeNested(data) : [] };
  }
}

/** Decodes one NFTA_LIST_ELEM. */
export function decodeExpression(elem: NetlinkAttribute): Expression {
  const t = AttributeTable.nested(elem, "expression");
  const name = readString(t.require(C.NFTA_EXPR_NAME, "NFTA_EXPR_NAME"), "NFTA_EXPR_NAME");
  return decodeBody(name, t.get(C.NFTA_EXPR_DATA), elem.offset);
}

/** Decodes NFTA_RULE_EXPRESSIONS. */
export function decodeExpressions(list: NetlinkAttribute): Expression[] {
  return decodeNested(list).map((elem) => {
    if (elem.type !== C.NFTA_LIST_ELEM) {
      throw new NetlinkDecodeError(
        "NFTA_RULE_EXPRESSIONS",
        elem.offset,
        `element type ${elem.type} is not NFTA_LIST_ELEM (${C.NFTA_LIST_ELEM})`,
      );
    }
    return decodeExpression(elem);
  });
}
