// fast-check generators for the cttimeout area: netlink messages of every
// type, well-formed and malformed (names of 0/1/31/32/33 characters with and
// without NUL, duplicated, unknown and oversized attributes, wrong integer
// sizes, nested DATA valid/partial/garbage, boundary protocols, wrong
// nfgenmsg family and version, truncated and misaligned lengths), and command
// sequences interleaving them with attach and detach. Messages are built as
// structures and encoded last, so they shrink structurally.
import fc from "fast-check";
import { TRACKERS } from "../../model/cttimeout/protocols.js";
import { PROFILE_HZ } from "../../model/cttimeout/rules.js";
import { toHex } from "../../wire/hex.js";
import { NLA_F_NESTED, NLA_F_NET_BYTEORDER, be16, be32, nlattr } from "../../wire/netlink/attributes.js";
import { concatBytes, utf8 } from "../../wire/netlink/bytes.js";
import {
  CTA_TIMEOUT_DATA,
  CTA_TIMEOUT_L3PROTO,
  CTA_TIMEOUT_L4PROTO,
  CTA_TIMEOUT_NAME,
  CTA_TIMEOUT_USE,
  encodeCttimeoutRequest,
} from "../../wire/netlink/cttimeout.js";
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST } from "../../wire/netlink/message.js";
import type { AttachCommand, CttimeoutCommand, DetachCommand, NetlinkCommand, SequenceInput } from "./commands.js";

/** A few names so that sequences collide, and the boundary lengths. */
export const NAME_POOL = ["a", "b", "c"] as const;
const boundaryName = () => fc.constantFrom(0, 1, 31, 32, 33).map((n) => "n".repeat(n));
export const policyName = () =>
  fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...NAME_POOL) }, { weight: 2, arbitrary: boundaryName() });

const L4_SUPPORTED = TRACKERS.map((t) => t.l4proto);
/** Supported trackers, and neighbours and ends that are not (DCCP 33 was removed; 0, 254). */
export const l4proto = () =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(6, 17, 255) },
    { weight: 3, arbitrary: fc.constantFrom(...L4_SUPPORTED) },
    { weight: 2, arbitrary: fc.constantFrom(0, 2, 33, 50, 254) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
  );
const l3proto = () =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(2, 10) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
  );

/**
 * For each profile's HZ, the largest timeout whose jiffies (seconds * HZ)
 * fit 32 bits and the first that wraps: generators do not know the profile
 * they are judged in, so every profile's pair is drawn.
 */
export const WRAP_SECONDS: readonly number[] = [...new Set(Object.values(PROFILE_HZ))].flatMap((hz) => {
  const last = Math.floor(0xffffffff / hz);
  return [last, last + 1];
});

