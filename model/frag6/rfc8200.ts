// RFC 8200 section 4.5 (with RFC 5722 and erratum 3089, RFC 6946, RFC 7112)
// as a nondeterministic reassembler: wherever the RFC leaves a choice or says
// nothing, every allowed continuation is followed, per datagram, and the
// prediction is the set of outcomes reached. Datagrams do not interact (the
// RFC sets no shared memory limit), so each queue key is explored alone.
import { bytesEqual, fromHex } from "../../wire/hex.js";
import {
  IPV6_HEADER_LENGTH,
  IPV6_MAXPLEN,
  reassembledFromPieces,
  reassembledPacket,
  setTrafficClass,
  trafficClassOf,
  type FragmentPacket,
} from "../../wire/ipv6-fragment.js";
import {
  fragmentFacts,
  icmpErrorAllowed,
  QueueKeys,
  tinyFirstFragment,
  type Arrival,
  type QueueKey,
} from "./fragment.js";
import {
  ICMPV6_EXC_FRAGTIME,
  ICMPV6_HDR_FIELD,
  ICMPV6_HDR_INCOMP,
  ICMPV6_PARAMPROB,
  ICMPV6_TIME_EXCEED,
} from "../../wire/protocol-numbers.js";
import {
  icmpKey,
  taggedDelivery,
  type Candidate,
  type CandidateGroup,
  type IcmpError,
  type TaggedDelivery,
} from "./outcome.js";
import type { Frag6Config } from "./profiles.js";
import { errorEligible } from "./after-defrag.js";
import { upwardOutcomes, type UpwardOutcome } from "./rfc8200-headers.js";

/** Most states kept per datagram; beyond it the prediction is relaxed (see Frag6Expectation). */
export const RFC_STATE_CAP = 256;

interface Held {
  offset: number;
  end: number;
  more: boolean;
  arrival: Arrival;
  fragment: FragmentPacket;
}

interface RfcState {
  choices: string[];
  held: Held[];
  /** Arrival time of the first fragment of the reassembly in progress (its 60 s run from there). */
  started: number | null;
  /** An overlap abandoned this datagram earlier: later fragments may be dropped or start afresh. */
  abandoned: boolean;
  candidate: Omit<Candidate, "choices">;
  /** Shared by every state of one datagram (see DatagramMemo). */
  memo: DatagramMemo;
}

function clone(s: RfcState, choice?: string): RfcState {
  return {
    memo: s.memo,
    choices: choice ? [...s.choices, choice] : [...s.choices],
    held: [...s.held],
    started: s.started,
    abandoned: s.abandoned,
    candidate: {
      delivered: [...s.candidate.delivered],
      icmpRequired: [...s.candidate.icmpRequired],
      icmpOptional: [...s.candidate.icmpOptional],
    },
  };
}

/** A reassembled datagram as complete() hands it on: one ECN variant and the ways its headers may end. */
interface Reassembled {
  packet: Uint8Array | null;
  choice: string;
  ups: (UpwardOutcome | null)[];
}

/**
 * What the states of one datagram share, each worked out once: the
 * reassembled packet (its ECN variants, its header outcomes) of each list of
 * held fragments, which depends on nothing else; and a number for each
 * delivered packet, equal bytes equal number, so states compare without
 * writing hex (the first consumer to read a delivery pays for that).
 */
class DatagramMemo {
  private readonly reassemblies = new Map<string, Reassembled[]>();
  private readonly bytes = new Map<TaggedDelivery, Uint8Array>();
  private readonly byLength = new Map<number, { bytes: Uint8Array; id: number }[]>();
  private readonly ids = new Map<TaggedDelivery, number>();
  private count = 0;

  reassembled(held: readonly Held[], reassemble: () => Reassembled[]): Reassembled[] {
    const key = held.map((h) => h.arrival.index).join(" ");
    let known = this.reassemblies.get(key);
    if (!known) {
      known = reassemble();
      this.reassemblies.set(key, known);
    }
    return known;
  }

