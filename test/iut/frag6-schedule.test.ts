// The kernel frag6 IUT's real schedule (iut/linux/frag6/schedule.ts): every
// event stays on its side of every queue deadline, with margins, long virtual
// spacing is judged, not declined, and the events that may arm one queue's
// timer are never sent back to back when their virtual times differ.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { armingKeys } from "../../iut/linux/frag6/expiry.js";
import {
  EARLY_MARGIN_MS,
  sameKeySpacingMs,
  lateMarginMs,
  nextFiring,
  planSchedule as planAtHz,
  scheduleKept,
  wheelGranularityMs,
} from "../../iut/linux/frag6/schedule.js";

/** This machine's HZ (and that of the margins' first measurements). */
const HZ = 250;
/** One key's arming events apart at a 1 s or 2 s kernel timeout (HZ 250). */
const SAME_KEY_SPACING_MS = sameKeySpacingMs({ lateMarginMs: 120 });
const planSchedule = (times: number[], timeoutMs: number, arming: (string | null)[] = []) =>
  planAtHz(times, timeoutMs, arming, HZ);

/** Each pair on the side of the deadline its virtual times put it, with the margins. */
function keepsRelations(times: number[], timeoutMs: number, at: number[], realTimeoutMs: number): boolean {
  const late = lateMarginMs(realTimeoutMs, HZ);
  return times.every((tj, j) =>
    times.slice(0, j).every((ti, i) => {
      const gap = at[j]! - at[i]!;
      return gap >= 0 && (tj - ti >= timeoutMs ? gap >= realTimeoutMs + late : gap <= realTimeoutMs - EARLY_MARGIN_MS);
    }),
  );
}

