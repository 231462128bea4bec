// fast-check generators of fragment streams: a datagram (extension headers
// before the Fragment header, an upper layer, a payload up to the 65535
// limit) split on 8-byte boundaries, then mutated into one pattern class.
import fc from "fast-check";
import { FRAG6_DEFAULT_CONFIG } from "../../model/frag6/profiles.js";
import { toHex } from "../../wire/hex.js";
import { IPV6_MAXPLEN, buildFragmentPacket, trafficClassOf, type DatagramParts } from "../../wire/ipv6-fragment.js";
import {
  buildDatagram,
  originalPacket,
  payloadBytes,
  type DatagramSpec,
  type Extension,
  type Upper,
} from "../../wire/ipv6-datagram.js";
import { FRAG6_CLASSES, type Frag6Class, type StreamInput } from "./stream.js";

/** A fragment to send: a byte range of datagram `d`, possibly with other bytes, flags or headers. */
interface Plan {
  d: number;
  offset: number;
  end: number;
  more: boolean;
  data?: Uint8Array;
  trafficClass?: number;
  /** Sent as an atomic fragment of this whole datagram instead. */
  atomic?: DatagramParts;
  t?: number;
}

/** Small deterministic choices inside one case, so shrinking the seed shrinks the case. */
function chooser(seed: number) {
  let x = (seed >>> 0) + 0x9e3779b9;
  const next = () => {
    x = (x + 0x6d2b79f5) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (n: number) => Math.floor(next() * Math.max(1, n)), next };
}
type Chooser = ReturnType<typeof chooser>;

/**
 * Global unicast (2000::/3: ICMP errors may be sent about it). Sources and
 * destinations come from different /32s so that no source is ever also a
 * destination, even after shrinking: a node's own address as a source is a
 * different test (a kernel IUT makes every destination local).
 */
const address = (role: "source" | "destination") =>
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => {
    const out = a.slice();
    out.set([0x20, 0x01, 0x0d, role === "source" ? 0x5c : 0xd5], 0);
    return out;
  });

const payloadLength = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 16, max: 256 }) },
  { weight: 2, arbitrary: fc.integer({ min: 256, max: 3000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 60000, max: 65535 }) },
);

export function datagramSpec(): fc.Arbitrary<DatagramSpec> {
  return fc.record({
    src: address("source"),
    dst: address("destination"),
    trafficClass: fc.constantFrom(0, 0x02, 0x28),
    before: fc.constantFrom<Extension[]>([], ["hop"], ["dst"], ["routing"], ["hop", "dst", "routing"]),
    afterUnits: fc.oneof(
      { weight: 4, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) },
    ),
    upper: fc.constantFrom<Upper>("udp", "tcp", "icmpv6", "unassigned"),
    icmpType: fc.constantFrom(128, 129, 1, 4),
    payloadLength,
    fill: fc.nat(),
  });
}

/** Cuts [0, length) at multiples of 8 into about `count` pieces (at least two). */
function split(length: number, count: number, c: Chooser): [number, number][] {
  const units = Math.ceil(length / 8);
  const cuts = new Set<number>();
  const wanted = Math.max(1, Math.min(count, units) - 1);
  for (let i = 0; i < wanted * 3 && cuts.size < wanted; i++) cuts.add(8 * (1 + c.int(units - 1)));
  const bounds = [0, ...[...cuts].filter((x) => x > 0 && x < length).sort((a, b) => a - b), length];
  return bounds.slice(1).map((end, i) => [bounds[i]!, end]);
}

function other(bytes: Uint8Array): Uint8Array {
  return bytes.map((b) => b ^ 0xa5);
}

function shuffle<T>(list: T[], c: Chooser): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = c.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Inserts `extra` at a position after index `after` (or anywhere). */
function insertAfter<T>(list: T[], extra: T, after: number, c: Chooser): T[] {
  const at = after + 1 + c.int(list.length - after);
  return [...list.slice(0, at), extra, ...list.slice(at)];
}