  deliver(a: Arrival, packet: Uint8Array): TaggedDelivery {
    const d = taggedDelivery(a.index, a.t, packet);
    this.bytes.set(d, packet);
    return d;
  }

  packetId(d: TaggedDelivery): number {
    const known = this.ids.get(d);
    if (known !== undefined) return known;
    const bytes = this.bytes.get(d) ?? fromHex(d.packet);
    const same = this.byLength.get(bytes.length) ?? [];
    this.byLength.set(bytes.length, same);
    let entry = same.find((e) => e.bytes === bytes || bytesEqual(e.bytes, bytes));
    if (!entry) {
      entry = { bytes, id: this.count++ };
      same.push(entry);
    }
    this.ids.set(d, entry.id);
    return entry.id;
  }
}

/** A candidate's outcome as a key: each delivery's event, time and bytes, then the ICMP errors, in order. */
function outcomeKey(c: Omit<Candidate, "choices">, memo: DatagramMemo): string {
  let key = "";
  for (const d of c.delivered) key += ` ${d.event}/${d.t}/${memo.packetId(d)}`;
  key += "|";
  for (const e of c.icmpRequired) key += ` ${icmpKey(e)}`;
  key += "|";
  for (const e of c.icmpOptional) key += ` ${icmpKey(e)}`;
  return key;
}

/** Two states with one signature behave alike from here on: what is held, the clock, and the outcome so far. */
function signature(s: RfcState): string {
  let key = "";
  for (const h of s.held) key += ` ${h.arrival.index}`;
  return `${key}|${s.started}|${s.abandoned}|${outcomeKey(s.candidate, s.memo)}`;
}

/** Abandon reassembly: every fragment held is discarded (RFC 8200 section 4.5; RFC 5722 section 4). */
function abandon(s: RfcState, choice: string, afterOverlap: boolean): RfcState {
  const next = clone(s, choice);
  next.held = [];
  next.started = null;
  next.abandoned = next.abandoned || afterOverlap;
  return next;
}

function optionalIcmp(s: RfcState, a: Arrival, f: FragmentPacket, e: Omit<IcmpError, "t">, t = a.t): void {
  if (icmpErrorAllowed(a.packet, f)) s.candidate.icmpOptional.push({ t, ...e });
}

/**
 * "If the length and offset of a fragment are such that the Payload Length of
 * the packet reassembled from that fragment would exceed 65,535 octets": the
 * reassembled packet's Unfragmentable Part is `head`'s headers before its
 * Fragment header (the first fragment's, once it is known; else the
 * fragment's own).
 */
function payloadOver(head: FragmentPacket, end: number): boolean {
  return head.fragmentHeaderOffset - IPV6_HEADER_LENGTH + end > IPV6_MAXPLEN;
}

/** Parameter Problem code 0 "pointing to the Fragment Offset field of the fragment packet". */
function atFragmentOffset(f: FragmentPacket): Omit<IcmpError, "t"> {
  return { type: ICMPV6_PARAMPROB, code: ICMPV6_HDR_FIELD, pointer: f.fragmentHeaderOffset + 2 };
}

/** Parameter Problem code 0 at the Payload Length field (byte 4). */
const AT_PAYLOAD_LENGTH: Omit<IcmpError, "t"> = { type: ICMPV6_PARAMPROB, code: ICMPV6_HDR_FIELD, pointer: 4 };

/**
 * Time passes to `t`: a reassembly not complete 60 s (config.timeoutMs) after
 * its first fragment is abandoned; Time Exceeded code 1 should go out if the
 * offset-0 fragment was received (and only then). At exactly the deadline
 * either may have happened first.
 */
