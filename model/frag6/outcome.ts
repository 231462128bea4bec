// What a frag6 run produces, and what a profile allows. Linux profiles predict
// one outcome; RFC 8200 leaves choices, so its prediction is a set: per
// datagram (queue key) a list of allowed candidates, any combination of
// which conforms.

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