/** Timeout values: small, 0, the ends, around the HZ wrap points (2^32 / HZ). */
const seconds = () =>
  fc.oneof(
    { weight: 5, arbitrary: fc.integer({ min: 0, max: 1000 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 1, 0xffffffff, 0x80000000) },
    { weight: 2, arbitrary: fc.constantFrom(...WRAP_SECONDS) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
  );

/** One per-protocol timeout inside DATA: attribute type, seconds, and the size it is sent with. */
type DataEntrySpec = { type: number; value: number; size: number };

type AttrSpec =
  | { kind: "name"; name: string; form: "strz" | "no-nul" | "early-nul" | "extra-nuls" | "empty" }
  | { kind: "u16"; type: number; value: number; size: number }
  | { kind: "u8"; type: number; value: number; size: number }
  | { kind: "data"; entries: DataEntrySpec[]; nested: boolean; garbage: number[] | null; short: number | null }
  | { kind: "raw"; type: number; bytes: number[] };

function encodeAttr(a: AttrSpec): Uint8Array {
  switch (a.kind) {
    case "name": {
      const raw = utf8(a.name);
      switch (a.form) {
        case "strz":
          return nlattr(CTA_TIMEOUT_NAME, concatBytes([raw, Uint8Array.of(0)]));
        case "no-nul":
          return nlattr(CTA_TIMEOUT_NAME, raw);
        case "early-nul":
          return nlattr(CTA_TIMEOUT_NAME, concatBytes([raw, Uint8Array.of(0), utf8("x".repeat(30))]));
        case "extra-nuls":
          return nlattr(CTA_TIMEOUT_NAME, concatBytes([raw, new Uint8Array(3)]));
        case "empty":
          return nlattr(CTA_TIMEOUT_NAME, new Uint8Array(0));
      }
      break;
    }
    case "u16":
    case "u8": {
      const full = a.kind === "u16" ? be16(a.value) : Uint8Array.of(a.value & 0xff);
      const sized = new Uint8Array(a.size);
      sized.set(full.subarray(0, Math.min(a.size, full.length)));
      return nlattr(a.type, sized);
    }
    case "data": {
      if (a.short !== null) return nlattr(CTA_TIMEOUT_DATA, new Uint8Array(a.short));
      const entry = (e: { type: number; value: number; size: number }) =>
        nlattr(
          e.type,
          e.size <= 4 ? be32(e.value).subarray(0, e.size) : concatBytes([be32(e.value), new Uint8Array(e.size - 4)]),
        );
      const inner = a.garbage ? Uint8Array.from(a.garbage) : concatBytes(a.entries.map(entry));
      return nlattr(CTA_TIMEOUT_DATA | (a.nested ? NLA_F_NESTED : 0), inner);
    }
    case "raw":
      return nlattr(a.type, Uint8Array.from(a.bytes));
  }
}

const dataEntry = (maxType: number) =>
  fc.record({
    type: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 1, max: maxType }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 20 }) },
    ),
    value: seconds(),
    size: fc.oneof({ weight: 10, arbitrary: fc.constant(4) }, { weight: 1, arbitrary: fc.constantFrom(0, 2, 3, 8) }),
  });

/** DATA: valid, partial (short entries), garbage, empty, without NLA_F_NESTED, 1..3 bytes. */
const dataAttr = (): fc.Arbitrary<AttrSpec> =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .record({ entries: fc.array(dataEntry(11), { maxLength: 4 }), nested: fc.boolean() })
        .map((d) => ({ kind: "data" as const, ...d, garbage: null, short: null })),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.integer({ min: 0, max: 255 }), { maxLength: 12 })
        .map((g) => ({ kind: "data" as const, entries: [], nested: true, garbage: g, short: null })),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 1, max: 3 })
        .map((n) => ({ kind: "data" as const, entries: [], nested: true, garbage: null, short: n })),
    },
  );

const nameAttr = (): fc.Arbitrary<AttrSpec> =>
  fc
    .record({
      name: policyName(),
      form: fc.oneof(
        { weight: 12, arbitrary: fc.constant("strz" as const) },
        {
          weight: 1,
          arbitrary: fc.constantFrom("no-nul" as const, "early-nul" as const, "extra-nuls" as const, "empty" as const),
        },
      ),
    })
    .map((n) => ({ kind: "name" as const, ...n }));

const intSize = (normal: number) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant(normal) },
    { weight: 1, arbitrary: fc.constantFrom(0, 1, 3, 4).filter((s) => s !== normal) },
  );
const l3Attr = (): fc.Arbitrary<AttrSpec> =>
  fc
    .record({ value: l3proto(), size: intSize(2) })
    .map((a) => ({ kind: "u16" as const, type: CTA_TIMEOUT_L3PROTO, ...a }));
const l4Attr = (): fc.Arbitrary<AttrSpec> =>
  fc
    .record({ value: l4proto(), size: intSize(1) })
    .map((a) => ({ kind: "u8" as const, type: CTA_TIMEOUT_L4PROTO, ...a }));
/** Unknown (0, 6+, flag bits) and USE (ignored in requests) attributes. */
const strayAttr = (): fc.Arbitrary<AttrSpec> =>
  fc
    .record({
      type: fc.constantFrom(0, CTA_TIMEOUT_USE, 6, 100, CTA_TIMEOUT_NAME | NLA_F_NET_BYTEORDER, 0x3fff),
      bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }),
    })
    .map((a) => ({ kind: "raw" as const, ...a }));

