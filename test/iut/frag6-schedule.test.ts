// The kernel frag6 IUT's real schedule (iut/linux/frag6/schedule.ts): every
// event stays on its side of every queue deadline, with margins, and long
// virtual spacing is judged, not declined.
import { describe, expect, it } from "vitest";
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

  it("events of one key with different virtual times are spaced so a Time Exceeded names the one that armed it", () => {
    const r = planSchedule([0, 10, 20], 60_000, ["a", "a", "b"]);
    expect(r.ok && r.schedule.at).toEqual([0, SAME_KEY_SPACING_MS, SAME_KEY_SPACING_MS]);
    // Without keys, back to back.
    const plain = planSchedule([0, 10, 20], 60_000);
    expect(plain.ok && plain.schedule.at).toEqual([0, 0, 0]);
  });

  it("jitter that broke a relation is reported", () => {
    expect(scheduleKept([0, 60_000], 60_000, 1000, [0, 1130])).toBeNull();
    expect(scheduleKept([0, 60_000], 60_000, 1000, [0, 1030])).toMatch(/scheduling jitter/);
    expect(scheduleKept([0, 59_000], 60_000, 1000, [0, 990])).toMatch(/scheduling jitter/);
  });
});
