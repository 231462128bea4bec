// Virtual time to real time. The kernel's reassembly timeout is a sysctl in
// whole seconds (proc_dointvec_jiffies), armed once per queue and fired by the
// timer wheel, which rounds a 1 s timer up to its level's granularity (HZ=250:
// 8 jiffies, 32 ms) and never fires early. A run's outcome depends on time
// only through which events come before or after each queue's deadline
// (first event + timeoutMs; at the deadline itself the queue has expired), so
// the real schedule keeps exactly those relations with a 1 s kernel timeout
// and sends everything else back to back. A case whose relations cannot all
// be kept with the margins below is declined.

/** The kernel timeout used for every case (net.ipv6.ip6frag_time, nf_conntrack_frag6_timeout). */
export const REAL_TIMEOUT_MS = 1000;
/** An event that must beat a deadline is sent at least this long before it (scheduling jitter). */
export const EARLY_MARGIN_MS = 60;
/** An event that must follow a deadline waits this long past it (timer granularity plus jitter). */
export const LATE_MARGIN_MS = 120;

export interface Schedule {
  /** Real send time of each event, ms after the first. */
  at: number[];
  /** Whether any event must come after another's deadline: the case is about time. */
  crossesTimeout: boolean;
}

export type ScheduleResult = { ok: true; schedule: Schedule } | { ok: false; reason: string };

export function planSchedule(times: readonly number[], timeoutMs: number): ScheduleResult {
  const at: number[] = [];
  let crossesTimeout = false;
  for (let j = 0; j < times.length; j++) {
    let low = j === 0 ? 0 : at[j - 1]!;
    let high = Infinity;
    let highFrom = -1;
    for (let i = 0; i < j; i++) {
      if (times[j]! - times[i]! >= timeoutMs) {
        crossesTimeout = true;
        low = Math.max(low, at[i]! + REAL_TIMEOUT_MS + LATE_MARGIN_MS);
      } else if (at[i]! + REAL_TIMEOUT_MS - EARLY_MARGIN_MS < high) {
        high = at[i]! + REAL_TIMEOUT_MS - EARLY_MARGIN_MS;
        highFrom = i;
      }
    }
    if (low > high) {
      return {
        ok: false,
        reason: `event ${j} (t=${times[j]}) must come after one queue deadline and before the deadline of event ${highFrom} (t=${times[highFrom]}, timeout ${timeoutMs} ms): with a ${REAL_TIMEOUT_MS} ms kernel timeout and margins of ${EARLY_MARGIN_MS}/${LATE_MARGIN_MS} ms for timer granularity and jitter, no real schedule keeps both`,
      };
    }
    at.push(low);
  }
  return { ok: true, schedule: { at, crossesTimeout } };
}

/** Whether the real send times kept every relation planSchedule() promised (jitter can break them). */
export function scheduleKept(times: readonly number[], timeoutMs: number, sent: readonly number[]): string | null {
  for (let j = 0; j < times.length; j++) {
    for (let i = 0; i < j; i++) {
      const gap = sent[j]! - sent[i]!;
      if (
        times[j]! - times[i]! >= timeoutMs
          ? gap < REAL_TIMEOUT_MS + LATE_MARGIN_MS / 2
          : gap > REAL_TIMEOUT_MS - EARLY_MARGIN_MS / 2
      ) {
        return `scheduling jitter: events ${i} and ${j} were sent ${gap.toFixed(1)} ms apart, too close to the ${REAL_TIMEOUT_MS} ms kernel timeout to tell the order of a deadline`;
      }
    }
  }
  return null;
}
