// One Linux reassembly queue directory (struct fqdir): the queues of one
// reassembler in one namespace, its memory count and its timers.
import type { FragmentPacket } from "../../wire/ipv6-fragment.js";
import { FRAG_QUEUE_SIZE } from "./memory.js";
import { emptyRuns, type RunSet } from "./runs.js";
import type { Arrival, QueueKey } from "./fragment.js";
import type { Frag6Config } from "./profiles.js";

export interface QueuedFragment {
  offset: number;
  end: number;
  data: Uint8Array;
  truesize: number;
}

/** A queue's key: a run's QueueKey (or any string, where only identity matters); its text names the queue. */
export type QueueId = QueueKey | string;

export interface LinuxQueue {
  key: QueueId;
  /** Creation order, to fire timers of equal expiry in a fixed order. */
  seq: number;
  /** inet_frag_create(): mod_timer(jiffies + fqdir->timeout), never re-armed. */
  expires: number;
  firstIn: boolean;
  lastIn: boolean;
  complete: boolean;
  /** q->len: the datagram length as known so far. */
  len: number;
  /** q->meat: bytes queued. */
  meat: number;
  runs: RunSet;
  fragments: QueuedFragment[];
  /** fq->ecn: OR of 1 << (dsfield & 3) over the queued fragments. */
  ecn: number;
  /** The offset-0 fragment, whose headers the datagram keeps. */
  head: { arrival: Arrival; fragment: FragmentPacket } | null;
}

export class Fqdir {
  readonly queues = new Map<QueueId, LinuxQueue>();
  mem = 0;
  private seq = 0;

  constructor(
    readonly name: string,
    readonly config: Frag6Config,
  ) {}

  /**
   * inet_frag_find(): no queue at all (the fragment is dropped) while the
   * memory in use exceeds high_thresh, for existing queues too; otherwise the
   * queue of that key, created (and charged its size) if there is none.
   */
  find(key: QueueId, t: number): LinuxQueue | null {
    if (this.config.highThresh === 0 || this.mem > this.config.highThresh) return null;
    const existing = this.queues.get(key);
    if (existing) return existing;
    const q: LinuxQueue = {
      key,
      seq: this.seq++,
      expires: t + this.config.timeoutMs,
      firstIn: false,
      lastIn: false,
      complete: false,
      len: 0,
      meat: 0,
      runs: emptyRuns(),
      fragments: [],
      ecn: 0,
      head: null,
    };
    this.queues.set(key, q);
    this.mem += FRAG_QUEUE_SIZE;
    return q;
  }

  /** inet_frag_kill() then inet_frag_destroy(): out of the hash, its memory released. */
  kill(q: LinuxQueue): void {
    if (q.complete) return;
    q.complete = true;
    this.queues.delete(q.key);
    this.mem -= FRAG_QUEUE_SIZE + q.fragments.reduce((n, f) => n + f.truesize, 0);
  }

  /** The queue whose timer fires next at or before `t`, if any. */
  nextExpiry(t: number): LinuxQueue | null {
    let next: LinuxQueue | null = null;
    if (this.queues.size === 0) return next;
    for (const q of this.queues.values()) {
      if (q.expires > t) continue;
      if (!next || q.expires < next.expires || (q.expires === next.expires && q.seq < next.seq)) next = q;
    }
    return next;
  }
}
