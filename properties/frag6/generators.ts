// fast-check generators of fragment streams: a datagram (extension headers
// before the Fragment header, an upper layer, a payload up to the 65535
// limit) split on 8-byte boundaries, then shaped into one pattern class
// (patterns.ts). Every choice is an arbitrary, so shrinking a case removes
// fragments and datagrams and keeps its class.
import fc from "fast-check";
import { FRAG_QUEUE_SIZE, fragmentTruesize } from "../../model/frag6/memory.js";
import { FRAG6_DEFAULT_CONFIG, type Frag6Config } from "../../model/frag6/profiles.js";
import { toHex } from "../../wire/hex.js";
import {
  FRAGMENT_HEADER_LENGTH,
  IPV6_HEADER_LENGTH,
  IPV6_MAXPLEN,
  buildFragmentPacket,
  trafficClassOf,
  type DatagramParts,
} from "../../wire/ipv6-fragment.js";
import {
  buildDatagram,
  originalPacket,
  payloadBytes,
  type DatagramSpec,
  type Extension,
  type Upper,
} from "../../wire/ipv6-datagram.js";
import { applyPattern, insertAfter, patternArbitrary, type Pattern, type Plan } from "./patterns.js";
import { FRAG6_CLASSES, type Frag6Class, type StreamInput } from "./stream.js";

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

// Cross-shrinking: a large datagram shrinks to a small one when the small one fails too.
const payloadLength = fc.oneof(
  { withCrossShrink: true },
  { weight: 12, arbitrary: fc.integer({ min: 16, max: 256 }) },
  { weight: 4, arbitrary: fc.integer({ min: 256, max: 3000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 60000, max: 65535 }) },
);

/** Constants with weights, shrinking towards the first. */
function weighted<T>(...choices: [T, number][]): fc.Arbitrary<T> {
  return fc.oneof(
    { withCrossShrink: true },
    ...choices.map(([value, weight]) => ({ weight, arbitrary: fc.constant(value) })),
  );
}

export function datagramSpec(): fc.Arbitrary<DatagramSpec> {
  return fc.record({
    src: address("source"),
    dst: address("destination"),
    trafficClass: fc.constantFrom(0, 0x02, 0x28),
    before: fc.constantFrom<Extension[]>([], ["hop"], ["dst"], ["routing"], ["hop", "dst", "routing"]),
    afterUnits: fc.oneof(
      { withCrossShrink: true },
      { weight: 4, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) },
    ),
    // Extension-header content Linux checks and RFC 8200 does not (issue 20): a Hop-by-Hop header after the
    // Fragment header, and padding runs over 7 bytes (ip6_parse_tlv()) in 16-byte options headers.
    afterKind: weighted<"dst" | "hop">(["dst", 3], ["hop", 1]),
    options: weighted<"skip" | "padn" | "pad1">(["skip", 4], ["padn", 1], ["pad1", 1]),
    optionUnits: weighted<number>([1, 3], [2, 1]),
    upper: fc.constantFrom<Upper>("udp", "tcp", "icmpv6", "unassigned"),
    icmpType: fc.constantFrom(128, 129, 1, 4),
    payloadLength,
    fill: fc.nat({ max: 2 ** 30 }),
  });
}

/**
 * The size edges every property meets with a fixed weight, whatever its
 * classes: the largest datagram (reassembled Payload Length 65535) with no
 * header before the Fragment header, so its last fragment sits at offset
 * 65528 and ends at 65535 with 7 bytes; the largest datagram behind
 * extension headers; and the largest datagram whose first fragment alone
 * carries a Destination Options header before its Fragment header, so each
 * fragment stays within 65535 bytes while the datagram rebuilt with the first
 * fragment's headers (RFC 8200 section 4.5) passes it.
 */
export const FRAG6_EDGES = ["none", "largest", "largest-behind-headers", "largest-first-behind-headers"] as const;
export type Frag6Edge = (typeof FRAG6_EDGES)[number];

// Shrinks to "none" when the case fails without its edge too.
const edge = fc.oneof(
  { withCrossShrink: true },
  { weight: 10, arbitrary: fc.constant<Frag6Edge>("none") },
  { weight: 1, arbitrary: fc.constant<Frag6Edge>("largest") },
  { weight: 1, arbitrary: fc.constant<Frag6Edge>("largest-behind-headers") },
  { weight: 1, arbitrary: fc.constant<Frag6Edge>("largest-first-behind-headers") },
);

function withEdge(spec: DatagramSpec, e: Frag6Edge): DatagramSpec {
  if (e === "none") return spec;
  const before: Extension[] = e !== "largest-behind-headers" ? [] : spec.before.length ? spec.before : ["dst"];
  return { ...spec, before, payloadLength: IPV6_MAXPLEN };
}

