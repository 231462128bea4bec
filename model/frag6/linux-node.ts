// The two Linux reassemblers as one receiving node:
//  linux-ipv6: net/ipv6/reassembly.c ipv6_frag_rcv() / ip6_frag_queue() / ip6_frag_reasm();
//  linux-nfct: net/ipv6/netfilter/nf_conntrack_reasm.c nf_ct_frag6_gather() /
//    nf_ct_frag6_queue() / nf_ct_frag6_reasm() at the defrag hook, in front of the
//    plain stack, which still sees every fragment the hook lets through unchanged.
// Both insert with inet_frag_queue_insert() and expire with ip6frag_expire_frag_queue().
import { IPPROTO_DSTOPTS, IPPROTO_HOPOPTS } from "../../wire/protocol-numbers.js";
import {
  IPV6_MAXPLEN,
  IPV6_HEADER_LENGTH,
  reassembledFromPieces,
  reassembledPacket,
  setTrafficClass,
  trafficClassOf,
  type FragmentPacket,
} from "../../wire/ipv6-fragment.js";
import { fragmentFacts, icmpErrorAllowed, QueueKeys, tinyFirstFragment, type Arrival } from "./fragment.js";
import {
  afterConntrackDefrag,
  afterArrival,
  afterPlainReassembly,
  errorEligible,
  ownUpperLayer,
  type AfterDefrag,
} from "./after-defrag.js";
import { Fqdir, type LinuxQueue } from "./linux-queue.js";
import { fragmentTruesize } from "./memory.js";
import {
  ICMPV6_EXC_FRAGTIME,
  ICMPV6_HDR_FIELD,
  ICMPV6_HDR_INCOMP,
  ICMPV6_PARAMPROB,
  ICMPV6_TIME_EXCEED,
} from "../../wire/protocol-numbers.js";
import { lazyDelivery, type Delivery, type IcmpError } from "./outcome.js";
import { queueInsert } from "./runs.js";
import { parseTlv, type TlvVerdict } from "./tlv-options.js";
import type { Frag6Config } from "./profiles.js";

export interface LinuxRules {
  /**
   * ip6_frag_queue() kills the queue after an unaligned or oversized fragment
   * (mainline commit 9ff2d2a98370, "ipv6: discard fragment queue earlier if
   * there is malformed datagram", 2026). The 6.18 kernel measured in
   * kernel-facts.md keeps it; see docs/model-frag6.md.
   */
  malformedKillsQueue: boolean;
}

export const LINUX_RULES: LinuxRules = { malformedKillsQueue: false };

/**
 * ip_frag_ecn_table (net/ipv4/inet_fragment.c, RFC 3168 section 5.3): from
 * the OR of 1 << ECN over the fragments, the bits to OR into the datagram's
 * traffic class, or 0xff to drop it (Not-ECT mixed with ECT or CE).
 */
export function fragEcn(bits: number): number {
  const NOT_ECT = 1;
  const CE = 8;
  if (bits & NOT_ECT) return bits === NOT_ECT ? 0 : 0xff;
  if (bits & CE && bits !== CE) return 3; // INET_ECN_CE
  return 0;
}

/** ip6_frag_ecn(): 1 << (dsfield & INET_ECN_MASK). */
function ecnBit(f: FragmentPacket): number {
  return 1 << (f.trafficClass & 3);
}

type QueueResult = "queued" | "dropped" | "killed" | "passed" | "delivered";

/** Event indices, answering has() as a Set<number> would: events are numbered from 0, so an array is cheaper. */
class EventSet {
  private readonly members: boolean[] = [];

  add(event: number): void {
    this.members[event] = true;
  }

  has(event: number): boolean {
    return this.members[event] === true;
  }
}

export class LinuxNode {
  readonly delivered: Delivery[] = [];
  readonly icmp: IcmpError[] = [];
  /** What happened to each event, for reports and the clarification table. */
  readonly trace: string[] = [];
  /** Set when the run reaches behaviour the model does not predict (after-defrag.ts): why. */
  undetermined: string | null = null;
  /** Set when a fragment was dropped for reassembly memory above high_thresh. */
  starved = false;
  /** Arrivals that got past ip6_rcv_core() to NF_INET_PRE_ROUTING (model/defrag reads it). */
  readonly prerouted = new EventSet();
  /**
   * Per arrival, what nf_ct_frag6_gather() handed on to the next hook entry
   * (ipv6_defrag() NF_ACCEPT): the packet as it came, or the datagram it
   * completed; absent when it was queued or dropped (model/defrag reads it).
   */
  readonly defragOut = new Map<number, Uint8Array>();
  private readonly plain: Fqdir;
  private readonly nfct: Fqdir | null;
  private readonly keys = new QueueKeys();

