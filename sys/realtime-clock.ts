// The kernel stamps packets (SO_TIMESTAMPNS) on CLOCK_REALTIME; the suite
// times on performance.now(), CLOCK_MONOTONIC since the process began. The two
// run at one rate (NTP slews both) but part when the realtime clock is stepped
// (settimeofday, an NTP step, a VM resumed), so their offset is read when a
// stamp is converted, not taken from performance.timeOrigin, which was read
// once at start-up: a step since then would move every stamp by its size.
import { check, libc } from "./libc.js";

const CLOCK_REALTIME = 0;
const timespec = new BigInt64Array(2);

/** CLOCK_REALTIME minus performance.now(), in ms, as of now. */
export function realtimeOffsetMs(): number {
  const { clock_gettime } = libc(); // loaded before the readings: the first call loads libc
  const before = performance.now();
  check("clock_gettime(CLOCK_REALTIME)", clock_gettime(CLOCK_REALTIME, new Uint8Array(timespec.buffer)));
  const after = performance.now();
  return Number(timespec[0]) * 1000 + Number(timespec[1]) / 1e6 - (before + after) / 2;
}
