// Which event armed the timer of a queue that sent a Time Exceeded, so the
// error gets that event's virtual deadline. The kernel arms a queue's timer
// once, when inet_frag_find() creates the queue (inet_frag_create():
// mod_timer(jiffies + timeout)), and never again; ip6frag_expire_frag_queue()
// sends the error only for a queue holding its offset-0 fragment
// (INET_FRAG_FIRST_IN). So the arming event is an event of the error's key at
// or before the key's last offset-0 fragment with M set, sent one kernel
// timeout before the error (within expiryWindowMs). The schedule keeps such
// events sameKeySpacingMs() apart when their virtual times differ, so the
// window holds one of them; a window that holds two with different virtual
// times is an answer the IUT does not guess: the case is declined, as jitter
// (run again) when the schedule had spaced them, else naming the schedule.
import { expiryWindowMs, sameKeySpacingMs } from "./schedule.js";

/**
 * Each event's queue key if it may be the one that armed the timer of a queue
 * whose expiry sends a Time Exceeded (an event of the key at or before one of
 * its offset-0 fragments with M set), else null.
 */
export function armingKeys(keys: readonly string[], heads: readonly boolean[]): (string | null)[] {
  const lastHead = new Map<string, number>();
  keys.forEach((key, i) => {
    if (heads[i]) lastHead.set(key, i);
  });
  return keys.map((key, i) => ((lastHead.get(key) ?? -1) >= i ? key : null));
}

export interface ExpiryContext {
  /** The events' virtual times. */
  times: readonly number[];
  /** armingKeys() of the events. */
  arming: readonly (string | null)[];
  /** The planned real send times (ms after the first event). */
  planned: readonly number[];
  /** The real send times so far (ms after the first event). */
  sent: readonly number[];
  realTimeoutMs: number;
  /** The schedule's late margin (schedule.ts lateMarginMs). */
  lateMarginMs: number;
}

export type ArmingEvent =
  | { ok: true; event: number }
  /**
   * `jitter`: the real timing left the schedule's margins (the thread looked
   * late, or two events planned apart went out close together): running the
   * case again may judge it. `unspaced`: the schedule could not keep the
   * candidates apart (planSchedule `unspaced`): the case is declined.
   * `unexpected`: no event of the key could have armed it.
   */
  | { ok: false; why: "jitter" | "unspaced" | "unexpected"; reason: string };

/** The event whose timer sent a Time Exceeded about `key`, seen `seenAt` ms after the first event. */
export function armingEvent(key: string | null, seenAt: number, c: ExpiryContext): ArmingEvent {
  const ofKey = c.sent.flatMap((_, i) => (key !== null && c.arming[i] === key ? [i] : []));
  const window = expiryWindowMs(c);
  const inWindow = ofKey.filter((i) => {
    const fired = seenAt - c.sent[i]!;
    return fired >= c.realTimeoutMs - window.early && fired <= c.realTimeoutMs + window.late;
  });
  if (inWindow.length === 0) {
    if (ofKey.length === 0)
      return {
        ok: false,
        why: "unexpected",
        reason: `a Time Exceeded about ${key ?? "an unreadable packet"} came, though no offset-0 fragment of that key was sent before it`,
      };
    // Seen outside every window of its key's events: the thread was late to look (load), not the kernel to send.
    const after = ofKey.map((i) => (seenAt - c.sent[i]!).toFixed(0)).join(", ");
    return {
      ok: false,
      why: "jitter",
      reason: `scheduling jitter: a Time Exceeded about ${key} was seen ${after} ms after the events of its key, outside the ${c.realTimeoutMs} ms timer's window`,
    };
  }
  const first = inWindow[0]!;
  const other = inWindow.find((i) => c.times[i] !== c.times[first]);
  if (other === undefined) return { ok: true, event: first };
  const armedBy = `a Time Exceeded about ${key} could have been armed by event ${first} (t=${c.times[first]}) or event ${other} (t=${c.times[other]})`;
  const spacing = sameKeySpacingMs(c);
  if (c.planned[other]! - c.planned[first]! < spacing)
    return {
      ok: false,
      why: "unspaced",
      reason: `${armedBy}, sent back to back: no real schedule keeps the events that may arm one queue's timer ${spacing} ms apart within the case's queue deadlines`,
    };
  const gap = (c.sent[other]! - c.sent[first]!).toFixed(1);
  return {
    ok: false,
    why: "jitter",
    reason: `scheduling jitter: ${armedBy}, sent ${gap} ms apart (planned ${spacing} ms or more)`,
  };
}
