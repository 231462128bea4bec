// Whether a used case namespace holds nothing a next case could observe, so
// that case-namespace-pool.ts may lend it again. What a case leaves, and how
// each is settled:
// - Fragment queues (a fresh namespace has none; they cannot be flushed):
//   the plain stack's are counted by /proc/net/sockstat6 (FRAG6 memory is
//   frag_mem_limit() of its fqdir, 0 exactly when no queue holds a fragment);
//   conntrack's (nf_conntrack_reasm.c's own fqdir) are shown nowhere, so a
//   probe proves them empty: inet_frag_find() refuses every fragment while
//   the fqdir's memory exceeds high_thresh, so with high_thresh set to exactly
//   what the probe's head charges (qsize + truesize, calibrated once in a
//   fresh namespace), the probe's tail is taken, and the probe delivered, only
//   if the memory was 0 before it.
// - Neighbour entries and route exceptions: only NDISC, MLD queries and
//   Packet Too Big messages received, or a neighbour solicitation sent (an
//   error toward an on-link source), make them, and /proc/net/snmp6 counts
//   each such message; a namespace that counted any is not reused.
// - The sysctls a case writes (writeCaseSysctls) are all written again by
//   the next case before it injects anything; its addresses are swapped by
//   the pool (CaseNamespace.swapLocals, which waits for the routes).
// - Conntrack entries (conntrack path) stay, and cannot change what the next
//   case observes: ipv6_defrag() (nf_defrag_ipv6_hooks.c) gathers every
//   fragment whose skb has no conntrack attached yet (only looped-back
//   packets have one), before conntrack looks an entry up, and
//   nf_ct_frag6_gather() consults no entry; after reassembly the lookup only
//   classifies (no NAT; the ruleset counts `ct state new` and accepts). An
//   entry matters only when the table is full (early drop): the pool retires
//   a namespace after a bounded number of cases, far below nf_conntrack_max.
import { pinToCurrentCpu } from "../../../sys/cpu-affinity.js";
import { snmp6Counters } from "../../../sys/snmp6.js";
import { writeSysctl } from "../../../sys/sysctl.js";
import { buildDatagram } from "../../../wire/ipv6-datagram.js";
import { buildFragmentPacket } from "../../../wire/ipv6-fragment.js";
import { CaseNamespace, plainFragState, type Frag6Path } from "./case-network.js";
import { FragmentInjector } from "./injector.js";
import { MARKER_DST, MARKER_PACKET, MARKER_SRC } from "./marker.js";

/** An echo request from the marker's source to its destination, in a 1280-byte head and a tail. */
function probeFragments(): [Uint8Array, Uint8Array] {
  const parts = buildDatagram({
    src: MARKER_SRC,
    dst: MARKER_DST,
    trafficClass: 0,
    before: [],
    afterUnits: 0,
    upper: "icmpv6",
    icmpType: 128,
    payloadLength: 1300,
    fill: 3,
  });
  const split = 1280 - 48;
  const piece = (offset: number, more: boolean, data: Uint8Array) =>
    buildFragmentPacket({ ...parts, offset, more, identification: 0x70726f62, data });
  return [
    piece(0, true, parts.fragmentable.subarray(0, split)),
    piece(split, false, parts.fragmentable.subarray(split)),
  ];
}

export const [PROBE_HEAD, PROBE_TAIL] = probeFragments();

/**
 * ICMPv6 messages that leave neighbour, route or multicast state behind:
 * Packet Too Big (a route exception), MLD queries, NDISC (router and neighbour
 * solicitations and advertisements, redirects) received, and a neighbour
 * solicitation sent (a neighbour entry being resolved).
 */
const STATEFUL_ICMPV6 = [
  "Icmp6InType2",
  "Icmp6InType130",
  "Icmp6InType133",
  "Icmp6InType134",
  "Icmp6InType135",
  "Icmp6InType136",
  "Icmp6InType137",
  "Icmp6OutType135",
];

/** The counters of STATEFUL_ICMPV6 that are not 0 in the calling thread's namespace. */
function statefulIcmpv6(): string[] {
  const c = snmp6Counters();
  return STATEFUL_ICMPV6.filter((k) => (c.get(k) ?? 0) !== 0).map((k) => `${k} ${c.get(k)}`);
}

const MARKER_WAIT_MS = 1000;

/**
 * Injects the probe then a marker, and says whether the probe was delivered
 * (Icmp6InEchos) once the marker was (Udp6NoPorts: no socket listens during a
 * reset). Injected from one pinned CPU, the three are processed in order.
 */
async function probeDelivered(ns: CaseNamespace): Promise<boolean | "no marker"> {
  const before = ns.within(() => snmp6Counters());
  const unpin = pinToCurrentCpu();
  try {
    ns.within(() => {
      const injector = new FragmentInjector();
      try {
        injector.inject(PROBE_HEAD);
        injector.inject(PROBE_TAIL);
        injector.inject(MARKER_PACKET);
      } finally {
        injector.close();
      }
    });
  } finally {
    unpin();
  }
  const count = (c: Map<string, number>, k: string) => (c.get(k) ?? 0) - (before.get(k) ?? 0);
  const deadline = Date.now() + MARKER_WAIT_MS;
  for (;;) {
    const now = ns.within(() => snmp6Counters());
    if (count(now, "Udp6NoPorts") >= 1) return count(now, "Icmp6InEchos") === 1;
    if (Date.now() > deadline) return "no marker";
    await new Promise((done) => setTimeout(done, 1));
  }
}

/** What the probe's head charges a fragment queue directory, measured once in a fresh namespace. */
let charge: Promise<number> | null = null;
export function probeCharge(): Promise<number> {
  charge ??= (async () => {
    const ns = await CaseNamespace.create("plain", [MARKER_DST]);
    try {
      return ns.within(() => {
        const injector = new FragmentInjector();
        try {
          injector.inject(PROBE_HEAD);
        } finally {
          injector.close();
        }
        const { memory } = plainFragState();
        if (memory === 0) throw new Error("the reset probe's head left no fragment queue memory");
        return memory;
      });
    } finally {
      ns.close();
    }
  })();
  return charge;
}

/** Test seam: the threshold the probe runs under, from the calibrated charge. */
export const probeThreshold = { of: (charge: number) => charge };

/**
 * Null when `ns` provably holds nothing a next case could observe (see the
 * top of this file), else why not. On the conntrack path the probe leaves
 * nf_conntrack_frag6_{low,high}_thresh at its own values: the next case's
 * writeCaseSysctls() writes them again.
 */
export async function unobservableLeftovers(ns: CaseNamespace, path: Frag6Path): Promise<string | null> {
  const plain = ns.within(plainFragState);
  if (plain.memory !== 0 || plain.inuse !== 0)
    return `the plain stack holds ${plain.inuse} fragment queue(s), ${plain.memory} bytes`;
  const stateful = ns.within(statefulIcmpv6);
  if (stateful.length > 0) return `ICMPv6 that leaves state: ${stateful.join(", ")}`;
  if (path === "plain") return null;
  const threshold = probeThreshold.of(await probeCharge());
  ns.within(() => {
    // Low first: the kernel refuses low > high.
    writeSysctl("net.netfilter.nf_conntrack_frag6_low_thresh", 0);
    writeSysctl("net.netfilter.nf_conntrack_frag6_high_thresh", threshold);
  });
  const delivered = await probeDelivered(ns);
  if (delivered === "no marker") return `the reset probe's marker was not delivered within ${MARKER_WAIT_MS} ms`;
  return delivered ? null : "conntrack's reassembler holds fragment queue memory (the probe was refused)";
}