describe("frag6 kernel schedule", () => {
  it("fragments 15 s apart under a 60 s timeout (issue 20): judged, every deadline relation kept", () => {
    const times = [0, 15_000, 30_000, 45_000, 60_000, 75_000, 90_000];
    const r = planSchedule(times, 60_000);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(keepsRelations(times, 60_000, r.schedule.at, r.schedule.realTimeoutMs)).toBe(true);
    // The old planner (back to back unless a deadline forced a wait) had no schedule for these.
    expect(r.schedule.at[4]! - r.schedule.at[0]!).toBeGreaterThanOrEqual(
      r.schedule.realTimeoutMs + r.schedule.lateMarginMs,
    );
    expect(r.schedule.at[4]! - r.schedule.at[1]!).toBeLessThanOrEqual(r.schedule.realTimeoutMs - EARLY_MARGIN_MS);
  });

  it("declines only a chain of deadlines the margins cannot fit at any kernel timeout tried", () => {
    // k events each one timeout T after the last (each must follow the previous one's deadline: k x (R + late)),
    // and k + 1 steps over the same span each shorter than T (each must beat a deadline: at most (k + 1) x (R - 60)).
    // Both chains end at the same event, so it fits only where k (R + late(R)) <= (k + 1) (R - 60).
    const chain = (k: number) => {
      const timeout = (k + 1) * 1000;
      const crossing = Array.from({ length: k + 1 }, (_, i) => i * timeout);
      const short = Array.from({ length: k + 1 }, (_, i) => (i + 1) * k * 1000);
      return { timeout, times: [...new Set([...crossing, ...short])].sort((x, y) => x - y) };
    };
    const fits = (k: number) => {
      const { times, timeout } = chain(k);
      const r = planSchedule(times, timeout);
      if (r.ok) expect(keepsRelations(times, timeout, r.schedule.at, r.schedule.realTimeoutMs)).toBe(true);
      else expect(r.reason).toMatch(/no real schedule keeps every event/);
      return r.ok ? r.schedule.realTimeoutMs : null;
    };
    // At HZ 250: 1 s and 2 s timers 120 ms late at most, 4 s ones 344 ms (256 ms of wheel granularity).
    expect(fits(5)).toBe(1000); // 5 x 1120 <= 6 x 940
    expect(fits(10)).toBe(2000); // 10 x 2120 <= 11 x 1940
    expect(fits(11)).toBeNull(); // 11 x 2120 > 12 x 1940, 11 x 4344 > 12 x 3940
    expect(fits(22)).toBeNull();
  });

  it("the late margin is the timer wheel's granularity for the timer's length, plus jitter", () => {
    expect([1000, 2000, 4000].map((t) => wheelGranularityMs(t, 250))).toEqual([32, 32, 256]);
    expect([1000, 2000, 4000].map((t) => wheelGranularityMs(t, 1000))).toEqual([64, 64, 64]);
    expect([1000, 2000, 4000].map((t) => wheelGranularityMs(t, 100))).toEqual([80, 80, 80]);
    // 1 s at HZ 250: the 120 ms the schedule always had.
    expect(lateMarginMs(1000, 250)).toBe(120);
    expect(lateMarginMs(4000, 250)).toBe(344);
    // One key's arming events are spaced wider than the window a timer fires in: 200 ms at 1 s, 424 ms at 4 s.
    expect(SAME_KEY_SPACING_MS).toBe(200);
    expect(sameKeySpacingMs({ lateMarginMs: 344 })).toBe(424);
  });

  it("events that may arm one key's timer, with different virtual times, are spaced so a Time Exceeded names the one", () => {
    const r = planSchedule([0, 10, 20], 60_000, ["a", "a", "b"]);
    expect(r.ok && r.schedule.at).toEqual([0, SAME_KEY_SPACING_MS, SAME_KEY_SPACING_MS]);
    // Events that cannot arm such a timer (no offset-0 fragment at or after them): back to back.
    const plain = planSchedule([0, 10, 20], 60_000, [null, null, null]);
    expect(plain.ok && plain.schedule.at).toEqual([0, 0, 0]);
  });

  it("only events at or before a head of their key (offset 0, M set) may arm a timer that sends a Time Exceeded", () => {
    expect(armingKeys(["a", "a", "b", "a", "b"], [false, true, false, false, false])).toEqual([
      "a",
      "a",
      null,
      null,
      null,
    ]);
  });

  it("never sends two events that may arm one key's timer back to back when their virtual times differ (issue 14)", () => {
    // Seven fragments of one datagram 0-13 ms apart, the head last: any of them may have armed the queue's timer, and
    // six 200 ms gaps do not fit before a 1 s deadline, so the kernel timeout is 2 s (they once went back to back).
    const times = [0, 4, 5, 6, 8, 9, 13];
    const headLast = planSchedule(times, 60_000, armingKeys(Array(7).fill("k"), [...Array(6).fill(false), true]));
    expect(headLast.ok && headLast.schedule).toEqual({
      at: times.map((_, i) => i * SAME_KEY_SPACING_MS),
      realTimeoutMs: 2000,
      lateMarginMs: 120,
    });
    // The head first (four such cases at CI's seed left ICMP out): only the head can have armed a timer that sends
    // a Time Exceeded, so the rest need no spacing.
    const headFirst = planSchedule(times, 60_000, armingKeys(Array(7).fill("k"), [true, ...Array(6).fill(false)]));
    expect(headFirst.ok && headFirst.schedule).toEqual({
      at: Array(7).fill(0),
      realTimeoutMs: 1000,
      lateMarginMs: 120,
    });
    // Any case: every such pair is SAME_KEY_SPACING_MS apart, and every deadline relation kept.
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.nat(3000), key: fc.constantFrom("a", "b"), head: fc.boolean() }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.constantFrom(1000, 3000, 60_000),
        (events, timeout) => {
          const times = events.map((_, i) => events.slice(0, i + 1).reduce((t, e) => t + e.dt, 0));
          const arming = armingKeys(
            events.map((e) => e.key),
            events.map((e) => e.head),
          );
          const r = planSchedule(times, timeout, arming);
          if (!r.ok || r.schedule.unspaced) return;
          const { at, realTimeoutMs } = r.schedule;
          expect(keepsRelations(times, timeout, at, realTimeoutMs)).toBe(true);
          for (let j = 0; j < times.length; j++)
            for (let i = 0; i < j; i++)
              if (arming[i] !== null && arming[i] === arming[j] && times[i] !== times[j])
                expect(at[j]! - at[i]!, `events ${i} and ${j}`).toBeGreaterThanOrEqual(sameKeySpacingMs(r.schedule));
        },
      ),
      { seed: 14, numRuns: 300 },
    );
  });

  it("says so when the arming events cannot be spaced before their deadline at any kernel timeout (a flood)", () => {
    // 25 fragments of one datagram within one timeout, its head last: 24 gaps of 200 ms do not fit before a 4 s
    // deadline. The deadline relations alone are kept, at 1 s; a Time Exceeded they leave ambiguous declines the case.
    const times = Array.from({ length: 25 }, (_, i) => i);
    const r = planSchedule(times, 60_000, armingKeys(Array(25).fill("k"), [...Array(24).fill(false), true]));
    expect(r.ok && r.schedule).toEqual({
      at: Array(25).fill(0),
      realTimeoutMs: 1000,
      lateMarginMs: 120,
      unspaced: true,
    });
  });

  it("jitter that broke a relation is reported", () => {
    const at1s = { realTimeoutMs: 1000, lateMarginMs: 120 };
    expect(scheduleKept([0, 60_000], 60_000, at1s, [0, 1130])).toBeNull();
    expect(scheduleKept([0, 60_000], 60_000, at1s, [0, 1030])).toMatch(/scheduling jitter/);
    expect(scheduleKept([0, 59_000], 60_000, at1s, [0, 990])).toMatch(/scheduling jitter/);
  });
});

describe("frag6 kernel IUT: when a case waiting for Time Exceeded may sleep", () => {
  const window = { early: 5, late: 140 };

  it("asleep until the earliest expiry window of an event sent, polled inside one, never woken after the last", () => {
    expect(nextFiring([0, 300], 10, 1000, window)).toBe(980);
    expect(nextFiring([0, 300], 990, 1000, window)).toBe(990);
    expect(nextFiring([0, 300], 1141, 1000, window)).toBe(1280);
    expect(nextFiring([0, 300], 1441, 1000, window)).toBe(Number.POSITIVE_INFINITY);
  });

  it("no timer can fire while a case sleeps: polled now, or every window is over before now or opens after the wake-up", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 8000 }),
        fc.constantFrom(1000, 2000, 4000),
        (sent, t, realTimeoutMs) => {
          const wake = nextFiring(sent, t, realTimeoutMs, window);
          expect(wake).toBeGreaterThanOrEqual(t);
          for (const s of sent) {
            // A timer armed at s fires in [s + timeout - early, s + timeout + late] (expiryWindowMs).
            const from = s + realTimeoutMs - window.early;
            const to = s + realTimeoutMs + window.late;
            expect(wake === t || to < t || from >= wake).toBe(true);
          }
        },
      ),
    );
  });
});
