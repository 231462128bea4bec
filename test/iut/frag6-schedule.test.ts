// The kernel frag6 IUT's real schedule (iut/linux/frag6/schedule.ts): every
// event stays on its side of every queue deadline, with margins, long virtual
// spacing is judged, not declined, and the events that may arm one queue's
// timer are never sent back to back when their virtual times differ.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { armingKeys } from "../../iut/linux/frag6/expiry.js";
import {
  EARLY_MARGIN_MS,
  LATE_MARGIN_MS,
  SAME_KEY_SPACING_MS,
  planSchedule,
  scheduleKept,
} from "../../iut/linux/frag6/schedule.js";

/** Each pair on the side of the deadline its virtual times put it, with the margins. */
function keepsRelations(times: number[], timeoutMs: number, at: number[], realTimeoutMs: number): boolean {
  return times.every((tj, j) =>
    times.slice(0, j).every((ti, i) => {
      const gap = at[j]! - at[i]!;
      return (
        gap >= 0 &&
        (tj - ti >= timeoutMs ? gap >= realTimeoutMs + LATE_MARGIN_MS : gap <= realTimeoutMs - EARLY_MARGIN_MS)
      );
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
    expect(r.schedule.at[4]! - r.schedule.at[0]!).toBeGreaterThanOrEqual(r.schedule.realTimeoutMs + LATE_MARGIN_MS);
    expect(r.schedule.at[4]! - r.schedule.at[1]!).toBeLessThanOrEqual(r.schedule.realTimeoutMs - EARLY_MARGIN_MS);
  });

  it("declines only a chain of deadlines the margins cannot fit at any kernel timeout tried", () => {
    // 22 events each one timeout after the last (each must follow the previous one's deadline: 22 x (R + 120 ms)),
    // and 23 steps over the same span each shorter than the timeout (each must beat a deadline: at most 23 x (R - 60 ms)).
    // Both chains end at the same event: 22 (R + 120) <= 23 (R - 60) needs R >= 4020 ms, past the 4 s tried
    // (a longer kernel timeout would fit it, at 22 such waits a case).
    const timeout = 23_000;
    const crossing = Array.from({ length: 23 }, (_, i) => i * 23_000);
    const short = Array.from({ length: 23 }, (_, i) => (i + 1) * 22_000);
    const times = [...new Set([...crossing, ...short])].sort((a, b) => a - b);
    const r = planSchedule(times, timeout);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/no real schedule keeps every event/);
    // One crossing fewer fits (at a longer kernel timeout).
    const fewer = times.filter((t) => t < 21 * 23_000 || t === 22 * 22_000);
    const f = planSchedule(fewer, timeout);
    expect(f.ok).toBe(true);
    if (f.ok) expect(keepsRelations(fewer, timeout, f.schedule.at, f.schedule.realTimeoutMs)).toBe(true);
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
    });
    // The head first (four such cases at CI's seed left ICMP out): only the head can have armed a timer that sends
    // a Time Exceeded, so the rest need no spacing.
    const headFirst = planSchedule(times, 60_000, armingKeys(Array(7).fill("k"), [true, ...Array(6).fill(false)]));
    expect(headFirst.ok && headFirst.schedule).toEqual({ at: Array(7).fill(0), realTimeoutMs: 1000 });
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
                expect(at[j]! - at[i]!, `events ${i} and ${j}`).toBeGreaterThanOrEqual(SAME_KEY_SPACING_MS);
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
    expect(r.ok && r.schedule).toEqual({ at: Array(25).fill(0), realTimeoutMs: 1000, unspaced: true });
  });

  it("jitter that broke a relation is reported", () => {
    expect(scheduleKept([0, 60_000], 60_000, 1000, [0, 1130])).toBeNull();
    expect(scheduleKept([0, 60_000], 60_000, 1000, [0, 1030])).toMatch(/scheduling jitter/);
    expect(scheduleKept([0, 59_000], 60_000, 1000, [0, 990])).toMatch(/scheduling jitter/);
  });
});
