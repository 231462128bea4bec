// The frag6 model's named rules, and how the model's own account of a run
// (LinuxNode's trace, the RFC reassembler's choices) names them. The model
// keeps writing its account in words; this file is the one place that reads
// those words as rules, so a new line the model writes that no pattern names
// shows up as an unnamed line (frag6RuleHits' `unnamed`), not as silence.
import { ruleCatalogue, type ModelRule, type RuleHit } from "../rules.js";
import type { Frag6Expectation } from "./outcome.js";

const LINUX = ["linux-ipv6", "linux-nfct"];
const NFCT = ["linux-nfct"];
const RFC = ["rfc8200"];
const REASM = "net/ipv6/reassembly.c";
const NF_REASM = "net/ipv6/netfilter/nf_conntrack_reasm.c";

export const FRAG6_RULES = ruleCatalogue({
  // Linux profiles: what LinuxNode did with each event (linux-node.ts).
  "linux-not-a-fragment": {
    summary: "no Fragment header: delivered as it came",
    citation: "net/ipv6/ip6_input.c ip6_protocol_deliver_rcu()",
    profiles: LINUX,
  },
  "linux-atomic-fragment": {
    summary: "an atomic fragment (offset 0, M clear) is handed on at once, never queued",
    citation: `${REASM} ipv6_frag_rcv(); RFC 6946`,
    profiles: LINUX,
  },
  "linux-tiny-first-fragment": {
    summary: "a first fragment without the whole header chain: dropped, Parameter Problem code 3",
    citation: `${REASM} ipv6_frag_rcv(); RFC 8200 section 4.5`,
    profiles: LINUX,
  },
  "linux-options-refused": {
    summary: "Hop-by-Hop or Destination options refuse the packet (dropped, or Parameter Problem)",
    citation: "net/ipv6/exthdrs.c ip6_parse_tlv()",
    profiles: LINUX,
  },
  "linux-memory-high-thresh": {
    summary: "reassembly memory above high_thresh: the fragment is dropped",
    citation: "net/ipv4/inet_fragment.c inet_frag_find()",
    profiles: LINUX,
  },
  "linux-queued": {
    summary: "the fragment is queued",
    citation: "net/ipv4/inet_fragment.c inet_frag_queue_insert()",
    profiles: LINUX,
  },
  "linux-fragment-dropped": {
    summary: "the fragment is dropped, the queue kept (a duplicate, or malformed where the path keeps the queue)",
    citation: `${REASM} ip6_frag_queue() (IPFRAG_DUP); ${NF_REASM} nf_ct_frag6_queue()`,
    profiles: LINUX,
  },
  "linux-queue-killed": {
    summary: "the queue is discarded with every fragment it held (overlap, inconsistent end, zero length, malformed)",
    citation: `${REASM} ip6_frag_queue() goto discard_fq; RFC 5722`,
    profiles: LINUX,
  },
  "linux-reassembled": {
    summary: "first and last in and nothing missing: the datagram is rebuilt",
    citation: `${REASM} ip6_frag_reasm(); ${NF_REASM} nf_ct_frag6_reasm()`,
    profiles: LINUX,
  },
  "linux-ecn-mixed": {
    summary: "Not-ECT mixed with ECT/CE: the reassembled datagram is dropped",
    citation: "net/ipv4/inet_fragment.c ip_frag_ecn_table",
    profiles: LINUX,
  },
  "linux-reassembled-too-long": {
    summary: "a reassembled payload over IPV6_MAXPLEN is dropped",
    citation: `${REASM} ip6_frag_reasm()`,
    profiles: LINUX,
  },
  "linux-upper-layer-refused": {
    summary: "the datagram on its way up is answered and dropped (or not predicted)",
    citation: "net/ipv6/ip6_input.c ip6_protocol_deliver_rcu()",
    profiles: LINUX,
  },
  "linux-queue-expired": {
    summary: "the queue's timer fires: killed; Time Exceeded code 1 if the offset-0 fragment arrived",
    citation: "include/net/ipv6_frag.h ip6frag_expire_frag_queue()",
    profiles: LINUX,
  },
  "nfct-lets-through": {
    summary: "conntrack's reassembler lets a non-fragment or a tiny first fragment through to the stack",
    citation: `${NF_REASM} nf_ct_frag6_gather()`,
    profiles: NFCT,
  },
  "nfct-passed-on": {
    summary: "an unaligned non-last fragment kills conntrack's queue and goes on to the stack, which answers it",
    citation: `${NF_REASM} nf_ct_frag6_queue() (-EPROTO)`,
    profiles: NFCT,
  },
  // RFC 8200: the choices of the nondeterministic reassembler (rfc8200.ts).
  "rfc-not-a-fragment": {
    summary: "a packet without a Fragment header is delivered as it came",
    citation: "RFC 8200 section 4.5",
    profiles: RFC,
  },
  "rfc-atomic-fragment": {
    summary: "an atomic fragment is processed in isolation from any queue",
    citation: "RFC 6946 section 4",
    profiles: RFC,
  },
  "rfc-tiny-first-fragment": {
    summary: "a first fragment without the whole header chain should be discarded (Parameter Problem code 3 allowed)",
    citation: "RFC 7112 section 5; RFC 8200 section 4.5",
    profiles: RFC,
  },
  "rfc-oversized": {
    summary: "a fragment past 65,535 bytes of payload is discarded, Parameter Problem at Fragment Offset",
    citation: "RFC 8200 section 4.5",
    profiles: RFC,
  },
  "rfc-unaligned": {
    summary: "M set and a length not a multiple of 8: discarded, Parameter Problem at Payload Length",
    citation: "RFC 8200 section 4.5",
    profiles: RFC,
  },
  "rfc-zero-length": {
    summary: "a zero-length fragment: the RFC is silent (ignored, abandoning, or marking the end)",
    citation: "RFC 8200 section 4.5 (silent)",
    profiles: RFC,
  },
  "rfc-duplicate": {
    summary: "an exact duplicate may be dropped while the other fragments are kept",
    citation: "RFC 8200 section 4.5",
    profiles: RFC,
  },
  "rfc-overlap": {
    summary: "an overlap abandons the datagram: every fragment received is discarded, no ICMP",
    citation: "RFC 5722 section 4; RFC 8200 section 4.5",
    profiles: RFC,
  },
  "rfc-inconsistent-end": {
    summary: "a fragment contradicting the datagram's known end is dropped or abandons it",
    citation: "RFC 8200 section 4.5 (silent)",
    profiles: RFC,
  },
  "rfc-ends-at-last": {
    summary: "M set but ending at the last fragment's end: may be accepted",
    citation: "RFC 8200 section 4.5 (silent)",
    profiles: RFC,
  },
  "rfc-abandoned-later": {
    summary: "a fragment after the datagram was abandoned may be dropped or start afresh",
    citation: "RFC 5722 section 4 with erratum 3089",
    profiles: RFC,
  },
  "rfc-timeout": {
    summary: "a reassembly not complete 60 seconds after its first fragment is abandoned",
    citation: "RFC 8200 section 4.5",
    profiles: RFC,
  },
  "rfc-reassembled": {
    summary: "every fragment in: the datagram is rebuilt with the first fragment's headers",
    citation: "RFC 8200 section 4.5",
    profiles: RFC,
  },
  "rfc-ecn-ce": {
    summary: "CE in any fragment is carried over to the datagram",
    citation: "RFC 3168 section 5.3",
    profiles: RFC,
  },
  "rfc-ecn-mixed": {
    summary: "Not-ECT mixed with ECT: the datagram may be dropped",
    citation: "RFC 3168 section 5.3",
    profiles: RFC,
  },
  "rfc-reassembled-too-long": {
    summary: "a reassembled payload over 65,535 bytes is discarded",
    citation: "RFC 8200 section 4.5",
    profiles: RFC,
  },
  "rfc-oversized-by-first": {
    summary:
      "a fragment oversized only with the first fragment's Unfragmentable Part may be discarded (Parameter Problem at Fragment Offset), the queue kept or abandoned",
    citation: "RFC 8200 section 4.5 (the reassembled packet's Unfragmentable Part is the first fragment's)",
    profiles: RFC,
  },
  "rfc-headers-pass": {
    summary: "the whole datagram's headers after the Fragment header are processed and it is handed up",
    citation: "RFC 8200 section 4",
    profiles: RFC,
  },
  "rfc-headers-discard": {
    summary:
      "the whole datagram's headers after the Fragment header discard it: Next Header 0 past the IPv6 header, an unrecognized Next Header, option or Routing Type (Parameter Problem)",
    citation: "RFC 8200 sections 4, 4.2, 4.4",
    profiles: RFC,
  },
});

