// One hooks.traverse on the kernel: a probe aimed at the list, and the trace
// events it left. Every chain that took the packet as aimed at it (its rule,
// chain-rules.ts) ends there with the hook's verdict and sends an
// NFT_TRACETYPE_RULE event carrying it, so `visited` is the chains of the
// probe's verdict events (NF_ACCEPT, NF_DROP) in order and the verdict is drop
// when one of them is NF_DROP. A chain of another list sends the probe only
// NFT_CONTINUE and POLICY events (its rule does not match), so nothing here
// consults the model or what was registered.
//
// The wait is deterministic: the trace events are queued in the packet path,
// before the packet reaches its end point; a drop is seen as an event with
// verdict NF_DROP, an accept at the end point (probes.ts). A local send runs the
// whole output path inside sendmsg(), whose EPERM must agree with the drop.
import type { Verdict } from "../../../model/hooks/families.js";
import { libc } from "../../../sys/libc.js";
import * as N from "../../../wire/netlink/nftables.js";
import type { TraceBrief as TraceEvent } from "../../../wire/netlink/nftrace.js";
import { HOOKS_TABLE, type Aim } from "./chain-rules.js";
import type { TraceListener } from "./trace-listener.js";

/**
 * A traversal of 1024 chains takes a few ms; anything near this is a lost
 * packet, within the protocol's 10 s a request. One try: the one loss seen
 * (a device linkwatch had not yet activated, docs/iut-linux.md "Lost
 * probes") is prevented at set-up, and a resend would hide a new cause.
 */
const END_POINT_TIMEOUT_MS = 8000;
const NONCE_FIRST = 20000;
const NONCE_COUNT = 20000;

export interface KernelTraversal {
  visited: string[];
  verdict: Verdict;
}

export type SendOutcome = { sent: true } | { sent: false; errno: string };

/** Probes of one kind: how one is sent along a path and how its end point shows it got through. */
export interface ProbeSet<P> {
  /** Sends the probe with this nonce (EPERM: a drop on a local output path; ENOBUFS: in the sending device's egress hook). */
  send(path: P, aim: Aim, nonce: number): SendOutcome;
  /** The whole path runs inside send() (a local UDP send): its errno is the verdict. */
  runsInSend(path: P): boolean;
  /** The fd to poll for the end point. */
  endPointFd(path: P, aim: Aim): number;
  /** Whether the probe with this nonce has reached its end point (consumes what is queued there). */
  arrived(path: P, aim: Aim, nonce: number): boolean;
}

/** The three bytes an ARP probe's nonce takes in its MAC field, after the aim's prefix. */
export function arpNonceBytes(nonce: number): Uint8Array {
  return Uint8Array.of((nonce >> 16) & 0xff, (nonce >> 8) & 0xff, nonce & 0xff);
}

/**
 * Whether a trace event is about the probe: for UDP its ports (source port =
 * the nonce), for ARP the aimed MAC field (prefix, then the nonce); null when
 * the event carries no headers.
 */
function aboutProbe(e: TraceEvent, aim: Aim, nonce: number): boolean | null {
  if (aim.kind === "udp") {
    const t = e.transportHeader;
    if (!t || t.length < 4) return null;
    return ((t[0]! << 8) | t[1]!) === nonce && ((t[2]! << 8) | t[3]!) === aim.port;
  }
  const h = e.networkHeader;
  if (!h) return null;
  const at = aim.macOffset;
  if (h.length < at + 6) return false;
  const mac = h.subarray(at, at + 6);
  const want = [...aim.prefix, ...arpNonceBytes(nonce)];
  return mac.every((b, i) => b === want[i]);
}

/** An event of a chain's rule ending it with a verdict (the chain took the packet as aimed at it). */
const isVerdict = (e: TraceEvent) =>
  e.type === N.NFT_TRACETYPE_RULE && (e.verdict?.code === N.NF_ACCEPT || e.verdict?.code === N.NF_DROP);