  constructor(
    readonly path: "ipv6" | "nfct",
    config: Frag6Config,
    private readonly rules: LinuxRules = LINUX_RULES,
  ) {
    // Both reassemblers read their own sysctls; the protocol's config sets both.
    this.plain = new Fqdir("ip6frag", config);
    this.nfct = path === "nfct" ? new Fqdir("nf_conntrack_frag6", config) : null;
  }

  /** An arrival at a.t: first every timer due by then fires. */
  arrive(a: Arrival): void {
    this.expireUntil(a.t);
    // ip6_rcv_core() -> ipv6_parse_hopopts(), before PREROUTING: on both paths, every fragment on its own.
    if (a.packet[6] === IPPROTO_HOPOPTS && !this.optionsPass(a, 40, true, "Hop-by-Hop")) return;
    this.prerouted.add(a.index);
    if (this.nfct) this.nfctGather(this.nfct, a);
    else this.ipv6FragRcv(a);
  }

  /** ip6_parse_tlv() over the options header at `at`: false when the packet goes no further. */
  private optionsPass(a: Arrival, at: number, hopByHop: boolean, what: string): boolean {
    const p = a.packet;
    const length = at + 2 <= p.length ? (p[at + 1]! + 1) * 8 : Infinity;
    const v: TlvVerdict =
      at + length > p.length ? { kind: "dropped", why: "runs past the packet" } : parseTlv(p, at, length, hopByHop);
    if (v.kind === "ok") return true;
    if (v.kind === "icmp" && a.fragment) this.paramProblem(a, a.fragment, v.code, v.pointer);
    if (v.kind === "undetermined") this.undetermined ??= `event ${a.index}: ${v.why}`;
    this.trace.push(`event ${a.index}: ${what} options at byte ${at}: ${v.why}`);
    return false;
  }

  /**
   * ip6_input_finish(): the Destination Options headers before the Fragment
   * header are processed (ipv6_destopt_rcv()) before ipv6_frag_rcv() sees the
   * fragment, each fragment on its own.
   */
  private unfragmentablePasses(a: Arrival, f: FragmentPacket): boolean {
    const p = a.packet;
    let type = p[6]!;
    for (let at = IPV6_HEADER_LENGTH; at < f.fragmentHeaderOffset; at += (p[at + 1]! + 1) * 8) {
      if (type === IPPROTO_DSTOPTS && !this.optionsPass(a, at, false, "Destination")) return false;
      type = p[at]!;
    }
    return true;
  }

  /** What ip6_protocol_deliver_rcu() does with a datagram on its way up: delivered, or answered and dropped. */
  private handUp(a: Arrival, packet: Uint8Array, up: AfterDefrag, why: string): boolean {
    if (up.kind === "delivered") {
      this.deliver(a, packet, why);
      return true;
    }
    if (up.kind === "icmp" && errorEligible(packet))
      this.icmp.push({ t: a.t, type: ICMPV6_PARAMPROB, code: up.code, pointer: up.pointer });
    if (up.kind === "undetermined") this.undetermined ??= `event ${a.index}: ${up.why}`;
    this.trace.push(`event ${a.index}: ${why}; not delivered (${up.kind}: ${up.why})`);
    return false;
  }

  /** Time runs on: every timer due by `t` fires (Infinity: all of them). */
  expireUntil(t: number): void {
    for (;;) {
      const nfct = this.nfct?.nextExpiry(t) ?? null;
      const plain = this.plain.nextExpiry(t);
      // The earlier timer first; at the same expiry, conntrack's.
      if (nfct && (!plain || nfct.expires <= plain.expires)) this.expire(this.nfct!, nfct);
      else if (plain) this.expire(this.plain, plain);
      else return;
    }
  }

  /**
   * ip6frag_expire_frag_queue() (include/net/ipv6_frag.h), for both paths:
   * the queue is killed; Time Exceeded code 1 goes out only if the offset-0
   * fragment had arrived, about that fragment.
   */
  private expire(dir: Fqdir, q: LinuxQueue): void {
    dir.kill(q);
    this.trace.push(`${dir.name} queue ${String(q.key)} expired at ${q.expires}`);
    if (q.firstIn && q.head && icmpErrorAllowed(q.head.arrival.packet, q.head.fragment)) {
      this.icmp.push({ t: q.expires, type: ICMPV6_TIME_EXCEED, code: ICMPV6_EXC_FRAGTIME, pointer: 0 });
    }
  }

  private deliver(a: Arrival, packet: Uint8Array, why: string): void {
    this.delivered.push(lazyDelivery(a.t, packet));
    this.trace.push(`event ${a.index}: ${why}`);
  }

  private paramProblem(a: Arrival, f: FragmentPacket, code: number, pointer: number): void {
    if (icmpErrorAllowed(a.packet, f)) this.icmp.push({ t: a.t, type: ICMPV6_PARAMPROB, code, pointer });
  }

