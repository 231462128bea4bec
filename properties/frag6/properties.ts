// The frag6 area's properties, each against the profile the IUT claims. One
// compares the whole reply with the model's outcome set; the others each
// name one rule, so a broken reassembler is told which rule it breaks.
import type fc from "fast-check";
import { judgeFrag6, type Observed } from "../../model/frag6/judge.js";
import type { Frag6Expectation } from "../../model/frag6/outcome.js";
import { canonicalOutcome } from "../../model/frag6/run.js";
import { fromHex } from "../../wire/hex.js";
import { LINKTYPE_RAW } from "../../wire/pcap.js";
import { UnpredictedCase, type CasePackets, type CheckOutcome, type ConformanceProperty } from "../property.js";
import { frag6Stream } from "./generators.js";
import { frag6Explained } from "./explain.js";
import { explainable } from "./holes.js";
import { validateStreamInput } from "./input-validation.js";
import { iutRun } from "./iut-calls.js";
import { expectationFor, maxDeliveries, possibleDeliveries, restrict } from "./model-view.js";
import { DISCARD_CLASSES, INTACT_CLASSES, OVERLAP_CLASSES, type Frag6Class, type StreamInput } from "./stream.js";

const RFC = "RFC 8200 section 4.5; RFC 5722 section 4 with erratum 3089";
const LINUX =
  "net/ipv4/inet_fragment.c inet_frag_queue_insert(); net/ipv6/reassembly.c ip6_frag_queue(); net/ipv6/netfilter/nf_conntrack_reasm.c nf_ct_frag6_queue()";

/** The input fragments as a pcap, timestamps in virtual time: tshark shows IPv6 fragments. */
function streamPackets(input: StreamInput): CasePackets {
  return {
    linktype: LINKTYPE_RAW,
    packets: input.events.map((e, i) => ({
      label: `event ${i} at ${e.t} ms`,
      data: fromHex(e.packet),
      timestampUs: e.t * 1000 + i,
    })),
  };
}

/**
 * A rule's verdict on one case: `kind` names what differs (for the violation
 * key, with the stream's pattern classes); `unjudged` says why the case gave
 * the rule nothing to judge (not a pass).
 */
interface Judgement {
  ok: boolean;
  message?: string;
  kind?: string;
  unjudged?: string;
  /** The case was judged without this part of the reply (CheckOutcome.partlyJudged). */
  partlyJudged?: string;
}

/** Why a case's ICMP errors went unjudged by a property that judges them when reported. */
export const ICMP_NOT_REPORTED = "ICMP errors: the IUT did not report them (the deliveries were judged)";

function verdict(input: StreamInput, expected: unknown, observed: Observed, j: Judgement): CheckOutcome {
  if (j.unjudged !== undefined) return { ok: true, judged: false, reason: j.unjudged, expected, observed };
  if (j.ok) return { ok: true, expected, observed, ...(j.partlyJudged ? { partlyJudged: j.partlyJudged } : {}) };
  const classes = [...new Set(input.labels)].sort().join("+") || "unlabelled";
  return {
    ok: false,
    expected,
    observed,
    ...(j.message ? { message: j.message } : {}),
    key: `${classes}: ${j.kind ?? "differs"}`,
  };
}

/** judgeFrag6, naming what differs: a datagram too many or missing, a delivery's time or bytes, or the ICMP errors. */
function judged(e: Frag6Expectation, o: Observed): Judgement {
  const v = judgeFrag6(e, o);
  if (v.ok) return v;
  const deliveriesRight = o.icmp !== undefined && judgeFrag6(e, { delivered: o.delivered }).ok;
  if (deliveriesRight) return { ...v, kind: "ICMP errors differ" };
  const wanted = canonicalOutcome(e).delivered.length;
  const kind =
    o.delivered.length > wanted
      ? "a datagram too many"
      : o.delivered.length < wanted
        ? "a datagram missing"
        : "a delivery differs";
  return { ...v, kind };
}

