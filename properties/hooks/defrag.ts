// The cross-area property of hooks and frag6: IPv6 PRE_ROUTING chains on each
// side of nf_defrag_ipv6's hook (priority -400) see fragments or the
// reassembled datagram (model/defrag/prerouting.ts). A case registers a few
// chains at priorities around -400 (-401, -400 and -399 included) and, now and
// then, a defrag user between them, then sends a frag6 fragment stream, some
// of which reassemble and some not.
import fc from "fast-check";
import { AdapterReplyError } from "../../iut/iut.js";
import { shape } from "../../iut/ops/codec.js";
import { offersOp } from "../../iut/ops/common.js";
import { FragmentsRequestShape, hooksFragments, readFragmentsRequest } from "../../iut/ops/hooks-fragments.js";
import {
  DEFRAG_RULES,
  preroutingOrder,
  preroutingSightings,
  type DefragRules,
  type DefragStep,
} from "../../model/defrag/prerouting.js";
import { HOOKS_RULES_CATALOGUE } from "../../model/hooks/rule-catalogue.js";
import { RuleTrace, type RuleHit } from "../../model/rules.js";
import { explanation, lastHitAt } from "../explain.js";
import { NF_IP_PRI } from "../../model/hooks/priorities.js";
import { hooksRules } from "../../model/hooks/profiles.js";
import type { HooksProfile } from "../../model/hooks/profiles.js";
import { fromHex, toHex } from "../../wire/hex.js";
import { parseFragmentPacket } from "../../wire/ipv6-fragment.js";
import { frag6Stream } from "../frag6/generators.js";
import type { Frag6Class } from "../frag6/stream.js";
import type { CheckOutcome, ConformanceProperty } from "../property.js";

export interface DefragInput {
  steps: DefragStep[];
  /** The IPv6 packets, in the order they arrive (hex). */
  packets: string[];
  /** The frag6 pattern classes the stream was built to exercise. */
  labels: Frag6Class[];
}

/** Streams that reassemble, that never complete, and that defrag lets through or drops in part. */
const CLASSES: readonly Frag6Class[] = [
  "in-order",
  "reordered",
  "loss",
  "duplicate-exact",
  "overlap-partial-head",
  "unaligned",
  "tiny-first",
  "atomic-beside-queue",
  "interleaved",
];

const DEFRAG = NF_IP_PRI.CONNTRACK_DEFRAG;

/** Mostly -401, -400 and -399; now and then another landmark or a nearby value. */
const priority = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(DEFRAG, DEFRAG - 1, DEFRAG + 1) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(NF_IP_PRI.RAW_BEFORE_DEFRAG, NF_IP_PRI.RAW, NF_IP_PRI.CONNTRACK, NF_IP_PRI.FILTER),
  },
  { weight: 1, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
);

export function defragCase(): fc.Arbitrary<DefragInput> {
  return fc
    .record({
      priorities: fc.array(priority, { minLength: 1, maxLength: 4 }),
      // Where the defrag user comes among the chains; null: no user, every chain sees every packet.
      userAt: fc.option(fc.nat({ max: 4 }), { nil: null, freq: 5 }),
      stream: frag6Stream({ classes: CLASSES }),
    })
    .map(({ priorities, userAt, stream }) => {
      const steps: DefragStep[] = priorities.map((p, i) => ({ chain: `c${i}`, priority: p }));
      if (userAt !== null) steps.splice(Math.min(userAt, steps.length), 0, { defragUser: true });
      return { steps, packets: stream.events.map((e) => e.packet), labels: stream.labels };
    });
}

const request = shape(FragmentsRequestShape);

export function validateDefragInput(input: unknown): DefragInput {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new Error("input must be a JSON object");
  const { steps, packets, labels, ...rest } = input as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length) throw new Error(`input has unknown fields ${extra.join(", ")}`);
  const problem = request.problem({ steps, packets });
  if (problem) throw new Error(`input: ${problem}`);
  if (!Array.isArray(labels) || labels.some((l) => typeof l !== "string"))
    throw new Error("input: labels must be a list of strings");
  for (const [i, p] of (packets as string[]).entries()) parseFragmentPacket(fromHex(p), `packets[${i}]`);
  return { steps: steps as DefragStep[], packets: packets as string[], labels: labels as Frag6Class[] };
}

interface Seen {
  event: number;
  chain: string;
  packet: string;
}

/** What a sighting's packet is: an IUT may answer bytes that do not parse. */
function kindOf(hex: string): "a fragment" | "a whole packet" | "a malformed packet" {
  try {
    return parseFragmentPacket(fromHex(hex)) ? "a fragment" : "a whole packet";
  } catch {
    return "a malformed packet";
  }
}

