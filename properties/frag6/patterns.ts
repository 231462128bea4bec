// The frag6 pattern classes as fast-check arbitraries: each class draws its
// few choices (which piece, where to insert, how far to cut) as small
// naturals, and `applyPattern` turns them into fragments. Every value an
// arbitrary can take, shrunk ones included, still makes the class's pattern
// (an overlap still overlaps, a reordering is never the identity), so a
// shrunk counterexample keeps the point of the property that found it.
import fc from "fast-check";
import { IPV6_HEADER_LENGTH, IPV6_MAXPLEN, type DatagramParts } from "../../wire/ipv6-fragment.js";
import { payloadBytes } from "../../wire/ipv6-datagram.js";
import type { Frag6Class } from "./stream.js";

/** A fragment to send: a byte range of datagram `d`, possibly with other bytes, flags or headers. */
export interface Plan {
  d: number;
  offset: number;
  end: number;
  more: boolean;
  data?: Uint8Array;
  trafficClass?: number;
  /** Sent as an atomic fragment of this whole datagram instead. */
  atomic?: DatagramParts;
  /** Sent as this whole datagram, without a Fragment header, instead. */
  whole?: DatagramParts;
}

/** Where an oversized fragment ends: one byte past 65535, one past it counting the headers before it, or further. */
export type OversizedEnd = "first-past" | "past-with-headers" | "further";

/** A fragment of a flood beyond the fewest that pass the threshold: offset and length in 8-byte units, gap in ms. */
export interface FloodFragment {
  unit: number;
  units: number;
  gap: number;
}

/** A class and its choices; naturals pick among what the stream offers (taken modulo, so 0 is always valid). */
export type Pattern =
  | { cls: "in-order" | "tiny-first" }
  | { cls: "interleaved"; sameSource: boolean; cuts: number[]; at: number[]; reversed: boolean }
  | { cls: "timeout-spread"; seconds: number; late: number; past: number }
  | { cls: "flood"; step: number; fragments: FloodFragment[] }
  | { cls: "reordered"; keys: number[] }
  | { cls: "loss"; piece: number }
  | {
      cls: "duplicate-exact" | "overlap-partial-head" | "overlap-partial-tail" | "overlap-containing";
      piece: number;
      at: number;
    }
  | {
      cls: "overlap-contained-equal" | "overlap-contained-different";
      piece: number;
      skip: number;
      units: number;
      early: boolean;
      at: number;
    }
  | { cls: "overlap-across-runs"; piece: number }
  | { cls: "zero-length"; unit: number; at: number; last: boolean }
  | { cls: "unaligned"; piece: number; short: number; early: boolean; at: number }
  | { cls: "oversized"; end: OversizedEnd; back: number; units: number; more: boolean; at: number }
  | { cls: "conflicting-last"; longer: boolean; at: number }
  | { cls: "beyond-end"; units: number; more: boolean }
  | { cls: "atomic-beside-queue"; at: number; unfragmented: boolean }
  | { cls: "ecn-mixed"; codepoints: number[] };

const choice = fc.nat({ max: 0xffff });

