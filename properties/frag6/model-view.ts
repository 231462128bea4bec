// The model's view of one case, and narrowing a prediction to some datagrams.
import { frag6Expectation } from "../../model/frag6/run.js";
import type { Frag6Expectation } from "../../model/frag6/outcome.js";
import type { Frag6Profile } from "../../model/frag6/profiles.js";
import { fromHex } from "../../wire/hex.js";
import type { StreamInput } from "./stream.js";

export function expectationFor(input: StreamInput, profile: string): Frag6Expectation {
  const events = input.events.map((e) => ({ t: e.t, packet: fromHex(e.packet) }));
  return frag6Expectation(events, profile as Frag6Profile, input.config);
}

/** The same prediction, counting only deliveries whose packet `keep` accepts. */
export function restrict(expectation: Frag6Expectation, keep: (packet: string) => boolean): Frag6Expectation {
  if (expectation.kind === "exact") {
    return {
      ...expectation,
      outcome: { ...expectation.outcome, delivered: expectation.outcome.delivered.filter((d) => keep(d.packet)) },
    };
  }
  return {
    ...expectation,
    groups: expectation.groups.map((g) => ({
      ...g,
      candidates: g.candidates.map((c) => ({ ...c, delivered: c.delivered.filter((d) => keep(d.packet)) })),
    })),
  };
}

/** Every delivery (time and packet) some allowed outcome contains. */
export function possibleDeliveries(expectation: Frag6Expectation): Set<string> {
  const all =
    expectation.kind === "exact"
      ? expectation.outcome.delivered
      : expectation.groups.flatMap((g) => g.candidates.flatMap((c) => c.delivered));
  return new Set(all.map((d) => `${d.t}/${d.packet}`));
}

/** The most times each packet can be delivered under the prediction. */
export function maxDeliveries(expectation: Frag6Expectation): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (list: { packet: string }[], into: Map<string, number>) => {
    for (const d of list) into.set(d.packet, (into.get(d.packet) ?? 0) + 1);
  };
  if (expectation.kind === "exact") {
    add(expectation.outcome.delivered, counts);
    return counts;
  }
  for (const g of expectation.groups) {
    const best = new Map<string, number>();
    for (const c of g.candidates) {
      const mine = new Map<string, number>();
      add(c.delivered, mine);
      for (const [p, n] of mine) best.set(p, Math.max(best.get(p) ?? 0, n));
    }
    for (const [p, n] of best) counts.set(p, (counts.get(p) ?? 0) + n);
  }
  return counts;
}