/** The model's answer, for reports: one allowed outcome (and how many datagrams had choices). */
function shown(expectation: Frag6Expectation): unknown {
  const outcome = canonicalOutcome(expectation);
  if (expectation.kind === "exact") return { profile: expectation.profile, ...outcome };
  return {
    profile: expectation.profile,
    oneAllowedOutcome: outcome,
    datagramsWithChoices: expectation.groups.filter((g) => g.candidates.length > 1).length,
    ...(expectation.relaxed ? { relaxed: expectation.relaxed } : {}),
  };
}

function property(
  name: string,
  statement: string,
  citation: string,
  classes: readonly Frag6Class[] | undefined,
  judge: (input: StreamInput, expectation: Frag6Expectation, observed: Observed) => Judgement,
): ConformanceProperty<StreamInput> {
  return {
    area: "frag6",
    name,
    statement,
    citation,
    ops: ["frag6.run"],
    arbitrary: (): fc.Arbitrary<StreamInput> => frag6Stream(classes ? { classes } : {}),
    validateInput: validateStreamInput,
    async check(input, { iut, profile, collectRules }) {
      const expectation = expectationFor(input, profile);
      if (expectation.kind === "exact" && expectation.undetermined)
        throw new UnpredictedCase("frag6.run", `${profile}: ${expectation.undetermined}`);
      const observed = await iutRun(iut, input);
      const v = judge(input, expectation, observed);
      const failed = !v.ok && v.unjudged === undefined;
      const outcome = verdict(input, shown(expectation), observed, v);
      if (!failed && !collectRules) return outcome;
      return { ...outcome, ...frag6Explained(input, expectation, failed ? v : undefined) };
    },
    packets: streamPackets,
  };
}

const OVERLAPS = OVERLAP_CLASSES;

