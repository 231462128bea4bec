// What a frag6 run produces, and what a profile allows. Linux profiles predict
// one outcome; RFC 8200 leaves choices, so its prediction is a set: per
// datagram (queue key) a list of allowed candidates, any combination of
// which conforms.
import { toHex } from "../../wire/hex.js";

export interface Delivery {
  t: number;
  /** Hex of the whole IPv6 packet handed to the upper layer. */
  packet: string;
}

export interface IcmpError {
  t: number;
  type: number;
  code: number;
  pointer: number;
}

/** One run's observable result (the reply of frag6.run). */
export interface Frag6Outcome {
  delivered: Delivery[];
  icmp: IcmpError[];
}

/** A delivery tagged with the event that caused it, so choices of several datagrams merge in event order. */
export interface TaggedDelivery extends Delivery {
  event: number;
}

/**
 * A delivery of `bytes` at `t`, its hex written when first read: hex costs
 * more than the reassembly that built the bytes, and many deliveries the model
 * builds are never shown (RFC 8200 states merged away, a run whose deliveries
 * are only counted). `packet` is an own enumerable property like any other,
 * so JSON and deep equality see the hex.
 */
export function lazyDelivery(t: number, bytes: Uint8Array): Delivery {
  let hex: string | undefined;
  return {
    t,
    get packet(): string {
      hex ??= toHex(bytes);
      return hex;
    },
  };
}

/** lazyDelivery() tagged with the event that caused it. */
export function taggedDelivery(event: number, t: number, bytes: Uint8Array): TaggedDelivery {
  return Object.assign(lazyDelivery(t, bytes), { event });
}

/** `d` without its event tag, its hex still written only when read. */
export function untagged(d: TaggedDelivery): Delivery {
  return {
    t: d.t,
    get packet(): string {
      return d.packet;
    },
  };
}

/** One allowed behaviour for one datagram. */
export interface Candidate {
  /** The choices that lead here, for messages ("duplicate dropped", "overlap: abandoned"). */
  choices: string[];
  delivered: TaggedDelivery[];
  /** ICMP errors this behaviour requires. */
  icmpRequired: IcmpError[];
  /** ICMP errors it permits but does not require (RFC "should"). */
  icmpOptional: IcmpError[];
}

/** The allowed behaviours of one datagram (or of one packet handled alone). */
export interface CandidateGroup {
  key: string;
  candidates: Candidate[];
}

export type Frag6Expectation =
  | {
      kind: "exact";
      profile: string;
      outcome: Frag6Outcome;
      notes: string[];
      /** Set when the run reaches behaviour the profile does not predict: the case is not judged (why). */
      undetermined?: string;
    }
  | {
      kind: "choice";
      profile: string;
      groups: CandidateGroup[];
      /**
       * Set when the RFC leaves the run open beyond the groups: memory ran
       * short ("subsequence": deliveries may be missing) or the search was cut.
       */
      relaxed: null | "subsequence";
      notes: string[];
    };

export function icmpKey(e: IcmpError): string {
  return `${e.t}/${e.type}/${e.code}/${e.pointer}`;
}

export function sortIcmp(list: IcmpError[]): IcmpError[] {
  return [...list].sort((a, b) => a.t - b.t || a.type - b.type || a.code - b.code || a.pointer - b.pointer);
}