function passTime(states: RfcState[], t: number, timeoutMs: number, final: boolean): RfcState[] {
  const out: RfcState[] = [];
  for (const s of states) {
    if (s.started === null) {
      out.push(s);
      continue;
    }
    const deadline = s.started + timeoutMs;
    if (!final && t < deadline) {
      out.push(s);
      continue;
    }
    if (!final && t === deadline) out.push(s); // the arrival beat the timer
    const expired = clone(s, `timeout at ${deadline}`);
    const first = s.held.find((h) => h.offset === 0);
    if (first && icmpErrorAllowed(first.arrival.packet, first.fragment)) {
      expired.candidate.icmpOptional.push({
        t: deadline,
        type: ICMPV6_TIME_EXCEED,
        code: ICMPV6_EXC_FRAGTIME,
        pointer: 0,
      });
    }
    expired.held = [];
    expired.started = null;
    out.push(expired);
  }
  return out;
}

/** ECN of the reassembled datagram: the first fragment's as is, CE if any fragment had CE (RFC 3168 section 5.3), or dropped when Not-ECT mixes with ECN-capable. */
function ecnVariants(held: Held[], packet: Uint8Array): { packet: Uint8Array | null; choice: string }[] {
  const codepoints = new Set(held.map((h) => h.fragment.trafficClass & 3));
  const variants: { packet: Uint8Array | null; choice: string }[] = [{ packet, choice: "ECN of the first fragment" }];
  if (codepoints.has(3) && codepoints.size > 1) {
    const ce = packet.slice();
    setTrafficClass(ce, trafficClassOf(ce) | 3);
    variants.push({ packet: ce, choice: "ECN: CE carried over (RFC 3168 section 5.3)" });
  }
  if (codepoints.has(0) && codepoints.size > 1)
    variants.push({ packet: null, choice: "ECN: Not-ECT mixed with ECT: dropped (RFC 3168 section 5.3)" });
  return variants;
}

/** Completes the reassembly if the first and last fragments are in and nothing is missing. */
function complete(s: RfcState, a: Arrival): RfcState[] {
  const last = s.held.find((h) => !h.more);
  const first = s.held.find((h) => h.offset === 0);
  if (!last || !first) return [s];
  const length = last.end;
  const covered = s.held.reduce((n, h) => n + (h.end - h.offset), 0);
  if (covered !== length) return [s];
  const head = first.fragment;
  if (payloadOver(head, length)) return [abandon(s, "reassembled payload over 65535: discarded", false)];
  const reassembled = s.memo.reassembled(s.held, () => {
    const packet = reassembledFromPieces(
      head.unfragmentable,
      head.prevNextHeaderOffset,
      head.nextHeader,
      length,
      s.held.map((h) => h.fragment),
    );
    return ecnVariants(s.held, packet).map(({ packet: p, choice }) => ({
      packet: p,
      choice,
      // The whole datagram's own headers after the Fragment header are processed next (RFC 8200 section 4).
      ups: p ? upwardOutcomes(p, head.prevNextHeaderOffset, head.fragmentHeaderOffset, false) : [null],
    }));
  });
  return reassembled.flatMap(({ packet: p, choice, ups }) => {
    return ups.map((up) => {
      const done = clone(s, choice);
      if (p && up) {
        const { delivered, icmp } = handedUp(up, a, p, s.memo);
        if (up.choice) done.choices.push(up.choice);
        done.candidate.delivered.push(...delivered);
        done.candidate.icmpOptional.push(...icmp);
      }
      done.held = [];
      done.started = null;
      done.abandoned = false;
      return done;
    });
  });
}

/** A whole datagram's processing outcome (rfc8200-headers.ts): delivered at `a`, or discarded with its optional error. */
function handedUp(
  up: UpwardOutcome,
  a: Arrival,
  p: Uint8Array,
  memo: DatagramMemo,
): Pick<Candidate, "delivered"> & { icmp: IcmpError[] } {
  if (up.delivered) return { delivered: [memo.deliver(a, p)], icmp: [] };
  const icmp = up.icmp && errorEligible(p) ? [{ t: a.t, type: ICMPV6_PARAMPROB, ...up.icmp }] : [];
  return { delivered: [], icmp };
}