export const FRAG6_PROPERTIES: readonly ConformanceProperty<StreamInput>[] = [
  property(
    "matches-model",
    "The whole reply (every delivered datagram with its time and bytes, in order, and the ICMP errors when reported) is an outcome the profile allows for the stream.",
    `${RFC}; RFC 6946; RFC 7112; ${LINUX}`,
    undefined,
    (_i, e, o) => {
      const j = judged(e, o);
      return j.ok && o.icmp === undefined ? { ...j, partlyJudged: ICMP_NOT_REPORTED } : j;
    },
  ),
  property(
    "overlap-rule",
    "With overlapping or duplicated fragments, what is delivered is what the profile's overlap rule allows: under rfc8200 nothing that holds bytes of two overlapping fragments; under linux-* exactly the run-based verdict of inet_frag_queue_insert (contained in a run: duplicate, first data wins).",
    `${RFC}; net/ipv4/inet_fragment.c inet_frag_queue_insert()`,
    OVERLAPS,
    (_i, e, o) => judged(e, { delivered: o.delivered }),
  ),
  property(
    "delivered-equals-original",
    "When every fragment carries the original bytes, every delivered datagram equals one of the original datagrams byte for byte (Fragment header removed, Next Header and Payload Length fixed).",
    "RFC 8200 section 4.5 (reassembly); adapter protocol frag6.run",
    INTACT_CLASSES,
    (input, _e, o) => {
      const bad = o.delivered.find((d) => !input.originals.includes(d.packet));
      return bad
        ? {
            ok: false,
            message: `delivered at t=${bad.t} a ${bad.packet.length / 2}-byte datagram that is none of the originals`,
            kind: "a datagram none of the originals",
          }
        : { ok: true };
    },
  ),
  property(
    "no-hole-delivered",
    "Every delivered datagram is rebuilt from bytes that arrived: each byte of it came in a fragment of one queue key, and a last fragment ends where it ends.",
    "RFC 8200 section 4.5; net/ipv6/reassembly.c ip6_frag_queue() (meat == len)",
    undefined,
    (input, _e, o) => {
      const bad = o.delivered.find((d) => !explainable(d.packet, input.events));
      return bad
        ? {
            ok: false,
            message: `delivered at t=${bad.t} a datagram with bytes no fragment brought (a hole, or data never received)`,
            kind: "bytes no fragment brought",
          }
        : { ok: true };
    },
  ),
  property(
    "delivered-at-most-once",
    "No datagram is delivered more often than the profile allows (once per completed queue).",
    "net/ipv4/inet_fragment.c inet_frag_kill() on reassembly; RFC 8200 section 4.5",
    undefined,
    (_i, e, o) => {
      const max = maxDeliveries(e);
      const seen = new Map<string, number>();
      for (const d of o.delivered) {
        const n = (seen.get(d.packet) ?? 0) + 1;
        seen.set(d.packet, n);
        const allowed = max.get(d.packet) ?? 0;
        if (n <= allowed) continue;
        // Never allowed at all is another deviation than one delivery too many.
        if (allowed === 0)
          return {
            ok: false,
            message: `delivered at t=${d.t} a ${d.packet.length / 2}-byte datagram the model does not deliver`,
            kind: "a datagram the model does not deliver",
          };
        return {
          ok: false,
          message: `delivered a ${d.packet.length / 2}-byte datagram ${n} times, the model at most ${allowed}`,
          kind: "delivered more often than allowed",
        };
      }
      return { ok: true };
    },
  ),
  property(
    "discarded-queue-takes-all",
    "When a rule discards a queue, every fragment it held goes with it: nothing is delivered later that the profile's outcomes do not contain.",
    `${RFC} ("all its received fragments are discarded"); net/ipv4/inet_fragment.c inet_frag_kill()`,
    DISCARD_CLASSES,
    (_i, e, o) => {
      const possible = possibleDeliveries(e);
      const bad = o.delivered.find((d) => !possible.has(`${d.t}/${d.packet}`));
      return bad
        ? {
            ok: false,
            message: `delivered at t=${bad.t} a datagram no allowed outcome contains (fragments of a discarded queue kept?)`,
            kind: "a datagram no allowed outcome contains",
          }
        : { ok: true };
    },
  ),
  property(
    "other-datagrams-unaffected",
    "Fragments of other datagrams (another identification or source interleaved, an atomic fragment beside a pending queue) are reassembled or delivered exactly as the profile says, whatever happens to the first datagram.",
    "RFC 8200 section 4.5 (the reassembly key); RFC 6946 section 4; include/net/inet_frag.h frag_v6_compare_key",
    ["interleaved", "atomic-beside-queue"],
    (input, e, o) => {
      const second = input.originals[1];
      if (second === undefined) return { ok: true, unjudged: "the stream has no second datagram" };
      const keep = (p: string) => p === second;
      const v = judged(restrict(e, keep), { delivered: o.delivered.filter((d) => keep(d.packet)) });
      return v.ok ? v : { ...v, message: `the second datagram: ${v.message}` };
    },
  ),
  property(
    "expired-never-completes",
    "A queue whose time ran out (timeoutMs after its first fragment) never completes: fragments arriving later start afresh.",
    "RFC 8200 section 4.5 (60 seconds); include/net/ipv6_frag.h ip6frag_expire_frag_queue(); net/ipv4/inet_fragment.c inet_frag_create() (timer armed once)",
    ["timeout-spread"],
    (_i, e, o) => judged(e, { delivered: o.delivered }),
  ),
  property(
    "icmp-as-predicted",
    "The ICMPv6 errors reported are those the profile predicts: Parameter Problem code 0 at Payload Length (unaligned) or Fragment Offset (past 65535), code 3 pointer 0 (tiny first fragment), Time Exceeded code 1 only if the offset-0 fragment arrived, none for overlaps, none about ICMPv6 errors.",
    "RFC 8200 section 4.5; RFC 4443 section 2.4 (e); net/ipv6/reassembly.c ipv6_frag_rcv(); include/net/ipv6_frag.h ip6frag_expire_frag_queue(); net/ipv6/icmp.c icmpv6_send()",
    ["unaligned", "oversized", "tiny-first", "timeout-spread", "loss", "overlap-partial-head", "in-order"],
    (_i, e, o) => {
      if (o.icmp === undefined) return { ok: true, unjudged: "the IUT does not report ICMP errors" };
      if (!judgeFrag6(e, { delivered: o.delivered }).ok)
        return { ok: true, unjudged: "the deliveries differ from the model's (other properties judge them)" };
      return judged(e, o);
    },
  ),
];
