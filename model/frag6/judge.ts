// Whether an observed frag6.run reply is one the profile allows. Linux
// profiles: exactly the predicted deliveries (time, bytes, order) and, when
// the IUT reports ICMP, exactly the predicted errors. RFC 8200: some choice
// per datagram whose deliveries, merged in event order, are the observed
// ones, and whose ICMP allows what was reported.
import { icmpKey, sortIcmp, type Candidate, type Delivery, type Frag6Expectation, type IcmpError } from "./outcome.js";
import { canonicalOutcome, mergeDeliveries } from "./run.js";

export interface Observed {
  delivered: Delivery[];
  /** Absent when the IUT does not report ICMP: then ICMP is not judged. */
  icmp?: IcmpError[];
}

export interface Verdict {
  ok: boolean;
  message?: string;
}

const show = (d: Delivery) => `t=${d.t} ${d.packet.length / 2} bytes`;

function sameDeliveries(a: readonly Delivery[], b: readonly Delivery[]): boolean {
  return a.length === b.length && a.every((d, i) => d.t === b[i]!.t && d.packet === b[i]!.packet);
}

/** Describes how the observed deliveries differ from one allowed list. */
export function describeDeliveryDifference(wanted: readonly Delivery[], observed: readonly Delivery[]): string {
  for (let i = 0; i < Math.max(wanted.length, observed.length); i++) {
    const w = wanted[i];
    const o = observed[i];
    if (!w) return `delivered ${observed.length} datagrams, the model ${wanted.length}: extra ${show(o!)}`;
    if (!o) return `delivered ${observed.length} datagrams, the model ${wanted.length}: missing ${show(w)}`;
    if (w.t !== o.t || w.packet !== o.packet) {
      const at = [...w.packet].findIndex((c, j) => c !== o.packet[j]);
      return `delivery ${i}: ${show(o)}, the model ${show(w)}${w.t === o.t && at >= 0 ? ` (first difference at byte ${Math.floor(at / 2)})` : ""}`;
    }
  }
  return "identical";
}

function icmpMultisetMinus(have: readonly IcmpError[], take: readonly IcmpError[]): IcmpError[] | null {
  const rest = [...have];
  for (const e of take) {
    const i = rest.findIndex((r) => icmpKey(r) === icmpKey(e));
    if (i < 0) return null;
    rest.splice(i, 1);
  }
  return rest;
}

function icmpAllowed(chosen: readonly Candidate[], observed: readonly IcmpError[]): boolean {
  const required = chosen.flatMap((c) => c.icmpRequired);
  const rest = icmpMultisetMinus(observed, required);
  if (!rest) return false;
  return icmpMultisetMinus([...chosen.flatMap((c) => c.icmpOptional)], rest) !== null;
}

function judgeChoice(expectation: Extract<Frag6Expectation, { kind: "choice" }>, observed: Observed): Verdict {
  const groups = expectation.groups;
  const relaxed = expectation.relaxed === "subsequence";
  let budget = 20000;
  const chosen: Candidate[] = [];
  const fits = (): boolean => {
    const merged = mergeDeliveries(chosen.map((c) => c.delivered));
    if (relaxed) {
      // Deliveries may be missing: the observed ones must appear in order among the chosen ones.
      let j = 0;
      for (const d of merged)
        if (
          j < observed.delivered.length &&
          d.t === observed.delivered[j]!.t &&
          d.packet === observed.delivered[j]!.packet
        )
          j++;
      if (j !== observed.delivered.length) return false;
    } else if (!sameDeliveries(merged, observed.delivered)) return false;
    return observed.icmp === undefined || relaxed || icmpAllowed(chosen, observed.icmp);
  };
  const search = (i: number): boolean => {
    if (budget-- <= 0) return false;
    if (i === groups.length) return fits();
    for (const c of groups[i]!.candidates) {
      // Prune: each of this candidate's deliveries must be among the observed ones.
      if (!relaxed && !c.delivered.every((d) => observed.delivered.some((o) => o.t === d.t && o.packet === d.packet)))
        continue;
      chosen.push(c);
      const found = search(i + 1);
      chosen.pop();
      if (found) return true;
    }
    return false;
  };
  if (search(0)) return { ok: true };
  const canonical = canonicalOutcome(expectation);
  if (observed.icmp !== undefined && judgeChoice(expectation, { delivered: observed.delivered }).ok) {
    return {
      ok: false,
      message: `ICMP errors ${JSON.stringify(sortIcmp(observed.icmp))} are not allowed with these deliveries (allowed, at most: ${JSON.stringify(canonical.icmp)})`,
    };
  }
  return {
    ok: false,
    message: `no outcome RFC 8200 allows: ${describeDeliveryDifference(canonical.delivered, observed.delivered)} (against one allowed outcome)`,
  };
}

export function judgeFrag6(expectation: Frag6Expectation, observed: Observed): Verdict {
  if (expectation.kind === "choice") return judgeChoice(expectation, observed);
  const wanted = expectation.outcome;
  if (!sameDeliveries(wanted.delivered, observed.delivered))
    return { ok: false, message: describeDeliveryDifference(wanted.delivered, observed.delivered) };
  if (observed.icmp !== undefined) {
    const a = sortIcmp(wanted.icmp).map(icmpKey).join(" ");
    const b = sortIcmp(observed.icmp).map(icmpKey).join(" ");
    if (a !== b) return { ok: false, message: `ICMP errors [${b}] (t/type/code/pointer), the model [${a}]` };
  }
  return { ok: true };
}
