// frag6.run on the kernel: one case in a namespace of its own (case-network.ts),
// events injected on the real schedule (schedule.ts), deliveries and ICMP
// errors read after each event and attributed to its virtual time.
import { snmp6Counters } from "../../../sys/snmp6.js";
import { pinToCurrentCpu } from "../../../sys/cpu-affinity.js";
import { formatIPv6 } from "../../../sys/inet-addr.js";
import { toHex } from "../../../wire/hex.js";
import { findPrevFhdr } from "../../../wire/ipv6-exthdr.js";
import { parseFragmentPacket } from "../../../wire/ipv6-fragment.js";
import { IPPROTO_FRAGMENT } from "../../../wire/protocol-numbers.js";
import type { Frag6Reply, Frag6Request } from "../../ops/frag6.js";
import { plainFragState, writeCaseSysctls, type Frag6Path } from "./case-network.js";
import type { CaseNamespacePool } from "./case-namespace-pool.js";
import { decline, JitterDecline } from "./decline.js";
import { DeliverySockets } from "./delivery-sockets.js";
import { IcmpCapture, type CapturedError } from "./icmp-capture.js";
import { FragmentInjector, LARGEST_PACKET } from "./injector.js";
import { kernelThresholds } from "./memory.js";
import type { MessageReceiver } from "../../../sys/recvmsg.js";
import { icmpv6InMsgs, isIcmpv6Datagram, shortIcmpv6Datagram } from "./short-icmpv6.js";
import { MARKER_DST, MARKER_PACKET, MARKER_SRC, isMarker } from "./marker.js";
import { armingEvent, armingKeys } from "./expiry.js";
import { expiryWindowMs, nextFiring, planSchedule, scheduleKept } from "./schedule.js";
import { kernelHz } from "../../../sys/kernel-hz.js";

const now = () => performance.now();
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

// CPU affinity is the thread's, one for every case running on it: pinned while any runs.
let running = 0;
let unpinThread: (() => void) | null = null;
function pinWhileRunning(): () => void {
  if (running++ === 0) unpinThread = pinToCurrentCpu();
  return () => {
    if (--running === 0) unpinThread?.();
  };
}

interface EventFacts {
  key: string;
  /** An offset-0 fragment with M set: it can leave a queue that expires with Time Exceeded. */
  headOfQueue: boolean;
  /** Offset 0 with M clear (RFC 6946). */
  atomic: boolean;
  src: string;
  dst: string;
}

function facts(packet: Uint8Array, i: number): EventFacts {
  const f = parseFragmentPacket(packet, `event ${i}`);
  const src = formatIPv6(packet.subarray(8, 24));
  const dst = formatIPv6(packet.subarray(24, 40));
  if (!f) return { key: `${src}/${dst}/-`, headOfQueue: false, atomic: false, src, dst };
  return {
    key: `${src}/${dst}/${f.identification}`,
    headOfQueue: f.offset === 0 && f.more,
    atomic: f.offset === 0 && !f.more,
    src,
    dst,
  };
}

/** The queue key a Time Exceeded error is about: the quoted head fragment's source, destination and identification. */
function quotedKey(quoted: Uint8Array): string | null {
  if (quoted.length < 40) return null;
  const walk = findPrevFhdr(quoted);
  if (!walk.ok || walk.next !== IPPROTO_FRAGMENT || walk.at + 8 > quoted.length) return null;
  const id = new DataView(quoted.buffer, quoted.byteOffset + walk.at + 4, 4).getUint32(0, false);
  return `${formatIPv6(quoted.subarray(8, 24))}/${formatIPv6(quoted.subarray(24, 40))}/${id}`;
}

/** The namespace's Ip6 and Udp6 counters that are not 0, for an error message. */
function snmpSummary(): string {
  return [...snmp6Counters()]
    .filter(([name, value]) => /^(Ip6|Udp6)/.test(name) && value !== 0)
    .map(([name, value]) => `${name}=${value}`)
    .join(" ");
}

