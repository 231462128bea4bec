// Blocking the calling thread: the kernel IUT runs one request at a time,
// synchronously, so its waits (between polls of /proc, on a case's schedule)
// block rather than yield.
const cell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the calling thread for `ms` milliseconds (not at all when ms <= 0). */
export function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(cell, 0, 0, ms);
}
