// Which event armed the timer of a queue that sent a Time Exceeded
// (iut/linux/frag6/expiry.ts): one event of the window, or a named decline,
// never a guess.
import { describe, expect, it } from "vitest";
import { armingEvent, armingKeys, type ExpiryContext } from "../../iut/linux/frag6/expiry.js";

const R = 1000;

function context(times: number[], heads: boolean[], planned: number[], sent = planned): ExpiryContext {
  return {
    times,
    arming: armingKeys(Array(times.length).fill("k"), heads),
    planned,
    sent,
    realTimeoutMs: R,
    lateMarginMs: 120,
  };
}

describe("frag6 kernel IUT: the event that armed an expired queue's timer", () => {
  it("fragments sent back to back after their head: the head armed it (the rest cannot have made a queue that sends)", () => {
    const c = context([0, 4, 5, 13], [true, false, false, false], [0, 0, 0, 0], [0, 0.2, 0.4, 0.6]);
    expect(armingEvent("k", R + 10, c)).toEqual({ ok: true, event: 0 });
  });

  it("events of one virtual time in one window: either names the same deadline", () => {
    const c = context([0, 0, 500], [false, true, true], [0, 0, 200]);
    expect(armingEvent("k", R + 10, c)).toEqual({ ok: true, event: 0 });
    expect(armingEvent("k", 200 + R + 10, c)).toEqual({ ok: true, event: 2 });
  });

  it("two events that may arm it, planned apart but sent close together (load): a jitter decline, run again", () => {
    const c = context([0, 500], [true, true], [0, 200], [0, 100]);
    const r = armingEvent("k", 100 + R + 10, c);
    expect(r).toMatchObject({ ok: false, why: "jitter" });
    if (!r.ok) expect(r.reason).toMatch(/^scheduling jitter: .* event 0 \(t=0\) or event 1 \(t=500\)/);
  });

  it("two that the schedule could not space (unspaced): declined, naming why, not run again", () => {
    const r = armingEvent("k", R + 10, context([0, 500], [true, true], [0, 0]));
    expect(r).toMatchObject({ ok: false, why: "unspaced" });
    if (!r.ok) expect(r.reason).toMatch(/sent back to back: no real schedule keeps/);
  });

  it("seen outside every window of its key (the thread looked late): a jitter decline", () => {
    const r = armingEvent("k", R + 400, context([0], [true], [0]));
    expect(r).toMatchObject({ ok: false, why: "jitter" });
  });

  it("about a key no offset-0 fragment of which was sent: no decline, an error the adapter reports", () => {
    expect(armingEvent("k", R + 10, context([0], [false], [0]))).toMatchObject({ ok: false, why: "unexpected" });
    expect(armingEvent(null, R + 10, context([0], [true], [0]))).toMatchObject({ ok: false, why: "unexpected" });
  });
});