type Frag6RuleId = keyof typeof FRAG6_RULES;

/** Each rule's words in the model's account, first match wins (order matters where one phrase contains another). */
const LINUX_LINES: readonly [RegExp, Frag6RuleId][] = [
  [/no Fragment header: delivered as it came/, "linux-not-a-fragment"],
  [/atomic fragment delivered at once/, "linux-atomic-fragment"],
  [/not delivered \(/, "linux-upper-layer-refused"],
  [/options at byte \d+:/, "linux-options-refused"],
  [/tiny first fragment dropped/, "linux-tiny-first-fragment"],
  [/memory above high_thresh/, "linux-memory-high-thresh"],
  [/ECN Not-ECT mixed/, "linux-ecn-mixed"],
  [/reassembled payload \d+ > IPV6_MAXPLEN/, "linux-reassembled-too-long"],
  [/reassembled \d+ fragments/, "linux-reassembled"],
  [/queue .* expired at/, "linux-queue-expired"],
  [/nf_ct_frag6_gather lets it through/, "nfct-lets-through"],
  [/nf_conntrack_frag6 passed$/, "nfct-passed-on"],
  [/ (ip6frag|nf_conntrack_frag6) queued$/, "linux-queued"],
  [/ (ip6frag|nf_conntrack_frag6) dropped$/, "linux-fragment-dropped"],
  [/ (ip6frag|nf_conntrack_frag6) killed$/, "linux-queue-killed"],
  [/ (ip6frag|nf_conntrack_frag6) delivered$/, "linux-reassembled"],
];

const RFC_CHOICES: readonly [RegExp, Frag6RuleId][] = [
  [/^not a fragment$/, "rfc-not-a-fragment"],
  [/^atomic fragment processed alone$/, "rfc-atomic-fragment"],
  [/tiny (atomic|first) fragment discarded/, "rfc-tiny-first-fragment"],
  [/oversized fragment discarded/, "rfc-oversized"],
  [/oversized with the first fragment's headers|first fragment's headers make event/, "rfc-oversized-by-first"],
  [/unaligned fragment discarded/, "rfc-unaligned"],
  [/zero-length fragment/, "rfc-zero-length"],
  [/exact duplicate/, "rfc-duplicate"],
  [/overlap abandons/, "rfc-overlap"],
  [/inconsistent with the datagram's end/, "rfc-inconsistent-end"],
  [/M set but ending at the last fragment's end/, "rfc-ends-at-last"],
  [/dropped as part of an abandoned datagram/, "rfc-abandoned-later"],
  [/^timeout at /, "rfc-timeout"],
  [/^ECN of the first fragment$/, "rfc-reassembled"],
  [/^ECN: CE carried over/, "rfc-ecn-ce"],
  [/^ECN: Not-ECT mixed with ECT/, "rfc-ecn-mixed"],
  [/reassembled payload over 65535/, "rfc-reassembled-too-long"],
  [/: delivered$/, "rfc-headers-pass"],
  [/: discarded$|: not delivered here$/, "rfc-headers-discard"],
];

/** What a rule does to the outcome: deliver a datagram, discard one, or send an ICMP error. */
export const FRAG6_EFFECTS: Readonly<Partial<Record<Frag6RuleId, readonly ("delivers" | "discards" | "icmp")[]>>> = {
  "linux-not-a-fragment": ["delivers"],
  "linux-atomic-fragment": ["delivers"],
  "linux-reassembled": ["delivers"],
  "linux-tiny-first-fragment": ["discards", "icmp"],
  "linux-options-refused": ["discards", "icmp"],
  "linux-upper-layer-refused": ["discards", "icmp"],
  "linux-queue-expired": ["discards", "icmp"],
  "linux-memory-high-thresh": ["discards"],
  "linux-fragment-dropped": ["discards", "icmp"],
  "linux-queue-killed": ["discards", "icmp"],
  "linux-ecn-mixed": ["discards"],
  "linux-reassembled-too-long": ["discards"],
  "nfct-passed-on": ["icmp"],
  "rfc-not-a-fragment": ["delivers"],
  "rfc-atomic-fragment": ["delivers"],
  "rfc-reassembled": ["delivers"],
  "rfc-ecn-ce": ["delivers"],
  "rfc-ends-at-last": ["delivers"],
  "rfc-tiny-first-fragment": ["discards", "icmp"],
  "rfc-oversized": ["discards", "icmp"],
  "rfc-unaligned": ["discards", "icmp"],
  "rfc-zero-length": ["discards"],
  "rfc-duplicate": ["discards"],
  "rfc-overlap": ["discards"],
  "rfc-inconsistent-end": ["discards"],
  "rfc-abandoned-later": ["discards"],
  "rfc-timeout": ["discards", "icmp"],
  "rfc-ecn-mixed": ["discards"],
  "rfc-reassembled-too-long": ["discards"],
  "rfc-oversized-by-first": ["discards", "icmp"],
  "rfc-headers-pass": ["delivers"],
  "rfc-headers-discard": ["discards", "icmp"],
};

function named(line: string, patterns: readonly [RegExp, Frag6RuleId][]): ModelRule | undefined {
  const found = patterns.find(([re]) => re.test(line));
  return found ? FRAG6_RULES[found[1]] : undefined;
}

/** "event 3" from a line of the model's account, when it names one. */
function eventOf(line: string): string | undefined {
  return /event \d+/.exec(line)?.[0];
}

/**
 * The rules the model applied to a run, read from its account: the Linux
 * node's trace lines in order, or every choice any allowed RFC candidate
 * made (each once per datagram). Lines no rule names are returned apart.
 */
export function frag6RuleHits(expectation: Frag6Expectation): { hits: RuleHit[]; unnamed: string[] } {
  const hits: RuleHit[] = [];
  const unnamed: string[] = [];
  const add = (line: string, patterns: readonly [RegExp, Frag6RuleId][], at?: string) => {
    const rule = named(line, patterns);
    if (!rule) {
      unnamed.push(line);
      return;
    }
    const where = eventOf(line) ?? at;
    hits.push({ rule: rule.id, ...(where ? { at: where } : {}), detail: line });
  };
  if (expectation.kind === "exact") {
    for (const line of expectation.notes) add(line, LINUX_LINES);
    return { hits, unnamed };
  }
  for (const group of expectation.groups) {
    const seen = new Set<string>();
    for (const c of group.candidates)
      for (const choice of c.choices) {
        if (seen.has(choice)) continue;
        seen.add(choice);
        add(choice, RFC_CHOICES, group.key.startsWith("event") ? group.key : undefined);
      }
  }
  return { hits, unnamed };
}