export interface MessageSpec {
  msg: number;
  flags: number;
  family: number;
  version: number;
  attributes: AttrSpec[];
  /**
   * How the frame is broken: nlmsg_len short of the bytes, beyond them, cut
   * mid-attribute, below the header, or a whole header with less than a
   * struct nfgenmsg after it.
   */
  frame: "ok" | "cut" | "len-below-header" | "len-beyond" | "trailing" | "short-nfgenmsg";
  cut: number;
}

const ATTRS_FOR: Record<number, (() => fc.Arbitrary<AttrSpec>)[]> = {
  0: [nameAttr, l3Attr, l4Attr, dataAttr],
  1: [nameAttr],
  2: [nameAttr],
  3: [l3Attr, l4Attr, dataAttr],
  4: [l3Attr, l4Attr],
};

/** The attributes a message of this type needs, each kept with high probability, plus strays and duplicates. */
function attributesFor(msg: number, wellFormed: boolean): fc.Arbitrary<AttrSpec[]> {
  const needed = ATTRS_FOR[msg] ?? [nameAttr, l3Attr];
  // A DELETE without a name is well-formed too: it deletes every unused policy; a GET
  // without one dumps under NLM_F_DUMP and is refused (EINVAL) without it.
  if (wellFormed && (msg === 1 || msg === 2)) return fc.option(nameAttr(), { freq: 3 }).map((n) => (n ? [n] : []));
  // Current kernels take DEFAULT_SET without L3PROTO (the 5.x seed did not).
  if (wellFormed && msg === 3)
    return fc
      .tuple(fc.option(l3Attr(), { freq: 2 }), l4Attr(), dataAttr())
      .map((a) => a.filter((x): x is AttrSpec => x !== null));
  if (wellFormed) return fc.tuple(...needed.map((a) => a()));
  return fc
    .tuple(
      fc.tuple(...needed.map((a) => fc.option(a(), { freq: 6 }))),
      fc.array(fc.oneof(strayAttr(), nameAttr(), l4Attr(), dataAttr()), { maxLength: 2 }),
    )
    .map(([kept, extra]) => [...kept.filter((a): a is AttrSpec => a !== null), ...extra]);
}

const flagsFor = (msg: number) =>
  fc
    .record({
      request: fc.oneof({ weight: 20, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      ack: fc.boolean(),
      modifier: fc.oneof(
        { weight: 4, arbitrary: fc.constant(0) },
        {
          weight: 3,
          arbitrary: fc.constantFrom(...(msg === 1 ? [0x300, 0x100, 0x200] : [0x200, 0x100, 0x400, 0x300])),
        },
      ),
    })
    .map((f) => (f.request ? NLM_F_REQUEST : 0) | (f.ack ? NLM_F_ACK : 0) | f.modifier);

const messageType = () =>
  fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: 0, max: 4 }) },
    { weight: 1, arbitrary: fc.constantFrom(5, 6, 255) },
  );

export function messageSpec(options: { wellFormed?: boolean; types?: number[] } = {}): fc.Arbitrary<MessageSpec> {
  const type = options.types ? fc.constantFrom(...options.types) : messageType();
  return type.chain((msg) =>
    fc.record({
      msg: fc.constant(msg),
      flags: options.wellFormed ? flagsFor(msg).map((f) => f | NLM_F_REQUEST) : flagsFor(msg),
      family: options.wellFormed
        ? fc.constant(0)
        : fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(2, 10, 255) }),
      version: options.wellFormed
        ? fc.constant(0)
        : fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(1, 255) }),
      attributes: attributesFor(msg, options.wellFormed ?? false),
      frame: options.wellFormed
        ? fc.constant("ok" as const)
        : fc.oneof(
            { weight: 16, arbitrary: fc.constant("ok" as const) },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                "cut" as const,
                "len-below-header" as const,
                "len-beyond" as const,
                "trailing" as const,
              ),
            },
            { weight: 1, arbitrary: fc.constant("short-nfgenmsg" as const) },
          ),
      cut: fc.nat(64),
    }),
  );
}