const PATTERNS: Record<Frag6Class, fc.Arbitrary<Pattern>> = {
  "in-order": fc.constant({ cls: "in-order" as const }),
  "tiny-first": fc.constant({ cls: "tiny-first" as const }),
  interleaved: fc.record({
    cls: fc.constant("interleaved" as const),
    sameSource: fc.boolean(),
    // The other datagram's cuts (at least one: it arrives in two or more fragments) and where each goes.
    cuts: fc.array(choice, { minLength: 1, maxLength: 4 }),
    at: fc.array(choice, { maxLength: 5 }),
    reversed: fc.boolean(),
  }),
  "timeout-spread": fc.record({
    cls: fc.constant("timeout-spread" as const),
    seconds: fc.integer({ min: 1, max: 4 }),
    late: choice,
    past: fc.integer({ min: 1, max: 3 }),
  }),
  flood: fc.record({
    cls: fc.constant("flood" as const),
    step: fc.integer({ min: 0, max: 7 }),
    fragments: fc.array(
      fc.record({
        unit: fc.integer({ min: 1, max: 100 }),
        units: fc.integer({ min: 1, max: 4 }),
        gap: fc.integer({ min: 0, max: 1 }),
      }),
      { maxLength: 30 },
    ),
  }),
  reordered: fc.record({ cls: fc.constant("reordered" as const), keys: fc.array(choice, { maxLength: 8 }) }),
  loss: fc.record({ cls: fc.constant("loss" as const), piece: choice }),
  "duplicate-exact": fc.record({ cls: fc.constant("duplicate-exact" as const), piece: choice, at: choice }),
  "overlap-partial-head": fc.record({ cls: fc.constant("overlap-partial-head" as const), piece: choice, at: choice }),
  "overlap-partial-tail": fc.record({ cls: fc.constant("overlap-partial-tail" as const), piece: choice, at: choice }),
  "overlap-containing": fc.record({ cls: fc.constant("overlap-containing" as const), piece: choice, at: choice }),
  "overlap-contained-equal": contained("overlap-contained-equal"),
  "overlap-contained-different": contained("overlap-contained-different"),
  "overlap-across-runs": fc.record({ cls: fc.constant("overlap-across-runs" as const), piece: choice }),
  "zero-length": fc.record({
    cls: fc.constant("zero-length" as const),
    unit: choice,
    at: choice,
    // One in three is a last fragment (M clear), first in, claiming the datagram ends where its last piece begins.
    last: fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  }),
  unaligned: fc.record({
    cls: fc.constant("unaligned" as const),
    piece: choice,
    short: fc.integer({ min: 1, max: 7 }),
    early: fc.boolean(),
    at: choice,
  }),
  oversized: fc.record({
    cls: fc.constant("oversized" as const),
    // The edges with a fixed weight each: end 65536, and end + headers before the Fragment header = 65536.
    end: fc.oneof(
      fc.constant<OversizedEnd>("first-past"),
      fc.constant<OversizedEnd>("past-with-headers"),
      fc.constant<OversizedEnd>("further"),
    ),
    back: fc.integer({ min: 0, max: 3 }),
    units: fc.integer({ min: 1, max: 8 }),
    more: fc.boolean(),
    at: choice,
  }),
  "conflicting-last": fc.record({ cls: fc.constant("conflicting-last" as const), longer: fc.boolean(), at: choice }),
  "beyond-end": fc.record({
    cls: fc.constant("beyond-end" as const),
    units: fc.integer({ min: 0, max: 2 }),
    more: fc.oneof({ weight: 7, arbitrary: fc.constant(true) }, { weight: 3, arbitrary: fc.constant(false) }),
  }),
  "atomic-beside-queue": fc.record({
    cls: fc.constant("atomic-beside-queue" as const),
    at: choice,
    // One in three sends the other datagram whole, without a Fragment header: a packet no queue sees either.
    unfragmented: fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  }),
  "ecn-mixed": fc.record({
    cls: fc.constant("ecn-mixed" as const),
    codepoints: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 9 }),
  }),
};

function contained<C extends "overlap-contained-equal" | "overlap-contained-different">(cls: C) {
  return fc.record({
    cls: fc.constant(cls),
    piece: choice,
    skip: choice,
    units: choice,
    early: fc.boolean(),
    at: choice,
  });
}

/** One pattern of the given classes, each class equally likely; shrinking keeps the class. */
export function patternArbitrary(classes: readonly Frag6Class[]): fc.Arbitrary<Pattern> {
  return fc.oneof(...classes.map((c) => PATTERNS[c]));
}

function other(bytes: Uint8Array): Uint8Array {
  return bytes.map((b) => b ^ 0xa5);
}

/** Inserts `extra` somewhere after index `after` (-1: anywhere); `at` picks where. */
export function insertAfter<T>(list: readonly T[], extra: T, after: number, at: number): T[] {
  const index = after + 1 + (at % (list.length - after));
  return [...list.slice(0, index), extra, ...list.slice(index)];
}

/** A permutation by sort keys; never the identity (the first two pieces swap if the keys leave the order be). */
function reorder<T>(list: readonly T[], keys: readonly number[]): T[] {
  const order = list.map((_, i) => i).sort((a, b) => (keys[a] ?? 0) - (keys[b] ?? 0) || a - b);
  if (order.every((x, i) => x === i)) [order[0], order[1]] = [order[1]!, order[0]!];
  return order.map((i) => list[i]!);
}

