// frag6.run as the model answers it: each run starts from an empty
// reassembly state, events arrive in order at their virtual times, and after
// the last one time runs on until every queue has completed or expired.
import { parseArrival, type Arrival } from "./fragment.js";
import { LinuxNode, LINUX_RULES, type LinuxRules } from "./linux-node.js";
import {
  sortIcmp,
  untagged,
  type CandidateGroup,
  type Frag6Expectation,
  type Frag6Outcome,
  type TaggedDelivery,
} from "./outcome.js";
import { FRAG6_DEFAULT_CONFIG, type Frag6Config, type Frag6Event, type Frag6Profile } from "./profiles.js";
import { FRAG_QUEUE_SIZE, fragmentTruesize } from "./memory.js";
import { rfc8200Groups } from "./rfc8200.js";

export function arrivalsOf(events: readonly Frag6Event[]): Arrival[] {
  return events.map((e, i) => parseArrival(i, e.t, e.packet));
}

/** A Linux path over the whole run: one deterministic outcome, and what happened to each event. */
export function runLinux(
  events: readonly Frag6Event[],
  path: "ipv6" | "nfct",
  config: Frag6Config = FRAG6_DEFAULT_CONFIG,
  rules: LinuxRules = LINUX_RULES,
) {
  const node = linuxNodeAfter(arrivalsOf(events), path, config, rules);
  return {
    outcome: { delivered: node.delivered, icmp: node.icmp },
    trace: node.trace,
    undetermined: node.undetermined,
  };
}

function linuxNodeAfter(
  arrivals: readonly Arrival[],
  path: "ipv6" | "nfct",
  config: Frag6Config,
  rules: LinuxRules = LINUX_RULES,
): LinuxNode {
  const node = new LinuxNode(path, config, rules);
  for (const a of arrivals) node.arrive(a);
  node.expireUntil(Infinity);
  return node;
}

/**
 * Whether Linux-like accounting could refuse any fragment of the run: not
 * while the memory it could ever count, every arrival's truesize and a queue
 * for each, stays within high_thresh (inet_frag_find() refuses only above it).
 */
function memoryMayRunOut(arrivals: readonly Arrival[], config: Frag6Config): boolean {
  let most = 0;
  for (const a of arrivals) most += fragmentTruesize(a.packet.length) + FRAG_QUEUE_SIZE;
  return most > config.highThresh;
}

/** What the profile allows for this run. */
export function frag6Expectation(
  events: readonly Frag6Event[],
  profile: Frag6Profile,
  config: Frag6Config = FRAG6_DEFAULT_CONFIG,
): Frag6Expectation {
  if (profile === "linux-ipv6" || profile === "linux-nfct") {
    const { outcome, trace, undetermined } = runLinux(events, profile === "linux-ipv6" ? "ipv6" : "nfct", config);
    return { kind: "exact", profile, outcome, notes: trace, ...(undetermined ? { undetermined } : {}) };
  }
  const arrivals = arrivalsOf(events);
  const { groups, capped } = rfc8200Groups(arrivals, config);
  // The RFC sets no memory limit; where Linux-like accounting would run out, deliveries may be missing.
  const starved = memoryMayRunOut(arrivals, config) && linuxNodeAfter(arrivals, "ipv6", config).starved;
  const notes = [
    ...(capped ? ["state search cut: prediction relaxed"] : []),
    ...(starved ? ["memory pressure: deliveries may be missing"] : []),
  ];
  return { kind: "choice", profile, groups, relaxed: capped || starved ? "subsequence" : null, notes };
}

/** Merges tagged deliveries of several datagrams in event order. */
export function mergeDeliveries(lists: readonly TaggedDelivery[][]): TaggedDelivery[] {
  return lists.flat().sort((a, b) => a.event - b.event);
}

/** One member of the allowed set: each datagram's first candidate, every ICMP it allows. The model IUT answers with it. */
export function canonicalOutcome(expectation: Frag6Expectation): Frag6Outcome {
  if (expectation.kind === "exact") return expectation.outcome;
  const chosen = expectation.groups.map((g: CandidateGroup) => g.candidates[0]!);
  return {
    delivered: mergeDeliveries(chosen.map((c) => c.delivered)).map(untagged),
    icmp: sortIcmp(chosen.flatMap((c) => [...c.icmpRequired, ...c.icmpOptional])),
  };
}

export function frag6Run(
  events: readonly Frag6Event[],
  profile: Frag6Profile,
  config: Frag6Config = FRAG6_DEFAULT_CONFIG,
): Frag6Outcome {
  return canonicalOutcome(frag6Expectation(events, profile, config));
}