/** The datagram for a spec; `seq` makes each request's replies tell apart. */
export function encodeSpec(spec: MessageSpec, seq: number): Uint8Array {
  const bytes = encodeCttimeoutRequest({
    msg: spec.msg,
    flags: spec.flags,
    seq,
    family: spec.family,
    version: spec.version,
    attributes: spec.attributes.map(encodeAttr),
  });
  const view = new DataView(bytes.buffer);
  switch (spec.frame) {
    case "ok":
      return bytes;
    case "cut": {
      // Drop bytes off the end and say so in nlmsg_len: a misaligned, truncated last attribute.
      const length = Math.max(16, bytes.length - 1 - (spec.cut % Math.max(1, bytes.length - 16)));
      const cut = bytes.slice(0, length);
      new DataView(cut.buffer).setUint32(0, length, true);
      return cut;
    }
    case "len-below-header":
      view.setUint32(0, spec.cut % 16, true);
      return bytes;
    case "len-beyond":
      view.setUint32(0, bytes.length + 1 + (spec.cut % 8), true);
      return bytes;
    case "short-nfgenmsg": {
      // 16 to 19 bytes, nlmsg_len saying so: a header and part of a struct nfgenmsg.
      const cut = bytes.slice(0, 16 + (spec.cut % 4));
      new DataView(cut.buffer).setUint32(0, cut.length, true);
      return cut;
    }
    case "trailing": {
      // Up to 15 bytes after the message: too short for another header, ignored.
      return concatBytes([bytes, new Uint8Array(1 + (spec.cut % 15)).fill(0xee)]);
    }
  }
}

export const messageHex = (spec: MessageSpec, seq: number): string => toHex(encodeSpec(spec, seq));

/** A NEW that succeeds in a fresh namespace, to give sequences policies to work on. */
export const creation = (): fc.Arbitrary<MessageSpec> =>
  fc
    .record({
      name: fc.constantFrom(...NAME_POOL),
      l3: commonL3(),
      l4: commonL4(),
      entries: fc.array(
        dataEntry(3).map((e) => ({ ...e, size: 4 })),
        { maxLength: 2 },
      ),
      ack: fc.boolean(),
      // A name of the small pool often exists already: no flag (EBUSY), EXCL (EEXIST), REPLACE
      // (updated, or EINVAL for another kind), both, CREATE.
      modifier: fc.oneof(
        { weight: 3, arbitrary: fc.constant(0) },
        { weight: 2, arbitrary: fc.constant(NLM_F_EXCL) },
        { weight: 2, arbitrary: fc.constant(NLM_F_REPLACE) },
        { weight: 1, arbitrary: fc.constantFrom(NLM_F_EXCL | NLM_F_REPLACE, NLM_F_CREATE) },
      ),
    })
    .map((c) => wellFormedNew(c.name, c.l3, c.l4, c.entries, c.ack, c.modifier));

/** A NEW with NAME, L3PROTO, L4PROTO and nested DATA, each of the right size (also the bench's and fixtures' policy). */
export function wellFormedNew(
  name: string,
  l3: number,
  l4: number,
  entries: DataEntrySpec[],
  ack: boolean,
  modifier = 0,
): MessageSpec {
  return {
    msg: 0,
    flags: NLM_F_REQUEST | (ack ? NLM_F_ACK : 0) | modifier,
    family: 0,
    version: 0,
    attributes: [
      { kind: "name", name, form: "strz" },
      { kind: "u16", type: CTA_TIMEOUT_L3PROTO, value: l3, size: 2 },
      { kind: "u8", type: CTA_TIMEOUT_L4PROTO, value: l4, size: 1 },
      { kind: "data", entries, nested: true, garbage: null, short: null },
    ],
    frame: "ok",
    cut: 0,
  };
}

/** Families and protocols biased to a few, so that attaches find the policies created. */
const commonL3 = () => fc.oneof({ weight: 4, arbitrary: fc.constant(2) }, { weight: 1, arbitrary: fc.constant(10) });
const commonL4 = () =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(6, 17) },
    { weight: 1, arbitrary: fc.constantFrom(255, 1, 132, 136) },
  );