/**
 * Applies one pattern to the in-order fragments of datagram 0 (at least two).
 * Classes whose point lies elsewhere (another datagram, time, memory, ECN of
 * each fragment) are applied by the stream builder.
 */
export function applyPattern(p: Pattern, plans: readonly Plan[], parts: readonly DatagramParts[]): Plan[] {
  return shaped(p, plans, parts).map((plan) => stillFragmented(plan, parts[0]!));
}

/**
 * An added fragment that would cover the whole datagram from offset 0 with M
 * clear is an atomic fragment, which no queue sees (RFC 6946): it keeps M set
 * instead, padded to a multiple of 8, so an overlap stays an overlap.
 */
function stillFragmented(plan: Plan, main: DatagramParts): Plan {
  const L = main.fragmentable.length;
  if (plan.d !== 0 || plan.atomic || plan.offset !== 0 || plan.more || plan.end < L) return plan;
  const end = 8 * Math.ceil(L / 8);
  const data = new Uint8Array(end);
  data.set(plan.data ?? main.fragmentable);
  data.set(payloadBytes(end - L, 9), L);
  return { ...plan, end, more: true, data };
}

function shaped(p: Pattern, plans: readonly Plan[], parts: readonly DatagramParts[]): Plan[] {
  const main = parts[0]!;
  const L = main.fragmentable.length;
  const headers = main.unfragmentable.length - IPV6_HEADER_LENGTH;
  const slice = (from: number, to: number) => main.fragmentable.slice(from, to);
  const n = plans.length;
  switch (p.cls) {
    case "in-order":
    case "interleaved":
    case "timeout-spread":
    case "flood":
    case "ecn-mixed":
      return [...plans];
    case "reordered":
      return reorder(plans, p.keys);
    case "loss": {
      const i = p.piece % n;
      return plans.filter((_, j) => j !== i);
    }
    case "duplicate-exact": {
      const i = p.piece % n;
      return insertAfter(plans, { ...plans[i]! }, i, p.at);
    }
    case "overlap-partial-head":
    case "overlap-partial-tail": {
      // Straddles the boundary of piece i: over its head (and the previous piece's tail), or its tail.
      const head = p.cls === "overlap-partial-head";
      const q = plans[head ? 1 + (p.piece % (n - 1)) : p.piece % (n - 1)]!;
      const from = head ? Math.max(0, q.offset - 8) : Math.max(q.offset, q.end - 8);
      const to = Math.min(L, from + 16);
      return insertAfter(plans, { d: 0, offset: from, end: to, more: to < L }, -1, p.at);
    }
    case "overlap-containing": {
      const i = p.piece % n;
      const q = plans[i]!;
      const from = Math.max(0, q.offset - 8);
      const to = Math.min(L, q.end + 8);
      return insertAfter(plans, { d: 0, offset: from, end: to, more: to < L }, i, p.at);
    }
    case "overlap-contained-equal":
    case "overlap-contained-different": {
      const i = p.piece % n;
      const q = plans[i]!;
      const units = Math.max(1, Math.floor((q.end - q.offset) / 8));
      const from = q.offset + 8 * (p.skip % units);
      const to = Math.min(q.end, from + 8 * (1 + (p.units % (units - (from - q.offset) / 8))));
      const sub: Plan = { d: 0, offset: from, end: to, more: to < L || q.more };
      if (p.cls === "overlap-contained-different") sub.data = other(slice(from, to));
      return insertAfter(plans, sub, p.early ? -1 : i, p.at);
    }
    case "overlap-across-runs": {
      // Pieces i and i+1 arrive in reverse (two runs), then one fragment spanning both.
      const i = p.piece % (n - 1);
      const a = plans[i]!;
      const b = plans[i + 1]!;
      // A fragment holds at most 65535 - (headers before it) - 8 bytes: a span too long for that starts 8 bytes into piece i instead.
      const room = 8 * Math.floor((IPV6_MAXPLEN - headers - 8) / 8);
      const offset = b.end - a.offset <= room ? a.offset : b.offset - 8;
      const end = Math.min(b.end, offset + room);
      const span: Plan = { d: 0, offset, end, more: end === b.end ? b.more : true };
      return [...plans.slice(0, i), b, a, span, ...plans.slice(i + 2)];
    }
    case "zero-length": {
      if (p.last) {
        // M clear at the last piece's offset, before the others: the piece ending there comes with M set
        // and ends at "the last fragment's" end; the real last piece contradicts that end.
        const at = plans[n - 1]!.offset;
        return [{ d: 0, offset: at, end: at, more: false, data: new Uint8Array(0) }, ...plans];
      }
      const at = 8 * (p.unit % (Math.floor(L / 8) + 1));
      return insertAfter(plans, { d: 0, offset: at, end: at, more: true, data: new Uint8Array(0) }, -1, p.at);
    }
    case "unaligned": {
      // A non-last fragment cut 1..7 bytes short: Parameter Problem; sent early or among the others.
      const i = p.piece % (n - 1);
      const q = plans[i]!;
      const cut = Math.max(q.offset + 1, q.end - p.short);
      return insertAfter(plans, { d: 0, offset: q.offset, end: cut, more: true }, p.early ? -1 : i, p.at);
    }
    case "oversized": {
      const { offset, end } = oversizedRange(p, headers);
      const size = end - offset;
      return insertAfter(plans, { d: 0, offset, end, more: p.more, data: payloadBytes(size, 7) }, -1, p.at);
    }
    case "conflicting-last": {
      // A second last fragment with another end: 8 bytes longer (while that stays within 65535) or shorter.
      // A 1-byte last piece cannot get shorter, so it gets longer even past 65535.
      const last = plans[n - 1]!;
      const length = last.end - last.offset;
      const longer = (p.longer && headers + last.end + 8 <= IPV6_MAXPLEN) || length === 1;
      const end = longer ? last.end + 8 : last.end - Math.min(8, length - 1);
      const data = longer
        ? new Uint8Array([...slice(last.offset, last.end), ...payloadBytes(8, 3)])
        : slice(last.offset, end);
      return insertAfter(plans, { d: 0, offset: last.offset, end, more: false, data }, -1, p.at);
    }
    case "beyond-end": {
      // At most 65528, the largest offset the field holds: past an end above it, the fragment reaches beyond the end instead.
      const at = Math.min(8 * Math.ceil(L / 8) + 8 * p.units, 0xfff8);
      return [...plans, { d: 0, offset: at, end: at + 8, more: p.more, data: payloadBytes(8, 5) }];
    }
    case "atomic-beside-queue": {
      // An atomic fragment with the pending datagram's key (or the datagram unfragmented), after its first fragment and before its last.
      const alone: Plan = p.unfragmented
        ? { d: 1, offset: 0, end: 0, more: false, whole: parts[1]! }
        : { d: 1, offset: 0, end: 0, more: false, atomic: parts[1]! };
      return insertAfter(plans, alone, 0, p.at % (n - 1));
    }
    case "tiny-first":
      // The first fragment ends inside the header chain (8 bytes, when that is short of the upper header).
      return [
        { d: 0, offset: 0, end: 8, more: true },
        ...plans.filter((q) => q.end > 8).map((q) => (q.offset < 8 ? { ...q, offset: 8 } : q)),
      ];
  }
}

/**
 * Where an oversized fragment lies. "first-past" ends at 65536, one byte past
 * the largest Payload Length; "past-with-headers" ends where the headers
 * before the Fragment header push the reassembled Payload Length to 65536
 * (within the field for a reassembler that counts only the offset);
 * "further" starts at 65528 - 8 * back and ends 8 * units past 65528.
 */
export function oversizedRange(
  p: Extract<Pattern, { cls: "oversized" }>,
  headers: number,
): { offset: number; end: number } {
  if (p.end === "further") return { offset: 65528 - 8 * p.back, end: 65528 + 8 * p.units };
  const end = IPV6_MAXPLEN + 1 - (p.end === "past-with-headers" ? headers : 0);
  return { offset: 8 * Math.floor((end - 1) / 8), end };
}
