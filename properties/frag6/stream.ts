// A frag6 case: the events of one frag6.run (plain JSON, packets as hex), the
// config, the pattern classes the stream was built to exercise, and the
// datagrams its fragments were cut from.
import type { Frag6Config } from "../../model/frag6/profiles.js";

export const FRAG6_CLASSES = [
  "in-order",
  "reordered",
  "loss",
  "duplicate-exact",
  "overlap-partial-head",
  "overlap-partial-tail",
  "overlap-containing",
  "overlap-contained-equal",
  "overlap-contained-different",
  "overlap-across-runs",
  "zero-length",
  "unaligned",
  "oversized",
  "conflicting-last",
  "beyond-end",
  "atomic-beside-queue",
  "tiny-first",
  "interleaved",
  "ecn-mixed",
  "timeout-spread",
  "flood",
] as const;
export type Frag6Class = (typeof FRAG6_CLASSES)[number];

/** Classes whose fragments can only ever rebuild the original datagrams (same bytes, same end). */
export const INTACT_CLASSES: readonly Frag6Class[] = FRAG6_CLASSES.filter(
  (c) => c !== "overlap-contained-different" && c !== "conflicting-last" && c !== "ecn-mixed",
);

/** Classes with fragments that overlap others (an exact duplicate included). */
export const OVERLAP_CLASSES: readonly Frag6Class[] = [
  "overlap-partial-head",
  "overlap-partial-tail",
  "overlap-containing",
  "overlap-contained-equal",
  "overlap-contained-different",
  "overlap-across-runs",
  "duplicate-exact",
];

/** Classes where a Linux or RFC rule throws a whole queue away. */
export const DISCARD_CLASSES: readonly Frag6Class[] = [
  ...OVERLAP_CLASSES,
  "zero-length",
  "conflicting-last",
  "beyond-end",
  "unaligned",
  "oversized",
];

export interface StreamEvent {
  t: number;
  packet: string;
}

export interface StreamInput {
  events: StreamEvent[];
  config: Frag6Config;
  /** The pattern classes this stream exercises (the clarification table's rows). */
  labels: Frag6Class[];
  /** The unfragmented datagrams the fragments were cut from (hex). */
  originals: string[];
}
