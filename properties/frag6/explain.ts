// A frag6 violation explained: the model rule where the IUT's answer leaves
// the model's, and a per-fragment timeline of what the model's queue did.
import type { Frag6Expectation } from "../../model/frag6/outcome.js";
import { FRAG6_EFFECTS, FRAG6_RULES, frag6RuleHits } from "../../model/frag6/rule-catalogue.js";
import { arrivalsOf } from "../../model/frag6/run.js";
import type { RuleHit } from "../../model/rules.js";
import { fromHex } from "../../wire/hex.js";
import { explanation, lastHitAt } from "../explain.js";
import type { Explanation } from "../property.js";
import type { StreamInput } from "./stream.js";

/** Each event as it came (time, offsets, M, identification), then every line the model wrote about it. */
export function frag6Timeline(input: StreamInput, hits: readonly RuleHit[]): string[] {
  const arrivals = arrivalsOf(input.events.map((e) => ({ t: e.t, packet: fromHex(e.packet) })));
  const lines: string[] = [];
  for (const a of arrivals) {
    const f = a.fragment;
    lines.push(
      `event ${a.index} t=${a.t}: ${
        f
          ? `fragment id 0x${f.identification.toString(16)} bytes ${f.offset}..${f.offset + f.data.length} M=${f.more ? 1 : 0}`
          : "no Fragment header"
      } (${a.packet.length} bytes)`,
    );
    for (const h of hits) if (h.at === `event ${a.index}`) lines.push(`  ${h.rule}: ${h.detail ?? ""}`);
  }
  for (const h of hits) if (h.at === undefined) lines.push(`${h.rule}: ${h.detail ?? ""}`);
  return lines;
}

/** What a violation kind says the IUT did against the model: delivered too much, too little, or other ICMP. */
function effectOf(kind: string | undefined): "delivers" | "discards" | "icmp" {
  if (kind?.includes("ICMP")) return "icmp";
  if (kind?.includes("missing") || kind === "a delivery differs") return "delivers";
  return "discards";
}

/** The rules the model applied to a run, and on a violation of `kind` the deciding one with the timeline. */
export function frag6Explained(
  input: StreamInput,
  expectation: Frag6Expectation,
  violation: { kind?: string } | undefined,
): { rules: readonly RuleHit[]; explanation?: Explanation } {
  const { hits } = frag6RuleHits(expectation);
  if (!violation) return { rules: hits };
  const effect = effectOf(violation.kind);
  const has = (h: RuleHit) => FRAG6_EFFECTS[h.rule as keyof typeof FRAG6_RULES]?.includes(effect) ?? false;
  // Something delivered that the model discards: the first rule that discarded (a timeout only when none
  // other did: timers fire at the end, after the rule that left the queue incomplete). Otherwise the
  // last rule that delivered or answered.
  const deciding =
    effect === "discards"
      ? (hits.find((h) => has(h) && !/timeout|expired/.test(h.rule)) ?? hits.find(has))
      : lastHitAt(hits, undefined, has);
  const why = explanation(FRAG6_RULES, deciding ?? lastHitAt(hits, undefined), hits, frag6Timeline(input, hits));
  return { rules: hits, ...(why ? { explanation: why } : {}) };
}