  /** net/ipv6/reassembly.c ipv6_frag_rcv(). */
  private ipv6FragRcv(a: Arrival): void {
    const f = a.fragment;
    if (!f) {
      // ip6_input_finish(): its own extension headers are processed on the way up, as any packet's.
      const up = afterArrival(a.packet);
      if (up.kind === "delivered") this.deliver(a, a.packet, "no Fragment header: delivered as it came");
      else this.handUp(a, a.packet, up, "no Fragment header");
      return;
    }
    if (!this.unfragmentablePasses(a, f)) return;
    // Not fragmented (offset 0, M clear, reserved bits ignored): handed on at once, never queued (RFC 6946).
    if (f.offset === 0 && !f.more) {
      const packet = reassembledPacket(f.unfragmentable, f.prevNextHeaderOffset, f.nextHeader, f.data);
      this.handUp(
        a,
        packet,
        afterPlainReassembly(atomicView(a.packet, packet, f)),
        "atomic fragment delivered at once",
      );
      return;
    }
    // RFC 8200 section 4.5: a first fragment without the whole header chain: Parameter Problem code 3, pointer 0.
    if (tinyFirstFragment(a.packet, f)) {
      this.paramProblem(a, f, ICMPV6_HDR_INCOMP, 0);
      this.trace.push(`event ${a.index}: tiny first fragment dropped`);
      return;
    }
    const q = this.plain.find(this.keys.of(f), a.t);
    if (!q) {
      this.starved = true;
      this.trace.push(`event ${a.index}: ip6frag memory above high_thresh: dropped`);
      return;
    }
    const result = this.ip6FragQueue(q, a, f);
    this.trace.push(`event ${a.index}: ip6frag ${result}`);
  }

  /** net/ipv6/reassembly.c ip6_frag_queue(). */
  private ip6FragQueue(q: LinuxQueue, a: Arrival, f: FragmentPacket): QueueResult {
    const dir = this.plain;
    const { offset, end, more } = fragmentFacts(f);
    if (end > IPV6_MAXPLEN) {
      // Parameter Problem pointing at the Fragment Offset field.
      this.paramProblem(a, f, ICMPV6_HDR_FIELD, f.fragmentHeaderOffset + 2);
      if (this.rules.malformedKillsQueue) dir.kill(q);
      return this.rules.malformedKillsQueue ? "killed" : "dropped";
    }
    if (!more) {
      // A last fragment below data already queued, or a second, different end: corrupted.
      if (end < q.len || (q.lastIn && end !== q.len)) return this.discard(dir, q);
      q.lastIn = true;
      q.len = end;
    } else {
      if (end & 7) {
        // "RFC2460 says always send parameter problem in this case": pointer at Payload Length.
        this.paramProblem(a, f, ICMPV6_HDR_FIELD, 4);
        if (this.rules.malformedKillsQueue) dir.kill(q);
        return this.rules.malformedKillsQueue ? "killed" : "dropped";
      }
      if (end > q.len) {
        if (q.lastIn) return this.discard(dir, q); // bits beyond the end
        q.len = end;
      }
    }
    if (end === offset) return this.discard(dir, q); // zero-length fragment
    return this.insert(dir, q, a, f);
  }

  /** goto discard_fq: the queue is killed with every fragment it holds. */
  private discard(dir: Fqdir, q: LinuxQueue): QueueResult {
    dir.kill(q);
    return "killed";
  }

  /**
   * inet_frag_queue_insert(), then the accounting both paths share, then
   * reassembly once the first and last fragments are in and nothing is missing.
   */
  private insert(dir: Fqdir, q: LinuxQueue, a: Arrival, f: FragmentPacket): QueueResult {
    const { offset, end } = fragmentFacts(f);
    const verdict = queueInsert(q.runs, offset, end);
    if (verdict === "dup") return "dropped"; // IPFRAG_DUP: skb freed, queue kept
    if (verdict === "overlap") return this.discard(dir, q); // IPFRAG_OVERLAP (RFC 5722)
    const truesize = fragmentTruesize(a.packet.length);
    q.fragments.push({ offset, end, data: f.data, truesize });
    q.meat += end - offset;
    q.ecn |= ecnBit(f);
    dir.mem += truesize;
    if (offset === 0) {
      q.firstIn = true;
      q.head = { arrival: a, fragment: f };
    }
    if (q.firstIn && q.lastIn && q.meat === q.len) return this.reassemble(dir, q, a);
    return "queued";
  }