/** Applies one pattern class to the in-order fragments of datagram 0. */
function mutate(cls: Frag6Class, plans: Plan[], parts: DatagramParts[], c: Chooser): Plan[] {
  const L = parts[0]!.fragmentable.length;
  const slice = (from: number, to: number) => parts[0]!.fragmentable.slice(from, to);
  const pick = () => c.int(plans.length);
  switch (cls) {
    case "in-order":
    case "interleaved":
    case "timeout-spread":
    case "flood":
      return plans;
    case "reordered":
      return shuffle(plans, c);
    case "loss": {
      const i = pick();
      return plans.filter((_, j) => j !== i);
    }
    case "duplicate-exact": {
      const i = pick();
      return insertAfter(plans, { ...plans[i]! }, i, c);
    }
    case "overlap-partial-head":
    case "overlap-partial-tail": {
      // Straddles the boundary of piece i: over its head (and the previous piece's tail), or its tail.
      const i = cls === "overlap-partial-head" ? 1 + c.int(plans.length - 1) : c.int(plans.length - 1);
      const p = plans[i]!;
      const from = cls === "overlap-partial-head" ? Math.max(0, p.offset - 8) : Math.max(p.offset, p.end - 8);
      const to = Math.min(L, from + 16);
      return insertAfter(plans, { d: 0, offset: from, end: to, more: to < L }, c.int(plans.length), c);
    }
    case "overlap-containing": {
      const i = pick();
      const p = plans[i]!;
      const from = Math.max(0, p.offset - 8);
      const to = Math.min(L, p.end + 8);
      return insertAfter(plans, { d: 0, offset: from, end: to, more: to < L }, i, c);
    }
    case "overlap-contained-equal":
    case "overlap-contained-different": {
      const i = pick();
      const p = plans[i]!;
      const units = Math.max(1, Math.floor((p.end - p.offset) / 8));
      const from = p.offset + 8 * c.int(units - 1);
      const to = Math.min(p.end, from + 8 * (1 + c.int(units - (from - p.offset) / 8)));
      const sub: Plan = { d: 0, offset: from, end: to, more: to < L || p.more };
      if (cls === "overlap-contained-different") sub.data = other(slice(from, to));
      return insertAfter(plans, sub, c.next() < 0.5 ? -1 : i, c);
    }
    case "overlap-across-runs": {
      // Pieces i and i+1 arrive in reverse (two runs), then one fragment spanning both.
      const i = c.int(plans.length - 1);
      const a = plans[i]!;
      const b = plans[i + 1]!;
      // A fragment holds at most 65535 - (headers before it) - 8 bytes: a span too long for that starts 8 bytes into piece i instead.
      const room = 8 * Math.floor((IPV6_MAXPLEN - (parts[0]!.unfragmentable.length - 40) - 8) / 8);
      const offset = b.end - a.offset <= room ? a.offset : b.offset - 8;
      const end = Math.min(b.end, offset + room);
      const span: Plan = { d: 0, offset, end, more: end === b.end ? b.more : true };
      return [...plans.slice(0, i), b, a, span, ...plans.slice(i + 2)];
    }
    case "zero-length": {
      const at = 8 * c.int(Math.floor(L / 8) + 1);
      return insertAfter(
        plans,
        { d: 0, offset: at, end: at, more: true, data: new Uint8Array(0) },
        c.int(plans.length) - 1,
        c,
      );
    }
    case "unaligned": {
      // A non-last fragment cut 1..7 bytes short: Parameter Problem; sent early or among the others.
      const i = c.int(Math.max(1, plans.length - 1));
      const p = plans[i]!;
      const cut = Math.max(p.offset + 1, p.end - 1 - c.int(7));
      return insertAfter(plans, { d: 0, offset: p.offset, end: cut, more: true }, c.next() < 0.5 ? -1 : i, c);
    }
    case "oversized": {
      const offset = 65528 - 8 * c.int(4);
      const size = 16 + 8 * c.int(8);
      return insertAfter(
        plans,
        { d: 0, offset, end: offset + size, more: c.next() < 0.5, data: payloadBytes(size, 7) },
        c.int(plans.length) - 1,
        c,
      );
    }
    case "conflicting-last": {
      const last = plans[plans.length - 1]!;
      const longer = c.next() < 0.5 || last.end - last.offset <= 8;
      const end = longer ? last.end + 8 : last.end - 8;
      const data = longer
        ? new Uint8Array([...slice(last.offset, last.end), ...payloadBytes(8, 3)])
        : slice(last.offset, end);
      return insertAfter(plans, { d: 0, offset: last.offset, end, more: false, data }, c.int(plans.length) - 1, c);
    }
    case "beyond-end": {
      // At most 65528, the largest offset the field holds: past an end above it, the fragment reaches beyond the end instead.
      const at = Math.min(8 * Math.ceil(L / 8) + 8 * c.int(3), 0xfff8);
      return [...plans, { d: 0, offset: at, end: at + 8, more: c.next() < 0.7, data: payloadBytes(8, 5) }];
    }
    case "atomic-beside-queue": {
      // An atomic fragment with the pending datagram's key, mid-stream.
      return insertAfter(
        plans,
        { d: 1, offset: 0, end: 0, more: false, atomic: parts[1]! },
        c.int(Math.max(1, plans.length - 1)) - 1,
        c,
      );
    }
    case "tiny-first": {
      // The first fragment ends inside the header chain (8 bytes, when that is short of the upper header).
      return [
        { d: 0, offset: 0, end: 8, more: true },
        ...plans.filter((p) => p.end > 8).map((p) => (p.offset < 8 ? { ...p, offset: 8 } : p)),
      ];
    }
    case "ecn-mixed": {
      const codepoints = [0, 1, 2, 3];
      return plans.map((p) => ({ ...p, trafficClass: codepoints[c.int(4)]! }));
    }
  }
}

interface StreamChoices {
  main: DatagramSpec;
  second: DatagramSpec;
  cls: Frag6Class;
  pieces: number;
  seed: number;
  id: number;
  secondSameSource: boolean;
}