/** A sighting in a few words: arrival, chain, and whether it was a fragment. */
function show(s: Seen | undefined): string {
  if (!s) return "no more sightings";
  return `${s.chain} saw ${kindOf(s.packet)} of ${s.packet.length / 2} bytes at packet ${s.event}`;
}

/** What kind of deviation the first difference is, in the rule's words. */
function deviation(observed: Seen | undefined, wanted: Seen | undefined): string {
  if (!observed) return "a chain missed a packet";
  if (!wanted) return "a chain saw a packet the model holds back";
  if (observed.chain !== wanted.chain || observed.event !== wanted.event) return "chains ran in another order";
  const [o, w] = [kindOf(observed.packet), kindOf(wanted.packet)];
  if (o === "a fragment" && w === "a whole packet") return "a chain after defrag saw a fragment";
  if (o === "a whole packet" && w === "a fragment") return "a chain before defrag saw a reassembled datagram";
  return "a chain saw other bytes";
}

/** The rule that decided the model's answer at the first difference, and the evidence: the list, then each sighting. */
function explain(steps: readonly DefragStep[], packets: readonly Uint8Array[], rules: DefragRules, o?: Seen, w?: Seen) {
  const trace = new RuleTrace();
  const sightings = preroutingSightings(steps, packets, rules, trace);
  const at = w ?? o;
  const hit: RuleHit | undefined =
    (w && trace.hits.find((h) => h.at === `packet ${w.event}` && h.detail === w.chain)) ??
    (at && lastHitAt(trace.hits, `packet ${at.event}`)) ??
    trace.hits.find((h) => h.rule === "defrag-absent");
  const evidence = [
    `PRE_ROUTING list: ${preroutingOrder(steps, rules)}`,
    ...sightings.map(
      (s) => `packet ${s.event}: ${s.chain} sees ${kindOf(toHex(s.packet))} of ${s.packet.length} bytes`,
    ),
  ];
  return { rules: trace.hits, explanation: explanation(HOOKS_RULES_CATALOGUE, hit, trace.hits, evidence) };
}

async function check(input: DefragInput, { iut, profile, collectRules }: Parameters<ConformanceProperty["check"]>[1]) {
  if (!offersOp(await iut.hello(), hooksFragments.op))
    throw new AdapterReplyError("unsupported", hooksFragments.op, "the IUT's hello does not list hooks.fragments");
  const { steps, packets } = readFragmentsRequest({ steps: input.steps, packets: input.packets });
  const rules = { ...DEFRAG_RULES, hooks: hooksRules(profile as HooksProfile) };
  const wanted: Seen[] = preroutingSightings(steps, packets, rules).map((s) => ({ ...s, packet: toHex(s.packet) }));
  const observed: Seen[] = (await hooksFragments.call(iut, { steps: input.steps, packets: input.packets })).seen;
  const at = observed.findIndex((o, i) => {
    const w = wanted[i];
    return !w || o.event !== w.event || o.chain !== w.chain || o.packet !== w.packet;
  });
  const first = at < 0 && observed.length !== wanted.length ? observed.length : at;
  if (first < 0) {
    const outcome: CheckOutcome = { ok: true, expected: "as the model", observed: "as the model" };
    return collectRules ? { ...outcome, rules: explain(steps, packets, rules).rules } : outcome;
  }
  const o = observed[first];
  const w = wanted[first];
  const kind = deviation(o, w);
  const model = explain(steps, packets, rules, o, w);
  return {
    ok: false,
    key: kind,
    expected: wanted,
    observed,
    message: `sighting ${first}: ${show(o)}; the model has ${show(w)} (${kind})`,
    rules: model.rules,
    ...(model.explanation ? { explanation: model.explanation } : {}),
  } satisfies CheckOutcome;
}

export const DEFRAG_PROPERTY: ConformanceProperty<DefragInput> = {
  area: "hooks",
  name: "prerouting-defrag-split",
  statement:
    "With a user of nf_defrag_ipv6, an IPv6 PRE_ROUTING chain that runs before its hook (priority below -400, or -400 registered after the user) sees every fragment as it arrives, and a chain after it only what it lets through: the datagram reassembled in its last fragment's place, unfragmented packets and fragments it does not queue; without a user every chain sees every packet.",
  citation:
    "net/ipv6/netfilter/nf_defrag_ipv6_hooks.c ipv6_defrag_ops (NF_IP6_PRI_CONNTRACK_DEFRAG), ipv6_defrag(), nf_defrag_ipv6_enable(); net/ipv6/netfilter/nf_conntrack_reasm.c nf_ct_frag6_gather(), nf_ct_frag6_reasm(); net/netfilter/nf_conntrack_proto.c nf_ct_netns_do_get(); net/netfilter/core.c nf_hook_entries_grow(), nf_hook_slow()",
  ops: [hooksFragments.op],
  arbitrary: () => defragCase(),
  validateInput: validateDefragInput,
  check,
};