  /** ip6_frag_reasm() / nf_ct_frag6_reasm(): kill the queue, then build the datagram or drop it. */
  private reassemble(dir: Fqdir, q: LinuxQueue, a: Arrival): QueueResult {
    dir.kill(q);
    const head = q.head!.fragment;
    const ecn = fragEcn(q.ecn);
    if (ecn === 0xff) {
      this.trace.push(`event ${a.index}: ECN Not-ECT mixed with ECT/CE: datagram dropped`);
      return "killed";
    }
    const payloadLength = head.fragmentHeaderOffset - IPV6_HEADER_LENGTH + q.len;
    if (payloadLength > IPV6_MAXPLEN) {
      this.trace.push(`event ${a.index}: reassembled payload ${payloadLength} > IPV6_MAXPLEN: dropped`);
      return "killed";
    }
    const packet = reassembledFromPieces(
      head.unfragmentable,
      head.prevNextHeaderOffset,
      head.nextHeader,
      q.len,
      q.fragments,
    );
    setTrafficClass(packet, trafficClassOf(packet) | ecn); // ipv6_change_dsfield(hdr, 0xff, ecn)
    const why = `${dir.name} reassembled ${q.fragments.length} fragments`;
    if (dir === this.nfct) this.defragOut.set(a.index, packet); // in the last fragment's skb, on through the hooks
    const view = reassembledView(packet, head);
    const up = dir === this.nfct ? afterConntrackDefrag(view) : afterPlainReassembly(view);
    return this.handUp(a, packet, up, why) ? "delivered" : "killed";
  }

  /**
   * nf_ct_frag6_gather(): a packet without a Fragment header, and a first
   * fragment without its whole header chain, go on unchanged (return 0,
   * NF_ACCEPT) to the plain stack; no queue memory drops the fragment.
   */
  private nfctGather(dir: Fqdir, a: Arrival): void {
    const f = a.fragment;
    if (!f || tinyFirstFragment(a.packet, f)) {
      this.trace.push(`event ${a.index}: nf_ct_frag6_gather lets it through`);
      this.defragOut.set(a.index, a.packet);
      this.ipv6FragRcv(a);
      return;
    }
    const q = dir.find(this.keys.of(f), a.t);
    if (!q) {
      this.starved = true;
      this.trace.push(`event ${a.index}: nf_conntrack_frag6 memory above high_thresh: dropped`);
      return;
    }
    const result = this.nfctQueue(dir, q, a, f);
    this.trace.push(`event ${a.index}: nf_conntrack_frag6 ${result}`);
    if (result !== "passed") return;
    this.defragOut.set(a.index, a.packet);
    this.ipv6FragRcv(a);
  }

  /** net/ipv6/netfilter/nf_conntrack_reasm.c nf_ct_frag6_queue(). */
  private nfctQueue(dir: Fqdir, q: LinuxQueue, a: Arrival, f: FragmentPacket): QueueResult {
    const { offset, end, more } = fragmentFacts(f);
    if (end > IPV6_MAXPLEN) return "dropped"; // -EINVAL: NF_DROP, queue kept, no ICMP
    if (!more) {
      if (end < q.len || (q.lastIn && end !== q.len)) return "dropped"; // goto err: queue kept
      q.lastIn = true;
      q.len = end;
    } else {
      if (end & 7) {
        // inet_frag_kill() and -EPROTO: the fragment goes on to the stack, which answers it.
        dir.kill(q);
        return "passed";
      }
      if (end > q.len) {
        if (q.lastIn) return "dropped"; // goto err: queue kept
        q.len = end;
      }
    }
    if (end === offset) return "dropped"; // goto err: queue kept (q->len may have moved)
    return this.insert(dir, q, a, f);
  }
}

/** A reassembled datagram as ip6_protocol_deliver_rcu() meets it. */
/**
 * An atomic fragment keeps its Fragment header: ipv6_frag_rcv() sets IP6CB(skb)->nhoff to the Fragment
 * header itself (its first byte is its Next Header) and returns 1, so ip6_protocol_deliver_rcu() walks,
 * and points any Parameter Problem into, the packet as it came (measured on 6.18: pointer 40, not 6).
 */
function atomicView(original: Uint8Array, packet: Uint8Array, f: FragmentPacket) {
  const fragmentHeaderAt = f.fragmentHeaderOffset;
  const upper = ownUpperLayer(packet);
  return {
    packet: original,
    fragmentableAt: fragmentHeaderAt + 8,
    prevNextHeaderOffset: fragmentHeaderAt,
    upper: upper && upper.at >= fragmentHeaderAt ? { at: upper.at + 8, type: upper.type } : upper,
  };
}

function reassembledView(packet: Uint8Array, head: FragmentPacket) {
  return {
    packet,
    fragmentableAt: head.fragmentHeaderOffset,
    prevNextHeaderOffset: head.prevNextHeaderOffset,
    upper: ownUpperLayer(packet),
  };
}