function problems(request: Frag6Request): string | null {
  const dsts = new Set<string>();
  for (const [i, e] of request.events.entries()) {
    if (e.packet.length > LARGEST_PACKET)
      return `event ${i} is a ${e.packet.length}-byte packet; veth carries at most ${LARGEST_PACKET} (ETH_MAX_MTU)`;
    const d = e.packet.subarray(24, 40);
    if (
      d[0] === 0xff ||
      (d[0] === 0xfe && (d[1]! & 0xc0) === 0x80) ||
      d.every((b, k) => b === (k === 15 ? 1 : 0)) ||
      d.every((b) => b === 0)
    ) {
      return `event ${i}: destination ${formatIPv6(d)} cannot be made a local unicast address of veth0`;
    }
    dsts.add(formatIPv6(d));
    for (const a of [MARKER_DST, MARKER_SRC]) {
      if (formatIPv6(a) === formatIPv6(d) || formatIPv6(a) === formatIPv6(e.packet.subarray(8, 24)))
        return `event ${i} uses ${formatIPv6(a)}, the address of the IUT's marker datagrams`;
    }
  }
  for (const [i, e] of request.events.entries()) {
    const s = formatIPv6(e.packet.subarray(8, 24));
    if (dsts.has(s))
      return `event ${i}: source ${s} is also a destination, which the case makes a local address (errors to it would not leave veth0)`;
  }
  return null;
}

