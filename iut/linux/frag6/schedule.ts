// Virtual time to real time. The kernel's reassembly timeout is a sysctl in
// whole seconds (proc_dointvec_jiffies), armed once per queue and fired by the
// timer wheel, which rounds a timer up to its level's granularity and never
// fires early: at HZ=250, 32 ms for a 1 s or 2 s timer, 256 ms for a 4 s one
// (wheelGranularityMs), so the late margin grows with the kernel timeout. A run's outcome depends on time
// only through which events come before or after each queue's deadline
// (first event + timeoutMs; at the deadline itself the queue has expired), so
// the real schedule keeps exactly those relations, with margins, and sends
// everything else as early as they allow. Those relations are difference
// constraints between send times: the earliest schedule that keeps them all is
// a longest-path problem (Bellman-Ford), and there is none exactly when the
// constraints form a positive cycle. A case with none at a 1 s kernel timeout
// is tried at 2 s and 4 s (the margins shrink relative to the timeout); only
// a case with none at all of them is declined. Events that may have armed the
// timer of a queue sending a Time Exceeded (expiry.ts) are kept apart too, when
// their virtual times differ: the error's arrival then names the one.

/** Kernel timeouts tried, shortest first (net.ipv6.ip6frag_time, nf_conntrack_frag6_timeout: whole seconds). */
const REAL_TIMEOUTS_MS = [1000, 2000, 4000] as const;
/** An event that must beat a deadline is sent at least this long before it (scheduling jitter). */
export const EARLY_MARGIN_MS = 60;
/** Besides the timer wheel's granularity, an event that must follow a deadline waits this long past it (jitter). */
export const LATE_JITTER_MS = 88;

/**
 * How late the timer wheel (kernel/time/timer.c) may fire a timer armed
 * `timeoutMs` ahead at `hz`: a timer `delta` jiffies away goes in the first
 * level n with delta < LVL_START(n + 1) = 63 << 3n (calc_wheel_index()), whose
 * granularity is LVL_GRAN(n) = 8^n jiffies, and its expiry is rounded up to
 * that granularity (calc_index()).
 */
export function wheelGranularityMs(timeoutMs: number, hz: number): number {
  const delta = Math.ceil((timeoutMs * hz) / 1000);
  let level = 0;
  while (delta >= 63 * 8 ** level) level++;
  return (8 ** level * 1000) / hz;
}

/** An event that must follow a deadline waits this long past it: the wheel's granularity plus jitter (120 ms for 1 s at HZ=250). */
export function lateMarginMs(realTimeoutMs: number, hz: number): number {
  return wheelGranularityMs(realTimeoutMs, hz) + LATE_JITTER_MS;
}
/** How much wider than the expiry window one key's arming events are spaced (200 ms in all at 1 s, HZ 250). */
const SPACING_SLACK_MS = 55;

/**
 * Events that may arm the timer of one key's expiring queue (expiry.ts
 * armingKeys) are sent at least this far apart when their virtual times
 * differ: wider than the expiry window (which grows with the late margin), so
 * a Time Exceeded's arrival names the one that armed it.
 */
export function sameKeySpacingMs(schedule: Pick<Schedule, "lateMarginMs">): number {
  const window = expiryWindowMs(schedule);
  return window.early + window.late + SPACING_SLACK_MS;
}
/** A timer armed at s fires in [s + timeout - early, s + timeout + late] (as observed, with jitter). */
export function expiryWindowMs(schedule: Pick<Schedule, "lateMarginMs">): { early: number; late: number } {
  return { early: 5, late: schedule.lateMarginMs + 20 };
}

/** A timer is woken for this long before its earliest firing (a jiffy or more early on a coarse clock, and jitter). */
const WAKE_EARLY_MS = 20;

/**
 * The earliest time (ms after the first event) at or after `t` at which a
 * reassembly timer may fire: each queue's timer is armed when a fragment
 * arrives, so it fires in the expiry window of an event already sent
 * (never early; late by at most the window), or `t` when one is open now.
 * Infinity when no window is ahead: a timer later than its window is seen
 * at the watch's end.
 */
export function nextFiring(
  sent: readonly number[],
  t: number,
  realTimeoutMs: number,
  window: { early: number; late: number },
): number {
  let next = Number.POSITIVE_INFINITY;
  for (const s of sent) {
    const open = s + realTimeoutMs - Math.max(window.early, WAKE_EARLY_MS);
    if (t < open) next = Math.min(next, open);
    else if (t <= s + realTimeoutMs + window.late) return t;
  }
  return next;
}

export interface Schedule {
  /** Real send time of each event, ms after the first. */
  at: number[];
  /** The kernel timeout the schedule is for. */
  realTimeoutMs: number;
  /** lateMarginMs() of realTimeoutMs at the kernel's HZ: how far past a deadline the events that follow it were put. */
  lateMarginMs: number;
  /** Events that may arm one key's timer could not all be kept sameKeySpacingMs() apart at any kernel timeout. */
  unspaced?: true;
}

