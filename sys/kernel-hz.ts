// CONFIG_HZ of the running kernel: the resolution of the coarse clocks is one
// tick (clock_getres(CLOCK_MONOTONIC_COARSE) answers LOW_RES_NSEC, TICK_NSEC:
// kernel/time/posix-timers.c posix_get_coarse_res()). Kernel timers count in
// these ticks (jiffies), so a timer's rounding depends on it.
import { check, libc } from "./libc.js";

const CLOCK_MONOTONIC_COARSE = 6;

let hz: number | undefined;

export function kernelHz(): number {
  if (hz === undefined) {
    const timespec = new BigInt64Array(2);
    check(
      "clock_getres(CLOCK_MONOTONIC_COARSE)",
      libc().clock_getres(CLOCK_MONOTONIC_COARSE, new Uint8Array(timespec.buffer)),
    );
    const nanoseconds = Number(timespec[0]!) * 1e9 + Number(timespec[1]!);
    hz = Math.round(1e9 / nanoseconds);
  }
  return hz;
}