/** A NEW whose DATA has an entry too short for NLA_U32: refused with ERANGE. */
export const partialDataNew = (): fc.Arbitrary<MessageSpec> =>
  fc
    .record({
      name: fc.constantFrom("a", "z"),
      l4: fc.constantFrom(6, 17, 255),
      size: fc.constantFrom(0, 2, 3),
      ack: fc.boolean(),
    })
    .map((c) => wellFormedNew(c.name, 2, c.l4, [{ type: 1, value: 5, size: c.size }], c.ack));

export const attachCommand = (): fc.Arbitrary<AttachCommand> =>
  fc.record({
    op: fc.constant("attach" as const),
    name: fc.oneof(
      { weight: 10, arbitrary: fc.constantFrom(...NAME_POOL) },
      { weight: 1, arbitrary: fc.constantFrom("", "n".repeat(31), "n".repeat(32)) },
    ),
    l3proto: commonL3(),
    l4proto: fc.oneof({ weight: 6, arbitrary: commonL4() }, { weight: 1, arbitrary: fc.constantFrom(0, 50, 58, 47) }),
  });

export const detachCommand = (): fc.Arbitrary<DetachCommand> =>
  fc.record({ op: fc.constant("detach" as const), attach: fc.nat(7) });

type Step = { kind: "msg"; spec: MessageSpec } | AttachCommand | DetachCommand;

/** Encodes the steps; each message's seq is its position (1-based). */
export function toCommands(steps: readonly Step[]): CttimeoutCommand[] {
  return steps.map(
    (s, i): CttimeoutCommand =>
      "kind" in s ? ({ op: "netlink", messages: [messageHex(s.spec, i + 1)] } satisfies NetlinkCommand) : s,
  );
}

export interface SequenceOptions {
  /** Weight of malformed messages among the netlink steps (0: only well-formed). */
  malformed?: number;
  maxLength?: number;
  types?: number[];
}

/** Sequences mixing creations, other messages, attaches and detaches. */
export function sequenceInput(options: SequenceOptions = {}): fc.Arbitrary<SequenceInput> {
  const malformed = options.malformed ?? 1;
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 4, arbitrary: creation().map((spec) => ({ kind: "msg" as const, spec })) },
    {
      weight: 6,
      arbitrary: messageSpec({ wellFormed: true, ...(options.types ? { types: options.types } : {}) }).map((spec) => ({
        kind: "msg" as const,
        spec,
      })),
    },
    ...(malformed > 0
      ? [
          {
            weight: malformed * 3,
            arbitrary: messageSpec(options.types ? { types: options.types } : {}).map((spec) => ({
              kind: "msg" as const,
              spec,
            })),
          },
        ]
      : []),
    { weight: 4, arbitrary: attachCommand() },
    { weight: 2, arbitrary: detachCommand() },
  );
  return fc
    .array(step, { minLength: 1, maxLength: options.maxLength ?? 12 })
    .map((steps) => ({ commands: toCommands(steps) }));
}

/** A setup sequence, then one message from the malformed generator. */
export function malformedAfterSetup(): fc.Arbitrary<{ setup: SequenceInput; message: string }> {
  return fc
    .record({
      setup: sequenceInput({ malformed: 0, maxLength: 6 }),
      spec: fc.oneof({ weight: 4, arbitrary: messageSpec() }, { weight: 1, arbitrary: partialDataNew() }),
    })
    .map(({ setup, spec }) => ({ setup, message: messageHex(spec, 1000) }));
}

const named = (msg: number, name: string | null, ack: boolean): MessageSpec => ({
  msg,
  flags: NLM_F_REQUEST | (ack ? NLM_F_ACK : 0),
  family: 0,
  version: 0,
  attributes: name === null ? [] : [{ kind: "name", name, form: "strz" }],
  frame: "ok",
  cut: 0,
});

/**
 * The DELETE a users scenario may end with, so a property about DELETEs has
 * one to judge in every case: `named` names a policy users attached to (or,
 * one time in four, any policy name, boundary lengths included: unused,
 * absent or refused); `all` has no name.
 */
export type ScenarioEnd = "named" | "all";

const scenarioEnd = (end: ScenarioEnd | undefined) =>
  end === undefined
    ? fc.constant(null)
    : fc.record({
        ack: fc.boolean(),
        held: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
        pick: fc.nat(),
        other: policyName(),
      });