export type ScheduleResult = { ok: true; schedule: Schedule } | { ok: false; reason: string };

/** x[j] >= x[i] + min. */
interface Constraint {
  i: number;
  j: number;
  min: number;
}

function relations(times: readonly number[], timeoutMs: number, realTimeoutMs: number, lateMs: number): Constraint[] {
  const out: Constraint[] = [];
  for (let j = 1; j < times.length; j++) {
    out.push({ i: j - 1, j, min: 0 });
    for (let i = 0; i < j; i++) {
      // After i's deadline: at least the real timeout plus the late margin; before it: at most the timeout less the early one.
      if (times[j]! - times[i]! >= timeoutMs) out.push({ i, j, min: realTimeoutMs + lateMs });
      else out.push({ i: j, j: i, min: -(realTimeoutMs - EARLY_MARGIN_MS) });
    }
  }
  return out;
}

/** The earliest send times keeping every constraint, or null when they form a positive cycle. */
function earliest(n: number, constraints: readonly Constraint[]): number[] | null {
  const x = new Array<number>(n).fill(0);
  for (let round = 0; round <= n; round++) {
    let changed = false;
    for (const { i, j, min } of constraints) {
      if (x[j]! < x[i]! + min) {
        x[j] = x[i]! + min;
        changed = true;
      }
    }
    if (!changed) return x.map((v) => v - x[0]!);
  }
  return null;
}

/** x[j] >= x[i] + spacingMs for events i < j that may arm one key's timer and differ in virtual time. */
function armingSpacing(times: readonly number[], arming: readonly (string | null)[], spacingMs: number): Constraint[] {
  const out: Constraint[] = [];
  for (let j = 1; j < times.length; j++)
    for (let i = 0; i < j; i++)
      if (arming[j] != null && arming[i] === arming[j] && times[i] !== times[j]) out.push({ i, j, min: spacingMs });
  return out;
}

/**
 * The real schedule of events at virtual `times`. `arming` (expiry.ts
 * armingKeys) names the events that may arm the timer of a queue sending a
 * Time Exceeded: those of one key with different virtual times are kept
 * sameKeySpacingMs() apart, at the shortest kernel timeout where that fits.
 * Where it fits at none (a flood of one key's fragments, say), the schedule
 * keeps the deadline relations alone and says so (`unspaced`): a Time Exceeded
 * those events leave ambiguous then declines the case (expiry.ts).
 */
export function planSchedule(
  times: readonly number[],
  timeoutMs: number,
  arming: readonly (string | null)[],
  hz: number,
): ScheduleResult {
  const late = (realTimeoutMs: number) => lateMarginMs(realTimeoutMs, hz);
  for (const realTimeoutMs of REAL_TIMEOUTS_MS) {
    const spacing = armingSpacing(times, arming, sameKeySpacingMs({ lateMarginMs: late(realTimeoutMs) }));
    const at = earliest(times.length, [...relations(times, timeoutMs, realTimeoutMs, late(realTimeoutMs)), ...spacing]);
    if (at) return { ok: true, schedule: { at, realTimeoutMs, lateMarginMs: late(realTimeoutMs) } };
  }
  for (const realTimeoutMs of REAL_TIMEOUTS_MS) {
    const at = earliest(times.length, relations(times, timeoutMs, realTimeoutMs, late(realTimeoutMs)));
    if (at) return { ok: true, schedule: { at, realTimeoutMs, lateMarginMs: late(realTimeoutMs), unspaced: true } };
  }
  const margins = REAL_TIMEOUTS_MS.map((r) => `${EARLY_MARGIN_MS}/${late(r)} ms at ${r} ms`).join(", ");
  return {
    ok: false,
    reason: `no real schedule keeps every event on its side of every queue deadline (timeout ${timeoutMs} ms) with a kernel timeout of ${REAL_TIMEOUTS_MS.join(", ")} ms and margins for timer granularity (HZ ${hz}) and jitter of ${margins}: some events must be closer to a deadline than the margins allow`,
  };
}

/** Whether the real send times kept every relation planSchedule() promised (jitter can break them). */
export function scheduleKept(
  times: readonly number[],
  timeoutMs: number,
  schedule: Pick<Schedule, "realTimeoutMs" | "lateMarginMs">,
  sent: readonly number[],
): string | null {
  const { realTimeoutMs, lateMarginMs } = schedule;
  for (let j = 0; j < times.length; j++) {
    for (let i = 0; i < j; i++) {
      const gap = sent[j]! - sent[i]!;
      if (
        times[j]! - times[i]! >= timeoutMs
          ? gap < realTimeoutMs + lateMarginMs / 2
          : gap > realTimeoutMs - EARLY_MARGIN_MS / 2
      ) {
        return `scheduling jitter: events ${i} and ${j} were sent ${gap.toFixed(1)} ms apart, too close to the ${realTimeoutMs} ms kernel timeout to tell the order of a deadline`;
      }
    }
  }
  return null;
}
