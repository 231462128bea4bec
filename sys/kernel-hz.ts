// CONFIG_HZ of the running kernel: the resolution of the coarse clocks is one
// tick (clock_getres(CLOCK_MONOTONIC_COARSE) answers LOW_RES_NSEC, TICK_NSEC:
// kernel/time/posix-timers.c posix_get_coarse_res()). Kernel timers count in
// these ticks (jiffies), so a timer's rounding depends on it.
import { check, libc } from "./libc.js";

const CLOCK_MONOTONIC_COARSE = 6;

/** The values Kconfig offers for CONFIG_HZ (kernel/Kconfig.hz). */
export const KNOWN_HZ = [100, 250, 300, 1000] as const;

/** The HZ a coarse clock resolution of `nanoseconds` stands for; throws unless it is one Kconfig offers. */
export function hzFromResolution(nanoseconds: number): number {
  const hz = Math.round(1e9 / nanoseconds);
  if (!(KNOWN_HZ as readonly number[]).includes(hz))
    throw new Error(
      `kernel HZ: clock_getres(CLOCK_MONOTONIC_COARSE) gave ${nanoseconds} ns, which is no CONFIG_HZ (${KNOWN_HZ.join(", ")})`,
    );
  return hz;
}

let hz: number | undefined;

export function kernelHz(): number {
  if (hz === undefined) {
    const timespec = new BigInt64Array(2);
    check(
      "clock_getres(CLOCK_MONOTONIC_COARSE)",
      libc().clock_getres(CLOCK_MONOTONIC_COARSE, new Uint8Array(timespec.buffer)),
    );
    hz = hzFromResolution(Number(timespec[0]!) * 1e9 + Number(timespec[1]!));
  }
  return hz;
}
