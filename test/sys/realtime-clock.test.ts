import { describe, expect, it } from "vitest";
import { realtimeOffsetMs } from "../../sys/realtime-clock.js";

// A packet's SO_TIMESTAMPNS stamp minus this offset is on performance.now()'s clock (frag6 icmp-capture.ts).
describe("realtime clock offset", () => {
  it("is CLOCK_REALTIME minus performance.now() in ms: Date.now()'s to within its 1 ms grain", () => {
    const offset = realtimeOffsetMs();
    const coarse = Date.now() - performance.now();
    expect(Math.abs(offset - coarse)).toBeLessThan(2);
  });
});