/** Accepts a fragment into the reassembly and completes it when it can. */
function accept(s: RfcState, h: Held, choice?: string): RfcState[] {
  const next = clone(s, choice);
  next.held.push(h);
  if (next.started === null) next.started = h.arrival.t;
  return [...complete(next, h.arrival), ...oversizedByFirst(next, h)];
}

/**
 * The first fragment (offset 0) fixes the Unfragmentable Part, so only now
 * can a fragment held before it be seen to push the reassembled Payload
 * Length past 65,535 (its own headers may be shorter). Such a fragment "must
 * be discarded" with a Parameter Problem at its Fragment Offset, sent now:
 * allowed beside keeping it until the reassembly fails (a node that checks
 * each fragment only on arrival). KAME's frag6_input() (FreeBSD, NetBSD,
 * OpenBSD) does this check "for each fragment already stored".
 */
function oversizedByFirst(s: RfcState, first: Held): RfcState[] {
  if (first.offset !== 0) return [];
  const over = s.held.filter((o) => o !== first && payloadOver(first.fragment, o.end));
  if (over.length === 0) return [];
  const e = `event ${first.arrival.index}`;
  const events = over.map((o) => o.arrival.index).join(", ");
  const report = (state: RfcState) => {
    for (const o of over) optionalIcmp(state, o.arrival, o.fragment, atFragmentOffset(o.fragment), first.arrival.t);
    return state;
  };
  const kept = clone(s, `${e}: first fragment's headers make event ${events} oversized: discarded, queue kept`);
  kept.held = kept.held.filter((o) => !over.includes(o));
  const gone = abandon(s, `${e}: first fragment's headers make event ${events} oversized: queue abandoned`, false);
  return [...complete(report(kept), first.arrival), report(gone)];
}

/** Keeps the queue but starts its clock: a discarded fragment is still the first-arriving one. */
function keep(s: RfcState, a: Arrival, choice: string): RfcState {
  const next = clone(s, choice);
  if (next.started === null) next.started = a.t;
  return next;
}

