// What makes a frag6 stream a case of its pattern class, and of each
// property, read back from its packets alone: the generator tests check
// every sampled stream keeps its class's point, the frag6 mutant tests check
// shrunk counterexamples do.
import { FRAG_QUEUE_SIZE, fragmentTruesize } from "../../model/frag6/memory.js";
import { queueKey, tinyFirstFragment } from "../../model/frag6/fragment.js";
import { boundariesOf } from "../../properties/frag6/boundaries.js";
import type { Frag6Class, StreamInput } from "../../properties/frag6/stream.js";
import { fromHex } from "../../wire/hex.js";
import { parseFragmentPacket, type FragmentPacket } from "../../wire/ipv6-fragment.js";

interface Arrived {
  t: number;
  packet: Uint8Array;
  f: FragmentPacket;
  key: string;
  offset: number;
  end: number;
}

const isAtomic = (a: Arrived) => a.offset === 0 && !a.f.more;

function arrivals(input: StreamInput): Arrived[] {
  return input.events.flatMap((e) => {
    const packet = fromHex(e.packet);
    const f = parseFragmentPacket(packet);
    return f ? [{ t: e.t, packet, f, key: queueKey(f), offset: f.offset, end: f.offset + f.data.length }] : [];
  });
}

/** Non-atomic fragments by queue key, in arrival order. */
function queues(input: StreamInput): Map<string, Arrived[]> {
  const out = new Map<string, Arrived[]>();
  for (const a of arrivals(input).filter((a) => !isAtomic(a))) out.set(a.key, [...(out.get(a.key) ?? []), a]);
  return out;
}

function some(input: StreamInput, test: (q: Arrived[]) => boolean): boolean {
  return [...queues(input).values()].some(test);
}

const overlaps = (q: Arrived[]) =>
  q.some((a, i) => q.some((b, j) => j < i && a.offset < b.end && b.offset < a.end && a.end > a.offset));

const lastEnds = (q: Arrived[]) => new Set(q.filter((a) => !a.f.more).map((a) => a.end));

/** Fragments that start queues of their own and never finish: the flood. */
function floodMemory(input: StreamInput): number {
  return [...queues(input).values()]
    .filter((q) => q.length === 1 && q[0]!.offset > 0)
    .reduce((n, q) => n + FRAG_QUEUE_SIZE + fragmentTruesize(q[0]!.packet.length), 0);
}

const POINTS: Record<Frag6Class, (input: StreamInput) => boolean> = {
  "in-order": () => true,
  reordered: (s) => some(s, (q) => q.some((a, i) => i > 0 && a.offset < q[i - 1]!.offset)),
  loss: (s) =>
    some(s, (q) => {
      const end = Math.max(...q.map((a) => a.end));
      const covered = new Uint8Array(end);
      for (const a of q) covered.fill(1, a.offset, a.end);
      return !q.some((a) => !a.f.more) || covered.includes(0);
    }),
  "duplicate-exact": (s) => new Set(s.events.map((e) => e.packet)).size < s.events.length,
  "overlap-partial-head": (s) => some(s, overlaps),
  "overlap-partial-tail": (s) => some(s, overlaps),
  "overlap-containing": (s) => some(s, overlaps),
  "overlap-contained-equal": (s) => some(s, overlaps),
  "overlap-contained-different": (s) => some(s, overlaps),
  "overlap-across-runs": (s) => some(s, overlaps),
  "zero-length": (s) => arrivals(s).some((a) => a.end === a.offset),
  unaligned: (s) => boundariesOf(s).includes("unaligned-more"),
  oversized: (s) => boundariesOf(s).includes("payload-past-65535"),
  "conflicting-last": (s) => some(s, (q) => lastEnds(q).size > 1),
  "beyond-end": (s) => some(s, (q) => lastEnds(q).size > 0 && q.some((a) => a.end > Math.min(...lastEnds(q)))),
  "atomic-beside-queue": (s) => {
    const all = arrivals(s);
    // Or the other datagram sent whole, without a Fragment header, among the pending one's fragments.
    const unfragmented = s.events.some((e) => !parseFragmentPacket(fromHex(e.packet)));
    return (
      unfragmented || all.some((a, i) => isAtomic(a) && all.slice(0, i).some((b) => !isAtomic(b) && b.key === a.key))
    );
  },
  "tiny-first": (s) => arrivals(s).some((a) => tinyFirstFragment(a.packet, a.f)),
  interleaved: (s) => [...queues(s).values()].filter((q) => q.length >= 2).length >= 2,
  "ecn-mixed": (s) => some(s, (q) => new Set(q.map((a) => a.f.trafficClass & 3)).size > 1),
  "timeout-spread": (s) => some(s, (q) => q.some((a) => a.t > q[0]!.t + s.config.timeoutMs)),
  flood: (s) => floodMemory(s) > s.config.highThresh,
};

/** Whether the stream still shows the pattern of the class it was built for. */
export function keepsClassPoint(input: StreamInput): boolean {
  return POINTS[input.labels[0]!](input);
}

/** What each property is about, where that is narrower than its classes. */
const PROPERTY_POINTS: Record<string, (input: StreamInput) => boolean> = {
  // Another datagram's fragments (or atomic fragment) are in the stream, and it is not the first one again.
  "other-datagrams-unaffected": (s) =>
    s.originals.length === 2 &&
    s.originals[0] !== s.originals[1] &&
    (POINTS.interleaved(s) || POINTS["atomic-beside-queue"](s)),
  "overlap-rule": (s) => some(s, overlaps),
  "discarded-queue-takes-all": (s) =>
    some(s, overlaps) ||
    POINTS["zero-length"](s) ||
    POINTS["conflicting-last"](s) ||
    POINTS["beyond-end"](s) ||
    boundariesOf(s).some((b) => b === "unaligned-more" || b === "payload-past-65535"),
  "expired-never-completes": POINTS["timeout-spread"],
};

/** Whether the stream still shows what the property is about (its class's point and any narrower one). */
export function keepsPropertyPoint(property: string, input: StreamInput): boolean {
  return keepsClassPoint(input) && (PROPERTY_POINTS[property]?.(input) ?? true);
}