/**
 * Cuts [0, length) at multiples of 8 picked by `cuts` (each taken modulo the
 * unit boundaries inside), at `extra`, and wherever a piece would exceed
 * `maxPiece` bytes.
 */
function split(
  length: number,
  maxPiece: number,
  cuts: readonly number[],
  extra: readonly number[],
): [number, number][] {
  const units = Math.ceil(length / 8);
  const at = new Set(extra);
  if (units > 1) for (const c of cuts) at.add(8 * (1 + (c % (units - 1))));
  const bounds = [0, ...[...at].filter((x) => x > 0 && x < length).sort((a, b) => a - b), length];
  const pieces: [number, number][] = [];
  bounds.slice(1).forEach((end, i) => {
    let from = bounds[i]!;
    for (; end - from > maxPiece; from += maxPiece) pieces.push([from, from + maxPiece]);
    pieces.push([from, end]);
  });
  return pieces;
}

/**
 * Datagram `d` cut into in-order fragments. A piece leaves room for 16 more
 * bytes within the 65535-byte Payload Length (Fragment header and the headers
 * before it counted), so the classes that grow one by 8 bytes at each end can.
 */
function piecesOf(d: number, parts: DatagramParts, cuts: readonly number[], extra: readonly number[] = []): Plan[] {
  const length = parts.fragmentable.length;
  const headers = parts.unfragmentable.length - IPV6_HEADER_LENGTH;
  const maxPiece = 8 * Math.floor((IPV6_MAXPLEN - headers - FRAGMENT_HEADER_LENGTH) / 8) - 16;
  return split(length, maxPiece, cuts, extra).map(([offset, end]) => ({ d, offset, end, more: end < length }));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The other datagram of interleaved and atomic-beside-queue: never the same bytes as the first. */
function secondDatagram(
  main: DatagramSpec,
  second: DatagramSpec,
  sameSource: boolean,
  maxPayload: number,
): DatagramSpec {
  let src = sameSource ? main.src : second.src;
  if (!sameSource && sameBytes(src, main.src)) {
    src = src.slice();
    src[15] = src[15]! ^ 1; // another source (the same /32), even when both shrank to the same address
  }
  return {
    ...second,
    src,
    dst: main.dst,
    payloadLength: Math.min(second.payloadLength, maxPayload),
    fill: main.fill + 2 + second.fill, // payloadBytes seeds from fill || 1: never the first datagram's bytes
  };
}

/**
 * Memory one flood fragment takes (model/frag6/memory.ts): a queue of its
 * own plus its truesize. The flood is the drawn fragments and then as many
 * 8-byte ones as it takes to pass high_thresh, so it floods whatever shrinking
 * leaves of it, and shrinks to the fewest fragments that do.
 */
function floodCharge(packetLength: number): number {
  return FRAG_QUEUE_SIZE + fragmentTruesize(packetLength);
}
interface StreamChoices {
  main: DatagramSpec;
  second: DatagramSpec;
  pattern: Pattern;
  edge: Frag6Edge;
  /** Where the first datagram is cut, in 8-byte units (at least one cut: two fragments or more). */
  cuts: number[];
  id: number;
  /** Milliseconds between consecutive fragments (missing ones are 0). */
  gaps: number[];
}

/**
 * One fragment's packet; `firstHeaders` are the headers before the Fragment
 * header of datagram 0's offset-0 fragments when they differ from the others'.
 */
function fragmentPacket(plan: Plan, parts: DatagramParts[], ids: number[], firstHeaders?: DatagramParts): Uint8Array {
  if (plan.whole) return originalPacket(plan.whole);
  const p = plan.d === 0 && plan.offset === 0 && firstHeaders ? firstHeaders : parts[plan.d]!;
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

/** The first datagram as the class needs it: tiny-first needs a header chain longer than 8 bytes. */
function mainSpec(g: StreamChoices): DatagramSpec {
  const main = withEdge(g.main, g.edge);
  if (g.pattern.cls !== "tiny-first") return main;
  return { ...main, afterUnits: Math.max(main.afterUnits, main.upper === "tcp" ? 0 : 1) };
}

/** Interleaves the other datagram's fragments (kept in order, or reversed) among the first's. */
function interleave(plans: Plan[], p: Extract<Pattern, { cls: "interleaved" }>, other: DatagramParts): Plan[] {
  const pieces = piecesOf(1, other, p.cuts);
  let out = plans;
  (p.reversed ? pieces.reverse() : pieces).forEach((piece, i) => {
    out = insertAfter(out, piece, -1, p.at[i] ?? 0);
  });
  return out;
}

/** ECN codepoints per fragment, never all the same (the class mixes them). */
function mixEcn(plans: Plan[], codepoints: readonly number[]): Plan[] {
  const cps = plans.map((_, i) => codepoints[i] ?? 0);
  if (cps.every((c) => c === cps[0])) cps[cps.length - 1] = (cps[0]! + 1) & 3;
  return plans.map((plan, i) => ({ ...plan, trafficClass: cps[i]! }));
}

/** FragmentSmack within bounds: small non-first fragments of other identifications until memory passes high_thresh. */
function flood(
  p: Extract<Pattern, { cls: "flood" }>,
  main: DatagramParts,
  id: number,
  config: Frag6Config,
): { t: number; packet: string }[] {
  config.highThresh = 16384 + 4096 * p.step;
  config.lowThresh = Math.floor(config.highThresh * 0.75);
  const events: { t: number; packet: string }[] = [];
  let t = 0;
  let mem = 0;
  for (let i = 0; i < p.fragments.length || mem <= config.highThresh; i++) {
    const f = p.fragments[i] ?? { unit: 1, units: 1, gap: 0 };
    const packet = buildFragmentPacket({
      ...main,
      offset: 8 * f.unit,
      more: true,
      identification: (id + 1000 + i) >>> 0,
      data: payloadBytes(8 * f.units, i),
    });
    mem += floodCharge(packet.length);
    events.push({ t, packet: toHex(packet) });
    t += f.gap;
  }
  return events;
}

/** The part of a datagram before its Fragment header. */
function headersOf(d: DatagramParts): Pick<DatagramParts, "unfragmentable" | "prevNextHeaderOffset"> {
  return { unfragmentable: d.unfragmentable, prevNextHeaderOffset: d.prevNextHeaderOffset };
}

/** Builds one stream from the generated choices. */
export function buildStream(g: StreamChoices): StreamInput {
  const p = g.pattern;
  const main = mainSpec(g);
  const parts = [buildDatagram(main)];
  const ids = [g.id, g.id];
  if (p.cls === "atomic-beside-queue") {
    // Same source, destination and identification as the pending datagram.
    parts.push(buildDatagram(secondDatagram(main, g.second, true, 200)));
  } else if (p.cls === "interleaved") {
    // Another datagram with the same identification from another source, or the same source with another identification.
    parts.push(buildDatagram(secondDatagram(main, g.second, p.sameSource, 1000)));
    ids[1] = p.sameSource ? (g.id + 1) >>> 0 : g.id;
  }
  const L = parts[0]!.fragmentable.length;
  // The largest datagram is cut at its last 8-byte boundary: offset 65528 when nothing precedes the Fragment header.
  const tail = g.edge === "none" ? [] : [8 * Math.floor((L - 1) / 8)];
  let plans = applyPattern(p, piecesOf(0, parts[0]!, g.cuts, tail), parts);
  // The first fragment's own headers: an 8-byte Destination Options header the other fragments lack.
  const firstHeaders =
    g.edge === "largest-first-behind-headers"
      ? { ...parts[0]!, ...headersOf(buildDatagram({ ...main, before: ["dst"], optionUnits: 1 })) }
      : undefined;
  if (p.cls === "interleaved") plans = interleave(plans, p, parts[1]!);
  if (p.cls === "ecn-mixed") plans = mixEcn(plans, p.codepoints);
  const config = { ...FRAG6_DEFAULT_CONFIG };
  const events = p.cls === "flood" ? flood(p, parts[0]!, g.id, config) : [];
  let t = events.length ? events[events.length - 1]!.t : 0;
  // timeout-spread: from a fragment after the first on, everything comes past the deadline of what came before.
  const lateFrom = p.cls === "timeout-spread" ? 1 + (p.late % (plans.length - 1)) : -1;
  if (p.cls === "timeout-spread") config.timeoutMs = 1000 * p.seconds;
  plans.forEach((plan, i) => {
    if (i > 0) t += g.gaps[i - 1] ?? 0;
    if (i === lateFrom && p.cls === "timeout-spread") t += config.timeoutMs + p.past;
    events.push({ t, packet: toHex(fragmentPacket(plan, parts, ids, firstHeaders)) });
  });
  const originals = parts.map((d) => toHex(originalPacket(d)));
  return { events, config, labels: [p.cls], originals };
}

export function frag6Stream(options: { classes?: readonly Frag6Class[] } = {}): fc.Arbitrary<StreamInput> {
  return fc
    .record({
      main: datagramSpec(),
      second: datagramSpec(),
      pattern: patternArbitrary(options.classes ?? FRAG6_CLASSES),
      edge,
      cuts: fc.array(fc.nat({ max: 0xffff }), { minLength: 1, maxLength: 7 }),
      id: fc.nat({ max: 0xffffffff }),
      gaps: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 12 }),
    })
    .map(buildStream);
}