/** One fragment of this datagram arrives: every allowed continuation of every state. */
function arrive(s: RfcState, a: Arrival, f: FragmentPacket): RfcState[] {
  const { offset, end, more } = fragmentFacts(f);
  if (s.abandoned && s.held.length === 0) {
    // Erratum 3089 struck "including those not yet received": later fragments may go either way.
    return [...fresh(clone(s), a, f), clone(s, `event ${a.index}: dropped as part of an abandoned datagram`)];
  }
  return fresh(s, a, f);

  /** The fragment is discarded, the queue kept or abandoned; the Parameter Problem "should" be sent. */
  function discarded(
    state: RfcState,
    arrival: Arrival,
    frag: FragmentPacket,
    what: string,
    error: Omit<IcmpError, "t">,
  ): RfcState[] {
    const e = `event ${arrival.index}`;
    const kept = keep(state, arrival, `${e}: ${what} discarded, queue kept`);
    optionalIcmp(kept, arrival, frag, error);
    const gone = abandon(state, `${e}: ${what} discarded, queue abandoned`, false);
    optionalIcmp(gone, arrival, frag, error);
    return [kept, gone];
  }

  function fresh(state: RfcState, arrival: Arrival, frag: FragmentPacket): RfcState[] {
    const e = `event ${arrival.index}`;
    // Payload Length of the reassembled packet would exceed 65,535: discard, Parameter Problem at Fragment Offset.
    if (payloadOver(frag, end)) return discarded(state, arrival, frag, "oversized fragment", atFragmentOffset(frag));
    // M set and a length not a multiple of 8: discard, Parameter Problem at Payload Length.
    if (more && (end - offset) % 8 !== 0)
      return discarded(state, arrival, frag, "unaligned fragment", AT_PAYLOAD_LENGTH);
    const out: RfcState[] = [];
    // A first fragment without the whole header chain "should be discarded" (RFC 7112 section 5: SHOULD).
    if (tinyFirstFragment(arrival.packet, frag)) {
      const dropped = clone(state, `${e}: tiny first fragment discarded`);
      optionalIcmp(dropped, arrival, frag, { type: ICMPV6_PARAMPROB, code: ICMPV6_HDR_INCOMP, pointer: 0 });
      out.push(dropped);
    }
    out.push(...place(state, arrival, frag));
    // Oversized only with the first fragment's headers (held already): kept as by its own, or discarded as above.
    const first = state.held.find((o) => o.offset === 0);
    if (offset !== 0 && first && payloadOver(first.fragment, end))
      out.push(
        ...discarded(
          state,
          arrival,
          frag,
          "fragment oversized with the first fragment's headers",
          atFragmentOffset(frag),
        ),
      );
    return out;
  }

  function place(state: RfcState, arrival: Arrival, frag: FragmentPacket): RfcState[] {
    const e = `event ${arrival.index}`;
    const h: Held = { offset, end, more, arrival, fragment: frag };
    if (end === offset) {
      // The RFC says nothing of zero-length fragments: ignored, abandoning, or (M clear) marking the end.
      // 0 is a multiple of 8, so no 4.5 error applies; one discarded as erroneous may get RFC 4443 section
      // 3.4's Parameter Problem at its Payload Length (docs/model-frag6.md; KAME's frag6_input() sends it).
      const options = [
        clone(state, `${e}: zero-length fragment ignored`),
        abandon(state, `${e}: zero-length fragment abandons the datagram`, false),
      ];
      if (!more) options.push(...consistent(state, h));
      for (const d of discarded(state, arrival, frag, "zero-length fragment", AT_PAYLOAD_LENGTH)) options.push(d);
      return options;
    }
    const duplicate = state.held.find(
      (o) => o.offset === offset && o.end === end && o.more === more && bytesEqual(o.fragment.data, frag.data),
    );
    if (duplicate) {
      // "an implementation may choose to detect this case and drop exact duplicate fragments while keeping the other fragments"
      return [
        clone(state, `${e}: exact duplicate dropped`),
        abandon(state, `${e}: exact duplicate treated as overlap`, true),
      ];
    }
    if (state.held.some((o) => o.offset < end && offset < o.end)) {
      // Overlap: the datagram and every fragment received are silently discarded; no ICMP.
      return [abandon(state, `${e}: overlap abandons the datagram`, true)];
    }
    return consistent(state, h);
  }

  /** Fragments that contradict the length known so far: the RFC is silent; dropped or abandoning. */
  function consistent(state: RfcState, h: Held): RfcState[] {
    const e = `event ${h.arrival.index}`;
    const last = state.held.find((o) => !o.more);
    const furthest = Math.max(0, ...state.held.map((o) => o.end));
    const contradicts = h.more
      ? last !== undefined && h.end > last.end
      : (last !== undefined && h.end !== last.end) || h.end < furthest;
    const endsAtLast = h.more && last !== undefined && h.end === last.end;
    if (!contradicts && !endsAtLast) return accept(state, h);
    const options = [
      clone(state, `${e}: fragment inconsistent with the datagram's end dropped`),
      abandon(state, `${e}: fragment inconsistent with the datagram's end abandons it`, false),
    ];
    if (endsAtLast) options.push(...accept(state, h, `${e}: M set but ending at the last fragment's end: accepted`));
    return options;
  }
}

function dedup(states: RfcState[]): RfcState[] {
  if (states.length < 2) return states; // nothing to merge: no signature to write
  const seen = new Map<string, RfcState>();
  for (const s of states) {
    const key = signature(s);
    if (!seen.has(key)) seen.set(key, s);
  }
  return [...seen.values()];
}