export async function runCase(
  path: Frag6Path,
  request: Frag6Request,
  receiver: MessageReceiver,
  pool: CaseNamespacePool,
): Promise<Frag6Reply> {
  const problem = problems(request);
  if (problem) throw decline(problem);
  const times = request.events.map((e) => e.t);
  const eventFacts = request.events.map((e, i) => facts(e.packet, i));
  const arming = armingKeys(
    eventFacts.map((f) => f.key),
    eventFacts.map((f) => f.headOfQueue),
  );
  const planned = planSchedule(times, request.config.timeoutMs, arming, kernelHz());
  if (!planned.ok) throw decline(planned.reason);
  const thresholds = kernelThresholds(request);
  if (!thresholds.ok) throw decline(thresholds.reason);
  const locals = [
    ...new Map(request.events.map((e) => [formatIPv6(e.packet.subarray(24, 40)), e.packet.slice(24, 40)])).values(),
  ];
  const lease = await pool.acquire(locals);
  const ns = lease.ns;
  const unpin = pinWhileRunning();
  const sockets: { close(): void }[] = [];
  let ranToEnd = false;
  try {
    const { at, realTimeoutMs, lateMarginMs } = planned.schedule;
    const window = expiryWindowMs(planned.schedule);
    const { deliveries, capture, injector } = ns.within(() => {
      writeCaseSysctls(path, { timeoutSeconds: realTimeoutMs / 1000, ...thresholds.value });
      const deliveries = new DeliverySockets(receiver);
      sockets.push(deliveries);
      const capture = new IcmpCapture(receiver);
      sockets.push(capture);
      const injector = new FragmentInjector();
      sockets.push(injector);
      return { deliveries, capture, injector };
    });
    const shortDatagrams = request.events.map((e) =>
      // Behind conntrack only with no header before the Fragment header, which the plain stack would misread (after-defrag.ts).
      path === "plain" || e.packet[6] === IPPROTO_FRAGMENT ? shortIcmpv6Datagram(e.packet) : null,
    );
    const delivered: Frag6Reply["delivered"] = [];
    const icmp: NonNullable<Frag6Reply["icmp"]> = [];
    const sent: number[] = [];
    const deliveredAfter: boolean[] = [];
    let origin = 0;
    // An error seen between events: a Param Problem belongs to the event just sent, a Time Exceeded to a deadline.
    const expired: { key: string | null; seenAt: number }[] = [];
    // A Time Exceeded is placed by when the node sent it (the capture's stamp), however late a case reads it.
    const record = (errors: CapturedError[], lastEvent: number) => {
      for (const e of errors) {
        if (e.type === 3) {
          const seenAt = e.sentAt - origin;
          icmp.push({ t: expiryTime(e, seenAt), type: e.type, code: e.code, pointer: e.pointer });
          expired.push({ key: quotedKey(e.quoted), seenAt });
        } else icmp.push({ t: request.events[lastEvent]!.t, type: e.type, code: e.code, pointer: e.pointer });
      }
    };
    // The virtual deadline of the queue a Time Exceeded is about: that of the event that armed its timer (expiry.ts).
    const expiryTime = (e: CapturedError, seenAt: number): number => {
      const key = quotedKey(e.quoted);
      const armed = armingEvent(key, seenAt, { times, arming, planned: at, sent, realTimeoutMs, lateMarginMs });
      if (!armed.ok) {
        if (armed.why === "jitter") throw new JitterDecline(armed.reason);
        throw armed.why === "unspaced" ? decline(armed.reason) : new Error(armed.reason);
      }
      return times[armed.event]! + request.config.timeoutMs;
    };
    // Reads ICMP errors until `until` (or `stop()`), each after event `lastEvent`: every 5 ms while a timer
    // may fire, asleep in between (nothing else sends one), so cases waiting at once cost little CPU.
    const watch = async (until: number, lastEvent: number, stop: () => boolean = () => false) => {
      while (now() < until && !stop()) {
        const t = now();
        const wake = origin + nextFiring(sent, t - origin, realTimeoutMs, window);
        await sleep(Math.min(wake > t ? wake : t + 5, until) - t);
        record(capture.drain(), lastEvent);
      }
    };
    for (const [i, event] of request.events.entries()) {
      if (i === 0) origin = now();
      else await watch(origin + at[i]!, i - 1);
      sent.push(now() - origin);
      const short = shortDatagrams[i];
      const icmpBefore = short ? ns.within(icmpv6InMsgs) : 0;
      injector.inject(event.packet);
      injector.inject(MARKER_PACKET);
      let got: Uint8Array[];
      try {
        got = deliveries.drainThroughMarker(isMarker);
      } catch (e) {
        throw new Error(`after event ${i}: ${(e as Error).message}; ${ns.within(snmpSummary)}`);
      }
      // An ICMPv6 message under 4 bytes reached icmpv6_rcv() (counted) but no raw socket (short-icmpv6.ts).
      if (short && ns.within(icmpv6InMsgs) - icmpBefore > got.filter(isIcmpv6Datagram).length) got.push(short);
      for (const packet of got) delivered.push({ t: event.t, packet: toHex(packet) });
      deliveredAfter.push(got.length > 0);
      record(capture.drain(), i);
    }
    const jitter = scheduleKept(times, request.config.timeoutMs, planned.schedule, sent);
    if (jitter) throw new JitterDecline(jitter);
    const last = request.events.length - 1;
    // Every queue that may still send a Time Exceeded is watched until it has: ICMP is reported in full in every case.
    const heads = pendingHeads(eventFacts, deliveredAfter);
    if (heads.size > 0 || (path === "conntrack" && ns.within(plainFragState).inuse > 0)) {
      const deadline = origin + sent[last]! + realTimeoutMs + window.late;
      // Done once every pending head's queue has sent its Time Exceeded (its timer fired after that head came),
      // and, behind conntrack, the plain stack holds no queue; on the plain path also once it holds none at all
      // (each timer unhashes its queue, then sends). Conntrack's own queues are counted nowhere.
      const done = () => {
        const fired = [...heads].every(([key, i]) =>
          expired.some((x) => x.key === key && x.seenAt >= sent[i]! + realTimeoutMs - window.early),
        );
        const plainQueues = ns.within(plainFragState).inuse;
        return path === "plain" ? fired || plainQueues === 0 : fired && plainQueues === 0;
      };
      await watch(deadline, last, done);
    }
    // Settles the last timer's icmpv6_send() and whatever the stack still had in hand.
    await sleep(1);
    injector.inject(MARKER_PACKET);
    for (const packet of deliveries.drainThroughMarker(isMarker))
      delivered.push({ t: request.events[last]?.t ?? 0, packet: toHex(packet) });
    record(capture.drain(), last);
    ranToEnd = true;
    return { delivered, icmp };
  } finally {
    for (const s of sockets) s.close();
    unpin();
    pool.release(lease, ranToEnd);
  }
}

/**
 * The keys whose queue may still hold an offset-0 fragment, and so may yet
 * send a Time Exceeded (ip6frag_expire_frag_queue() sends one only then),
 * each with the index of its latest such fragment. An offset-0 fragment with
 * M set leaves its key pending; a delivery right after a non-atomic fragment
 * of the key means its one queue completed. Anything else stays pending (a
 * queue killed by an overlap, say): watching too long costs time, too short
 * would report ICMP as observed in full when it was not.
 */
function pendingHeads(events: readonly EventFacts[], deliveredAfter: readonly boolean[]): Map<string, number> {
  const pending = new Map<string, number>();
  events.forEach((e, i) => {
    if (e.headOfQueue) pending.set(e.key, i);
    else if (deliveredAfter[i] && !e.atomic) pending.delete(e.key);
  });
  return pending;
}