function fragmentPacket(plan: Plan, parts: DatagramParts[], ids: number[]): Uint8Array {
  const p = parts[plan.d]!;
  if (plan.atomic)
    return buildFragmentPacket({
      ...plan.atomic,
      offset: 0,
      more: false,
      identification: ids[0]!,
      data: plan.atomic.fragmentable,
    });
  const data = plan.data ?? p.fragmentable.slice(plan.offset, plan.end);
  return buildFragmentPacket({
    unfragmentable: p.unfragmentable,
    prevNextHeaderOffset: p.prevNextHeaderOffset,
    nextHeader: p.nextHeader,
    offset: plan.offset,
    more: plan.more,
    identification: ids[plan.d]!,
    data,
    // Only the ECN bits change (ECN tests): DSCP stays the datagram's.
    ...(plan.trafficClass !== undefined
      ? { trafficClass: (trafficClassOf(p.unfragmentable) & 0xfc) | plan.trafficClass }
      : {}),
  });
}

/** Builds one stream from the generated choices. */
export function buildStream(g: StreamChoices): StreamInput {
  const c = chooser(g.seed);
  const cls = g.cls;
  const main =
    cls === "tiny-first"
      ? { ...g.main, afterUnits: Math.max(g.main.afterUnits, g.main.upper === "tcp" ? 0 : 1) }
      : g.main;
  const parts = [buildDatagram(main)];
  const ids = [g.id, g.id];
  const labels: Frag6Class[] = [cls];
  if (cls === "atomic-beside-queue") {
    // Same source, destination and identification as the pending datagram.
    parts.push(
      buildDatagram({
        ...g.second,
        src: main.src,
        dst: main.dst,
        payloadLength: Math.min(g.second.payloadLength, 200),
      }),
    );
  } else if (cls === "interleaved") {
    // Another datagram with the same identification from another source, or the same source with another identification.
    parts.push(
      buildDatagram({
        ...g.second,
        src: g.secondSameSource ? main.src : g.second.src,
        dst: main.dst,
        payloadLength: Math.min(g.second.payloadLength, 1000),
      }),
    );
    ids[1] = g.secondSameSource ? (g.id + 1) >>> 0 : g.id;
  }
  const L = parts[0]!.fragmentable.length;
  const inOrder: Plan[] = split(L, g.pieces, c).map(([offset, end]) => ({ d: 0, offset, end, more: end < L }));
  let plans = mutate(cls, inOrder, parts, c);
  if (cls === "interleaved") {
    const otherPlans: Plan[] = split(parts[1]!.fragmentable.length, 2 + c.int(3), c).map(([offset, end]) => ({
      d: 1,
      offset,
      end,
      more: end < parts[1]!.fragmentable.length,
    }));
    for (const p of shuffle(otherPlans, c)) plans = insertAfter(plans, p, c.int(plans.length) - 1, c);
  }
  const config = { ...FRAG6_DEFAULT_CONFIG };
  const events: { t: number; packet: string }[] = [];
  let t = 0;
  if (cls === "flood") {
    // FragmentSmack within bounds: many small non-first fragments of other identifications until memory passes a small high_thresh.
    config.highThresh = 16384 + 4096 * c.int(8);
    config.lowThresh = Math.floor(config.highThresh * 0.75);
    const count = 10 + c.int(30);
    for (let i = 0; i < count; i++) {
      const offset = 8 * (1 + c.int(100));
      const flood = buildFragmentPacket({
        ...parts[0]!,
        offset,
        more: true,
        identification: (g.id + 1000 + i) >>> 0,
        data: payloadBytes(8 * (1 + c.int(4)), i),
      });
      events.push({ t, packet: toHex(flood) });
      t += c.int(2);
    }
  }
  if (cls === "timeout-spread") config.timeoutMs = 1000 * (1 + c.int(4));
  const lateFrom = cls === "timeout-spread" ? 1 + c.int(plans.length) : Infinity;
  plans.forEach((plan, i) => {
    if (i === lateFrom) t = t + config.timeoutMs + 1 + c.int(3); // past the deadline of anything begun before
    events.push({ t, packet: toHex(fragmentPacket(plan, parts, ids)) });
    t += c.int(5);
  });
  if (cls === "timeout-spread" && lateFrom < plans.length) labels.push("timeout-spread");
  const originals = parts.map((p) => toHex(originalPacket(p)));
  return { events, config, labels: [...new Set(labels)], originals };
}

export function frag6Stream(options: { classes?: readonly Frag6Class[] } = {}): fc.Arbitrary<StreamInput> {
  return fc
    .record({
      main: datagramSpec(),
      second: datagramSpec(),
      cls: fc.constantFrom(...(options.classes ?? FRAG6_CLASSES)),
      pieces: fc.integer({ min: 2, max: 8 }),
      seed: fc.nat(),
      id: fc.nat({ max: 0xffffffff }),
      secondSameSource: fc.boolean(),
    })
    .map(buildStream);
}