/**
 * The verdict events of the probe, in order. Only the first event of a chain
 * run carries the packet's headers (nf_trace_fill_pkt_info); a later one (a
 * POLICY event after NFT_CONTINUE) is matched to it by the trace id.
 */
export function probeVerdicts(events: readonly TraceEvent[], aim: Aim, nonce: number): TraceEvent[] {
  const ours = new Map<number, boolean>();
  const out: TraceEvent[] = [];
  for (const e of events) {
    const about = aboutProbe(e, aim, nonce);
    if (about !== null) ours.set(e.id, about);
    if (e.table !== HOOKS_TABLE || !ours.get(e.id)) continue;
    if (isVerdict(e)) out.push(e);
  }
  return out;
}

function summarize(verdicts: readonly TraceEvent[]): KernelTraversal {
  return {
    visited: verdicts.map((e) => e.chain),
    verdict: verdicts.some((e) => e.verdict?.code === N.NF_DROP) ? "drop" : "accept",
  };
}

/** poll() on several fds at once; true when one is readable. */
function waitAny(fds: readonly number[], timeoutMs: number): boolean {
  const pfd = new Uint8Array(8 * fds.length);
  const view = new DataView(pfd.buffer);
  fds.forEach((fd, i) => {
    view.setInt32(8 * i, fd, true);
    view.setInt16(8 * i + 4, 1, true); // POLLIN
  });
  return Number(libc().poll(pfd, fds.length, Math.max(0, Math.ceil(timeoutMs)))) > 0;
}

export class Traverser<P> {
  private nonce = 0;

  constructor(
    private readonly trace: TraceListener,
    private readonly probes: ProbeSet<P>,
  ) {}

  /** One probe through the lists. */
  run(path: P, aim: Aim): KernelTraversal {
    this.trace.take(); // earlier packets' events
    const nonce = NONCE_FIRST + (this.nonce++ % NONCE_COUNT);
    const sent = this.probes.send(path, aim, nonce);
    const seen = (events: readonly TraceEvent[]) => summarize(probeVerdicts(events, aim, nonce));
    if (this.probes.runsInSend(path)) {
      const result = seen(this.trace.take());
      // nf_hook_slow() returns -EPERM for a drop, and the sender sees it.
      const eperm = !sent.sent && sent.errno === "EPERM";
      if (!sent.sent && !eperm) throw new Error(`the probe's sendmsg failed with ${sent.errno}`);
      if (eperm !== (result.verdict === "drop")) {
        throw new Error(
          `sendmsg ${eperm ? "failed with EPERM" : "succeeded"} but the trace shows verdict ${result.verdict} after [${result.visited.join(", ")}]`,
        );
      }
      return result;
    }
    if (!sent.sent) {
      // Only a drop in the egress hook of the injecting device fails the send.
      const result = seen(this.trace.take());
      if (sent.errno !== "ENOBUFS" || result.verdict !== "drop") {
        throw new Error(
          `injecting the probe failed with ${sent.errno}; the trace shows verdict ${result.verdict} after [${result.visited.join(", ")}]`,
        );
      }
      return result;
    }
    const events: TraceEvent[] = [];
    const deadline = Date.now() + END_POINT_TIMEOUT_MS;
    const fds = [this.trace.fd, this.probes.endPointFd(path, aim)];
    for (;;) {
      // The end point first: once the probe is there, its events are all queued, so one take reads them.
      const arrived = this.probes.arrived(path, aim, nonce);
      events.push(...this.trace.take());
      const result = seen(events);
      if (arrived || result.verdict === "drop") return result;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `the probe (${describeAim(aim)}) was neither dropped nor seen at its end point within ${END_POINT_TIMEOUT_MS} ms (a device that sends it counting tx_dropped is one linkwatch has not activated)`,
        );
      waitAny(fds, left);
    }
  }
}

function describeAim(aim: Aim): string {
  return aim.kind === "udp" ? `port ${aim.port}` : `arp op ${aim.op}`;
}