/** The allowed candidates of one datagram (all arrivals share its queue key). */
function exploreDatagram(
  key: string,
  arrivals: Arrival[],
  config: Frag6Config,
): { group: CandidateGroup; capped: boolean } {
  let states: RfcState[] = [
    {
      choices: [],
      held: [],
      started: null,
      abandoned: false,
      candidate: { delivered: [], icmpRequired: [], icmpOptional: [] },
      memo: new DatagramMemo(),
    },
  ];
  let capped = false;
  for (const a of arrivals) {
    states = passTime(states, a.t, config.timeoutMs, false);
    const next: RfcState[] = [];
    for (const s of states) for (const n of arrive(s, a, a.fragment!)) next.push(n);
    states = dedup(next);
    if (states.length > RFC_STATE_CAP) {
      states = states.slice(0, RFC_STATE_CAP);
      capped = true;
    }
  }
  states = dedup(passTime(states, Infinity, config.timeoutMs, true));
  return { group: { key, candidates: states.map((s) => ({ choices: s.choices, ...s.candidate })) }, capped };
}

/**
 * A packet handled alone: one without a Fragment header is delivered as it
 * came; an atomic fragment is processed in isolation from any queue (RFC 6946
 * section 4), delivered with its Fragment header removed, unless it is a
 * first fragment without its header chain, which may be discarded.
 */
function alone(a: Arrival): CandidateGroup {
  const key = `event ${a.index}`;
  const f = a.fragment;
  const memo = new DatagramMemo();
  const candidate = (choice: string, up: UpwardOutcome, p: Uint8Array): Candidate => {
    const { delivered, icmp } = handedUp(up, a, p, memo);
    return { choices: up.choice ? [choice, up.choice] : [choice], delivered, icmpRequired: [], icmpOptional: icmp };
  };
  if (!f)
    return {
      key,
      candidates: upwardOutcomes(a.packet, 6, IPV6_HEADER_LENGTH, true).map((up) =>
        candidate("not a fragment", up, a.packet),
      ),
    };
  const packet = reassembledPacket(f.unfragmentable, f.prevNextHeaderOffset, f.nextHeader, f.data);
  // "processed as a fully reassembled packet": its Parameter Problem pointers may count in that packet, or in
  // the one received ("the offset ... within the original packet"), Fragment header and all.
  const asReassembled = upwardOutcomes(packet, f.prevNextHeaderOffset, f.fragmentHeaderOffset, false);
  const asReceived = upwardOutcomes(a.packet, f.fragmentHeaderOffset, f.fragmentHeaderOffset + 8, false);
  const candidates = [...asReassembled, ...asReceived].map((up) =>
    candidate("atomic fragment processed alone", up, packet),
  );
  if (!tinyFirstFragment(a.packet, f)) return { key, candidates: dedupCandidates(candidates, memo) };
  const icmp = icmpErrorAllowed(a.packet, f)
    ? [{ t: a.t, type: ICMPV6_PARAMPROB, code: ICMPV6_HDR_INCOMP, pointer: 0 }]
    : [];
  return {
    key,
    candidates: dedupCandidates(
      [
        { choices: ["tiny atomic fragment discarded"], delivered: [], icmpRequired: [], icmpOptional: icmp },
        ...candidates,
      ],
      memo,
    ),
  };
}

function dedupCandidates(list: Candidate[], memo: DatagramMemo): Candidate[] {
  const seen = new Map<string, Candidate>();
  for (const c of list) {
    const key = outcomeKey(c, memo);
    if (!seen.has(key)) seen.set(key, c);
  }
  return [...seen.values()];
}

export function rfc8200Groups(arrivals: Arrival[], config: Frag6Config): { groups: CandidateGroup[]; capped: boolean } {
  const groups: CandidateGroup[] = [];
  const byKey = new Map<QueueKey, Arrival[]>();
  const keys = new QueueKeys();
  for (const a of arrivals) {
    const f = a.fragment;
    if (!f || (f.offset === 0 && !f.more)) {
      groups.push(alone(a));
      continue;
    }
    const key = keys.of(f);
    const list = byKey.get(key);
    if (list) list.push(a);
    else byKey.set(key, [a]);
  }
  let capped = false;
  for (const [key, list] of byKey) {
    const explored = exploreDatagram(key.text, list, config);
    groups.push(explored.group);
    capped ||= explored.capped;
  }
  return { groups, capped };
}