/**
 * Policies with users, then deletes: distinct names created (IPv4, TCP or
 * UDP), users attached to them (mostly matching), then a tail of named and
 * unnamed DELETEs, detaches, attaches and GETs, and with `end` a last DELETE.
 */
export function usersScenario(options: { end?: ScenarioEnd } = {}): fc.Arbitrary<SequenceInput> {
  const policy = fc.record({ l4: fc.constantFrom(6, 17), ack: fc.boolean() });
  return fc
    .record({
      end: scenarioEnd(options.end),
      policies: fc
        .uniqueArray(fc.constantFrom(...NAME_POOL), { minLength: 1, maxLength: 3 })
        .chain((names) => fc.tuple(...names.map((name) => policy.map((p) => ({ name, ...p }))))),
      users: fc.array(
        fc.record({
          pick: fc.nat(),
          matching: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
        }),
        { maxLength: 4 },
      ),
      tail: fc.array(
        fc.oneof(
          {
            weight: 3,
            arbitrary: fc.record({
              kind: fc.constant("delete" as const),
              name: fc.option(fc.constantFrom(...NAME_POOL), { freq: 2 }),
              ack: fc.boolean(),
            }),
          },
          { weight: 2, arbitrary: detachCommand() },
          { weight: 1, arbitrary: attachCommand() },
          {
            weight: 1,
            arbitrary: fc.record({
              kind: fc.constant("get" as const),
              name: fc.constantFrom(...NAME_POOL),
              ack: fc.boolean(),
            }),
          },
          // NEW of a name that may exist, maybe with an unsupported protocol: which check wins.
          {
            weight: 1,
            arbitrary: fc.record({
              kind: fc.constant("new" as const),
              name: fc.constantFrom(...NAME_POOL),
              l4: fc.constantFrom(6, 17, 33, 99),
              modifier: fc.constantFrom(0, 0x100, 0x200),
            }),
          },
        ),
        { minLength: 1, maxLength: 6 },
      ),
    })
    .map(({ policies, users, tail, end }) => {
      const steps: Step[] = policies.map((p) => ({
        kind: "msg" as const,
        spec: {
          ...named(0, p.name, p.ack),
          attributes: [
            { kind: "name" as const, name: p.name, form: "strz" as const },
            { kind: "u16" as const, type: CTA_TIMEOUT_L3PROTO, value: 2, size: 2 },
            { kind: "u8" as const, type: CTA_TIMEOUT_L4PROTO, value: p.l4, size: 1 },
            { kind: "data" as const, entries: [], nested: true, garbage: null, short: null },
          ],
        },
      }));
      for (const u of users) {
        const p = policies[u.pick % policies.length]!;
        steps.push({ op: "attach", name: p.name, l3proto: 2, l4proto: u.matching ? p.l4 : p.l4 === 6 ? 17 : 6 });
      }
      for (const t of tail) {
        if ("op" in t) steps.push(t);
        else if (t.kind === "new") {
          steps.push({
            kind: "msg",
            spec: {
              ...named(0, t.name, true),
              flags: NLM_F_REQUEST | NLM_F_ACK | t.modifier,
              attributes: [
                { kind: "name", name: t.name, form: "strz" },
                { kind: "u16", type: CTA_TIMEOUT_L3PROTO, value: 2, size: 2 },
                { kind: "u8", type: CTA_TIMEOUT_L4PROTO, value: t.l4, size: 1 },
                { kind: "data", entries: [], nested: true, garbage: null, short: null },
              ],
            },
          });
        } else steps.push({ kind: "msg", spec: named(t.kind === "delete" ? 2 : 1, t.name, t.ack) });
      }
      if (end) {
        const attached = users.map((u) => policies[u.pick % policies.length]!.name);
        const held = end.held && attached.length > 0 ? attached[end.pick % attached.length]! : end.other;
        const name = options.end === "named" ? held : null;
        steps.push({ kind: "msg", spec: named(2, name, end.ack) });
      }
      return { commands: toCommands(steps) };
    });
}
