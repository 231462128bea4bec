// Pinning the calling thread to one CPU (sched_setaffinity(2)), so packets it
// injects are all processed on that CPU's backlog queue, in order.
import { check, libc } from "./libc.js";

/** Pins the calling thread to the CPU it is on; returns what restores the old mask. */
export function pinToCurrentCpu(): () => void {
  const c = libc();
  const old = new Uint8Array(128);
  check("sched_getaffinity", c.sched_getaffinity(0, old.length, old));
  const cpu = check("sched_getcpu", c.sched_getcpu());
  const mask = new Uint8Array(128);
  mask[cpu >> 3] = 1 << (cpu & 7);
  check("sched_setaffinity", c.sched_setaffinity(0, mask.length, mask));
  return () => {
    check("sched_setaffinity", c.sched_setaffinity(0, old.length, old));
  };
}
