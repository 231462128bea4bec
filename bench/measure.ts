// Runs a function repeatedly for about `ms` milliseconds and reports its rate.
export interface Rate {
  iterations: number;
  seconds: number;
  perSecond: number;
  /**
   * Iterations per CPU-second of this process (user + system, every thread,
   * so the garbage collector's helpers count too): on a shared, loaded
   * machine wall time measures the load as much as the code.
   */
  perCpuSecond: number;
}

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

export function measure(fn: () => void, ms = 1000): Rate {
  for (let i = 0; i < 50; i++) fn(); // warm up the JIT
  let iterations = 0;
  const cpuStart = cpuSeconds();
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 20; i++) fn();
    iterations += 20;
    now = process.hrtime.bigint();
  }
  const seconds = Number(now - start) / 1e9;
  return { iterations, seconds, perSecond: iterations / seconds, perCpuSecond: iterations / (cpuSeconds() - cpuStart) };
}
