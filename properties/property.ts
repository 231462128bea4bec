// What a conformance property is: a generator of JSON inputs and a check that
// runs one input against an IUT and compares with the model.
import type fc from "fast-check";
import { AdapterReplyError, type Iut } from "../iut/iut.js";
import type { AreaName } from "../iut/protocol.js";
import type { ModelRule, RuleHit } from "../model/rules.js";

export interface CheckOutcome {
  ok: boolean;
  /**
   * false when the IUT did not report what this property judges (ICMP errors,
   * say): the case is unjudged, neither agreement nor violation; `reason` says why.
   */
  judged?: boolean;
  reason?: string;
  /**
   * On a judged case: the part of the reply the property would judge that the
   * IUT left out (ICMP errors it does not report, say), and why. The rest was
   * judged; that part is counted as not judged, never as agreement.
   */
  partlyJudged?: string;
  /**
   * On a violation, what kind of deviation it is in the model's words (the
   * validator rule, the errno, the pattern class, the step kind), never the
   * case's values: a run reports one shrunk violation per key.
   */
  key?: string;
  /** What the model says (JSON), for the report and the corpus. */
  expected: unknown;
  /** What the IUT did (JSON). */
  observed: unknown;
  /** One line on how they differ. */
  message?: string;
  /** The rules the model applied to answer this case, in order (for rule coverage). */
  rules?: readonly RuleHit[];
  /** On a violation: the model's rule where the IUT's answer leaves the model's, and the evidence. */
  explanation?: Explanation;
}

/**
 * Why the model answers as it does where the IUT's answer leaves it: the
 * deciding rule with its citation, in one line, and the evidence behind it
 * (bpf: the instruction trace; hooks: the lists before and after the step;
 * cttimeout: the message and the policies; frag6: what the queue did per
 * fragment), and every rule the model applied.
 */
export interface Explanation {
  /** The deciding rule's id in its area's catalogue. */
  rule: string;
  summary: string;
  citation: string;
  /** Where it applied (step, packet, event) and with what. */
  at?: string;
  detail?: string;
  /** The evidence, one line each. */
  trace: string[];
  /** Every rule the model applied to the case, in order. */
  rules: readonly RuleHit[];
}

export interface PropertyContext {
  iut: Iut;
  /** The profile the IUT is judged against in this area. */
  profile: string;
  /**
   * --coverage: every outcome carries the rules the model applied (`rules`).
   * Without it a check may skip recording them on a conforming case; a
   * violation always carries its explanation.
   */
  collectRules?: boolean;
}

/** Packets of a case, for a pcap beside the case file. */
export interface CasePackets {
  linktype: number;
  /** Each with a label said in the case file, in pcap order. */
  packets: { label: string; data: Uint8Array; timestampUs?: number }[];
}

export interface ConformanceProperty<Input = unknown> {
  area: AreaName;
  /** Unique within the area, kebab-case. */
  name: string;
  /** One sentence: what must hold. */
  statement: string;
  /** Where the rule comes from (kernel file and function, RFC section). */
  citation: string;
  /** The protocol ops the check sends (besides reset). */
  ops: readonly string[];
  /** Generated inputs: plain JSON (hex strings for bytes), so cases replay from files. */
  arbitrary(profile: string): fc.Arbitrary<Input>;
  check(input: Input, context: PropertyContext): Promise<CheckOutcome>;
  /** Checks an input read back from a corpus file; throws with the reason when malformed. */
  validateInput(input: unknown): Input;
  packets?(input: Input, outcome: CheckOutcome): CasePackets | undefined;
}

/**
 * maxInstances of the areas whose cases mostly compute (checksum, bpf,
 * cttimeout, hooks). Measured on the kernel at CI's seed, each area alone on
 * 2 cores: 4 instances judged as fast as 6-24 (hooks 32.9 s at 4, 32.7 s at 6)
 * for less CPU (cttimeout 11.0 CPU-s at 4, 21.9 at 12); at 2-3 they were
 * slower (bench/jobs.md).
 */
export const COMPUTING_AREA_INSTANCES = 4;

export interface AreaDefinition {
  name: AreaName;
  summary: string;
  profiles: readonly { name: string; summary: string }[];
  defaultProfile: string;
  // biome-ignore lint/suspicious/noExplicitAny: a list holds properties of every input type
  properties: readonly ConformanceProperty<any>[];
  /** The model's named rules in this area (model/<area>/rule-catalogue.ts): what rule coverage counts. */
  rules: readonly ModelRule[];
  /**
   * Instances (--jobs) this area's cases are judged on at most, always the
   * same ones. Its cases mostly compute, and every instance sets the area up
   * on its first case (the kernel adapter: namespaces, networks, sockets), so
   * past a few instances the set-up costs more CPU than the overlap saves
   * (bench/jobs.md). Unset: every instance (cases that wait on timers).
   */
  maxInstances?: number;
}

/**
 * A case whose outcome the model does not predict (the profile leaves it to
 * the kernel's configuration, say): not judged, counted and reported with the
 * declined cases, its reason saying it was the model, not the IUT.
 */
export class UnpredictedCase extends AdapterReplyError {
  constructor(op: string, why: string) {
    super("invalid", op, `not predicted by the model: ${why}`);
  }
}

export function propertyId(property: Pick<ConformanceProperty, "area" | "name">): string {
  return `${property.area}.${property.name}`;
}
