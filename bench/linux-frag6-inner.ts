// Runs inside a private network namespace (bench/index.ts puts it there): the
// frag6 area on the kernel, both paths, driven in-process. Each stream costs
// a namespace of its own (iut/linux/frag6/case-network.ts; since issue 14
// item 4 one reused from a pool where its reset is verified), so the floor is
// a fresh namespace alone: create, set up, leave, with no fragment sent. A case
// with a queue that may still send a Time Exceeded waits for the kernel's real
// timeout (1 s at least), so the streams are also run many at once, each
// still in a namespace of its own, as a run's instances do: their waits
// overlap. The timer-bound ideal at N at once is the sequential run's time
// off the CPU (its waits) over N.
import fc from "fast-check";
import { frag6Area } from "../iut/linux/frag6/area.js";
import { caseNamespacePool } from "../iut/linux/frag6/case-namespace-pool.js";
import { enterCaseNamespace, type Frag6Path } from "../iut/linux/frag6/case-network.js";
import { FRAG6_PATH_ENV } from "../iut/linux/frag6/path.js";
import { frag6Stream } from "../properties/frag6/generators.js";
import { FRAG6_CLASSES } from "../properties/frag6/stream.js";
import { NetworkNamespace } from "../sys/netns.js";
import { fromHex } from "../wire/hex.js";

const STREAMS = Number(process.env.NFCONFORM_BENCH_FRAG6_STREAMS ?? 60);
const AT_ONCE = (process.env.NFCONFORM_BENCH_FRAG6_AT_ONCE ?? "8,16,32").split(",").map(Number);
NetworkNamespace.create();
// Streams about time wait out a real 1 s timeout: measured apart from the rest.
const untimed = FRAG6_CLASSES.filter((c) => c !== "timeout-spread");
const streams = fc.sample(frag6Stream({ classes: untimed }), { seed: 1, numRuns: STREAMS });
const timed = fc.sample(frag6Stream({ classes: ["timeout-spread"] }), { seed: 1, numRuns: 5 });
const fragments = streams.reduce((n, s) => n + s.events.length, 0);

interface Rate {
  perSecond: number;
  declined: number;
  /** CPU seconds of the whole pass (user + sys). */
  cpu: number;
  /** Summed over the cases, off the CPU (their waits); meaningful one case at a time. */
  waited: number;
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};

/** The streams, `atOnce` at a time, each on an area instance of its own (as a run's instances are). */
async function rate(path: Frag6Path, list: typeof streams, atOnce = 1): Promise<Rate> {
  process.env[FRAG6_PATH_ENV] = path;
  let declined = 0;
  let waited = 0;
  let next = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: atOnce }, async () => {
      const area = frag6Area();
      for (let i = next++; i < list.length; i = next++) {
        const caseStart = performance.now();
        const caseCpu = process.cpuUsage();
        try {
          await area.handlers["frag6.run"]!({ events: list[i]!.events, config: list[i]!.config });
        } catch {
          declined++;
        }
        waited += (performance.now() - caseStart) / 1000 - cpuSeconds(caseCpu);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: list.length / seconds, declined, cpu: cpuSeconds(cpu), waited };
}

function floor(path: Frag6Path): number {
  const local = fromHex("20010d5d000000000000000000000001");
  const start = performance.now();
  for (let i = 0; i < STREAMS; i++) enterCaseNamespace(path, [local]).leave();
  return STREAMS / ((performance.now() - start) / 1000);
}

for (const path of ["plain", "conntrack"] as const) {
  const f = floor(path);
  const r = await rate(path, streams);
  const t = await rate(path, timed);
  const name = `kernel frag6 ${path.padEnd(9)}`;
  console.log(
    `${name} ${r.perSecond.toFixed(1)} streams/s (${((r.perSecond * fragments) / STREAMS).toFixed(0)} fragments/s, ${STREAMS} untimed streams one at a time, ${r.declined} declined, ${r.cpu.toFixed(2)} CPU-s, ${r.waited.toFixed(1)} s waited) beside a bare case namespace floor of ${f.toFixed(1)}/s = ${(r.perSecond / f).toFixed(2)} of the floor; timed streams ${t.perSecond.toFixed(2)}/s`,
  );
  for (const n of AT_ONCE) {
    const c = await rate(path, streams, n);
    const ideal = STREAMS / (r.waited / n);
    console.log(
      `${name} ${String(n).padStart(2)} at once: ${c.perSecond.toFixed(1)} streams/s (${c.declined} declined, ${c.cpu.toFixed(2)} CPU-s) = ${(c.perSecond / f).toFixed(2)} of the floor; timer-bound ideal ${ideal.toFixed(1)}/s (the waits above over ${n})`,
    );
  }
  // Cases get reused namespaces (case-namespace-pool.ts): how many were made, reused, and refused at their reset.
  const { made, reused, refused } = caseNamespacePool(path).stats;
  console.log(
    `${name} namespaces: ${made} made, ${reused} reused (${[...refused].map(([why, n]) => `${n} refused: ${why}`).join("; ") || "none refused"})`,
  );
}
